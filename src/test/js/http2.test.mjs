// The Shape API over HTTP/2 with prior knowledge (cleartext h2c), with Node's built-in http2 client on ONE session
// (one TCP connection): 50 live shapes multiplexed, each receiving its change after one write; a stream the client
// resets leaves the others and the connection unharmed; caching headers as over HTTP/1.1; SSE (live_sse=true).
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import http2 from 'node:http2'
import { AMPERE_URL, closeDb, fetchBounded, shapeUrl, sql, uniqueName, WAIT_MS } from './support.mjs'

after(closeDb)

const LONG_TEST_MS = 90_000

/** One HTTP/2 session (connection) to Ampere, with prior knowledge; records GOAWAYs and errors. */
function connect() {
  const session = http2.connect(AMPERE_URL)
  const problems = []
  session.on('goaway', (code) => problems.push(`goaway ${code}`))
  session.on('error', (e) => problems.push(`error ${e.message}`))
  let sockets = 0
  session.on('connect', () => { sockets++ })
  return { session, problems, sockets: () => sockets }
}

/** GET of a shape URL on the session; resolves with status, headers and body text, bounded by timeoutMs. */
function get(session, query, headers = {}, timeoutMs = WAIT_MS) {
  const url = shapeUrl(query)
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': url.pathname + url.search, ...headers })
    const timer = setTimeout(() => { stream.close(http2.constants.NGHTTP2_CANCEL); reject(new Error(`no answer to ${url}`)) }, timeoutMs)
    let response
    const chunks = []
    stream.on('response', (h) => { response = h })
    stream.on('data', (c) => chunks.push(c))
    stream.on('end', () => {
      clearTimeout(timer)
      resolve({ status: response[':status'], headers: response, body: Buffer.concat(chunks).toString('utf8') })
    })
    stream.on('error', (e) => { clearTimeout(timer); reject(e) })
    stream.end()
  })
}

async function snapshot(session, table, where) {
  const r = await get(session, { table, offset: '-1', where })
  assert.equal(r.status, 200, r.body)
  return r.headers['electric-handle']
}

/** Live long-polls of one shape (each answered at its change or its timeout) until a body holds an insert. */
async function follow(session, table, where, handle) {
  let offset = '0_inf'
  let cursor
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = await get(session, { table, where, handle, offset, live: 'true', cursor }, {}, 40_000)
    assert.equal(r.status, 200, r.body)
    if (r.body.includes('"operation":"insert"')) return r.body
    offset = r.headers['electric-offset']
    cursor = r.headers['electric-cursor']
  }
  throw new Error(`${where}: no insert after 5 live requests`)
}

test('50 live shapes multiplexed on one HTTP/2 connection each receive their change', { timeout: LONG_TEST_MS }, async () => {
  const table = uniqueName('h2')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`)
  const { session, problems, sockets } = connect()
  try {
    const handles = await Promise.all(Array.from({ length: 50 }, (_, i) => snapshot(session, table, `id = ${i + 1}`)))
    const live = handles.map((handle, i) => follow(session, table, `id = ${i + 1}`, handle))
    await sql(`INSERT INTO ${table} SELECT g, 'row ' || g FROM generate_series(1, 50) g`)
    const bodies = await Promise.all(live)
    bodies.forEach((body, i) => {
      assert.ok(body.includes(`"v":"row ${i + 1}"`), `shape ${i + 1}: ${body}`)
      assert.ok(!body.includes(`"v":"row ${(i + 1) % 50 + 1}"`), `shape ${i + 1}: ${body}`)
    })
    assert.equal(sockets(), 1, 'one connection')
    assert.equal(session.alpnProtocol, 'h2c')
    assert.deepEqual(problems, [])
  } finally {
    session.close()
  }
})

test('a stream reset by the client leaves the other streams and the connection unharmed', { timeout: LONG_TEST_MS }, async () => {
  const table = uniqueName('h2reset')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`)
  const { session, problems } = connect()
  try {
    const handles = await Promise.all([1, 2, 3, 4].map((i) => snapshot(session, table, `id = ${i}`)))
    // a live request the client gives up on while it waits
    const url = shapeUrl({ table, where: 'id = 1', handle: handles[0], offset: '0_inf', live: 'true' })
    const doomed = session.request({ ':path': url.pathname + url.search })
    doomed.end()
    const reset = new Promise((resolve) => doomed.on('close', resolve))
    const others = [2, 3, 4].map((i) => follow(session, table, `id = ${i}`, handles[i - 1]))
    doomed.close(http2.constants.NGHTTP2_CANCEL)
    await reset
    assert.equal(doomed.rstCode, http2.constants.NGHTTP2_CANCEL)
    await sql(`INSERT INTO ${table} SELECT g, 'row ' || g FROM generate_series(1, 4) g`)
    const bodies = await Promise.all(others)
    bodies.forEach((body, i) => assert.ok(body.includes(`"v":"row ${i + 2}"`), body))
    // the connection still serves new streams, among them the reset shape's change
    const again = await follow(session, table, 'id = 1', handles[0])
    assert.ok(again.includes('"v":"row 1"'), again)
    assert.ok(!session.destroyed && !session.closed)
    assert.deepEqual(problems, [])
  } finally {
    session.close()
  }
})

test('caching headers and bodies over HTTP/2 are those of HTTP/1.1; 304 revalidation; JSON 400s', { timeout: LONG_TEST_MS }, async () => {
  const table = uniqueName('h2headers')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, title text)`)
  await sql(`INSERT INTO ${table} SELECT g, 'title ' || g FROM generate_series(1, 20) g`)
  const { session, problems } = connect()
  try {
    // the same representation asked for on both (fetch itself would accept gzip)
    const identity = { 'accept-encoding': 'identity' }
    const one = await fetchBounded(shapeUrl({ table, offset: '-1' }), { headers: identity })
    const oneBody = await one.text()
    const two = await get(session, { table, offset: '-1' }, identity)
    assert.equal(two.status, 200)
    for (const h of ['cache-control', 'etag', 'electric-handle', 'electric-offset', 'electric-schema', 'electric-server',
      'content-type', 'access-control-expose-headers']) {
      assert.ok(two.headers[h], `${h} present`)
      assert.equal(two.headers[h], one.headers.get(h), h)
    }
    assert.equal(two.body, oneBody)
    const revalidated = await get(session, { table, offset: '-1' }, { ...identity, 'if-none-match': two.headers.etag })
    assert.equal(revalidated.status, 304)
    assert.equal(revalidated.body, '')
    const bad = await get(session, { offset: '-1' })
    assert.equal(bad.status, 400)
    assert.match(bad.headers['content-type'], /^application\/json/)
    assert.ok(JSON.parse(bad.body).errors.table, bad.body)
    assert.deepEqual(problems, [])
  } finally {
    session.close()
  }
})

test('live_sse=true streams events over HTTP/2', { timeout: LONG_TEST_MS }, async () => {
  const table = uniqueName('h2sse')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`)
  const { session, problems } = connect()
  try {
    const handle = await snapshot(session, table, undefined)
    const url = shapeUrl({ table, handle, offset: '0_inf', live: 'true', live_sse: 'true' })
    const stream = session.request({ ':path': url.pathname + url.search })
    stream.end()
    const headers = await new Promise((resolve) => stream.on('response', resolve))
    assert.equal(headers[':status'], 200)
    assert.match(headers['content-type'], /^text\/event-stream/)
    let text = ''
    const event = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no insert event in: ${text}`)), WAIT_MS)
      stream.on('data', (chunk) => {
        text += chunk.toString('utf8')
        const line = text.split('\n').find((l) => l.startsWith('data:') && l.includes('"operation":"insert"'))
        if (line) { clearTimeout(timer); resolve(line) }
      })
    })
    await sql(`INSERT INTO ${table} VALUES (7, 'seven')`)
    assert.ok((await event).includes('"v":"seven"'))
    stream.close(http2.constants.NGHTTP2_CANCEL)
    assert.deepEqual(problems, [])
  } finally {
    session.close()
  }
})

// Header-level behaviour the client and the caches in front of it rely on, checked with raw fetch: the headers the
// client requires, cache-control of offset=-1, immutable offset=-1 ETags, 304 revalidation, ignored extra
// parameters, and the exact 400 body for an invalid where.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { closeDb, fetchBounded, shapeUrl, sql, TEST_TIMEOUT_MS, uniqueName } from './support.mjs'

after(closeDb)

async function createItems(rows = 3) {
  const table = uniqueName('http')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, title text)`)
  if (rows > 0) await sql(`INSERT INTO ${table} SELECT g, 'row ' || g FROM generate_series(1, ${rows}) g`)
  return table
}

/** GET /v1/shape, asserting a 200 (the message carries the body otherwise), and returning headers and body text. */
async function get(query, init = {}, timeoutMs) {
  const response = await fetchBounded(shapeUrl(query), init, timeoutMs)
  const body = await response.text()
  return { status: response.status, headers: response.headers, body }
}

function expectOk(response, what) {
  assert.equal(response.status, 200, `${what} answered ${response.status}: ${response.body.slice(0, 300)}`)
}

/** Follows non-live catch-up requests from `offset` until a response is up to date; returns the last one. */
async function catchUp(table, handle, offset) {
  for (let i = 0; i < 100; i++) {
    const response = await get({ table, handle, offset })
    expectOk(response, `catch-up from ${offset}`)
    if (response.headers.has('electric-up-to-date')) return { ...response, requestOffset: offset }
    offset = response.headers.get('electric-offset')
  }
  throw new Error('no up-to-date after 100 catch-up requests')
}

test('offset=-1 carries the headers the client requires and the long cache lifetime', { timeout: TEST_TIMEOUT_MS }, async () => {
  const table = await createItems()
  const response = await get({ table, offset: '-1' })
  expectOk(response, 'offset=-1')
  assert.equal(
    response.headers.get('cache-control'),
    'public, max-age=604800, s-maxage=3600, stale-while-revalidate=2629746',
  )
  for (const header of ['electric-handle', 'electric-offset', 'electric-schema', 'etag']) {
    assert.ok(response.headers.has(header), `missing ${header}`)
  }
  assert.ok(!response.headers.has('electric-up-to-date'), 'an offset=-1 response is never up to date')
  assert.match(response.headers.get('content-type'), /^application\/json/)
  const body = JSON.parse(response.body)
  assert.ok(Array.isArray(body))
  assert.equal(body.filter((m) => m.headers?.operation === 'insert').length, 3)
})

test('a live request carries electric-cursor; extra parameters the client sends are ignored', { timeout: 30_000 }, async () => {
  const table = await createItems(1)
  const first = await get({ table, offset: '-1', customParam: 'x', 'cache-buster': 'abc', expired_handle: 'old-1' })
  expectOk(first, 'offset=-1 with extra parameters')
  const handle = first.headers.get('electric-handle')
  const synced = await catchUp(table, handle, first.headers.get('electric-offset'))
  const offset = synced.headers.get('electric-offset')
  const live = fetchBounded(shapeUrl({ table, handle, offset, live: 'true', cursor: '123', log: 'full' }), {}, 25_000)
  await sql(`INSERT INTO ${table} VALUES (2, 'live')`)
  const response = await live
  const body = await response.text()
  assert.equal(response.status, 200, `live request answered ${response.status}: ${body.slice(0, 300)}`)
  assert.ok(response.headers.get('electric-cursor'), 'live responses must carry electric-cursor')
  assert.equal(response.headers.get('electric-handle'), handle)
  assert.ok(response.headers.has('electric-offset'))
  const messages = JSON.parse(body)
  assert.ok(messages.some((m) => m.headers?.operation === 'insert' && m.value.id === '2'), body)
})

test('the offset=-1 ETag does not change after later inserts', { timeout: 30_000 }, async () => {
  const table = await createItems()
  const first = await get({ table, offset: '-1' })
  expectOk(first, 'offset=-1')
  const handle = first.headers.get('electric-handle')
  const etag = first.headers.get('etag')
  assert.ok(etag, 'offset=-1 must carry an ETag')

  // Wait (on a live request, bounded) until the inserts are in the shape's log.
  const synced = await catchUp(table, handle, first.headers.get('electric-offset'))
  const live = fetchBounded(
    shapeUrl({ table, handle, offset: synced.headers.get('electric-offset'), live: 'true' }),
    {},
    25_000,
  )
  await sql(`INSERT INTO ${table} VALUES (100, 'later'), (101, 'later')`)
  const liveResponse = await live
  assert.equal(liveResponse.status, 200)
  assert.match(await liveResponse.text(), /"100"/)

  const again = await get({ table, offset: '-1' })
  expectOk(again, 'the second offset=-1')
  assert.equal(again.headers.get('electric-handle'), handle)
  assert.equal(again.headers.get('etag'), etag)
  assert.equal(again.body, first.body)
})

test('If-None-Match with the ETag of a catch-up response answers 304', { timeout: 30_000 }, async () => {
  const table = await createItems()
  const first = await get({ table, offset: '-1' })
  expectOk(first, 'offset=-1')
  const handle = first.headers.get('electric-handle')
  const offset = first.headers.get('electric-offset')
  const catchup = await get({ table, handle, offset })
  expectOk(catchup, 'the catch-up request')
  const etag = catchup.headers.get('etag')
  assert.ok(etag, 'catch-up responses must carry an ETag')
  const revalidated = await get({ table, handle, offset }, { headers: { 'if-none-match': etag } })
  assert.equal(revalidated.status, 304)
  assert.equal(revalidated.body, '')
  const initialRevalidated = await get({ table, offset: '-1' }, { headers: { 'if-none-match': first.headers.get('etag') } })
  assert.equal(initialRevalidated.status, 304)

  // As upstream: a catch-up from an offset between log entries (one below the tail's tx) also revalidates.
  await sql(`INSERT INTO ${table} VALUES (10, 'ten')`)
  await sql(`INSERT INTO ${table} VALUES (11, 'eleven')`)
  const live = await get({ table, handle, offset: catchup.headers.get('electric-offset'), live: 'true' }, {}, 25_000)
  expectOk(live, 'the live request')
  const tail = (await catchUp(table, handle, offset)).headers.get('electric-offset')
  const [tx, op] = tail.split('_')
  const midOffset = `${BigInt(tx) - 1n}_${op}`
  const mid = await get({ table, handle, offset: midOffset })
  expectOk(mid, `catch-up from ${midOffset}`)
  const midEtag = mid.headers.get('etag')
  assert.ok(midEtag)
  const midRevalidated = await get({ table, handle, offset: midOffset }, { headers: { 'if-none-match': midEtag } })
  assert.equal(midRevalidated.status, 304)
})

test('an invalid where answers 400 with the Postgres parser message and 0-based location', { timeout: TEST_TIMEOUT_MS }, async () => {
  // Electric parses `SELECT 1 WHERE <where>` and reports the parser's 0-based cursor position in that whole
  // statement (the upstream client test sends `1 x 1` and expects location 17, not 2). Check the location on the
  // same Postgres: error.position is 1-based in the full statement.
  const where = '1 x 1'
  const error = await sql(`SELECT 1 WHERE ${where}`).then(
    () => assert.fail('the where should not parse'),
    (e) => e,
  )
  assert.equal(error.message, 'syntax error at or near "x"')
  assert.equal(Number(error.position) - 1, 17)

  const table = await createItems(0)
  const response = await get({ table, offset: '-1', where })
  assert.equal(response.status, 400)
  assert.equal(
    response.body,
    '{"message":"Invalid request","errors":{"where":["At location 17: syntax error at or near \\"x\\""]}}',
  )
  assert.match(response.headers.get('content-type'), /^application\/json/)
  assert.equal(response.headers.get('cache-control'), 'no-store')
})

test('validation errors are 400, never 5xx', { timeout: TEST_TIMEOUT_MS }, async () => {
  const table = await createItems(0)
  const cases = [
    [{ offset: '-1' }, 'table'],
    [{ table: uniqueName('missing'), offset: '-1' }, 'table'],
    [{ table, offset: 'nonsense' }, 'offset'],
    [{ table, offset: '0_0' }, 'handle'],
    [{ table, offset: '-1', live: 'true' }, 'live'],
    [{ table, offset: '-1', replica: 'partial' }, 'replica'],
    [{ table, offset: '-1', columns: 'title' }, 'columns'],
    [{ table, offset: '-1', where: 'id = $1' }, 'where'],
  ]
  for (const [query, field] of cases) {
    const response = await get(query)
    assert.equal(response.status, 400, `${JSON.stringify(query)} answered ${response.status}: ${response.body}`)
    const body = JSON.parse(response.body)
    assert.equal(body.message, 'Invalid request', response.body)
    assert.ok(Array.isArray(body.errors?.[field]), `${JSON.stringify(query)}: no error for ${field}: ${response.body}`)
  }
})

test('live_sse streams data: events with a trailing up-to-date', { timeout: 30_000 }, async () => {
  const table = await createItems(1)
  const first = await get({ table, offset: '-1' })
  expectOk(first, 'offset=-1')
  const handle = first.headers.get('electric-handle')
  const synced = await catchUp(table, handle, first.headers.get('electric-offset'))
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), 20_000)
  try {
    const url = shapeUrl({
      table,
      handle,
      offset: synced.headers.get('electric-offset'),
      live: 'true',
      live_sse: 'true',
      experimental_live_sse: 'true',
      cursor: '',
    })
    const responsePromise = fetch(url, { headers: { accept: 'text/event-stream' }, signal: controller.signal })
    await sql(`INSERT INTO ${table} VALUES (2, 'sse')`)
    const response = await responsePromise
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type'), /^text\/event-stream/)
    assert.ok(response.headers.get('electric-cursor'), 'SSE responses are live: they need electric-cursor')
    assert.equal(response.headers.get('electric-handle'), handle)
    // Read events until the up-to-date after the insert.
    const decoder = new TextDecoder()
    let text = ''
    const events = []
    for await (const bytes of response.body) {
      text += decoder.decode(bytes, { stream: true })
      let end
      while ((end = text.indexOf('\n\n')) >= 0) {
        const event = text.slice(0, end)
        text = text.slice(end + 2)
        const data = event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart())
        if (data.length > 0) events.push(JSON.parse(data.join('\n')))
      }
      if (events.some((e) => e.headers?.control === 'up-to-date')) break
    }
    const insert = events.find((e) => e.headers?.operation === 'insert')
    assert.deepEqual(insert?.value, { id: '2', title: 'sse' }, JSON.stringify(events))
    const upToDate = events.find((e) => e.headers?.control === 'up-to-date')
    assert.match(upToDate.headers.global_last_seen_lsn, /^[0-9]+$/)
  } finally {
    clearTimeout(timer)
    controller.abort()
  }
})

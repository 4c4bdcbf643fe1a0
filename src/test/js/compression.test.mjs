// gzip (docs/protocol.md §1.16): Node's fetch asks for gzip and decodes it transparently, so the official client
// runs on compressed responses throughout. The client must sync every row through compressed snapshot and log
// chunks and live updates; each compressed body must be exactly the body the same request gets uncompressed.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { closeDb, fetchBounded, idsAre, openShape, shapeUrl, sql, uniqueName } from './support.mjs'

after(closeDb)

const ROWS = 400

/** The text of a response and its content-encoding, asking with the given accept-encoding (undefined: fetch's own). */
async function fetchText(url, acceptEncoding) {
  const headers = acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}
  const response = await fetchBounded(url, { headers })
  const text = await response.text()
  assert.equal(response.status, 200, text)
  return { response, text, encoding: response.headers.get('content-encoding') }
}

test('the client syncs through compressed chunks and every compressed body equals the identity one', { timeout: 40_000 }, async () => {
  const table = uniqueName('gz')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, payload text NOT NULL)`)
  await sql(`INSERT INTO ${table} SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, ${ROWS}) g`)
  const encodings = []
  const watchingFetch = async (...args) => {
    const response = await fetch(...args)
    encodings.push(response.headers.get('content-encoding'))
    return response
  }
  const sub = openShape({ table }, { fetchClient: watchingFetch })
  try {
    const rows = await sub.synced(20_000)
    assert.equal(rows.length, ROWS)
    assert.ok(encodings.filter((e) => e === 'gzip').length >= 3, `compressed chunks: ${encodings}`)

    // Live: a transaction of a few kB arrives compressed and whole.
    await sql(`INSERT INTO ${table} SELECT g, repeat(md5(g::text), 4) FROM generate_series(${ROWS + 1}, ${ROWS + 50}) g`)
    const expected = Array.from({ length: ROWS + 50 }, (_, i) => i + 1)
    await sub.waitForRows(idsAre(expected), `all ${ROWS + 50} rows`, 20_000)
    const handle = sub.shape.handle

    // Walk the shape from the start: gzip and identity give the same bodies, chunk for chunk.
    let offset = '-1'
    let compressed = 0
    for (let i = 0; i < 100; i++) {
      const url = shapeUrl(offset === '-1' ? { table, offset } : { table, handle, offset })
      const gz = await fetchText(url)
      const plain = await fetchText(url, 'identity')
      assert.equal(plain.encoding, null)
      assert.equal(gz.text, plain.text, `the body from ${offset}`)
      assert.match(gz.response.headers.get('vary') ?? '', /accept-encoding/)
      if (gz.encoding === 'gzip') {
        compressed++
        assert.notEqual(gz.response.headers.get('etag'), plain.response.headers.get('etag'))
      }
      if (gz.response.headers.has('electric-up-to-date')) break
      offset = gz.response.headers.get('electric-offset')
    }
    assert.ok(compressed >= 4, `compressed responses: ${compressed}`)
  } finally {
    sub.close()
  }
})

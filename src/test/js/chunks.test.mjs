// Chunked logs: scripts/test-js starts Ampere with ELECTRIC_SHAPE_CHUNK_BYTES_THRESHOLD=10000, so rows inserted
// after the initial sync make a live log of several chunks. The client must end with every row, and walking the log
// with raw catch-up requests must show chunks of about 10 kB (the upstream client tests allow 10 kB ± 2 kB).
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { closeDb, fetchBounded, idsAre, openShape, shapeUrl, sql, uniqueName } from './support.mjs'

after(closeDb)

const ROWS = 300
const PAYLOAD = 'x'.repeat(200)

test('a live log spanning several chunks reaches the client completely', { timeout: 30_000 }, async () => {
  const table = uniqueName('chunks')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, payload text NOT NULL)`)
  await sql(`INSERT INTO ${table} VALUES (0, 'seed')`)
  const sub = openShape({ table })
  try {
    await sub.synced()
    // Three transactions of 100 rows: about 30 kB of log each, so chunk boundaries fall inside transactions.
    for (let start = 1; start <= ROWS; start += 100) {
      await sql(`INSERT INTO ${table} SELECT g, $1 || g FROM generate_series($2::int, $3::int) g`, [
        PAYLOAD,
        start,
        start + 99,
      ])
    }
    const expected = Array.from({ length: ROWS + 1 }, (_, i) => i)
    const rows = await sub.waitForRows(idsAre(expected), `all ${ROWS + 1} rows`, 20_000)
    assert.ok(rows.every((r) => r.id === 0 || r.payload === PAYLOAD + r.id))
    const handle = sub.shape.handle

    // Walk the same shape's log from the start with non-live requests.
    const first = await fetchBounded(shapeUrl({ table, offset: '-1' }))
    const firstBody = await first.text()
    assert.equal(first.status, 200, firstBody)
    assert.equal(first.headers.get('electric-handle'), handle)
    let offset = first.headers.get('electric-offset')
    const logChunks = []
    for (let i = 0; i < 100; i++) {
      const response = await fetchBounded(shapeUrl({ table, handle, offset }))
      const body = await response.text()
      assert.equal(response.status, 200, body)
      const next = response.headers.get('electric-offset')
      logChunks.push({ offset, next, bytes: Buffer.byteLength(body), messages: JSON.parse(body) })
      if (response.headers.has('electric-up-to-date')) break
      assert.notEqual(next, offset, `electric-offset did not advance from ${offset}`)
      offset = next
    }
    const inserted = logChunks.flatMap((c) => c.messages).filter((m) => m.headers?.operation === 'insert')
    assert.equal(inserted.length, ROWS, 'every live insert appears exactly once in the log')
    assert.deepEqual(
      inserted.map((m) => Number(m.value.id)),
      expected.slice(1),
    )
    const full = logChunks.filter((c) => c.messages.some((m) => m.headers?.operation))
    assert.ok(full.length >= 3, `expected at least 3 log chunks, got ${full.length}: ${JSON.stringify(logChunks.map((c) => c.bytes))}`)
    for (const chunk of full.slice(0, -1)) {
      assert.ok(
        chunk.bytes >= 8_000 && chunk.bytes <= 12_000,
        `chunk (${chunk.offset}, ${chunk.next}] is ${chunk.bytes} bytes, outside 10 kB ± 2 kB`,
      )
    }
  } finally {
    sub.close()
  }
})

test('an initial snapshot larger than the threshold is served in chunks', { timeout: 30_000 }, async () => {
  const table = uniqueName('snapchunks')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, payload text NOT NULL)`)
  // About 40 kB of rows of ~1 kB, as the upstream client test does for both the snapshot and the log.
  await sql(`INSERT INTO ${table} SELECT g, repeat(md5(g::text), 30) FROM generate_series(1, 40) g`)
  const responseSizes = []
  const sizingFetch = async (...args) => {
    const response = await fetch(...args)
    if (response.status === 200 && !new URL(String(args[0])).searchParams.has('live')) {
      const body = await response.clone().text()
      const messages = JSON.parse(body)
      if (!(messages.length === 1 && messages[0].headers?.control)) responseSizes.push(Buffer.byteLength(body))
    }
    return response
  }
  const sub = openShape({ table }, { fetchClient: sizingFetch })
  try {
    const rows = await sub.synced(20_000)
    assert.equal(rows.length, 40)
    assert.ok(responseSizes.length >= 3, `expected the snapshot in at least 3 responses, got ${responseSizes}`)
    responseSizes.slice(0, -1).forEach((size) => assert.ok(size >= 8_000 && size <= 12_000, `chunk of ${size} bytes`))
    assert.ok(responseSizes.at(-1) < 11_000, `last response of ${responseSizes.at(-1)} bytes`)
  } finally {
    sub.close()
  }
})

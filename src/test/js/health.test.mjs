// Smoke test of the runner: Ampere is up and reports itself active, as clients' health checks expect.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { AMPERE_URL, closeDb, fetchBounded, sql, TEST_TIMEOUT_MS } from './support.mjs'

after(closeDb)

test('GET /v1/health answers 200 {"status":"active"} without caching', { timeout: TEST_TIMEOUT_MS }, async () => {
  const response = await fetchBounded(`${AMPERE_URL}/v1/health`)
  assert.equal(response.status, 200)
  assert.deepEqual(await response.json(), { status: 'active' })
  assert.equal(response.headers.get('cache-control'), 'no-cache, no-store, must-revalidate')
})

test('the test database is the logical-replication Postgres Ampere uses', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { rows } = await sql(`SELECT current_setting('wal_level') AS wal_level`)
  assert.equal(rows[0].wal_level, 'logical')
})

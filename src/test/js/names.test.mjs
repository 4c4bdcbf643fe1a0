// Quoted identifiers: a table whose name has spaces, in a non-public schema whose name has a space, with columns
// named `has,comma`, `has"quote` and `has space`; the client quotes `columns` entries itself.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { closeDb, idsAre, openShape, sortBy, sql, TEST_TIMEOUT_MS, uniqueName } from './support.mjs'

after(closeDb)

const SCHEMA = 'electric test'

async function createIssues() {
  const name = `issues for ${uniqueName('t')}`
  await sql(`CREATE SCHEMA IF NOT EXISTS "${SCHEMA}"`)
  await sql(`CREATE TABLE "${SCHEMA}"."${name}" (
      id int PRIMARY KEY, "has,comma" text, "has""quote" text, "has space" text, plain int)`)
  return { name, qualified: `"${SCHEMA}"."${name}"` }
}

test('a quoted table in a non-public schema with special column names syncs', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { name, qualified } = await createIssues()
  await sql(`INSERT INTO ${qualified} VALUES (1, 'a,b', 'say "hi"', 'x y', 1)`)
  const sub = openShape({ table: qualified })
  try {
    const rows = await sub.synced()
    assert.deepEqual(rows, [{ id: 1, 'has,comma': 'a,b', 'has"quote': 'say "hi"', 'has space': 'x y', plain: 1 }])
    const snapshotRow = sub.messages.find((m) => m.headers?.operation === 'insert')
    assert.equal(snapshotRow.key, `"${SCHEMA}"."${name}"/"1"`)
    assert.deepEqual(snapshotRow.headers.relation, [SCHEMA, name])

    await sql(`INSERT INTO ${qualified} VALUES (2, 'c,d', '"', ' ', 2)`)
    await sql(`UPDATE ${qualified} SET "has""quote" = 'q' WHERE id = 1`)
    const live = await sub.waitForRows(
      (r) => idsAre([1, 2])(r) && r.some((row) => row['has"quote'] === 'q'),
      'the live insert and update',
    )
    assert.deepEqual(sortBy(live, 'id'), [
      { id: 1, 'has,comma': 'a,b', 'has"quote': 'q', 'has space': 'x y', plain: 1 },
      { id: 2, 'has,comma': 'c,d', 'has"quote': '"', 'has space': ' ', plain: 2 },
    ])
    const liveInsert = sub.messages.filter((m) => m.headers?.operation === 'insert').at(-1)
    assert.equal(liveInsert.key, `"${SCHEMA}"."${name}"/"2"`)
  } finally {
    sub.close()
  }
})

test('columns and where over special column names', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { qualified } = await createIssues()
  await sql(`INSERT INTO ${qualified} VALUES (1, 'a', 'keep', 'x', 1), (2, 'b', 'drop', 'y', 2)`)
  const sub = openShape({
    table: qualified,
    columns: ['id', 'has,comma', 'has"quote'],
    where: `"has""quote" = 'keep' OR "has space" = $1`,
    params: ['z'],
  })
  try {
    assert.deepEqual(await sub.synced(), [{ id: 1, 'has,comma': 'a', 'has"quote': 'keep' }])
    await sql(`INSERT INTO ${qualified} VALUES (3, 'c', 'other', 'z', 3)`)
    const rows = await sub.waitForRows(idsAre([1, 3]), 'the live insert matching "has space" = $1')
    assert.deepEqual(sortBy(rows, 'id')[1], { id: 3, 'has,comma': 'c', 'has"quote': 'other' })
  } finally {
    sub.close()
  }
})

// Syncing through the client's public API: initial rows, live changes after the initial sync, where (with $n params),
// column projection and replica=full.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { closeDb, idsAre, openShape, sortBy, sql, TEST_TIMEOUT_MS, uniqueName } from './support.mjs'

after(closeDb)

async function createItems() {
  const table = uniqueName('items')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, title text NOT NULL, priority int, note text)`)
  return table
}

test('initial sync yields the existing rows', { timeout: TEST_TIMEOUT_MS }, async () => {
  const table = await createItems()
  await sql(`INSERT INTO ${table} VALUES (1, 'one', 1, null), (2, 'two', 2, 'n2'), (3, 'three', 3, 'n3')`)
  const sub = openShape({ table })
  try {
    const rows = await sub.synced()
    assert.deepEqual(sortBy(rows, 'id'), [
      { id: 1, title: 'one', priority: 1, note: null },
      { id: 2, title: 'two', priority: 2, note: 'n2' },
      { id: 3, title: 'three', priority: 3, note: 'n3' },
    ])
    const value = await sub.shape.value
    assert.ok(value instanceof Map)
    assert.equal(value.size, 3)
    assert.equal(typeof sub.shape.handle, 'string')
  } finally {
    sub.close()
  }
})

test('live inserts, updates and deletes arrive after the initial sync', { timeout: TEST_TIMEOUT_MS }, async () => {
  const table = await createItems()
  await sql(`INSERT INTO ${table} VALUES (1, 'one', 1, 'a'), (2, 'two', 2, 'b')`)
  const sub = openShape({ table })
  try {
    await sub.synced()
    await sql(`INSERT INTO ${table} VALUES (3, 'three', 3, 'c')`)
    await sub.waitForRows(idsAre([1, 2, 3]), 'the live insert')

    await sql(`UPDATE ${table} SET title = 'ONE', note = NULL WHERE id = 1`)
    await sub.waitForRows((rows) => rows.some((r) => r.id === 1 && r.title === 'ONE'), 'the live update')
    assert.deepEqual(sortBy(sub.shape.currentRows, 'id')[0], { id: 1, title: 'ONE', priority: 1, note: null })

    await sql(`DELETE FROM ${table} WHERE id = 2`)
    await sub.waitForRows(idsAre([1, 3]), 'the live delete')

    // Several changes in one transaction arrive together.
    await sql(`BEGIN; INSERT INTO ${table} VALUES (4, 'four', 4, 'd'); UPDATE ${table} SET priority = 30 WHERE id = 3;
               DELETE FROM ${table} WHERE id = 1; COMMIT`)
    const rows = await sub.waitForRows(idsAre([3, 4]), 'a multi-change transaction')
    assert.deepEqual(sortBy(rows, 'id'), [
      { id: 3, title: 'three', priority: 30, note: 'c' },
      { id: 4, title: 'four', priority: 4, note: 'd' },
    ])
    const operations = sub.messages.filter((m) => m.headers?.operation).map((m) => m.headers.operation)
    assert.deepEqual(operations.slice(2), ['insert', 'update', 'delete', 'insert', 'update', 'delete'])
  } finally {
    sub.close()
  }
})

test('where with a $1 param filters the initial rows and the live changes', { timeout: TEST_TIMEOUT_MS }, async () => {
  const table = await createItems()
  await sql(`INSERT INTO ${table} VALUES (1, 'low', 1, null), (2, 'high', 10, null), (3, 'skip', 20, null)`)
  const sub = openShape({ table, where: `priority > $1 AND title <> 'skip'`, params: ['5'] })
  try {
    assert.deepEqual(await sub.synced(), [{ id: 2, title: 'high', priority: 10, note: null }])

    await sql(`INSERT INTO ${table} VALUES (4, 'also high', 7, null), (5, 'low too', 2, null)`)
    await sub.waitForRows(idsAre([2, 4]), 'the matching live insert only')

    // A row moving into the where clause arrives as an insert with the full row; one moving out is deleted.
    await sql(`UPDATE ${table} SET priority = 50 WHERE id = 1`)
    await sql(`UPDATE ${table} SET priority = 0 WHERE id = 2`)
    const rows = await sub.waitForRows(idsAre([1, 4]), 'rows moving in and out of the where clause')
    assert.deepEqual(sortBy(rows, 'id')[0], { id: 1, title: 'low', priority: 50, note: null })
  } finally {
    sub.close()
  }
})

test('where params given as an object with string keys', { timeout: TEST_TIMEOUT_MS }, async () => {
  const table = await createItems()
  await sql(`INSERT INTO ${table} VALUES (1, 'a', 1, null), (2, 'b', 2, null), (3, 'c', 3, null)`)
  const sub = openShape({ table, where: `id = $1 OR title = $2`, params: { 1: '1', 2: 'c' } })
  try {
    assert.ok(idsAre([1, 3])(await sub.synced()))
  } finally {
    sub.close()
  }
})

test('columns projects the rows, and updates of unselected columns do not change them', { timeout: TEST_TIMEOUT_MS }, async () => {
  const table = await createItems()
  await sql(`INSERT INTO ${table} VALUES (1, 'one', 1, 'hidden')`)
  const sub = openShape({ table, columns: ['id', 'title'] })
  try {
    assert.deepEqual(await sub.synced(), [{ id: 1, title: 'one' }])
    await sql(`UPDATE ${table} SET note = 'still hidden', priority = 9 WHERE id = 1`)
    await sql(`UPDATE ${table} SET title = 'ONE' WHERE id = 1`)
    await sql(`INSERT INTO ${table} VALUES (2, 'two', 2, 'hidden')`)
    const rows = await sub.waitForRows(idsAre([1, 2]), 'the projected live changes')
    assert.deepEqual(sortBy(rows, 'id'), [
      { id: 1, title: 'ONE' },
      { id: 2, title: 'two' },
    ])
    for (const message of sub.messages.filter((m) => m.value)) {
      assert.deepEqual(Object.keys(message.value).sort().filter((k) => !['id', 'title'].includes(k)), [])
    }
  } finally {
    sub.close()
  }
})

test("replica 'full' sends whole rows on update and delete, with old_value", { timeout: TEST_TIMEOUT_MS }, async () => {
  const table = await createItems()
  await sql(`INSERT INTO ${table} VALUES (1, 'one', 1, 'n1'), (2, 'two', 2, 'n2')`)
  const sub = openShape({ table, replica: 'full' })
  try {
    await sub.synced()
    await sql(`UPDATE ${table} SET title = 'ONE' WHERE id = 1`)
    await sql(`DELETE FROM ${table} WHERE id = 2`)
    await sub.waitForRows(idsAre([1]), 'the update and delete')
    const update = sub.messages.find((m) => m.headers?.operation === 'update')
    assert.deepEqual(update.value, { id: 1, title: 'ONE', priority: 1, note: 'n1' })
    assert.deepEqual(update.old_value, { title: 'one' })
    const del = sub.messages.find((m) => m.headers?.operation === 'delete')
    assert.deepEqual(del.value, { id: 2, title: 'two', priority: 2, note: 'n2' })
  } finally {
    sub.close()
  }
})

test("replica 'default' sends the key and changed columns on update, the key on delete", { timeout: TEST_TIMEOUT_MS }, async () => {
  const table = await createItems()
  await sql(`INSERT INTO ${table} VALUES (1, 'one', 1, 'n1'), (2, 'two', 2, 'n2')`)
  const sub = openShape({ table })
  try {
    await sub.synced()
    await sql(`UPDATE ${table} SET title = 'ONE' WHERE id = 1`)
    await sql(`DELETE FROM ${table} WHERE id = 2`)
    await sub.waitForRows(idsAre([1]), 'the update and delete')
    const update = sub.messages.find((m) => m.headers?.operation === 'update')
    assert.deepEqual(update.value, { id: 1, title: 'ONE' })
    assert.equal(update.old_value, undefined)
    const del = sub.messages.find((m) => m.headers?.operation === 'delete')
    assert.deepEqual(del.value, { id: 2 })
    assert.deepEqual(sub.shape.currentRows, [{ id: 1, title: 'ONE', priority: 1, note: 'n1' }])
  } finally {
    sub.close()
  }
})

test('an update of the primary key moves the row to its new key', { timeout: TEST_TIMEOUT_MS }, async () => {
  const table = await createItems()
  await sql(`INSERT INTO ${table} VALUES (1, 'one', 1, 'a'), (2, 'two', 2, 'b')`)
  const sub = openShape({ table })
  try {
    await sub.synced()
    await sql(`UPDATE ${table} SET id = 10, title = 'ten' WHERE id = 1`)
    const rows = await sub.waitForRows(idsAre([2, 10]), 'the key change')
    assert.deepEqual(sortBy(rows, 'id')[1], { id: 10, title: 'ten', priority: 1, note: 'a' })
    const keys = new Map(sub.shape.currentValue)
    assert.deepEqual([...keys.keys()].sort(), [`"public"."${table}"/"10"`, `"public"."${table}"/"2"`])
  } finally {
    sub.close()
  }
})

test('a table without a primary key syncs, keyed by all its columns', { timeout: TEST_TIMEOUT_MS }, async () => {
  const table = uniqueName('nopk')
  await sql(`CREATE TABLE ${table} (name text, n int)`)
  await sql(`INSERT INTO ${table} VALUES ('a', 1), ('b', null)`)
  const sub = openShape({ table })
  try {
    assert.deepEqual(sortBy(await sub.synced(), 'name'), [
      { name: 'a', n: 1 },
      { name: 'b', n: null },
    ])
    await sql(`INSERT INTO ${table} VALUES ('c', 3)`)
    await sql(`DELETE FROM ${table} WHERE name = 'a'`)
    const rows = await sub.waitForRows(idsAre(['b', 'c'], 'name'), 'the live insert and delete')
    assert.deepEqual(sortBy(rows, 'name'), [
      { name: 'b', n: null },
      { name: 'c', n: 3 },
    ])
  } finally {
    sub.close()
  }
})

test('live changes arrive over server-sent events (liveSse)', { timeout: TEST_TIMEOUT_MS }, async () => {
  const table = await createItems()
  await sql(`INSERT INTO ${table} VALUES (1, 'one', 1, null)`)
  const sub = openShape({ table }, { liveSse: true })
  try {
    await sub.synced()
    await sql(`INSERT INTO ${table} VALUES (2, 'two', 2, null)`)
    await sub.waitForRows(idsAre([1, 2]), 'the first change over SSE')
    await sql(`UPDATE ${table} SET title = 'TWO' WHERE id = 2`)
    await sql(`DELETE FROM ${table} WHERE id = 1`)
    const rows = await sub.waitForRows(
      (r) => idsAre([2])(r) && r[0].title === 'TWO',
      'later changes on the same or a resumed SSE connection',
    )
    assert.deepEqual(rows, [{ id: 2, title: 'TWO', priority: 2, note: null }])
  } finally {
    sub.close()
  }
})

test('log changes_only skips the existing rows and syncs later changes', { timeout: TEST_TIMEOUT_MS }, async () => {
  const table = await createItems()
  await sql(`INSERT INTO ${table} VALUES (1, 'one', 1, null)`)
  const sub = openShape({ table }, { log: 'changes_only' })
  try {
    assert.deepEqual(await sub.synced(), [])
    await sql(`INSERT INTO ${table} VALUES (2, 'two', 2, null)`)
    await sql(`UPDATE ${table} SET title = 'ONE' WHERE id = 1`)
    const rows = await sub.waitForRows(idsAre([2]), 'the live insert')
    assert.deepEqual(rows, [{ id: 2, title: 'two', priority: 2, note: null }])
  } finally {
    sub.close()
  }
})

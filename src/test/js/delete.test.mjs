// DELETE /v1/shape (enabled by ELECTRIC_ENABLE_INTEGRATION_TESTING=true): 202 by handle alone or by table, 404 for
// an unknown handle; a client whose shape is deleted receives 409 must-refetch and resyncs to the current rows under
// a new handle; a request with the old handle gets 409 pointing at the new one.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { closeDb, fetchBounded, idsAre, openShape, shapeUrl, sql, uniqueName } from './support.mjs'

after(closeDb)

const TIMEOUT = 20_000

async function createItems() {
  const table = uniqueName('del')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, title text)`)
  await sql(`INSERT INTO ${table} VALUES (1, 'one'), (2, 'two')`)
  return table
}

async function deleteShape(query) {
  const response = await fetchBounded(shapeUrl(query), { method: 'DELETE' })
  return { status: response.status, body: await response.text() }
}

async function deletedShapeResyncs(deleteQuery) {
  const table = await createItems()
  const sub = openShape({ table })
  try {
    await sub.synced()
    const oldHandle = sub.shape.handle
    const deleted = await deleteShape(deleteQuery(table, oldHandle))
    assert.equal(deleted.status, 202, `DELETE answered ${deleted.status}: ${deleted.body}`)

    // The client's live request is answered with 409; it publishes must-refetch and starts again from offset -1.
    await sub.until(() => sub.messages.some((m) => m.headers?.control === 'must-refetch'), 'must-refetch')
    await sql(`INSERT INTO ${table} VALUES (3, 'three')`)
    await sql(`DELETE FROM ${table} WHERE id = 1`)
    const rows = await sub.waitForRows(idsAre([2, 3]), 'the resync to the current rows')
    assert.deepEqual(rows.find((r) => r.id === 3), { id: 3, title: 'three' })
    assert.notEqual(sub.shape.handle, oldHandle)

    // The old handle is gone for good: 409 with the new handle and a must-refetch body.
    const stale = await fetchBounded(shapeUrl({ table, handle: oldHandle, offset: '0_0' }))
    assert.equal(stale.status, 409)
    assert.deepEqual(await stale.json(), [{ headers: { control: 'must-refetch' } }])
    assert.equal(stale.headers.get('electric-handle'), sub.shape.handle)
  } finally {
    sub.close()
  }
}

test('DELETE by handle alone answers 202 and the client resyncs', { timeout: TIMEOUT }, async () => {
  await deletedShapeResyncs((_table, handle) => ({ handle }))
})

test('DELETE by table answers 202 and the client resyncs', { timeout: TIMEOUT }, async () => {
  await deletedShapeResyncs((table) => ({ table }))
})

test('DELETE of an unknown handle answers 404', { timeout: TIMEOUT }, async () => {
  const deleted = await deleteShape({ handle: '12345-1700000000000000' })
  assert.equal(deleted.status, 404, deleted.body)
  assert.equal(deleted.body, '{"message":"No existing shape found"}')
})

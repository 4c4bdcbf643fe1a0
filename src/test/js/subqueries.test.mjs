// Shapes whose where filters through a sub-select (`x [NOT] IN (SELECT …)`), through the official client's Shape and
// TanStack DB's Electric collection, with Electric's behaviour before 1.2.8: the snapshot holds exactly the rows
// Postgres selects; a change of the shape's own table arrives live when its row passes the whole clause; a write to
// the sub-select's table that leaves the sub-select's values as they were passes unseen; one that changes them ends
// the shape (409 must-refetch), after which the client refetches and holds the moved rows; rows carry no `tags`.
// Postgres is the oracle throughout: every expected state is Postgres's own SELECT with the shape's where clause.
// "Passes unseen" is checked without waiting for quiet: a later change of the shape's own table is awaited, and by
// then (the replication stream is ordered) the earlier write has been judged; the handle must be unchanged and no
// must-refetch seen.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { FetchError } from '@electric-sql/client'
import { createCollection, createLiveQueryCollection, eq } from '@tanstack/db'
import { electricCollectionOptions } from '@tanstack/electric-db-collection'
import { closeDb, openShape, SHAPE_URL, sortBy, sql, stringify, uniqueName, untilCollections, WAIT_MS } from './support.mjs'

after(closeDb)

const TIMEOUT = 30_000

/** Projects (with an owner) and their tasks, on fresh tables. */
async function createProjectsAndTasks() {
  const projects = uniqueName('subq_projects')
  const tasks = uniqueName('subq_tasks')
  await sql(`CREATE TABLE ${projects} (id int PRIMARY KEY, owner int, name text NOT NULL)`)
  await sql(`CREATE TABLE ${tasks} (id int PRIMARY KEY, project_id int, title text NOT NULL,
             done bool NOT NULL DEFAULT false)`)
  await sql(`INSERT INTO ${projects} VALUES (1, 10, 'p1'), (2, 10, 'p2'), (3, 20, 'p3'), (4, NULL, 'p4')`)
  await sql(`INSERT INTO ${tasks} VALUES (1, 1, 'write', false), (2, 2, 'review', true), (3, 3, 'ship', false),
             (4, NULL, 'orphan', false), (5, 4, 'unowned', false), (6, 1, 'plan', false)`)
  return { projects, tasks }
}

/** Postgres's rows of `table` under `where` (with `params` for its $n), ordered by `order`. */
async function select(table, where, params = [], order = 'id') {
  const { rows } = await sql(`SELECT * FROM ${table} WHERE ${where} ORDER BY ${order}`, params)
  return rows
}

/** Predicate: the rows, by id, are exactly `expected` (Postgres's rows, ordered by id). */
const rowsAre = (expected) => (rows) => stringify(sortBy(rows, 'id')) === stringify(expected)

const mustRefetches = (sub) => sub.messages.filter((m) => m.headers?.control === 'must-refetch').length

/** No message of the stream carries Electric's move tags (this version sends none). */
function assertNoTags(messages) {
  const tagged = messages.filter((m) => m.headers && ('tags' in m.headers || 'removed_tags' in m.headers))
  assert.deepEqual(tagged, [], 'rows carry no tags')
  assert.deepEqual(messages.filter((m) => m.headers?.event), [], 'no move-in/move-out events')
}

test('Shape: a membership shape follows its own table, ignores set-preserving writes, refetches on moves', { timeout: TIMEOUT }, async () => {
  const { projects, tasks } = await createProjectsAndTasks()
  const where = `project_id IN (SELECT id FROM ${projects} WHERE owner = $1)`
  const params = ['10']
  const want = () => select(tasks, where, params)
  const sub = openShape({ table: tasks, where, params })
  try {
    const initial = await sub.synced()
    assert.deepEqual(sortBy(initial, 'id'), await want())
    assert.deepEqual(sortBy(initial, 'id').map((r) => r.id), [1, 2, 6])
    // The Shape's own promise API agrees.
    assert.deepEqual(sortBy(await sub.shape.rows, 'id'), await want())
    const firstHandle = sub.shape.handle

    // A task outside the owner's projects stays out; a task in one of them arrives (the later transaction, so by
    // then the earlier one has been judged).
    await sql(`INSERT INTO ${tasks} VALUES (10, 3, 'not mine', false)`)
    await sql(`INSERT INTO ${tasks} VALUES (11, 1, 'mine', false)`)
    let rows = await sub.waitForRows((r) => r.some((x) => x.id === 11), 'the matching insert')
    assert.deepEqual(sortBy(rows, 'id'), await want())
    assert.ok(!sub.messages.some((m) => m.value?.id === 10), 'the non-matching task was never sent')
    // A task moving between projects of the owner is an update; one moving out of them is deleted.
    await sql(`UPDATE ${tasks} SET project_id = 2, title = 'mine, moved' WHERE id = 11`)
    await sql(`UPDATE ${tasks} SET project_id = 3 WHERE id = 6`)
    rows = await sub.waitForRows((r) => !r.some((x) => x.id === 6) && r.some((x) => x.title === 'mine, moved'),
      'an update inside the set and one leaving it')
    assert.deepEqual(sortBy(rows, 'id'), await want())

    // Writes to projects that leave `SELECT id … WHERE owner = 10` as it was: a rename of an owned project, another
    // owner's project changing hands, a new project of another owner, a project of nobody deleted.
    await sql(`UPDATE ${projects} SET name = 'p1 renamed' WHERE id = 1`)
    await sql(`UPDATE ${projects} SET owner = 30 WHERE id = 3`)
    await sql(`INSERT INTO ${projects} VALUES (5, 20, 'p5')`)
    await sql(`DELETE FROM ${projects} WHERE id = 4`)
    await sql(`INSERT INTO ${tasks} VALUES (12, 1, 'marker after project writes', false)`)
    rows = await sub.waitForRows((r) => r.some((x) => x.id === 12), 'the task after the set-preserving writes')
    assert.deepEqual(sortBy(rows, 'id'), await want())
    assert.equal(mustRefetches(sub), 0, 'no must-refetch for writes that leave the set unchanged')
    assert.equal(sub.shape.handle, firstHandle)

    // Project 3 moves to the owner: the shape ends, the client refetches, and holds project 3's tasks (6 and 10).
    await sql(`UPDATE ${projects} SET owner = 10 WHERE id = 3`)
    const movedIn = await want()
    assert.ok(movedIn.some((r) => r.id === 10) && movedIn.some((r) => r.id === 6), stringify(movedIn))
    await sub.waitForRows(rowsAre(movedIn), 'the rows of the moved-in project')
    assert.equal(mustRefetches(sub), 1, 'the move-in ended the shape with one must-refetch')
    const secondHandle = sub.shape.handle
    assert.notEqual(secondHandle, firstHandle)

    // The refetched shape is live: changes arrive on it.
    await sql(`UPDATE ${tasks} SET title = 'ship it' WHERE id = 3`)
    await sub.waitForRows((r) => r.some((x) => x.id === 3 && x.title === 'ship it'), 'a change on the refetched shape')

    // Project 1 moves away: its tasks (1 and 12) leave.
    await sql(`UPDATE ${projects} SET owner = 20 WHERE id = 1`)
    const movedOut = await want()
    assert.ok(!movedOut.some((r) => r.id === 1 || r.id === 12), stringify(movedOut))
    await sub.waitForRows(rowsAre(movedOut), 'the rows without the moved-out project')
    assert.equal(mustRefetches(sub), 2, 'the move-out ended the shape with a second must-refetch')
    assert.notEqual(sub.shape.handle, secondHandle)
    // A project of the owner deleted: its tasks (2 and 11) leave; project 3's stay.
    await sql(`DELETE FROM ${projects} WHERE id = 2`)
    const afterDelete = await want()
    await sub.waitForRows(rowsAre(afterDelete), 'the rows after a project delete')
    assert.equal(mustRefetches(sub), 3)

    assertNoTags(sub.messages)
    assert.deepEqual(sub.errors, [])
  } finally {
    sub.close()
  }
})


const TASK_COLUMNS = ['id', 'project_id', 'title', 'done']
const plainTasks = (collection) => collection.toArray.map((row) => Object.fromEntries(TASK_COLUMNS.map((c) => [c, row[c]])))

for (const syncMode of ['eager', 'on-demand']) {
  test(`TanStack DB (${syncMode}): a collection on a sub-select shape and a live query over it follow moves in and out`, { timeout: 60_000 }, async () => {
    const { projects, tasks } = await createProjectsAndTasks()
    const where = `project_id IN (SELECT id FROM ${projects} WHERE owner = $1)`
    const params = ['10']
    const onDemand = syncMode === 'on-demand'
    const responses = []
    const errors = []
    const collection = createCollection(
      electricCollectionOptions({
        id: `${tasks}-${syncMode}`,
        getKey: (row) => row.id,
        syncMode,
        shapeOptions: {
          url: SHAPE_URL,
          // On-demand the collection holds only what the live query loaded (subset snapshots of the shape); a row can
          // enter the query through an update of a row never loaded only as a full row (replica=full).
          params: onDemand ? { table: tasks, where, params, replica: 'full' } : { table: tasks, where, params },
          backoffOptions: { initialDelay: 100, maxDelay: 1_000, multiplier: 1.5, maxRetries: 5 },
          onError: (error) => {
            errors.push(error)
          },
          fetchClient: async (input, init = {}) => {
            const response = await fetch(input, init)
            const subset = [...new URL(String(input)).searchParams.keys()].some((k) => k.startsWith('subset__')) ||
              init.method === 'POST'
            responses.push({ status: response.status, subset })
            return response
          },
        },
      }),
    )
    // The open tasks of the owner's projects, by title.
    const open = createLiveQueryCollection({
      startSync: false,
      query: (q) =>
        q
          .from({ task: collection })
          .where(({ task }) => eq(task.done, false))
          .orderBy(({ task }) => task.title, 'asc')
          .orderBy(({ task }) => task.id, 'asc'),
    })
    const subscription = open.subscribeChanges(() => {}, { includeInitialState: false })
    const collections = [collection, open]

    async function assertInSync(label) {
      const shapeRows = await select(tasks, where, params)
      // On-demand the collection holds only the rows the live query loaded, so only the query is compared whole.
      const want = {
        all: onDemand ? undefined : shapeRows,
        open: await select(tasks, `(${where}) AND NOT done`, params, 'title, id'),
      }
      const have = () => ({ all: onDemand ? undefined : sortBy(plainTasks(collection), 'id'), open: plainTasks(open) })
      await untilCollections({ collections, errors }, () => stringify(have()) === stringify(want),
        () => `${label}: never matched Postgres; want ${stringify(want)}, have ${stringify(have())}`)
      // Every row the collection holds is Postgres's row of the shape, in every mode.
      const rows = new Map(shapeRows.map((r) => [r.id, stringify(r)]))
      for (const row of plainTasks(collection)) assert.equal(stringify(row), rows.get(row.id), `${label}: row ${row.id}`)
    }

    try {
      let timer
      await Promise.race([
        // On-demand, the collection loads nothing of its own: the live query's preload loads its rows.
        Promise.all(onDemand ? [open.preload()] : [collection.preload(), open.preload()]),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('the collection never loaded')), WAIT_MS)
        }),
      ]).finally(() => clearTimeout(timer))
      await assertInSync('the initial sync')

      const steps = [
        ['a matching open task', `INSERT INTO ${tasks} VALUES (20, 2, 'aaa first', false)`],
        ['a task in another owner\'s project', `INSERT INTO ${tasks} VALUES (21, 3, 'aab not mine', false)`],
        ['a matching task closed', `UPDATE ${tasks} SET done = true WHERE id = 1`],
        ['a project renamed (set unchanged)', `UPDATE ${projects} SET name = 'renamed' WHERE id = 2`],
        ['project 3 moves to the owner (move-in)', `UPDATE ${projects} SET owner = 10 WHERE id = 3`],
        ['a task of the moved-in project reopened and retitled', `UPDATE ${tasks} SET title = 'aac shipped', done = false WHERE id = 3`],
        ['project 1 moves away (move-out)', `UPDATE ${projects} SET owner = 20 WHERE id = 1`],
        ['a new project for the owner with a task, in one transaction', `BEGIN;
           INSERT INTO ${projects} VALUES (7, 10, 'p7');
           INSERT INTO ${tasks} VALUES (22, 7, 'aad new project', false);
           COMMIT`],
        ['a task moved out of the owner\'s projects', `UPDATE ${tasks} SET project_id = 1 WHERE id = 20`],
        ['a project deleted with its tasks', `BEGIN; DELETE FROM ${tasks} WHERE project_id = 2;
           DELETE FROM ${projects} WHERE id = 2; COMMIT`],
      ]
      for (const [label, statement] of steps) {
        await sql(statement)
        await assertInSync(label)
      }
      const statuses = stringify(responses)
      assert.ok(responses.some((r) => r.status === 409), `the moves ended the shape (409s): ${statuses}`)
      assert.equal(responses.some((r) => r.subset), onDemand, `subset requests only on-demand: ${statuses}`)
      assert.deepEqual(errors, [])
      assert.deepEqual(responses.filter((r) => r.status >= 400 && r.status !== 409), [], 'no failed requests')
    } finally {
      subscription.unsubscribe()
      await open.cleanup()
      await collection.cleanup()
    }
  })
}

test('NOT IN over a sub-select that can return NULL follows Postgres at every step', { timeout: TIMEOUT }, async () => {
  const blocked = uniqueName('subq_blocked')
  const items = uniqueName('subq_items')
  await sql(`CREATE TABLE ${blocked} (id int PRIMARY KEY, project_id int)`)
  await sql(`CREATE TABLE ${items} (id int PRIMARY KEY, project_id int, title text NOT NULL)`)
  await sql(`INSERT INTO ${blocked} VALUES (1, 1), (2, 2)`)
  await sql(`INSERT INTO ${items} VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 3, 'c'), (4, NULL, 'd'), (5, 4, 'e')`)
  // The marker row (id 1000) is in the shape whatever the sub-select holds: a change of it tells the test that the
  // writes before it have been judged.
  const where = `project_id NOT IN (SELECT project_id FROM ${blocked}) OR id = 1000`
  const want = () => select(items, where)
  const sub = openShape({ table: items, where })
  let marks = 0
  const equalsPostgres = async (label) => {
    const rows = await want()
    return sub.waitForRows(rowsAre(rows), label)
  }
  /** Changes the marker, waits for it and checks that the shape went on (no must-refetch), equal to Postgres. */
  const unseen = async (label) => {
    const before = mustRefetches(sub)
    const handle = sub.shape.handle
    marks += 1
    const title = `mark ${marks}`
    await sql(`INSERT INTO ${items} VALUES (1000, NULL, $1) ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title`, [title])
    await sub.waitForRows((r) => r.some((x) => x.id === 1000 && x.title === title), `${label}: the marker`)
    await equalsPostgres(label)
    assert.equal(mustRefetches(sub), before, `${label}: no must-refetch`)
    assert.equal(sub.shape.handle, handle, `${label}: same shape`)
  }
  /** Waits for the rows to equal Postgres after one more must-refetch. */
  const refetched = async (label) => {
    const before = mustRefetches(sub)
    await sub.until(() => mustRefetches(sub) > before, `${label}: must-refetch`)
    await equalsPostgres(label)
  }
  try {
    const initial = await sub.synced()
    assert.deepEqual(sortBy(initial, 'id'), await want())
    // NULL NOT IN (1, 2) is NULL: item 4 is out.
    assert.deepEqual(sortBy(initial, 'id').map((r) => r.id), [3, 5])

    // Live inserts: one passing, one with a blocked project, one with a NULL project.
    await sql(`INSERT INTO ${items} VALUES (6, 5, 'f'), (7, 1, 'g'), (8, NULL, 'h')`)
    await unseen('inserts judged against NOT IN')
    assert.ok(!sub.messages.some((m) => m.value?.id === 7 || m.value?.id === 8), 'blocked and NULL items never sent')

    // A duplicate of a blocked value, and its removal, leave the set of values as it was.
    await sql(`INSERT INTO ${blocked} VALUES (3, 1)`)
    await unseen('a duplicate blocked value')
    await sql(`DELETE FROM ${blocked} WHERE id = 3`)
    await unseen('a duplicate blocked value removed')

    // A NULL enters the sub-select: x NOT IN (1, 2, NULL) is never true; only the marker's OR is left.
    await sql(`INSERT INTO ${blocked} VALUES (4, NULL)`)
    await refetched('a NULL in the sub-select')
    assert.deepEqual(sub.shape.currentRows.filter((r) => r.id !== 1000), [])
    // A second NULL leaves the set as it was (one NULL is no different from two).
    await sql(`INSERT INTO ${blocked} VALUES (5, NULL)`)
    await unseen('a second NULL')
    // Live inserts while a NULL is in the set: none passes.
    await sql(`INSERT INTO ${items} VALUES (9, 9, 'i')`)
    await unseen('an insert while the set holds NULL')
    // Both NULLs removed: the rows come back.
    await sql(`DELETE FROM ${blocked} WHERE project_id IS NULL`)
    await refetched('the NULLs removed')
    assert.ok(sub.shape.currentRows.some((r) => r.id === 9))

    // A blocked value changed: project 2's item enters, project 3's item leaves.
    await sql(`UPDATE ${blocked} SET project_id = 3 WHERE id = 2`)
    await refetched('a blocked value changed')
    const ids = sub.shape.currentRows.map((r) => r.id)
    assert.ok(ids.includes(2) && !ids.includes(3), stringify(ids))

    assertNoTags(sub.messages)
    assert.deepEqual(sub.errors, [])
  } finally {
    sub.close()
  }
})

test('composite, nested and combined sub-selects through the client', { timeout: TIMEOUT }, async () => {
  const orgs = uniqueName('subq_orgs')
  const members = uniqueName('subq_members')
  const docs = uniqueName('subq_docs')
  await sql(`CREATE TABLE ${orgs} (id int PRIMARY KEY, region text)`)
  await sql(`CREATE TABLE ${members} (org_id int, user_id int, role text, PRIMARY KEY (org_id, user_id))`)
  await sql(`CREATE TABLE ${docs} (id int PRIMARY KEY, org_id int, author int, public bool NOT NULL)`)
  await sql(`INSERT INTO ${orgs} VALUES (1, 'eu'), (2, 'us'), (3, 'eu')`)
  await sql(`INSERT INTO ${members} VALUES (1, 100, 'admin'), (2, 100, 'reader'), (3, 200, 'admin'), (1, 200, 'reader')`)
  await sql(`INSERT INTO ${docs} VALUES (1, 1, 100, false), (2, 2, 100, false), (3, 3, 200, false), (4, 1, 200, true),
             (5, 2, 200, true), (6, 3, 100, false)`)
  // A doc whose (org, author) is an admin membership in an eu org, or a public doc not in a us org.
  const where = `(org_id, author) IN (SELECT org_id, user_id FROM ${members} WHERE role = $1
                   AND org_id IN (SELECT id FROM ${orgs} WHERE region = $2))
                 OR (public AND NOT org_id IN (SELECT id FROM ${orgs} WHERE region = $3))`
  const params = ['admin', 'eu', 'us']
  const want = () => select(docs, where, params)
  const sub = openShape({ table: docs, where, params })
  try {
    const initial = await sub.synced()
    assert.deepEqual(sortBy(initial, 'id'), await want())
    assert.deepEqual(sortBy(initial, 'id').map((r) => r.id), [1, 3, 4])
    const handle = sub.shape.handle

    await sql(`INSERT INTO ${docs} VALUES (7, 1, 100, false), (8, 1, 200, false), (9, 3, 300, true)`)
    await sub.waitForRows((r) => r.some((x) => x.id === 9), 'the live inserts')
    assert.deepEqual(sortBy(sub.shape.currentRows, 'id'), await want())
    assert.equal(sub.shape.handle, handle)

    // The innermost sub-select's values change (org 2 becomes eu): the shape ends and admin docs of org 2 (none) and
    // public docs of org 2 (5) are now in.
    await sql(`UPDATE ${orgs} SET region = 'eu' WHERE id = 2`)
    const moved = await want()
    assert.ok(moved.some((r) => r.id === 5), stringify(moved))
    await sub.waitForRows(rowsAre(moved), 'the rows after the nested move')
    assert.equal(mustRefetches(sub), 1)

    // A new admin membership in an eu org changes the composite sub-select's values: author 100's docs of org 2 enter.
    await sql(`UPDATE ${members} SET role = 'admin' WHERE org_id = 2 AND user_id = 100`)
    const promoted = await want()
    assert.ok(promoted.some((r) => r.id === 2), stringify(promoted))
    await sub.waitForRows(rowsAre(promoted), 'the rows after the composite move')
    assert.equal(mustRefetches(sub), 2)
    assertNoTags(sub.messages)
  } finally {
    sub.close()
  }
})

/** Opens a shape that must fail, and returns the client's error (a FetchError), failing after a bounded time. */
async function failingShape(params) {
  const sub = openShape(params)
  try {
    await assert.rejects(sub.synced(), /shape stream failed/)
    assert.equal(sub.errors.length >= 1, true)
    return sub.errors[0]
  } finally {
    sub.close()
  }
}

test('a sub-select whose left side has the wrong type is a 400 the client surfaces', { timeout: TIMEOUT }, async () => {
  const { projects, tasks } = await createProjectsAndTasks()
  const mismatch = await failingShape({ table: tasks, where: `title IN (SELECT id FROM ${projects})` })
  assert.ok(mismatch instanceof FetchError, `${mismatch}`)
  assert.equal(mismatch.status, 400)
  assert.equal(mismatch.json?.message, 'Invalid request', stringify(mismatch.json))
  assert.equal(mismatch.json.errors?.where?.length, 1, stringify(mismatch.json))
  // Electric prefixes the message with the error's 0-based location in the where clause.
  assert.match(mismatch.json.errors.where[0],
    /^At location \d+: left side of `IN \(SELECT \.\.\.\)` has type text but subquery returns int4\[\]$/)

  const composite = await failingShape({ table: tasks, where: `(id, title) IN (SELECT id, owner FROM ${projects})` })
  assert.equal(composite.status, 400)
  assert.match(JSON.stringify(composite.json.errors.where),
    /left side of `IN \(SELECT \.\.\.\)` has type row of \(int4, text\) but subquery returns row of \(int4, int4\)\[\]/)

  // A $n inside the sub-select needs its param.
  const missing = await failingShape({ table: tasks, where: `project_id IN (SELECT id FROM ${projects} WHERE owner = $1)` })
  assert.equal(missing.status, 400)
  assert.match(JSON.stringify(missing.json.errors.where), /parameter \$1 was not provided/)
})

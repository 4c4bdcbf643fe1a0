// TanStack DB's Electric collection (@tanstack/electric-db-collection with @tanstack/db) against Ampere, through
// their public API only: electricCollectionOptions in the `eager`, `progressive` and `on-demand` sync modes, live
// queries (createLiveQueryCollection with where, orderBy, limit) that must stay equal to Postgres's own SELECT while
// rows enter and leave their filter and their top-N window, and a must-refetch (TRUNCATE, DELETE /v1/shape) from
// which the collection must recover to the table's rows; writes through the collection whose handlers return the
// Postgres txid, which complete once the stream carries that txid (awaitTxId). On-demand and progressive load their
// rows with subset snapshots (docs/protocol.md §1.11): the test records the requests the collection makes through
// the client's `fetchClient` option, so it can tell that they did.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { BTreeIndex, createCollection, createLiveQueryCollection, and, eq, gte, not } from '@tanstack/db'
import { electricCollectionOptions } from '@tanstack/electric-db-collection'
import pg from 'pg'
import { closeDb, DATABASE_URL, fetchBounded, shapeUrl, SHAPE_URL, sql, stringify, uniqueName, untilCollections as until, WAIT_MS } from './support.mjs'

after(closeDb)

const TIMEOUT = 60_000
const COLUMNS = ['id', 'title', 'priority', 'done']

/** Top-N window of the live queries: open items with priority ≥ 20, highest first, ties by id. */
const WINDOW = 3
const TOP_SQL = `WHERE NOT done AND priority >= 20 ORDER BY priority DESC, id ASC LIMIT ${WINDOW}`
/** Filter without a limit: open items by title. */
const OPEN_SQL = `WHERE NOT done ORDER BY title ASC, id ASC`

async function createItems(count) {
  const table = uniqueName('tanstack')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, title text NOT NULL, priority int NOT NULL,
             done bool NOT NULL DEFAULT false)`)
  // Priorities 10, 20, … ; every third item done.
  await sql(`INSERT INTO ${table} SELECT i, 'item ' || lpad(i::text, 3, '0'), i * 10, i % 3 = 0
             FROM generate_series(1, ${count}) AS i`)
  return table
}

/** What Postgres says, as plain rows of COLUMNS. */
async function select(table, clause = 'ORDER BY id') {
  const { rows } = await sql(`SELECT ${COLUMNS.join(', ')} FROM ${table} ${clause}`)
  return rows
}

/** A collection's rows without TanStack DB's virtual properties ($synced, $origin, $key, $collectionId). */
function plain(collection) {
  return collection.toArray.map((row) => Object.fromEntries(COLUMNS.map((c) => [c, row[c]])))
}

const byId = (rows) => [...rows].sort((a, b) => a.id - b.id)

/**
 * An Electric collection on `table` in `syncMode`, recording the requests it makes. `gate`, when given, is a
 * promise every stream request (not a subset request) waits for before it is sent, so a test can hold the initial
 * sync back while the collection's subset requests go through.
 */
function openItems(table, syncMode, { gate, subsetMethod, handlers } = {}) {
  const requests = []
  requests.events = new EventTarget()
  const errors = []
  const collection = createCollection(
    electricCollectionOptions({
      id: `${table}-${syncMode}`,
      getKey: (row) => row.id,
      syncMode,
      // With an index on the ordered column, TanStack DB loads a top-N window lazily (limit and cursor subsets)
      // instead of all rows matching the filter.
      autoIndex: 'eager',
      defaultIndexType: BTreeIndex,
      ...handlers,
      shapeOptions: {
        url: SHAPE_URL,
        // On-demand, a row can enter a query through an update of a row the collection never loaded: only full
        // rows (replica=full) let the collection add it; with the default replica the update has only the changed
        // columns, and the collection, as with Electric, leaves the unknown key out.
        params: syncMode === 'on-demand' ? { table, replica: 'full' } : { table },
        ...(subsetMethod ? { subsetMethod } : {}),
        backoffOptions: { initialDelay: 100, maxDelay: 1_000, multiplier: 1.5, maxRetries: 5 },
        onError: (error) => {
          errors.push(error)
        },
        fetchClient: async (input, init = {}) => {
          const url = new URL(String(input))
          const subset = [...url.searchParams.keys()].some((k) => k.startsWith('subset__')) || init.method === 'POST'
          if (gate && !subset) await gate
          const response = await fetch(input, init)
          requests.push({ method: init.method ?? 'GET', url, body: init.body, subset, status: response.status,
            handle: response.headers.get('electric-handle') })
          requests.events.dispatchEvent(new Event('request'))
          return response
        },
      },
    }),
  )
  return { collection, requests, errors }
}

/** The test's live queries over `items`: a top-N window and a plain filter. */
function openLiveQueries(items) {
  // startSync: false: a query loads (and, on-demand, requests its subsets) once it is subscribed or preloaded.
  const top = createLiveQueryCollection({
    startSync: false,
    query: (q) =>
      q
        .from({ item: items })
        .where(({ item }) => and(not(item.done), gte(item.priority, 20)))
        .orderBy(({ item }) => item.priority, 'desc')
        .orderBy(({ item }) => item.id, 'asc')
        .limit(WINDOW),
  })
  const open = createLiveQueryCollection({
    startSync: false,
    query: (q) =>
      q
        .from({ item: items })
        .where(({ item }) => eq(item.done, false))
        .orderBy(({ item }) => item.title, 'asc')
        .orderBy(({ item }) => item.id, 'asc'),
  })
  return { top, open }
}

/**
 * Waits until every live query holds exactly (and in order) what Postgres returns for it, and — unless on-demand,
 * where the collection holds only what its queries loaded — the collection holds the whole table.
 */
async function assertInSync(ctx, label) {
  const { table, items, top, open, wholeTable } = ctx
  const want = {
    top: await select(table, TOP_SQL),
    open: await select(table, OPEN_SQL),
    items: wholeTable ? await select(table) : undefined,
  }
  const have = () => ({ top: plain(top), open: plain(open), items: wholeTable ? byId(plain(items)) : undefined })
  const matches = () => {
    const now = have()
    return (
      stringify(now.top) === stringify(want.top) &&
      stringify(now.open) === stringify(want.open) &&
      stringify(now.items) === stringify(want.items)
    )
  }
  await until(ctx, matches, () =>
    `${label}: collection and live queries never matched Postgres; want ${stringify(want)}, have ${stringify(have())}`,
  )
  // What the collection holds is Postgres's row for every key it has, in every mode.
  const rows = new Map((await select(table)).map((r) => [r.id, stringify(r)]))
  for (const row of plain(items)) assert.equal(stringify(row), rows.get(row.id), `${label}: row ${row.id} of the collection`)
}

/** Changes that move rows into and out of both live queries, each followed by a comparison with Postgres. */
async function runChanges(ctx) {
  const { table } = ctx
  const steps = [
    ['an insert entering the top window', `INSERT INTO ${table} VALUES (101, 'item new top', 1000, false)`],
    ['an insert matching neither query', `INSERT INTO ${table} VALUES (102, 'item done', 2000, true)`],
    ['a top row marked done leaves both queries, the next row enters the window',
      `UPDATE ${table} SET done = true WHERE id = 101`],
    ['a row from below the window moves into it', `UPDATE ${table} SET priority = 990 WHERE id = 2`],
    ['a reorder inside the window', `UPDATE ${table} SET priority = 5000 WHERE id = (
       SELECT id FROM ${table} WHERE NOT done AND priority >= 20 ORDER BY priority DESC, id LIMIT 1 OFFSET 2)`],
    ['a window row deleted, a row never in the window takes its place',
      `DELETE FROM ${table} WHERE id = (SELECT id FROM ${table} WHERE NOT done AND priority >= 20
       ORDER BY priority DESC, id LIMIT 1)`],
    ['a done row reopened at the top', `UPDATE ${table} SET done = false, priority = 3000 WHERE id = 102`],
    ['a done row never loaded on-demand reopened into both queries', `UPDATE ${table} SET done = false, priority = 2500 WHERE id = 3`],
    ['a row dropping under the filter\'s priority bound', `UPDATE ${table} SET priority = 15 WHERE id = 102`],
    ['a title change reorders the open filter only', `UPDATE ${table} SET title = 'aaa first' WHERE id = 4`],
    ['one transaction inserting, updating and deleting', `BEGIN;
       INSERT INTO ${table} VALUES (103, 'item tx a', 4000, false), (104, 'item tx b', 3999, false);
       UPDATE ${table} SET priority = 4001 WHERE id = 5;
       DELETE FROM ${table} WHERE id = 103;
       COMMIT`],
    ['the whole window closed at once', `UPDATE ${table} SET done = true WHERE id IN (
       SELECT id FROM ${table} WHERE NOT done AND priority >= 20 ORDER BY priority DESC, id LIMIT ${WINDOW})`],
  ]
  for (const [label, statement] of steps) {
    await sql(statement)
    await assertInSync(ctx, label)
  }
}

/** Opens the collection and the live queries (subscribed, so they stay live) and closes them after `body`. */
async function withCollection(table, syncMode, options, body) {
  const { collection: items, requests, errors } = openItems(table, syncMode, options)
  const { top, open } = openLiveQueries(items)
  const subscriptions = []
  const ctx = {
    table, items, top, open, requests, errors, syncMode,
    /** The collections whose events wake `until`: the base collection and the started live queries. */
    collections: [items],
    wholeTable: syncMode !== 'on-demand',
    /** Subscribes to a live query, which starts it and keeps it live until the end of the test. */
    start(query) {
      subscriptions.push(query.subscribeChanges(() => {}, { includeInitialState: false }))
      ctx.collections.push(query)
    },
  }
  if (!options.deferOpen) ctx.start(open)
  ctx.start(top)
  try {
    await body(ctx)
    assert.deepEqual(errors, [], 'no stream errors')
    const failed = requests.filter((r) => r.status >= 400 && r.status !== 409)
    assert.deepEqual(failed.map((r) => `${r.method} ${r.url.search} -> ${r.status}`), [], 'no failed requests')
  } finally {
    for (const s of subscriptions) s.unsubscribe()
    await Promise.all([top.cleanup(), open.cleanup()])
    await items.cleanup()
  }
}

/** Bounds a promise, so a collection that never gets ready fails the test with a label instead of hanging it. */
async function bounded(promise, label, ms = WAIT_MS) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${label}`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Waits for the live queries, and the collection (which preload() leaves to the queries unless eager). */
async function preloaded(ctx) {
  const collections = ctx.syncMode === 'eager' ? [ctx.items, ctx.top, ctx.open] : [ctx.top, ctx.open]
  await bounded(Promise.all(collections.map((c) => c.preload())), `${ctx.syncMode} preload`)
  await until(ctx, () => ctx.items.status === 'ready', () => `the collection never got ready (${ctx.items.status})`)
  await assertInSync(ctx, 'the initial sync')
}

const subsetRequests = (requests) => requests.filter((r) => r.subset)
/** The subset parameters of a recorded request: subset__x query parameters on GET, the JSON body on POST. */
function subsetOf(request) {
  if (request.method === 'POST') return JSON.parse(request.body)
  const subset = {}
  for (const [key, value] of request.url.searchParams) if (key.startsWith('subset__')) subset[key.slice(8)] = value
  return subset
}
const describeRequests = (requests) =>
  requests.map((r) => `${r.method} ${decodeURIComponent(r.url.search)} ${r.body ?? ''} -> ${r.status}`).join('\n')

test('eager: the collection holds the table and live queries follow rows in and out of filter and window', { timeout: TIMEOUT }, async () => {
  const table = await createItems(12)
  await withCollection(table, 'eager', {}, async (ctx) => {
    await bounded(ctx.items.preload(), 'eager preload')
    assert.equal(ctx.items.status, 'ready')
    await assertInSync(ctx, 'the initial sync')
    await runChanges(ctx)
    assert.deepEqual(subsetRequests(ctx.requests), [], 'eager mode makes no subset requests')
  })
})

for (const subsetMethod of ['GET', 'POST']) {
  test(`on-demand (subsets over ${subsetMethod}): live queries load only their rows, and stay live`, { timeout: TIMEOUT }, async () => {
    const table = await createItems(40)
    await withCollection(table, 'on-demand', { subsetMethod, deferOpen: true }, async (ctx) => {
      // The top-N window alone: the collection loads exactly its rows (the server applies where, order_by, limit).
      await bounded(ctx.top.preload(), 'the top-N query of an on-demand collection')
      const window = await select(table, TOP_SQL)
      await until(ctx, () => stringify(plain(ctx.top)) === stringify(window), () => `top: ${stringify(plain(ctx.top))}`)
      assert.deepEqual(byId(plain(ctx.items)).map((r) => r.id), byId(window).map((r) => r.id),
        `the collection holds the window's rows and no others:\n${describeRequests(ctx.requests)}`)
      const subsets = subsetRequests(ctx.requests)
      assert.ok(subsets.length > 0 && subsets.every((r) => r.method === subsetMethod && r.status === 200),
        describeRequests(ctx.requests))
      assert.ok(subsets.some((r) => String(subsetOf(r).limit) === String(WINDOW)),
        `the window is loaded with limit ${WINDOW}:\n${describeRequests(subsets)}`)
      // The stream itself carries changes only: the rows came from the subsets, not from a snapshot of the shape.
      assert.ok(ctx.requests.filter((r) => !r.subset).every((r) => r.url.searchParams.get('log') === 'changes_only'))

      ctx.start(ctx.open)
      await bounded(ctx.open.preload(), 'the filter query of an on-demand collection')
      await assertInSync(ctx, 'the first subsets')
      assert.ok(ctx.items.size < 40, `the collection holds only what its queries loaded (${ctx.items.size} of 40 rows)`)
      await runChanges(ctx)
    })
  })
}

test('progressive: live queries are served by subsets while the full sync is held back, then follow changes', { timeout: TIMEOUT }, async () => {
  const table = await createItems(40)
  let release
  const gate = new Promise((resolve) => {
    release = resolve
  })
  await withCollection(table, 'progressive', { gate }, async (ctx) => {
    // The stream's requests wait at the gate; the live queries' subsets (fetchSnapshot) go through, and the live
    // queries hold their rows while the collection is still loading.
    const want = { top: await select(table, TOP_SQL), open: await select(table, OPEN_SQL) }
    const have = () => ({ top: plain(ctx.top), open: plain(ctx.open), status: ctx.items.status })
    await until(ctx, () => stringify(have()) === stringify({ ...want, status: 'loading' }),
      () => `the live queries never held their rows while the sync was held: want ${stringify(want)}, have ${stringify(have())}\n` +
        describeRequests(ctx.requests))
    assert.ok(subsetRequests(ctx.requests).length > 0, describeRequests(ctx.requests))
    assert.ok(ctx.requests.every((r) => r.subset), `only subsets went through the gate:\n${describeRequests(ctx.requests)}`)
    assert.ok(ctx.items.size < 40, `the collection holds only the subsets' rows (${ctx.items.size} of 40)`)

    release()
    await until(ctx, () => ctx.items.status === 'ready', () => `the collection never got ready (${ctx.items.status})`)
    await assertInSync(ctx, 'the full sync')
    await runChanges(ctx)
  })
})

for (const syncMode of ['eager', 'progressive', 'on-demand']) {
  test(`${syncMode}: a TRUNCATE (must-refetch) with new rows in the same transaction, and changes after it`, { timeout: TIMEOUT }, async () => {
    const table = await createItems(12)
    await withCollection(table, syncMode, {}, async (ctx) => {
      await preloaded(ctx)
      await sql(`BEGIN; TRUNCATE ${table};
                 INSERT INTO ${table} VALUES (201, 'item after a', 500, false), (202, 'item after b', 600, false),
                   (203, 'item after c', 700, true), (204, 'item after d', 10, false);
                 COMMIT`)
      await assertInSync(ctx, 'after the TRUNCATE')
      assert.ok(ctx.requests.some((r) => r.status === 409), `the stream was told to refetch:\n${describeRequests(ctx.requests)}`)
      assert.ok(ctx.items.toArray.every((row) => row.id > 200), 'no row from before the TRUNCATE is left')
      await runChanges(ctx)
    })
  })

  test(`${syncMode}: DELETE /v1/shape (must-refetch) while rows change, and changes after it`, { timeout: TIMEOUT }, async () => {
    const table = await createItems(12)
    await withCollection(table, syncMode, {}, async (ctx) => {
      await preloaded(ctx)
      const handle = ctx.requests.findLast((r) => r.status === 200 && r.handle)?.handle
      assert.ok(handle, `the stream has a handle:\n${describeRequests(ctx.requests)}`)
      await sql(`UPDATE ${table} SET priority = 800 WHERE id = 1`)
      const deleted = await fetchBounded(shapeUrl({ handle }), { method: 'DELETE' })
      assert.equal(deleted.status, 202)
      const newHandle = () =>
        ctx.requests.some((r) => !r.subset && r.status === 200 && r.handle && r.handle !== handle)
      await until(ctx, newHandle, () => `the stream never moved to a new shape:\n${describeRequests(ctx.requests)}`)
      await sql(`DELETE FROM ${table} WHERE id = 2`)
      await sql(`INSERT INTO ${table} VALUES (301, 'item after delete', 900, false)`)
      await assertInSync(ctx, 'after DELETE /v1/shape')
      await runChanges(ctx)
    })
  })
}

/** Runs `statement` with `params` in its own transaction and returns the transaction's id, as a backend would. */
async function writeReturningTxid(statement, params) {
  const client = new pg.Client({ connectionString: DATABASE_URL })
  await client.connect()
  try {
    await client.query('BEGIN')
    const { rows } = await client.query('SELECT pg_current_xact_id()::xid::text AS txid')
    await client.query(statement, params)
    await client.query('COMMIT')
    return Number(rows[0].txid)
  } finally {
    await client.end()
  }
}

for (const syncMode of ['eager', 'on-demand']) {
  test(`${syncMode}: writes through the collection complete when the stream carries their txid`, { timeout: TIMEOUT }, async () => {
    const table = await createItems(6)
    const seen = []
    const handlers = {
      onInsert: async ({ transaction }) => {
        const { id, title, priority, done } = transaction.mutations[0].modified
        const txid = await writeReturningTxid(`INSERT INTO ${table} VALUES ($1, $2, $3, $4)`, [id, title, priority, done])
        seen.push(txid)
        return { txid, timeout: WAIT_MS }
      },
      onUpdate: async ({ transaction }) => {
        const { original, changes } = transaction.mutations[0]
        const txid = await writeReturningTxid(`UPDATE ${table} SET priority = $2 WHERE id = $1`, [original.id, changes.priority])
        seen.push(txid)
        return { txid, timeout: WAIT_MS }
      },
      onDelete: async ({ transaction }) => {
        const txid = await writeReturningTxid(`DELETE FROM ${table} WHERE id = $1`, [transaction.mutations[0].key])
        seen.push(txid)
        return { txid, timeout: WAIT_MS }
      },
    }
    await withCollection(table, syncMode, { handlers }, async (ctx) => {
      await preloaded(ctx)
      const persisted = (tx, label) => bounded(tx.isPersisted.promise, label, WAIT_MS + 2_000)
      await persisted(ctx.items.insert({ id: 50, title: 'item written', priority: 7000, done: false }), 'the insert')
      // Once the mutation has completed, the synced row is the collection's: Postgres's row, no longer optimistic.
      assert.deepEqual(plain(ctx.top)[0], { id: 50, title: 'item written', priority: 7000, done: false })
      assert.equal(ctx.items.get(50).$synced, true)
      await assertInSync(ctx, 'after the insert')

      await persisted(ctx.items.update(50, (draft) => { draft.priority = 5 }), 'the update')
      if (syncMode === 'eager') {
        assert.equal(ctx.items.get(50).priority, 5)
      } else {
        // On demand, the collection also counts a txid as seen when a subset snapshot it loaded shows it visible
        // (its seenSnapshots): such a snapshot, requested by the live query while the update was in flight, need not
        // hold row 50, whose change then reaches the collection through the stream right after. The server's part,
        // that the change is in the shape's log before the subset's reply, is what SubsetVisibilityTest checks.
        await until(ctx, () => ctx.items.get(50)?.priority === 5,
          () => `row 50 after its update was seen: ${stringify(ctx.items.get(50))}`)
      }
      await assertInSync(ctx, 'after the update')

      await persisted(ctx.items.delete(50), 'the delete')
      if (syncMode === 'eager') assert.equal(ctx.items.has(50), false)
      else await until(ctx, () => !ctx.items.has(50), () => `row 50 after its delete was seen: ${stringify(ctx.items.get(50))}`)
      await assertInSync(ctx, 'after the delete')
      assert.equal(seen.length, 3)
      // awaitTxId of a transaction already seen resolves at once.
      assert.equal(await bounded(ctx.items.utils.awaitTxId(seen[0], 1_000), 'awaitTxId of a seen txid'), true)
    })
  })
}

// Shared fixtures of the JS client compatibility tests: the Ampere URL and a Postgres pool from the environment
// (scripts/test-js sets AMPERE_URL and DATABASE_URL), unique table names, and a wrapper around the client's public
// ShapeStream/Shape API that waits on the client's own callbacks with bounded timeouts, so that a missing or broken
// server makes a test fail fast with the client's error instead of hanging.
// Each test file runs in its own node process; every file registers closeDb() as an after() hook.
import { ShapeStream, Shape } from '@electric-sql/client'
import pg from 'pg'
import { randomBytes } from 'node:crypto'

export const AMPERE_URL = requireEnv('AMPERE_URL')
export const DATABASE_URL = requireEnv('DATABASE_URL')
export const SHAPE_URL = `${AMPERE_URL}/v1/shape`

/** Bound of every wait on the client; per-test timeouts (node:test) are a little larger. */
export const WAIT_MS = 10_000
export const TEST_TIMEOUT_MS = 15_000

function requireEnv(name) {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set: run the tests with scripts/test-js`)
  return value
}

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 })

/** Runs one statement (or a multi-statement script when params is absent) on the test database. */
export async function sql(text, params) {
  return pool.query(text, params)
}

const openShapes = new Set()

/** after() hook of every file: stops shapes a timed-out test left open (so the process can exit), then the pool. */
export async function closeDb() {
  for (const sub of openShapes) sub.close()
  await pool.end()
}

/** A fresh lower-case identifier such as `items_3f9a1c2b`, unique per call. */
export function uniqueName(prefix) {
  return `${prefix}_${randomBytes(4).toString('hex')}`
}

/** URL of /v1/shape with the given query parameters (values are strings; params may be an object of $n values). */
export function shapeUrl(query) {
  const url = new URL(SHAPE_URL)
  for (const [key, value] of Object.entries(query)) {
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) url.searchParams.set(`${key}[${k}]`, v)
    } else if (value !== undefined) {
      url.searchParams.set(key, String(value))
    }
  }
  return url
}

/** fetch with a bounded time, so a server that never answers fails the test instead of hanging it. */
export async function fetchBounded(url, init = {}, timeoutMs = WAIT_MS) {
  return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
}

/**
 * Opens a ShapeStream and a Shape over it. The stream records every message batch it delivers (`messages`) and its
 * error; `waitFor` resolves once the Shape's rows satisfy a predicate after an up-to-date, and rejects on the first
 * stream error or after `timeoutMs`, with the rows seen so far in the message.
 */
export function openShape(params, options = {}) {
  const controller = new AbortController()
  const errors = []
  const stream = new ShapeStream({
    url: SHAPE_URL,
    params,
    signal: controller.signal,
    // 5xx and network errors are retried by the client; bound the retries so that a failing server surfaces.
    backoffOptions: { initialDelay: 100, maxDelay: 1_000, multiplier: 1.5, maxRetries: 5 },
    onError: (error) => {
      errors.push(error)
      // Returning nothing stops the stream: every error is a test failure here.
    },
    ...options,
  })
  const messages = []
  const listeners = new Set()
  stream.subscribe(
    (batch) => {
      messages.push(...batch)
      for (const listener of listeners) listener()
    },
    (error) => {
      errors.push(error)
      for (const listener of listeners) listener()
    },
  )
  const shape = new Shape(stream)
  shape.subscribe(() => {
    for (const listener of listeners) listener()
  })

  function describeError() {
    const error = errors[0] ?? shape.error ?? stream.error
    if (!error) return 'none'
    const status = error.status !== undefined ? ` (status ${error.status})` : ''
    const body = error.text ? ` body: ${String(error.text).slice(0, 300)}` : ''
    return `${error.name}: ${error.message}${status}${body}`
  }

  /** Waits until `check()` returns a truthy value, re-evaluating it on every client callback. */
  function until(check, label, timeoutMs = WAIT_MS) {
    return new Promise((resolve, reject) => {
      let timer
      const settle = (fn) => {
        clearTimeout(timer)
        listeners.delete(evaluate)
        fn()
      }
      const evaluate = () => {
        if (errors.length > 0 || shape.error) {
          return settle(() => reject(new Error(`shape stream failed while waiting for ${label}: ${describeError()}`)))
        }
        let result
        try {
          result = check()
        } catch (e) {
          return settle(() => reject(e))
        }
        if (result) settle(() => resolve(result))
      }
      timer = setTimeout(() => {
        settle(() =>
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${label}; up-to-date=${shape.isUpToDate}, ` +
                `rows=${stringify(shape.currentRows).slice(0, 500)}, error=${describeError()}`,
            ),
          ),
        )
      }, timeoutMs)
      listeners.add(evaluate)
      evaluate()
    })
  }

  const sub = {
    stream,
    shape,
    messages,
    errors,
    until,
    /** Resolves with the rows once up to date and `predicate(rows)` holds. */
    waitForRows(predicate, label, timeoutMs) {
      return until(() => shape.isUpToDate && predicate(shape.currentRows) && shape.currentRows, label, timeoutMs)
    },
    /** Resolves with the rows of the first up-to-date state. */
    synced(timeoutMs) {
      return until(() => shape.isUpToDate && shape.currentRows, 'the initial sync', timeoutMs)
    },
    close() {
      openShapes.delete(sub)
      shape.unsubscribeAll()
      stream.unsubscribeAll()
      controller.abort()
    },
  }
  openShapes.add(sub)
  return sub
}

/** JSON.stringify that tolerates the BigInt values the client yields for int8. */
export function stringify(value) {
  return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))
}

/** Rows sorted by a key, for order-independent comparisons. */
export function sortBy(rows, key) {
  return [...rows].sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0))
}

/** Predicate: the rows' `key` values are exactly `expected` (any order). */
export function idsAre(expected, key = 'id') {
  const want = [...expected].map(String).sort().join(',')
  return (rows) => rows.map((r) => String(r[key])).sort().join(',') === want
}

/**
 * Waits until `check()` holds, re-evaluating it on every change or status event of TanStack DB `collections` and on
 * every request recorded in `requests`, when given (no polling), failing after `timeoutMs` with `describe()`, or at
 * once when a stream error was recorded.
 */
export function untilCollections({ collections, errors, requests }, check, describe, timeoutMs = WAIT_MS) {
  return new Promise((resolve, reject) => {
    const unsubscribers = []
    let timer
    const settle = (fn) => {
      clearTimeout(timer)
      for (const unsubscribe of unsubscribers) unsubscribe()
      fn()
    }
    const evaluate = () => {
      if (errors.length > 0) {
        const e = errors[0]
        return settle(() => reject(new Error(`stream error (${e.status ?? ''}) ${e.message}; ${describe()}`)))
      }
      try {
        if (check()) settle(resolve)
      } catch (e) {
        settle(() => reject(e))
      }
    }
    for (const collection of collections) {
      // includeInitialState: false asks for every later change; without it a subscription drops deletes of keys it
      // has not delivered, and a change that only removes rows would not wake the check.
      const subscription = collection.subscribeChanges(evaluate, { includeInitialState: false })
      unsubscribers.push(() => subscription.unsubscribe())
      unsubscribers.push(collection.on('status:change', evaluate))
    }
    if (requests) {
      requests.events.addEventListener('request', evaluate)
      unsubscribers.push(() => requests.events.removeEventListener('request', evaluate))
    }
    timer = setTimeout(() => settle(() => reject(new Error(`timed out after ${timeoutMs} ms: ${describe()}`))), timeoutMs)
    evaluate()
  })
}

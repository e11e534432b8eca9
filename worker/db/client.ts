import { NeonQueryPromise, Pool, neon, neonConfig, type PoolClient } from '@neondatabase/serverless';
import { drizzle as drizzleHttp } from 'drizzle-orm/neon-http';
import { drizzle } from 'drizzle-orm/neon-serverless';
import { log } from '../lib/log';
import * as schema from './schema';

export type Db = ReturnType<typeof drizzle<typeof schema>>;
export type HttpDb = ReturnType<typeof drizzleHttp<typeof schema>>;

interface DbEnv {
  DATABASE_URL: string;
  /** host:port of a local WebSocket-to-TCP bridge (embedded or local Postgres); unset on Neon. */
  DB_WS_PROXY?: string;
  /** URL of a local endpoint speaking Neon's HTTP query protocol (scripts/neon-http.ts); unset on Neon. */
  DB_HTTP_ENDPOINT?: string;
}

/** Counts exchanges with Postgres: each one is a round trip from the edge. */
export interface RoundTrips {
  count: number;
  /** Statements sent on a pooled WebSocket session (its setup exchanges not included). */
  statements?: number;
}

/**
 * Serial exchanges before a new WebSocket session can run its first statement: the
 * WebSocket upgrade, then Postgres' startup (StartupMessage → AuthenticationOk …
 * ReadyForQuery; the local bridge's database asks no password). On Neon TCP and TLS add
 * one or two more and SCRAM one more; these are counted as the local stack pays them.
 */
export const WS_SESSION_SETUP_EXCHANGES = 2;

/**
 * The pooled WebSocket client, for queue consumers, cron and scripts: one pool per queue
 * batch or invocation, its session setup spread over the many statements it runs. Request
 * paths use createRequestDb (HTTP) instead. The caller closes it with
 * `ctx.waitUntil(pool.end())`; nothing else creates pools.
 */
export function createDb(env: DbEnv): { db: Db; pool: Pool; roundTrips: RoundTrips } {
  if (env.DB_WS_PROXY) {
    const proxy = env.DB_WS_PROXY;
    neonConfig.wsProxy = () => `${proxy}/v2`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: 5 });
  // An idle client's socket error is emitted on the pool, and an EventEmitter 'error'
  // without a listener throws. The server hanging up after pool.end()'s Terminate shows up
  // in workerd as "Network connection lost": expected, so not worth a log line.
  pool.on('error', (err: Error) => {
    if (!/Network connection lost/i.test(err.message)) {
      log.warn('idle database connection failed', { error: err.message });
    }
  });
  const roundTrips: RoundTrips = { count: 0, statements: 0 };
  pool.on('connect', (client: PoolClient) => {
    roundTrips.count += WS_SESSION_SETUP_EXCHANGES;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: typeof query }).query = (...args: unknown[]) => {
      roundTrips.count++;
      roundTrips.statements = (roundTrips.statements ?? 0) + 1;
      return query(...args);
    };
  });
  return { db: drizzle({ client: pool, schema }), pool, roundTrips };
}

/**
 * The request path's client: Neon's HTTP query path, one HTTPS request per query or per
 * `db.batch([...])` (run as one transaction), no session to open or close. Each request
 * counts once in `roundTrips` (pass the request's counter to share it with a pool).
 */
function neonHttp(env: DbEnv) {
  // neonConfig is module-wide, like wsProxy above: one endpoint per isolate.
  if (env.DB_HTTP_ENDPOINT) neonConfig.fetchEndpoint = env.DB_HTTP_ENDPOINT;
  return neon(env.DATABASE_URL);
}

export function createHttpDb(env: DbEnv, roundTrips: RoundTrips = { count: 0 }): { db: HttpDb; roundTrips: RoundTrips } {
  const sql = neonHttp(env);
  const { query, transaction } = sql;
  // A query sends its request when awaited, not when built: drizzle builds a batch's
  // queries with query() and sends them all through transaction() in one request.
  sql.query = ((text: string, params?: unknown[], opts?: object) => {
    const pending = query(text, params, opts);
    return new NeonQueryPromise(
      (data, o) => {
        roundTrips.count++;
        return pending.execute(data, o);
      },
      pending.queryData,
      pending.opts,
    );
  }) as typeof sql.query;
  sql.transaction = ((queries, opts) => {
    roundTrips.count++;
    return transaction(queries, opts);
  }) as typeof sql.transaction;
  return { db: drizzleHttp({ client: sql, schema }), roundTrips };
}

/** How a prelude's failure shows: the error the batched statements reject with instead. */
export interface PreludeSpec {
  text: string;
  params: unknown[];
  /** Whether a failed exchange failed because of the prelude (the batch was rolled back). */
  failedHere(err: unknown): boolean;
  /** The error every statement of the request rejects with once the prelude failed. */
  failure(err: unknown): Error;
  /**
   * What the check records once it passed (an API key's use): sent last in the transaction
   * of the request's first statement (after the check when that rides along, after the
   * route's own statements always), so a row lock it takes is held only until the commit,
   * not while they run; it commits or rolls back with them. A request that sends no
   * statement after its check records alone when it ends (RequestDb.finish).
   */
  record?: { text: string; params: unknown[] };
}

/**
 * The request path's database: Neon's HTTP query path (see createHttpDb) plus an optional
 * prelude, a statement that rides in the same HTTP transaction as the request's first
 * statement or batch. The auth middleware makes its "is this user still active" check
 * the prelude, so an authenticated read costs one round trip. The prelude raises when it
 * fails, which rolls the whole transaction back: nothing the route sent with it takes
 * effect, and every statement of the request (this one and any later) rejects with
 * `failure(err)`.
 */
export interface RequestDb {
  db: Db;
  roundTrips: RoundTrips;
  /** Registers the prelude; resolves with its rows once it has run. */
  prelude(spec: PreludeSpec): Promise<Record<string, unknown>[]>;
  /**
   * Settles a prelude no statement carried (sending it alone, one round trip) and throws
   * its failure if it failed. The auth middleware calls it after the route and before
   * any field of the user other than its id is needed.
   */
  settle(): Promise<void>;
  /**
   * The request is over: sends the prelude and its record if no statement carried them
   * (one round trip, in one transaction, only then) and throws the prelude's failure if
   * it failed. The auth middleware calls it last.
   */
  finish(): Promise<void>;
}

const PRELUDE_OPTS = { arrayMode: false, fullResults: true } as const;

type AnyQuery = NeonQueryPromise<boolean, boolean>;
type QueryFn = (text: string, params?: unknown[], opts?: object) => AnyQuery;
type TransactionFn = (queries: AnyQuery[], opts?: object) => Promise<unknown[]>;

export function createRequestDb(env: DbEnv): RequestDb {
  const roundTrips: RoundTrips = { count: 0 };
  const sql = neonHttp(env);
  const query = sql.query as unknown as QueryFn;
  const transaction = sql.transaction as unknown as TransactionFn;

  let pending: { spec: PreludeSpec; resolve: (rows: Record<string, unknown>[]) => void; reject: (err: unknown) => void } | null = null;
  /** The prelude's record, until an exchange carried it. */
  let record: PreludeSpec['record'] | null = null;
  /** The exchange carrying the prelude or its record, while it is in flight: later statements wait for it. */
  let carrying: Promise<unknown> | null = null;
  let failed: Error | null = null;

  /** One exchange: `queries` alone, or with the prelude before them and its record after, in one transaction. */
  async function exchange(queries: AnyQuery[], opts: object | undefined, single: boolean): Promise<unknown> {
    while (carrying) await carrying.catch(() => undefined);
    if (failed) throw failed;
    const p = pending;
    const r = record;
    roundTrips.count++;
    if (!p && !r) {
      const q = queries[0]!;
      return single ? q.execute(q.queryData, q.opts) : transaction(queries, opts);
    }
    pending = null;
    record = null;
    const head = p ? [query(p.spec.text, p.spec.params, PRELUDE_OPTS)] : [];
    const tail = r ? [query(r.text, r.params, PRELUDE_OPTS)] : [];
    const sent = transaction([...head, ...queries, ...tail], opts);
    carrying = sent;
    try {
      const results = (await sent) as { rows: Record<string, unknown>[] }[];
      if (p) p.resolve(results[0]!.rows);
      const mine = results.slice(head.length, head.length + queries.length);
      return single ? mine[0] : mine;
    } catch (err) {
      if (p?.spec.failedHere(err)) {
        failed = p.spec.failure(err);
        p.reject(failed);
        throw failed;
      }
      // A statement failed and the transaction was rolled back: the prelude and the record
      // ride again with the next exchange (or settle and finish alone).
      pending = p;
      record = r;
      throw err;
    } finally {
      carrying = null;
    }
  }

  async function settle() {
    while (carrying) await carrying.catch(() => undefined);
    if (failed) throw failed;
    const p = pending;
    if (!p) return;
    pending = null;
    roundTrips.count++;
    try {
      const result = (await query(p.spec.text, p.spec.params, PRELUDE_OPTS)) as unknown as { rows: Record<string, unknown>[] };
      p.resolve(result.rows);
    } catch (err) {
      failed = p.spec.failedHere(err) ? p.spec.failure(err) : (err as Error);
      p.reject(failed);
      throw failed;
    }
  }

  // A query sends its request when awaited, not when built: drizzle builds a batch's
  // queries with query() and sends them all through transaction() in one request.
  sql.query = ((text: string, params?: unknown[], opts?: object) => {
    const built = query(text, params, opts);
    return new NeonQueryPromise(() => exchange([built], undefined, true) as Promise<never>, built.queryData, built.opts);
  }) as unknown as typeof sql.query;
  sql.transaction = ((queries: AnyQuery[], opts?: object) => {
    if (!Array.isArray(queries)) throw new Error('transaction() takes an array of queries here');
    return exchange(queries, opts, false);
  }) as unknown as typeof sql.transaction;

  return {
    // Services are typed against the pooled client's API, which the HTTP client shares
    // for everything they use (select/insert/update/delete/execute, rowCount, rows);
    // `transaction()` is the difference and throws on HTTP: no request path uses it.
    db: drizzleHttp({ client: sql, schema }) as unknown as Db,
    roundTrips,
    prelude(spec) {
      if (pending || carrying) throw new Error('one prelude per request');
      record = spec.record ?? null;
      return new Promise((resolve, reject) => {
        pending = { spec, resolve, reject };
      });
    },
    settle,
    async finish() {
      while (carrying) await carrying.catch(() => undefined);
      if (failed) throw failed;
      // The prelude (if no statement carried it) and the record, in one transaction.
      if (pending || record) await exchange([], undefined, false);
    },
  };
}

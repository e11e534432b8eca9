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
}

/**
 * A pool for one request or one queue batch. The caller closes it with
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
  const roundTrips: RoundTrips = { count: 0 };
  pool.on('connect', (client: PoolClient) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: typeof query }).query = (...args: unknown[]) => {
      roundTrips.count++;
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
export function createHttpDb(env: DbEnv, roundTrips: RoundTrips = { count: 0 }): { db: HttpDb; roundTrips: RoundTrips } {
  // neonConfig is module-wide, like wsProxy above: one endpoint per isolate.
  if (env.DB_HTTP_ENDPOINT) neonConfig.fetchEndpoint = env.DB_HTTP_ENDPOINT;
  const sql = neon(env.DATABASE_URL);
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

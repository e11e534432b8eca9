import { Pool, neonConfig, type PoolClient } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import { log } from '../lib/log';
import * as schema from './schema';

export type Db = ReturnType<typeof drizzle<typeof schema>>;

interface DbEnv {
  DATABASE_URL: string;
  /** host:port of a local WebSocket-to-TCP bridge (embedded or local Postgres); unset on Neon. */
  DB_WS_PROXY?: string;
}

/** Counts statements sent to Postgres: each one is a round trip from the edge. */
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

import { env } from 'cloudflare:workers';
import { neon, neonConfig } from '@neondatabase/serverless';
import { createDb } from '../db/client';

/**
 * The two ways the worker reaches the database, raw, for tests of the local database
 * itself (neon-http.test.ts, local-db-session.test.ts): Neon's HTTP driver against the
 * local endpoint, and one statement on the pooled WebSocket session.
 */

/** Neon's HTTP query function, pointed at the local endpoint as the worker's is. */
export function httpSql() {
  neonConfig.fetchEndpoint = env.DB_HTTP_ENDPOINT;
  return neon(env.DATABASE_URL);
}

/** Runs one statement through the WebSocket Pool (node-postgres underneath) on a pool of its own. */
export async function viaPool(text: string, params: unknown[] = []) {
  const { pool } = createDb(env);
  try {
    return await pool.query(text, params);
  } finally {
    await pool.end();
  }
}

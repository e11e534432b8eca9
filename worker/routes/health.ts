import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import { createHttpDb } from '../db/client';
import { config, type AppEnv } from '../env';
import { describeError, log } from '../lib/log';
import { routeDocs } from '../lib/openapi';
import { isoOffset } from '../lib/time';

export type CheckState = 'ok' | 'unavailable';

const doc = routeDocs('health');

/**
 * Runs `probe` with a deadline. A failure or a late answer is `unavailable`; the reason
 * goes to the log only, never into the response (it may name hosts or users).
 */
export async function runCheck(name: string, probe: () => Promise<unknown>, timeoutMs: number, requestId?: string): Promise<CheckState> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([probe(), deadline]);
    return 'ok';
  } catch (err) {
    log.warn('health check failed', { check: name, request_id: requestId, error: describeError(err) });
    return 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GET /health: the contract's `{"service","status","timestamp"}` plus `checks`. The
 * database is asked one `select 1` over Neon's HTTP query path (one round trip); status `degraded` (HTTP
 * 503) says which part is down so a load balancer or uptime check can act on it.
 */
export const healthRoutes = new Hono<AppEnv>().get(
  '/',
  doc({
    summary: 'Service health',
    status: 200,
    description: '`status` "ok" and `checks.database` "ok"',
    errors: { 503: 'The database did not answer: `status` "degraded", `checks.database` "unavailable"' },
  }),
  async (c) => {
    const { db, roundTrips } = createHttpDb(c.env);
    const database = await runCheck('database', () => db.execute(sql`select 1`), config(c.env).healthDbTimeoutMs, c.var.requestId);
    if (c.env.EXPOSE_DB_ROUND_TRIPS === 'true') c.header('X-DB-Round-Trips', String(roundTrips.count));
    const status: 'ok' | 'degraded' = database === 'ok' ? 'ok' : 'degraded';
    const body = { service: 'sourcepilot', status, timestamp: isoOffset(new Date())!, checks: { database } };
    return status === 'ok' ? c.json(body, 200) : c.json(body, 503);
  },
);

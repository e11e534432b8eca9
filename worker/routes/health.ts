import { Hono } from 'hono';
import { createDb } from '../db/client';
import type { AppEnv, Bindings } from '../env';
import { routeDocs } from '../lib/openapi';
import { isoOffset } from '../lib/time';

export type CheckState = 'ok' | 'unavailable';

/** How long the database may take to answer `select 1` before it counts as unavailable. */
const DEFAULT_DB_TIMEOUT_MS = 2_000;

const doc = routeDocs('health');

const dbTimeout = (env: Pick<Bindings, 'HEALTH_DB_TIMEOUT_MS'>) => {
  const ms = Number(env.HEALTH_DB_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_DB_TIMEOUT_MS;
};

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
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
    console.warn(JSON.stringify({ level: 'warn', msg: 'health check failed', check: name, request_id: requestId, error: cause instanceof Error ? cause.message : String(cause) }));
    return 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GET /health: the contract's `{"service","status","timestamp"}` plus `checks`. The
 * database is asked one `select 1` on its own short-lived pool; status `degraded` (HTTP
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
    const { pool, roundTrips } = createDb(c.env);
    const database = await runCheck('database', () => pool.query('select 1'), dbTimeout(c.env), c.var.requestId);
    c.executionCtx.waitUntil(pool.end().catch(() => undefined));
    if (c.env.EXPOSE_DB_ROUND_TRIPS === 'true') c.header('X-DB-Round-Trips', String(roundTrips.count));
    const status: 'ok' | 'degraded' = database === 'ok' ? 'ok' : 'degraded';
    const body = { service: 'sourcepilot', status, timestamp: isoOffset(new Date())!, checks: { database } };
    return status === 'ok' ? c.json(body, 200) : c.json(body, 503);
  },
);

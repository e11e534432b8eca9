import { createDb } from '../db/client';
import type { Bindings } from '../env';
import { log } from '../lib/log';
import { adminMetrics, type Window } from '../services/metrics';

/** wrangler.toml `[triggers] crons`: the key metrics of the previous UTC day, into the logs. */
export const DAILY_METRICS_CRON = '0 3 * * *';

/** The whole UTC day before the one `at` falls in. */
export function previousUtcDay(at: Date): Window {
  const to = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  return { from: new Date(to.getTime() - 86_400_000), to };
}

/**
 * Logs the admin metrics of the previous UTC day as one JSON line (`msg: "daily
 * metrics"`), the figures GET /admin/metrics gives for that day, so log search can
 * chart them over time. The one-day daily series would repeat the totals, so it is left out.
 */
export async function logDailyMetrics(env: Bindings, ctx: ExecutionContext, at: Date): Promise<void> {
  // The pooled WebSocket session, not the request path's HTTP driver (issue 18): this
  // invocation runs many statements in a row, so one session setup spread over them beats
  // one HTTPS exchange each; no interactive transaction is needed here (writes are single statements).
  const { db, pool } = createDb(env);
  try {
    const started = Date.now();
    const { window, imports, price_watches, conversion, api_keys, stores } = await adminMetrics(db, previousUtcDay(at));
    log.info('daily metrics', { cron: DAILY_METRICS_CRON, window, imports, price_watches, conversion, api_keys, stores, duration_ms: Date.now() - started });
  } finally {
    ctx.waitUntil(pool.end());
  }
}

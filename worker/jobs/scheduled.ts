import { createDb } from '../db/client';
import type { Bindings } from '../env';
import { describeError, log } from '../lib/log';
import { reconcileCjWebhooks } from '../services/cj-webhooks';
import { schedulePriceChecks } from '../services/price-schedule';
import { DAILY_METRICS_CRON, logDailyMetrics } from './daily-metrics';

/** wrangler.toml `[triggers] crons`: the price sync (due watches → PRICE_QUEUE). */
export const PRICE_SYNC_CRON = '*/15 * * * *';

/** Cron entry: switches on `controller.cron` as declared in wrangler.toml `[triggers]`. */
export async function scheduled(controller: ScheduledController, env: Bindings, ctx: ExecutionContext): Promise<void> {
  switch (controller.cron) {
    case PRICE_SYNC_CRON: {
      const { db, pool } = createDb(env);
      try {
        const started = Date.now();
        const r = await schedulePriceChecks(env, db, env.PRICE_QUEUE, new Date(controller.scheduledTime));
        log.info('price sync scheduled', { cron: controller.cron, ...r, duration_ms: Date.now() - started });
        // CJ webhook subscriptions follow the watches (subscribe new, unsubscribe unwatched).
        try {
          const w = await reconcileCjWebhooks(env, db);
          if (w.accounts || w.failed) log.info('cj webhooks reconciled', w);
        } catch (err) {
          log.warn('cj webhook reconcile failed', { error: describeError(err) });
        }
      } finally {
        ctx.waitUntil(pool.end());
      }
      break;
    }
    case DAILY_METRICS_CRON:
      await logDailyMetrics(env, ctx, new Date(controller.scheduledTime));
      break;
    default:
      log.warn('cron without a handler', { cron: controller.cron, scheduled_time: controller.scheduledTime });
  }
}

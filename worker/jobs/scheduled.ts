import { createDb } from '../db/client';
import type { Bindings } from '../env';
import { describeError, log } from '../lib/log';
import { refreshDueAliExpressTokens } from '../services/aliexpress-tokens';
import { reconcileCjWebhooks } from '../services/cj-webhooks';
import { sweepImportJobs } from '../services/imports';
import { reconcileWatchLimits } from '../services/price-watch';
import { rewrapSecrets } from '../services/secret-rewrap';
import { schedulePriceChecks } from '../services/price-schedule';
import { DAILY_METRICS_CRON, logDailyMetrics } from './daily-metrics';

/** wrangler.toml `[triggers] crons`: the price sync (due watches → PRICE_QUEUE) and the import sweep. */
export const PRICE_SYNC_CRON = '*/15 * * * *';

/** Cron entry: switches on `controller.cron` as declared in wrangler.toml `[triggers]`. */
export async function scheduled(controller: ScheduledController, env: Bindings, ctx: ExecutionContext): Promise<void> {
  switch (controller.cron) {
    case PRICE_SYNC_CRON: {
      // The pooled WebSocket session, not the request path's HTTP driver (issue 18): this
      // invocation runs many statements in a row, so one session setup spread over them beats
      // one HTTPS exchange each; no interactive transaction is needed here (writes are single statements).
      const { db, pool } = createDb(env);
      const at = new Date(controller.scheduledTime);
      // Each maintenance step is on its own: one that fails is logged and the others still run.
      const step = async <T>(name: string, run: () => Promise<T>): Promise<T | null> => {
        try {
          return await run();
        } catch (err) {
          log.error(`${name} failed`, { cron: controller.cron, error: describeError(err) });
          return null;
        }
      };
      try {
        const started = Date.now();
        // Stored secrets not yet bound to their rows (or under an old key) are written again (services/secret-rewrap.ts).
        await step('secret re-encryption', () => rewrapSecrets(db, env.ENCRYPTION_KEY));
        // Watches over a changed plan's limit paused, or resumed where there is room (services/price-watch.ts).
        const limits = await step('watch limit reconcile', () => reconcileWatchLimits(db));
        if (limits?.users) log.info('watch limits reconciled', { cron: controller.cron, ...limits });
        const r = await schedulePriceChecks(env, db, env.PRICE_QUEUE, at);
        log.info('price sync scheduled', { cron: controller.cron, ...r, duration_ms: Date.now() - started });
        // AliExpress tokens that expire soon are renewed, and due re-authorization alerts sent.
        const t = await step('aliexpress token check', () => refreshDueAliExpressTokens(db, env));
        if (t && (t.refreshed || t.failed || t.alerts)) log.info('aliexpress tokens checked', t);
        // CJ webhook subscriptions follow the watches (subscribe new, unsubscribe unwatched).
        const w = await step('cj webhook reconcile', () => reconcileCjWebhooks(env, db));
        if (w && (w.accounts || w.failed)) log.info('cj webhooks reconciled', w);
      } finally {
        // Stopped import runs back to the queue, stranded pending jobs sent again (services/imports.ts).
        await step('import sweep', () => sweepImportJobs(db, env.IMPORT_QUEUE, at));
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

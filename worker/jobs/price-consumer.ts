import { z } from 'zod';
import { createDb, type Db } from '../db/client';
import { backoffSeconds } from '../lib/backoff';
import { describeError, log } from '../lib/log';
import { checkWatchIds, priceCheckDeps, type PriceCheckDeps, type PriceEnv } from '../services/price-check';
import { CHUNK_SIZE, type PriceMessage } from '../services/price-schedule';

/** Deliveries per message: the first plus wrangler.toml's `max_retries = 3` for the price-sync queue. */
export const MAX_PRICE_ATTEMPTS = 4;

const messageBody = z.object({ watchIds: z.array(z.uuid()).min(1).max(CHUNK_SIZE) }) satisfies z.ZodType<PriceMessage>;

/**
 * One PRICE_QUEUE message = one chunk of watch ids, checked with one load and one write
 * statement (services/price-check.ts). Supplier and store failures are recorded on the
 * watches and the message is acked; only an unexpected failure (the database) retries
 * the message with backoff, and a message that exhausted its retries goes to the
 * dead-letter queue. Re-checking a chunk is harmless: it records one more price point.
 */
export async function processPriceMessage(env: PriceEnv, db: Db, deps: PriceCheckDeps, message: Message<unknown>): Promise<void> {
  const parsed = messageBody.safeParse(message.body);
  if (!parsed.success) {
    log.error('price sync message rejected', { id: message.id });
    message.ack();
    return;
  }
  const started = Date.now();
  try {
    const r = await checkWatchIds(env, db, deps, parsed.data.watchIds);
    log.info('price chunk checked', { id: message.id, ...r, duration_ms: Date.now() - started });
    message.ack();
  } catch (err) {
    const last = message.attempts >= MAX_PRICE_ATTEMPTS;
    log.warn('price chunk failed', { id: message.id, attempt: message.attempts, last, error: describeError(err) });
    // Retries exhausted: one more retry hands the message to the dead-letter queue.
    if (last) message.retry();
    else message.retry({ delaySeconds: backoffSeconds(message.attempts) });
  }
}

/** Queue entry for the price-sync queue: one database pool for the batch, messages in turn. */
export async function processPriceBatch(batch: MessageBatch<unknown>, env: PriceEnv, ctx: ExecutionContext, deps = priceCheckDeps(env)): Promise<void> {
  // The pooled WebSocket session, not the request path's HTTP driver (issue 18): this
  // invocation runs many statements in a row, so one session setup spread over them beats
  // one HTTPS exchange each; no interactive transaction is needed here (writes are single statements).
  const { db, pool } = createDb(env);
  try {
    for (const message of batch.messages) await processPriceMessage(env, db, deps, message);
  } finally {
    ctx.waitUntil(pool.end());
  }
}

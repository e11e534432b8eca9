import { z } from 'zod';
import { createDb, type Db } from '../db/client';
import { checkWatchIds, CHUNK_SIZE, priceCheckDeps, type PriceCheckDeps, type PriceEnv } from '../services/price-sync';
import { backoffSeconds } from './import-consumer';

/** Deliveries per message: the first plus wrangler.toml's `max_retries = 3` for the price-sync queue. */
export const MAX_PRICE_ATTEMPTS = 4;

const messageBody = z.object({ watchIds: z.array(z.uuid()).min(1).max(CHUNK_SIZE) });

/**
 * One PRICE_QUEUE message = one chunk of watch ids, checked with one load and one write
 * statement (services/price-sync.ts). Supplier and store failures are recorded on the
 * watches and the message is acked; only an unexpected failure (the database) retries
 * the message with backoff, and a message that exhausted its retries goes to the
 * dead-letter queue. Re-checking a chunk is harmless: it records one more price point.
 */
export async function processPriceMessage(env: PriceEnv, db: Db, deps: PriceCheckDeps, message: Message<unknown>): Promise<void> {
  const parsed = messageBody.safeParse(message.body);
  if (!parsed.success) {
    console.error(JSON.stringify({ level: 'error', msg: 'price sync message rejected', id: message.id }));
    message.ack();
    return;
  }
  const started = Date.now();
  try {
    const r = await checkWatchIds(env, db, deps, parsed.data.watchIds);
    console.log(JSON.stringify({ level: 'info', msg: 'price chunk checked', id: message.id, ...r, duration_ms: Date.now() - started }));
    message.ack();
  } catch (err) {
    const last = message.attempts >= MAX_PRICE_ATTEMPTS;
    console.warn(JSON.stringify({ level: 'warn', msg: 'price chunk failed', id: message.id, attempt: message.attempts, last, error: errorText(err) }));
    // Retries exhausted: one more retry hands the message to the dead-letter queue.
    if (last) message.retry();
    else message.retry({ delaySeconds: backoffSeconds(message.attempts) });
  }
}

/** The driver's error behind drizzle's wrapper: drizzle's own message carries the statement's parameters. */
function errorText(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return cause instanceof Error ? `${cause.name}: ${cause.message.split('\nparams:')[0]}` : String(cause);
}

/** Queue entry for the price-sync queue: one database pool for the batch, messages in turn. */
export async function processPriceBatch(batch: MessageBatch<unknown>, env: PriceEnv, ctx: ExecutionContext, deps = priceCheckDeps(env)): Promise<void> {
  const { db, pool } = createDb(env);
  try {
    for (const message of batch.messages) await processPriceMessage(env, db, deps, message);
  } finally {
    ctx.waitUntil(pool.end());
  }
}

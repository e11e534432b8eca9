import { createDb } from '../db/client';
import type { Bindings } from '../env';
import { mapLimit } from '../suppliers/http';
import { backoffSeconds, processImportMessage, type ImportDeps } from './import-consumer';
import { getProductCached } from '../services/products';
import { connectorFor } from '../stores';
import { processPriceBatch } from './price-consumer';

/**
 * Messages of one batch processed at once (IMPORT_CONCURRENCY, default 4): enough to
 * overlap supplier and store latency; `npm run bench:pipeline` measures the trade-off.
 */
export function importConcurrency(env: { IMPORT_CONCURRENCY?: string }): number {
  const n = Number(env.IMPORT_CONCURRENCY);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 50) : 4;
}

/** What happened to a batch's messages, for the batch's log line. */
interface Tally {
  acked: number;
  retried: number;
  crashed: number;
}

/** The message with its ack/retry counted into `tally` (processImportMessage decides, this only watches). */
function counted(message: Message<unknown>, tally: Tally): Message<unknown> {
  return {
    id: message.id,
    timestamp: message.timestamp,
    body: message.body,
    attempts: message.attempts,
    ack: () => {
      tally.acked++;
      message.ack();
    },
    retry: (options?: QueueRetryOptions) => {
      tally.retried++;
      message.retry(options);
    },
  };
}

/** The import pipeline's real dependencies: the cached catalogue and the store connectors. */
export const importDeps = (env: Bindings): ImportDeps => ({
  fetchProduct: (db, userId, source, productId, url) => getProductCached(env, db, userId, source, productId, url),
  connectorFor: async (connection) => connectorFor(env, connection),
});

/**
 * Queue consumer entry: dispatches on `batch.queue` (names differ per environment, so
 * by suffix). One database pool per batch, closed after the batch.
 */
export async function queue(batch: MessageBatch<unknown>, env: Bindings, ctx: ExecutionContext): Promise<void> {
  if (batch.queue.endsWith('-imports')) {
    const { db, pool, roundTrips } = createDb(env);
    const started = Date.now();
    const tally: Tally = { acked: 0, retried: 0, crashed: 0 };
    try {
      const deps = importDeps(env);
      await mapLimit([...batch.messages], importConcurrency(env), async (message) => {
        try {
          await processImportMessage(db, deps, counted(message, tally));
        } catch (err) {
          // The pipeline records its own failures; this is the database failing under it.
          // Only this message goes back (with backoff), not the whole batch.
          tally.crashed++;
          const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
          console.error(JSON.stringify({ level: 'error', msg: 'import message crashed', queue: batch.queue, id: message.id, attempt: message.attempts, error: cause instanceof Error ? `${cause.name}: ${cause.message.split('\nparams:')[0]}` : String(cause) }));
          message.retry({ delaySeconds: backoffSeconds(message.attempts) });
        }
      });
    } finally {
      console.log(JSON.stringify({ level: tally.crashed ? 'warn' : 'info', msg: 'import batch', queue: batch.queue, messages: batch.messages.length, ...tally, statements: roundTrips.count, duration_ms: Date.now() - started }));
      ctx.waitUntil(pool.end());
    }
    return;
  }
  if (batch.queue.endsWith('-price-sync')) return processPriceBatch(batch, env, ctx);
  for (const message of batch.messages) {
    console.error(JSON.stringify({ level: 'error', msg: 'queue message without consumer', queue: batch.queue, id: message.id }));
    message.ack();
  }
}

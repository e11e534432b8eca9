import { createDb } from '../db/client';
import type { Bindings } from '../env';
import { mapLimit } from '../suppliers/http';
import { processImportMessage, type ImportDeps } from './import-consumer';
import { getProductCached } from '../services/products';
import { connectorFor } from '../stores';
import { processPriceBatch } from './price-consumer';

/** Messages of one batch processed at once: enough to overlap supplier and store latency. */
const IMPORT_CONCURRENCY = 4;

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
    const { db, pool } = createDb(env);
    try {
      const deps = importDeps(env);
      await mapLimit([...batch.messages], IMPORT_CONCURRENCY, (message) => processImportMessage(db, deps, message));
    } finally {
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

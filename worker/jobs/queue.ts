import { createDb } from '../db/client';
import { config, type Bindings } from '../env';
import { backoffSeconds } from '../lib/backoff';
import { describeError, log } from '../lib/log';
import { mapLimit } from '../lib/map-limit';
import { importDeps } from '../services/import-pipeline';
import type { ImportMessage } from '../services/imports';
import type { PriceMessage } from '../services/price-schedule';
import { processImportMessage } from './import-consumer';
import { processPriceBatch } from './price-consumer';

/** What the queues carry (each consumer still validates the body it gets). */
export type QueueMessage = ImportMessage | PriceMessage;

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

/**
 * Queue consumer entry: dispatches on `batch.queue` (names differ per environment, so
 * by suffix). One database pool per batch, closed after the batch. Bodies are taken as
 * `unknown`: each consumer validates a body before using it, whatever was promised.
 */
export async function queue(batch: MessageBatch<unknown>, env: Bindings, ctx: ExecutionContext): Promise<void> {
  if (batch.queue.endsWith('-imports')) {
    // The pooled WebSocket session, not the request path's HTTP driver (issue 18): this
    // invocation runs many statements in a row, so one session setup spread over them beats
    // one HTTPS exchange each; no interactive transaction is needed here (writes are single statements).
    const { db, pool, roundTrips } = createDb(env);
    const started = Date.now();
    const tally: Tally = { acked: 0, retried: 0, crashed: 0 };
    try {
      const deps = importDeps(env);
      await mapLimit([...batch.messages], config(env).importConcurrency, async (message) => {
        try {
          await processImportMessage(db, deps, counted(message, tally));
        } catch (err) {
          // The pipeline records its own failures; this is the database failing under it.
          // Only this message goes back (with backoff), not the whole batch.
          tally.crashed++;
          log.error('import message crashed', { queue: batch.queue, id: message.id, attempt: message.attempts, error: describeError(err) });
          message.retry({ delaySeconds: backoffSeconds(message.attempts) });
        }
      });
    } finally {
      log.at(tally.crashed ? 'warn' : 'info', 'import batch', { queue: batch.queue, messages: batch.messages.length, ...tally, statements: roundTrips.statements, duration_ms: Date.now() - started });
      ctx.waitUntil(pool.end());
    }
    return;
  }
  if (batch.queue.endsWith('-price-sync')) return processPriceBatch(batch, env, ctx);
  for (const message of batch.messages) {
    log.error('queue message without consumer', { queue: batch.queue, id: message.id });
    message.ack();
  }
}

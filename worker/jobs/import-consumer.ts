import { z } from 'zod';
import type { Db } from '../db/client';
import { backoffSeconds } from '../lib/backoff';
import { log } from '../lib/log';
import { runImportAttempt, type ImportDeps } from '../services/import-pipeline';
import type { ImportMessage } from '../services/imports';

/** Deliveries per message: the first plus wrangler.toml's `max_retries = 5`. */
export const MAX_IMPORT_ATTEMPTS = 6;

const messageBody = z.object({ jobId: z.uuid() }) satisfies z.ZodType<ImportMessage>;

/**
 * One IMPORT_QUEUE message = one job, run by services/import-pipeline.ts. A malformed
 * message is acked; a transient failure is retried with backoff, and once retries are
 * exhausted the message goes on to the dead-letter queue.
 */
export async function processImportMessage(db: Db, deps: ImportDeps, message: Message<unknown>): Promise<void> {
  const parsed = messageBody.safeParse(message.body);
  if (!parsed.success) {
    log.error('import message rejected', { id: message.id, body: message.body });
    message.ack();
    return;
  }
  let notBefore = 0;
  const result = await runImportAttempt(db, deps, parsed.data.jobId, {
    number: message.attempts,
    last: message.attempts >= MAX_IMPORT_ATTEMPTS,
    retryAfter: (seconds) => (notBefore = seconds),
  });
  if (result === 'released') message.retry({ delaySeconds: Math.max(backoffSeconds(message.attempts), notBefore) });
  // Retries exhausted: retry once more so the queue hands the message to the dead-letter queue.
  else if (result === 'exhausted') message.retry();
  else message.ack();
}

import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import worker from '../index';
import { call } from './helpers';

/**
 * Driving the import queue by hand: one delivery of a job's message to the worker's
 * real queue handler, and waiting for a job to finish. The simulated queue may deliver
 * POST /imports' own message as well; a job is claimed once, so either way is fine.
 */

/** What the queue made of a delivered batch (the fields of the pool's FetcherQueueResult the tests read). */
export interface QueueOutcome {
  explicitAcks: string[];
  retryMessages: { msgId: string; delaySeconds?: number }[];
}

/** One delivery of the job's message (as the `attempts`th) to the import consumer; its acks and retries. */
export async function deliverImport(jobId: unknown, opts: { attempts?: number; env?: Partial<typeof env> } = {}): Promise<QueueOutcome> {
  const batch = createMessageBatch('sourcepilot-imports', [{ id: `m-${crypto.randomUUID()}`, timestamp: new Date(), attempts: opts.attempts ?? 1, body: { jobId } }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...opts.env }, ctx);
  return getQueueResult(batch, ctx);
}

/** The job once it is neither pending nor running, as the API shows it to its owner. */
export async function waitForJob(token: string, jobId: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const j = (await call(`/imports/${jobId}`, { token })).json;
    if (!['pending', 'running'].includes(j.status)) return j;
    if (Date.now() > deadline) throw new Error(`import ${jobId} still ${j.status}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Delivers the job's message and waits until it has finished. */
export async function settleImport(token: string, jobId: string, timeoutMs = 10_000) {
  await deliverImport(jobId);
  return waitForJob(token, jobId, timeoutMs);
}

/** A queue binding that forwards to the real one and counts the calls. */
export function countingQueue(queue: Queue) {
  const counts = { send: 0, sendBatch: 0 };
  const wrapped = {
    send: (body: unknown, opts?: QueueSendOptions) => {
      counts.send++;
      return queue.send(body, opts);
    },
    sendBatch: (messages: Iterable<MessageSendRequest>, opts?: QueueSendBatchOptions) => {
      counts.sendBatch++;
      return queue.sendBatch(messages, opts);
    },
  } as Queue;
  return { queue: wrapped, counts };
}

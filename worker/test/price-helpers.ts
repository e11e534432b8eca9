import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { createDb } from '../db/client';
import worker from '../index';
import { checkWatchIds, priceCheckDeps } from '../services/price-check';
import { answer, api, type TestUser } from './helpers';

/** A demo-catalogue AliExpress product URL with a fresh id (the topic is digits 5–7). */
export const aliId = () => `1005${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
export const aliUrl = (id = aliId()) => `https://www.aliexpress.com/item/${id}.html`;

/** POST /price-watches, expecting 201. */
export async function createWatch(user: TestUser, body: Parameters<ReturnType<typeof api>['price-watches']['$post']>[0]['json']) {
  const r = await answer(api({ token: user.token })['price-watches'].$post({ json: body }));
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json;
}

/** Runs the worker's queue handler on PRICE_QUEUE messages made by hand; reports acks and retries. */
export async function deliverPrice(chunks: unknown[], opts: { attempts?: number; env?: Partial<typeof env> } = {}) {
  const batch = createMessageBatch(
    'sourcepilot-price-sync',
    chunks.map((body) => ({ id: `m-${crypto.randomUUID()}`, timestamp: new Date(), attempts: opts.attempts ?? 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...opts.env }, ctx);
  return getQueueResult(batch, ctx);
}

/** A Queue binding that records what it is given, for the cron and the manual sync's remainder. */
export function recordingQueue(opts: { failOnCall?: number } = {}) {
  const calls: { body: unknown }[][] = [];
  const queue = {
    async send(body: unknown) {
      calls.push([{ body }]);
    },
    async sendBatch(messages: Iterable<{ body: unknown }>) {
      if (opts.failOnCall !== undefined && calls.length + 1 === opts.failOnCall) throw new Error('queue unavailable');
      calls.push([...messages]);
    },
  };
  return {
    queue: queue as unknown as Queue,
    calls,
    ids: () => calls.flat().flatMap((m) => (m.body as { watchIds: string[] }).watchIds),
  };
}

/** Checks these watches now, as the price consumer would, on a pool of its own. */
export async function checkWatches(ids: string[]) {
  const { db, pool } = createDb(env);
  try {
    return await checkWatchIds(env, db, priceCheckDeps(env), ids);
  } finally {
    await pool.end();
  }
}

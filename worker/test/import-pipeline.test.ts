import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { importHistory, importJobs } from '../db/schema';
import { backoffSeconds } from '../lib/backoff';
import { call, registerUser, setPlan, withDb, type TestUser } from './helpers';
import { deliverImport, waitForJob } from './queue-helpers';

const demoUrl = (id = Math.floor(1e15 + Math.random() * 9e15)) => `https://www.aliexpress.com/item/${id}.html`;

const actions = async (jobId: string) =>
  (await withDb((db) => db.select().from(importHistory).where(eq(importHistory.importJobId, jobId)).orderBy(importHistory.createdAt))).map((h) => h.action);

/** Inserts a pending job without enqueueing it, for driving the consumer by hand. */
async function pendingJob(user: TestUser, values: Partial<typeof importJobs.$inferInsert> = {}) {
  const [row] = await withDb((db) => db.insert(importJobs).values({ userId: user.id, source: 'aliexpress', sourceUrl: demoUrl(), ...values }).returning());
  return row.id;
}

describe('import pipeline (queue → consumer)', () => {
  it('completes a demo-catalogue import as a priced draft when the user has no store', async () => {
    const user = await registerUser();
    const created = await call('/imports', { token: user.token, body: { product_url: demoUrl(), source: 'aliexpress', config: { markup_percent: 100, round_to: 0.99, tags: ['trend'] } } });
    const job = await waitForJob(user.token, created.json.id);
    expect(job.status).toBe('completed');
    expect(job.progress_percent).toBe(100);
    expect(job.created_product_id).toBeNull();
    expect(job.error_message).toBeNull();
    expect(job.source_product_id).toMatch(/^\d+$/);
    const data = job.product_data;
    expect(data.mode).toBe('demo');
    expect(data.tags).toEqual(['trend']);
    expect(data.published).toBe(false);
    expect(data.variants.length).toBeGreaterThan(0);
    for (const v of data.variants) {
      expect(v.price).toBeGreaterThanOrEqual(v.cost);
      expect(Math.round(v.price * 100) % 100).toBe(99);
      expect(v.price).toBeGreaterThanOrEqual(v.cost * 2 - 0.001);
    }
    expect(job.started_at).toBeTruthy();
    expect(new Date(job.finished_at) >= new Date(job.started_at)).toBe(true);
    expect(await actions(job.id)).toEqual(['created', 'running', 'completed']);
  });

  it('imports a manual product without a supplier fetch', async () => {
    const user = await registerUser();
    const product = { title: 'Handmade mug', price: 8, images: ['https://cdn.example.com/mug.jpg'], variants: [{ name: 'Blue', price: 8, sku: 'MUG-B' }, { name: 'Red', price: 9, sku: 'MUG-R' }] };
    const created = await call('/imports', { token: user.token, body: { product_url: 'manual://mug', source: 'manual', config: { product, markup_fixed: 5, compare_at_percent: 20 } } });
    const job = await waitForJob(user.token, created.json.id);
    expect(job.status).toBe('completed');
    expect(job.product_data.variants.map((v: { sku: string; price: number; compare_at: number }) => [v.sku, v.price, v.compare_at])).toEqual([
      ['MUG-B', 13, 15.6],
      ['MUG-R', 14, 16.8],
    ]);
  });

  it('fails at once, with an actionable message, for a URL the supplier cannot serve', async () => {
    const user = await registerUser();
    const unsupported = await call('/imports', { token: user.token, body: { product_url: 'https://example.com/item/1.html', source: 'aliexpress' } });
    const mismatch = await call('/imports', { token: user.token, body: { product_url: 'https://cjdropshipping.com/x-p-AB12.html', source: 'aliexpress' } });
    const a = await waitForJob(user.token, unsupported.json.id);
    const b = await waitForJob(user.token, mismatch.json.id);
    expect(a).toMatchObject({ status: 'failed', error_message: 'Unsupported supplier URL' });
    expect(b.status).toBe('failed');
    expect(b.error_message).toMatch(/cjdropship product but the import's source is aliexpress/);
    expect(await actions(a.id)).toEqual(['created', 'running', 'failed']);
    const retried = await call(`/imports/${a.id}/retry`, { token: user.token, method: 'POST' });
    expect(retried.json.error_message).toBeNull();
    expect((await waitForJob(user.token, a.id)).status).toBe('failed');
  });

  it('processes a bulk import of 50 to completion', async () => {
    const user = await registerUser();
    await setPlan(user.id, 'pro');
    const urls = Array.from({ length: 50 }, () => demoUrl());
    const created = await call('/imports/bulk', { token: user.token, body: { product_urls: urls, source: 'aliexpress' } });
    expect(created.status).toBe(201);
    const jobs = await Promise.all(created.json.map((j: { id: string }) => waitForJob(user.token, j.id, 60_000)));
    expect(jobs.every((j) => j.status === 'completed')).toBe(true);
  }, 90_000);
});

describe('consumer guarantees', () => {
  it('ignores a redelivered or duplicate message for a job already claimed or finished', async () => {
    const user = await registerUser();
    const jobId = await pendingJob(user);
    const first = await deliverImport(jobId);
    expect(first.explicitAcks).toHaveLength(1);
    const [done] = await withDb((db) => db.select().from(importJobs).where(eq(importJobs.id, jobId)));
    expect(done.status).toBe('completed');
    const again = await deliverImport(jobId);
    expect(again.explicitAcks).toHaveLength(1);
    expect(await actions(jobId)).toEqual(['running', 'completed']);
  });

  it('does nothing for a job cancelled before it was picked up', async () => {
    const user = await registerUser();
    const jobId = await pendingJob(user);
    expect((await call(`/imports/${jobId}/cancel`, { token: user.token, method: 'POST' })).status).toBe(200);
    await deliverImport(jobId);
    const [row] = await withDb((db) => db.select().from(importJobs).where(eq(importJobs.id, jobId)));
    expect(row.status).toBe('cancelled');
    expect(row.productData).toBeNull();
  });

  it('acks and logs a malformed message instead of looping on it', async () => {
    const result = await deliverImport('not-a-uuid');
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toHaveLength(0);
  });

  it('fails a job whose store connection disappeared, without retrying', async () => {
    const user = await registerUser();
    const jobId = await pendingJob(user, { storeId: crypto.randomUUID() });
    const result = await deliverImport(jobId);
    expect(result.retryMessages).toHaveLength(0);
    const [row] = await withDb((db) => db.select().from(importJobs).where(eq(importJobs.id, jobId)));
    expect(row.status).toBe('failed');
    expect(row.errorMessage).toMatch(/store connection no longer exists/);
  });

  it('backs off exponentially', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 10].map(backoffSeconds)).toEqual([10, 20, 40, 80, 160, 320, 600, 600]);
  });
});

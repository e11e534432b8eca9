import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { importHistory, importJobs, storeConnections } from '../db/schema';
import { answer, api, rawCall, registerUser, setPlan, userWithKey, withDb, type TestUser } from './helpers';

const url = (n: number | string = 1) => `https://www.aliexpress.com/item/10050012345${n}.html`;

async function addStore(userId: string, isDefault: boolean, name = 'Shop') {
  const [row] = await withDb((db) =>
    db.insert(storeConnections).values({ userId, storeName: name, platform: 'shopify', storeUrl: `https://${crypto.randomUUID().slice(0, 8)}.myshopify.com`, isDefault }).returning(),
  );
  return row.id;
}

async function jobInStatus(user: TestUser, status: 'pending' | 'running' | 'completed' | 'failed' | 'cancelled', errorMessage: string | null = null) {
  const [row] = await withDb((db) =>
    db.insert(importJobs).values({ userId: user.id, source: 'aliexpress', sourceUrl: url('x'), status, errorMessage, progressPercent: status === 'completed' ? 100 : 40 }).returning(),
  );
  return row.id;
}

describe('POST /imports', () => {
  it('creates a pending job with the contract shape, a created history row, in two round trips', async () => {
    const user = await registerUser();
    const r = await answer(api({ token: user.token }).imports.$post({ json: { product_url: url(), source: 'aliexpress', config: { markup_percent: 50, note: 'kept' } } }));
    expect(r.status).toBe(201);
    expect(r.roundTrips).toBeLessThanOrEqual(2);
    expect(r.json).toMatchObject({
      user_id: user.id,
      store_id: null,
      source: 'aliexpress',
      product_url: url(),
      source_product_id: null,
      status: 'pending',
      product_data: null,
      config: { markup_percent: 50, note: 'kept' },
      error_message: null,
      created_product_id: null,
      progress_percent: 0,
    });
    expect(r.json.created_at).toMatch(/Z$/);
    const history = await answer(api({ token: user.token }).imports[':job_id'].history.$get({ param: { job_id: r.json.id } }));
    expect(history.status).toBe(200);
    expect(history.json.items[0]).toMatchObject({ action: 'created', details: { source_url: url(), source: 'aliexpress' } });
  });

  it('resolves the default store, checks an explicit store belongs to the caller', async () => {
    const user = await registerUser();
    const other = await registerUser();
    await addStore(user.id, false, 'B');
    const def = await addStore(user.id, true, 'A');
    const foreign = await addStore(other.id, true);
    const r = await answer(api({ token: user.token }).imports.$post({ json: { product_url: url(), source: 'aliexpress' } }));
    expect(r.json.store_id).toBe(def);
    const bad = await answer(api({ token: user.token }).imports.$post({ json: { product_url: url(), source: 'aliexpress', store_id: foreign } }));
    expect(bad.status).toBe(404);
    expect(bad.json).toEqual({ detail: 'Store connection not found' });
  });

  it('accepts the cjdropshipping alias and refuses unknown sources with the contract message', async () => {
    const user = await registerUser();
    const alias = await answer(api({ token: user.token }).imports.$post({ json: { product_url: 'https://cjdropshipping.com/product/x-p-123.html', source: 'cjdropshipping' } }));
    expect(alias.status).toBe(201);
    expect(alias.json.source).toBe('cjdropship');
    const bad = await answer(api({ token: user.token }).imports.$post({ json: { product_url: url(), source: '1688' } }));
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ detail: "Invalid source '1688'. Valid sources: aliexpress, cjdropship, manual, spocket" });
  });

  it('validates the body and the pricing keys of config', async () => {
    const user = await registerUser();
    const missing = await rawCall('/imports', { token: user.token, body: { source: 'aliexpress' } });
    expect(missing.status).toBe(422);
    expect(missing.json.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'product_url'] });
    const long = await answer(api({ token: user.token }).imports.$post({ json: { product_url: 'x'.repeat(2001), source: 'aliexpress' } }));
    expect(long.json.detail[0]).toMatchObject({ type: 'string_too_long', loc: ['body', 'product_url'] });
    const pricing = await rawCall('/imports', { token: user.token, body: { product_url: url(), source: 'aliexpress', config: { markup_percent: 'lots' } } });
    expect(pricing.status).toBe(422);
    expect(pricing.json.detail[0].loc).toEqual(['body', 'config', 'markup_percent']);
    const badStore = await answer(api({ token: user.token }).imports.$post({ json: { product_url: url(), source: 'aliexpress', store_id: 'default' } }));
    expect(badStore.json.detail[0]).toMatchObject({ type: 'uuid_parsing', loc: ['body', 'store_id'] });
    const manual = await answer(api({ token: user.token }).imports.$post({ json: { product_url: 'manual', source: 'manual' } }));
    expect(manual.status).toBe(400);
  });

  it('answers 401 before looking at the body', async () => {
    const r = await rawCall('/imports', { body: { nonsense: true } });
    expect(r.status).toBe(401);
  });

  it('enforces the monthly limit: 403 with the contract message, checked before the source', async () => {
    const user = await registerUser();
    await withDb((db) => db.insert(importJobs).values(Array.from({ length: 10 }, () => ({ userId: user.id, source: 'aliexpress' as const }))));
    const r = await answer(api({ token: user.token }).imports.$post({ json: { product_url: url(), source: 'aliexpress' } }));
    expect(r.status).toBe(403);
    expect(r.json).toEqual({ detail: 'Import limit reached for free plan. Upgrade your plan for more imports.' });
    const badSource = await answer(api({ token: user.token }).imports.$post({ json: { product_url: url(), source: 'nope' } }));
    expect(badSource.status).toBe(403);
  });

  it('counts last month’s jobs out of this month’s limit', async () => {
    const user = await registerUser();
    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) - 86_400_000);
    await withDb((db) => db.insert(importJobs).values(Array.from({ length: 10 }, () => ({ userId: user.id, source: 'aliexpress' as const, createdAt: lastMonth }))));
    expect((await answer(api({ token: user.token }).imports.$post({ json: { product_url: url(), source: 'aliexpress' } }))).status).toBe(201);
  });

  it('never lets concurrent singles and bulks push a free user past 10 jobs', async () => {
    const user = await registerUser();
    const singles = Array.from({ length: 25 }, (_, i) => answer(api({ token: user.token }).imports.$post({ json: { product_url: url(i), source: 'aliexpress' } })));
    const bulks = Array.from({ length: 3 }, (_, i) =>
      answer(api({ token: user.token }).imports.bulk.$post({ json: { product_urls: [url(`b${i}1`), url(`b${i}2`), url(`b${i}3`)], source: 'aliexpress' } })),
    );
    const results = await Promise.all([...singles, ...bulks]);
    for (const r of results) expect([201, 403]).toContain(r.status);
    const rows = await withDb((db) => db.select().from(importJobs).where(eq(importJobs.userId, user.id)));
    expect(rows).toHaveLength(10);
    const created = results.filter((r) => r.status === 201).reduce((n, r) => n + (Array.isArray(r.json) ? r.json.length : 1), 0);
    expect(created).toBe(10);
  });

  it('works with a write-scoped API key and refuses a read-only one', async () => {
    const writer = await userWithKey(['read', 'write']);
    expect((await answer(api({ apiKey: writer.apiKey }).imports.$post({ json: { product_url: url(), source: 'aliexpress' } }))).status).toBe(201);
    const reader = await userWithKey(['read']);
    const r = await answer(api({ apiKey: reader.apiKey }).imports.$post({ json: { product_url: url(), source: 'aliexpress' } }));
    expect(r.status).toBe(403);
    expect((await answer(api({ apiKey: reader.apiKey }).imports.$get({ query: {} }))).status).toBe(200);
  });
});

describe('POST /imports/bulk', () => {
  it('creates one job per URL in order, with bulk history, as a bare array', async () => {
    const user = await registerUser();
    await setPlan(user.id, 'pro');
    const urls = Array.from({ length: 50 }, (_, i) => url(`bulk${i}`));
    const r = await answer(api({ token: user.token }).imports.bulk.$post({ json: { product_urls: urls, source: 'aliexpress', config: { tags: ['summer'] } } }));
    expect(r.status).toBe(201);
    expect(r.roundTrips).toBeLessThanOrEqual(3);
    expect(Array.isArray(r.json)).toBe(true);
    expect(r.json.map((j) => j.product_url)).toEqual(urls);
    expect(new Set(r.json.map((j: { config: unknown }) => JSON.stringify(j.config)))).toEqual(new Set([JSON.stringify({ tags: ['summer'] })]));
    // The queue consumer may already have started a job (its own history rows): count the creations.
    const history = await withDb((db) => db.select().from(importHistory).where(and(eq(importHistory.userId, user.id), eq(importHistory.action, 'created'))));
    expect(history).toHaveLength(50);
    expect(history.every((h) => (h.details as { bulk?: boolean }).bulk === true)).toBe(true);
  });

  it('creates nothing when the batch does not fit the limit', async () => {
    const user = await registerUser();
    await withDb((db) => db.insert(importJobs).values(Array.from({ length: 9 }, () => ({ userId: user.id, source: 'aliexpress' as const }))));
    const r = await answer(api({ token: user.token }).imports.bulk.$post({ json: { product_urls: [url(1), url(2)], source: 'aliexpress' } }));
    expect(r.status).toBe(403);
    expect(r.json.detail).toBe('Import limit reached for free plan. Upgrade your plan for more imports.');
    const rows = await withDb((db) => db.select().from(importJobs).where(eq(importJobs.userId, user.id)));
    expect(rows).toHaveLength(9);
    expect((await answer(api({ token: user.token }).imports.bulk.$post({ json: { product_urls: [url(3)], source: 'aliexpress' } }))).status).toBe(201);
  });

  it('validates list length and each URL', async () => {
    const user = await registerUser();
    const empty = await answer(api({ token: user.token }).imports.bulk.$post({ json: { product_urls: [], source: 'aliexpress' } }));
    expect(empty.status).toBe(422);
    expect(empty.json.detail[0]).toMatchObject({ type: 'too_short', loc: ['body', 'product_urls'] });
    const many = await answer(api({ token: user.token }).imports.bulk.$post({ json: { product_urls: Array.from({ length: 51 }, (_, i) => url(i)), source: 'aliexpress' } }));
    expect(many.json.detail[0]).toMatchObject({ type: 'too_long', loc: ['body', 'product_urls'] });
    const long = await answer(api({ token: user.token }).imports.bulk.$post({ json: { product_urls: [url(1), 'y'.repeat(2001)], source: 'aliexpress' } }));
    expect(long.json.detail[0]).toMatchObject({ type: 'string_too_long', loc: ['body', 'product_urls', 1] });
  });
});

describe('GET /imports', () => {
  it('lists only the caller’s jobs, newest first, with total and filters', async () => {
    const user = await registerUser();
    const other = await registerUser();
    const store = await addStore(user.id, true);
    await answer(api({ token: other.token }).imports.$post({ json: { product_url: url(), source: 'aliexpress' } }));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await answer(api({ token: user.token }).imports.$post({ json: { product_url: url(i), source: 'aliexpress' } }))).json.id);
    const failed = await jobInStatus(user, 'failed', 'boom');

    const all = await answer(api({ token: user.token }).imports.$get({ query: {} }));
    expect(all.status).toBe(200);
    expect(all.roundTrips).toBeLessThanOrEqual(2);
    expect(Object.keys(all.json).sort()).toEqual(['items', 'total']);
    expect(all.json.total).toBe(4);
    expect(all.json.items.map((j: { id: string }) => j.id)).toEqual([failed, ...ids.reverse()]);

    const paged = await answer(api({ token: user.token }).imports.$get({ query: { skip: '1', limit: '2' } }));
    expect(paged.json.total).toBe(4);
    expect(paged.json.items).toHaveLength(2);
    const past = await answer(api({ token: user.token }).imports.$get({ query: { skip: '10' } }));
    expect(past.json).toEqual({ items: [], total: 4 });

    expect((await answer(api({ token: user.token }).imports.$get({ query: { status: 'failed' } }))).json.total).toBe(1);
    expect((await answer(api({ token: user.token }).imports.$get({ query: { store_id: `${store}` } }))).json.total).toBe(3);
  });

  it('answers 422 for bad query values', async () => {
    const user = await registerUser();
    for (const q of ['status=done', 'limit=0', 'limit=101', 'skip=-1', 'store_id=x', 'limit=abc']) {
      const r = await rawCall(`/imports?${q}`, { token: user.token });
      expect(r.status, q).toBe(422);
      expect(r.json.detail[0].loc[0]).toBe('query');
    }
  });
});

describe('GET /imports/{id}', () => {
  it('returns the job, and 404 for a foreign or missing id', async () => {
    const user = await registerUser();
    const other = await registerUser();
    const job = await jobInStatus(user, 'completed');
    const r = await answer(api({ token: user.token }).imports[':job_id'].$get({ param: { job_id: job } }));
    expect(r.status).toBe(200);
    expect(r.json.status).toBe('completed');
    expect(r.roundTrips).toBeLessThanOrEqual(2);
    for (const path of [`/imports/${job}`, `/imports/${job}/history`]) {
      const foreign = await rawCall(path, { token: other.token });
      expect(foreign.status).toBe(404);
      expect(foreign.json).toEqual({ detail: 'Import job not found' });
    }
    expect((await answer(api({ token: user.token }).imports[':job_id'].$get({ param: { job_id: crypto.randomUUID() } }))).status).toBe(404);
    expect((await rawCall('/imports/nope', { token: user.token })).json.detail[0].type).toBe('uuid_parsing');
  });
});

describe('cancel and retry', () => {
  it('cancels pending and running jobs, recording the real previous status', async () => {
    const user = await registerUser();
    for (const status of ['pending', 'running'] as const) {
      const job = await jobInStatus(user, status);
      const r = await answer(api({ token: user.token }).imports[':job_id'].cancel.$post({ param: { job_id: job } }));
      expect(r.status).toBe(200);
      expect(r.json.status).toBe('cancelled');
      expect(r.roundTrips).toBeLessThanOrEqual(3);
      const h = await answer(api({ token: user.token }).imports[':job_id'].history.$get({ param: { job_id: job } }));
      expect(h.json.items.at(-1)).toMatchObject({ action: 'cancelled', details: { previous_status: status } });
    }
  });

  it('refuses to cancel finished jobs', async () => {
    const user = await registerUser();
    for (const status of ['completed', 'failed', 'cancelled'] as const) {
      const job = await jobInStatus(user, status);
      const r = await answer(api({ token: user.token }).imports[':job_id'].cancel.$post({ param: { job_id: job } }));
      expect(r.status).toBe(400);
      expect(r.json).toEqual({ detail: `Cannot cancel job in '${status}' status. Only pending or running jobs can be cancelled.` });
    }
  });

  it('retries failed and cancelled jobs: pending, progress 0, error cleared, no new row', async () => {
    const user = await registerUser();
    for (const status of ['failed', 'cancelled'] as const) {
      const job = await jobInStatus(user, status, 'Supplier said no');
      const r = await answer(api({ token: user.token }).imports[':job_id'].retry.$post({ param: { job_id: job } }));
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ id: job, status: 'pending', progress_percent: 0, error_message: null });
      const h = await answer(api({ token: user.token }).imports[':job_id'].history.$get({ param: { job_id: job } }));
      expect(h.json.items.find((i: { action: string }) => i.action === 'retried')).toMatchObject({ details: { previous_status: status } });
    }
    const rows = await withDb((db) => db.select().from(importJobs).where(and(eq(importJobs.userId, user.id))));
    expect(rows).toHaveLength(2);
  });

  it('refuses to retry pending, running and completed jobs; 404 for others’ jobs', async () => {
    const user = await registerUser();
    const other = await registerUser();
    for (const status of ['pending', 'running', 'completed'] as const) {
      const job = await jobInStatus(user, status);
      const r = await answer(api({ token: user.token }).imports[':job_id'].retry.$post({ param: { job_id: job } }));
      expect(r.status).toBe(400);
      expect(r.json).toEqual({ detail: `Cannot retry job in '${status}' status. Only failed or cancelled jobs can be retried.` });
    }
    const failed = await jobInStatus(user, 'failed');
    expect((await answer(api({ token: other.token }).imports[':job_id'].retry.$post({ param: { job_id: failed } }))).status).toBe(404);
    expect((await answer(api({ token: other.token }).imports[':job_id'].cancel.$post({ param: { job_id: failed } }))).json).toEqual({ detail: 'Import job not found' });
  });
});

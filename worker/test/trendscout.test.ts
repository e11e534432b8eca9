import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { importHistory, importJobs, importQuota } from '../db/schema';
import { answer, api, registerUser, setPlan, withDb } from './helpers';

/** The job an import-triggering (or duplicate) answer names. */
const jobIdOf = (json: object) => (json as { import_job_id: string }).import_job_id;

const body = (over: Record<string, unknown> = {}) => ({
  product_url: `https://www.aliexpress.com/item/${Math.floor(Math.random() * 1e12)}.html`,
  source: 'aliexpress',
  score: 72.5,
  product_name: 'LED desk lamp',
  category: 'Home',
  ...over,
});

describe('POST /webhooks/product-scored', () => {
  it('ignores scores below 50', async () => {
    const user = await registerUser();
    const r = await answer(api({ token: user.token }).webhooks['product-scored'].$post({ json: body({ score: 49.99 }) }));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: 'accepted', import_triggered: false, score: 49.99 });
  });

  it('imports at 50 and above, with the auto-import config and a history row', async () => {
    const user = await registerUser();
    const b = body({ score: 50 });
    const r = await answer(api({ token: user.token }).webhooks['product-scored'].$post({ json: b }));
    expect(r.json).toMatchObject({ status: 'accepted', import_triggered: true, score: 50 });
    const [job] = await withDb((db) => db.select().from(importJobs).where(eq(importJobs.id, jobIdOf(r.json))));
    expect(job).toMatchObject({ userId: user.id, source: 'aliexpress', sourceUrl: b.product_url, storeId: null });
    expect(job.config).toEqual({ auto_import: true, trendscout_score: 50, product_name: 'LED desk lamp', category: 'Home' });
    const history = await withDb((db) => db.select().from(importHistory).where(eq(importHistory.importJobId, job.id)));
    expect(history[0]).toMatchObject({ action: 'created', details: { source_url: b.product_url, source: 'aliexpress', auto_import: true, trendscout_score: 50 } });
  });

  it('maps cjdropshipping to cjdropship and unknown sources to aliexpress', async () => {
    const user = await registerUser();
    const cj = await answer(api({ token: user.token }).webhooks['product-scored'].$post({ json: body({ source: 'cjdropshipping', product_url: 'https://cjdropshipping.com/x-p-ABC1.html' }) }));
    const odd = await answer(api({ token: user.token }).webhooks['product-scored'].$post({ json: body({ source: 'temu' }) }));
    const rows = await withDb((db) => db.select().from(importJobs).where(eq(importJobs.userId, user.id)));
    const byId = new Map(rows.map((j) => [j.id, j.source]));
    expect(byId.get(jobIdOf(cj.json))).toBe('cjdropship');
    expect(byId.get(jobIdOf(odd.json))).toBe('aliexpress');
  });

  it('does not create a second job for a URL already pending', async () => {
    const user = await registerUser();
    const b = body();
    const first = await answer(api({ token: user.token }).webhooks['product-scored'].$post({ json: b }));
    const second = await answer(api({ token: user.token }).webhooks['product-scored'].$post({ json: b }));
    expect(second.json).toMatchObject({ import_triggered: false, import_job_id: jobIdOf(first.json) });
    expect((second.json as { reason?: string }).reason).toMatch(/already/);
  });

  it('creates one job for identical webhooks arriving together, and gives the losers’ plan quota back', async () => {
    const user = await registerUser();
    await setPlan(user.id, 'pro');
    const b = body();
    const results = await Promise.all(Array.from({ length: 6 }, () => answer(api({ token: user.token }).webhooks['product-scored'].$post({ json: b }))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const jobs = await withDb((db) => db.select().from(importJobs).where(eq(importJobs.userId, user.id)));
    expect(jobs).toHaveLength(1);
    const triggered = results.filter((r) => r.json.import_triggered);
    expect(triggered).toHaveLength(1);
    // Every answer names the one job.
    expect(new Set(results.map((r) => jobIdOf(r.json)))).toEqual(new Set([jobs[0].id]));
    const [quota] = await withDb((db) => db.select().from(importQuota).where(eq(importQuota.userId, user.id)));
    expect(quota.used).toBe(1);
  });

  it('a retried auto-import does not collide with a newer pending one for the same URL', async () => {
    const user = await registerUser();
    const b = body();
    const first = await answer(api({ token: user.token }).webhooks['product-scored'].$post({ json: b }));
    const firstId = jobIdOf(first.json);
    expect((await answer(api({ token: user.token }).imports[':job_id'].cancel.$post({ param: { job_id: firstId } }))).status).toBe(200);
    const second = await answer(api({ token: user.token }).webhooks['product-scored'].$post({ json: b }));
    expect(second.json.import_triggered).toBe(true);
    const retried = await answer(api({ token: user.token }).imports[':job_id'].retry.$post({ param: { job_id: firstId } }));
    expect(retried.status).toBe(200);
  });

  it('counts against the plan limit and says why when over it', async () => {
    const user = await registerUser();
    await withDb((db) => db.insert(importJobs).values(Array.from({ length: 10 }, () => ({ userId: user.id, source: 'aliexpress' as const }))));
    const r = await answer(api({ token: user.token }).webhooks['product-scored'].$post({ json: body({ score: 99 }) }));
    expect(r.json).toEqual({
      status: 'accepted',
      import_triggered: false,
      reason: 'Import limit reached for free plan. Upgrade your plan for more imports.',
      score: 99,
    });
  });

  it('validates the payload and accepts negative scores', async () => {
    const user = await registerUser();
    const neg = await answer(api({ token: user.token }).webhooks['product-scored'].$post({ json: body({ score: -3 }) }));
    expect(neg.json.import_triggered).toBe(false);
    const bad = await answer(api({ token: user.token }).webhooks['product-scored'].$post({ json: body({ score: 'high', product_name: '' }) }));
    expect(bad.status).toBe(422);
    expect(bad.json.detail.map((d: { loc: string[] }) => d.loc.join('.'))).toEqual(['body.score', 'body.product_name']);
    expect((await answer(api().webhooks['product-scored'].$post({ json: body() }))).status).toBe(401);
  });
});

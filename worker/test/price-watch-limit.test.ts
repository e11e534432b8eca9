import { and, count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { priceWatches } from '../db/schema';
import { answer, api, registerUser, setPlan, withDb } from './helpers';
import { aliUrl } from './price-helpers';

/*
 * The plan limit under real concurrency. CI runs this file against the embedded
 * database and against PostgreSQL (DATABASE_URL), where the requests truly interleave.
 */
const LIMIT_DETAIL = 'Price watch limit reached for free plan. Upgrade your plan for more price watches.';

const activeCount = async (userId: string) =>
  (await withDb((db) => db.select({ n: count() }).from(priceWatches).where(and(eq(priceWatches.userId, userId), eq(priceWatches.isActive, true)))))[0].n;

describe('max_secondary under concurrency', () => {
  it('admits exactly up to the limit when many creations race', async () => {
    const user = await registerUser();
    await withDb((db) => db.insert(priceWatches).values(Array.from({ length: 20 }, () => ({ userId: user.id, source: 'aliexpress', productUrl: aliUrl() }))));
    const results = await Promise.all(
      Array.from({ length: 16 }, () => answer(api({ token: user.token })['price-watches'].$post({ json: { product_url: aliUrl(), source: 'aliexpress' } }))),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 403)).toHaveLength(11);
    for (const r of results.filter((x) => x.status === 403)) expect(r.json.detail).toBe(LIMIT_DETAIL);
    expect(await activeCount(user.id)).toBe(25);
  });

  it('counts resumes and creations against the same limit', async () => {
    const user = await registerUser();
    await withDb((db) => db.insert(priceWatches).values(Array.from({ length: 22 }, () => ({ userId: user.id, source: 'aliexpress', productUrl: aliUrl() }))));
    const paused = await withDb((db) =>
      db
        .insert(priceWatches)
        .values(Array.from({ length: 6 }, () => ({ userId: user.id, source: 'aliexpress', productUrl: aliUrl(), isActive: false })))
        .returning({ id: priceWatches.id }),
    );
    const results = await Promise.all([
      ...paused.map((p) => answer(api({ token: user.token })['price-watches'][':watch_id'].$put({ param: { watch_id: p.id }, json: { is_active: true } }))),
      ...Array.from({ length: 6 }, () => answer(api({ token: user.token })['price-watches'].$post({ json: { product_url: aliUrl(), source: 'aliexpress' } }))),
    ]);
    const ok = results.filter((r) => r.status === 200 || r.status === 201);
    expect(ok).toHaveLength(3);
    expect(results.filter((r) => r.status === 403)).toHaveLength(9);
    expect(await activeCount(user.id)).toBe(25);

    // Pausing and deleting concurrently frees exactly what was freed.
    const active = await withDb((db) => db.select({ id: priceWatches.id }).from(priceWatches).where(and(eq(priceWatches.userId, user.id), eq(priceWatches.isActive, true))));
    await Promise.all([
      answer(api({ token: user.token })['price-watches'][':watch_id'].$put({ param: { watch_id: active[0].id }, json: { is_active: false } })),
      answer(api({ token: user.token })['price-watches'][':watch_id'].$delete({ param: { watch_id: active[1].id } })),
    ]);
    const refill = await Promise.all(Array.from({ length: 5 }, () => answer(api({ token: user.token })['price-watches'].$post({ json: { product_url: aliUrl(), source: 'aliexpress' } }))));
    expect(refill.filter((r) => r.status === 201)).toHaveLength(2);
    expect(await activeCount(user.id)).toBe(25);
  });

  it('keeps unlimited plans unlimited and applies a downgrade at once', async () => {
    const user = await registerUser();
    await setPlan(user.id, 'enterprise');
    const created = await Promise.all(Array.from({ length: 30 }, () => answer(api({ token: user.token })['price-watches'].$post({ json: { product_url: aliUrl(), source: 'aliexpress' } }))));
    expect(created.every((r) => r.status === 201)).toBe(true);
    await setPlan(user.id, 'free');
    const refused = await answer(api({ token: user.token })['price-watches'].$post({ json: { product_url: aliUrl(), source: 'aliexpress' } }));
    expect(refused.status).toBe(403);
    expect(refused.json.detail).toBe(LIMIT_DETAIL);
  });
});

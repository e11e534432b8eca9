import { env } from 'cloudflare:workers';
import { inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDb } from '../db/client';
import { priceWatches } from '../db/schema';
import { priceCheckAllowance } from '../services/cj-points';
import { checkWatchIds, priceCheckDeps } from '../services/price-check';
import { rawCall, registerUser, withDb, type TestUser } from './helpers';
import { createWatch } from './price-helpers';
import { connectCj } from './supplier-helpers';

/**
 * CJ meters its API in points (INTEGRATIONS §3e: 50,000 a day per account; variant and
 * stock queries 10 each): price checks are budgeted per account per day, spread over the
 * day, and past the allowance products are skipped with a recorded reason, never failed.
 */

const pid = () => `CJP${crypto.randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;

async function cjWatches(user: TestUser, n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push((await createWatch(user, { product_url: `https://cjdropshipping.com/product/p-p-${pid()}.html`, source: 'cjdropship' })).id);
  }
  return ids;
}

async function checkAt(ids: string[], at: Date) {
  const { db, pool } = createDb(env);
  try {
    return await checkWatchIds(env, db, { ...priceCheckDeps(env), now: () => at }, ids);
  } finally {
    await pool.end();
  }
}

const today = (h: number, m = 0) => {
  const d = new Date();
  d.setUTCHours(h, m, 0, 0);
  return d;
};

describe('CJ points budget in price checks', () => {
  it('checks within the day’s allowance, skips the rest with a reason, and shows the use', async () => {
    const user = await registerUser('cjpts');
    // 75 points a day → 60 for price checks → 3 products of 20 points.
    const cj = await connectCj(user.id, { qps: 20, settings: { daily_points: 75 } });
    const ids = await cjWatches(user, 5);
    const late = today(23, 30);
    const first = await checkAt(ids, late);
    expect(first).toMatchObject({ checked: 5, errors: 2, productLookups: 3 });
    const rows = await withDb((db) => db.select().from(priceWatches).where(inArray(priceWatches.id, ids)));
    expect(rows.filter((r) => r.currentPrice !== null)).toHaveLength(3);
    const skipped = rows.filter((r) => r.currentPrice === null);
    expect(skipped).toHaveLength(2);
    expect(skipped.every((r) => /points for price checks are spent/.test(r.lastError ?? ''))).toBe(true);
    expect((await cj.requests()).points_used).toBe(60);

    // Spent: the next run makes no CJ call at all and fails nothing.
    const before = (await cj.requests()).count;
    expect(await checkAt(ids, late)).toMatchObject({ checked: 5, errors: 5, productLookups: 0 });
    expect((await cj.requests()).count).toBe(before);

    const usage = await rawCall('/suppliers/accounts/points-usage', { token: user.token });
    expect(usage.status).toBe(200);
    expect((usage.json as any).items).toEqual([
      expect.objectContaining({ account_id: cj.accountId, points_used: 60, checks_skipped: 7, daily_points: 75, price_check_budget: 60, points_per_check: 20 }),
    ]);
  });

  it('spreads the budget over the day: just after midnight only the first slice may be spent', async () => {
    const user = await registerUser('cjpts');
    // 2,000 a day → 1,600 for checks; at 00:00 the allowance is 1,600 × 60/1440 = 66 → 3 products.
    const cj = await connectCj(user.id, { qps: 20, settings: { daily_points: 2000 } });
    const ids = await cjWatches(user, 5);
    expect(await checkAt(ids, today(0, 0))).toMatchObject({ errors: 2, productLookups: 3 });
    expect((await cj.requests()).points_used).toBe(60);
    expect(priceCheckAllowance(50_000, today(0, 0))).toBe(1666);
    expect(priceCheckAllowance(50_000, today(12, 0))).toBe(21_666);
    expect(priceCheckAllowance(50_000, today(23, 59))).toBe(40_000);
  });

  it('is another user’s business: the usage list holds only the caller’s CJ accounts', async () => {
    const a = await registerUser('cjpts');
    const b = await registerUser('cjpts');
    await connectCj(a.id, { qps: 20 });
    expect(await fetchUsage(b)).toEqual({ items: [] });
  });
});

async function fetchUsage(user: TestUser) {
  const r = await rawCall('/suppliers/accounts/points-usage', { token: user.token });
  return r.json;
}

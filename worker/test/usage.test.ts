import { describe, expect, it } from 'vitest';
import { importJobs, priceWatches } from '../db/schema';
import { answer, api, registerUser, setPlan, userWithKey, withDb } from './helpers';

const thisMonth = () => {
  const now = new Date();
  return {
    start: `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}-01`,
    inside: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1, 0, 0, 1)),
    before: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) - 1000),
  };
};

describe('GET /usage', () => {
  it('reports real counts: imports this billing month and active price watches', async () => {
    const user = await registerUser();
    const other = await registerUser();
    const { start, inside, before } = thisMonth();
    await withDb(async (db) => {
      await db.insert(importJobs).values([
        { userId: user.id, source: 'aliexpress', status: 'completed', createdAt: inside },
        { userId: user.id, source: 'aliexpress', status: 'cancelled' },
        { userId: user.id, source: 'cjdropship', status: 'failed' },
        { userId: user.id, source: 'aliexpress', createdAt: before },
        { userId: other.id, source: 'aliexpress' },
      ]);
      await db.insert(priceWatches).values([
        { userId: user.id, source: 'aliexpress' },
        { userId: user.id, source: 'aliexpress', isActive: false },
        { userId: other.id, source: 'aliexpress' },
      ]);
    });
    const r = await answer(api({ token: user.token }).usage.$get());
    expect(r.status).toBe(200);
    expect(r.roundTrips).toBeLessThanOrEqual(2);
    expect(r.json.plan).toBe('free');
    expect(r.json.period_start).toBe(start);
    expect(r.json.period_end).toMatch(/^\d{4}-\d{2}-01$/);
    expect(r.json.metrics).toEqual([
      { name: 'items_used', label: 'Items Used', used: 3, limit: 10 },
      { name: 'secondary_used', label: 'Secondary Items', used: 1, limit: 25 },
    ]);
  });

  it('follows the plan’s limits (-1 = unlimited)', async () => {
    const user = await registerUser();
    await setPlan(user.id, 'enterprise');
    const r = await answer(api({ token: user.token }).usage.$get());
    expect(r.json.plan).toBe('enterprise');
    expect(r.json.metrics.map((m: { limit: number }) => m.limit)).toEqual([-1, -1]);
  });

  it('accepts a JWT or an API key and otherwise answers the combined 401', async () => {
    const keyed = await userWithKey(['read']);
    expect((await answer(api({ apiKey: keyed.apiKey }).usage.$get())).json.plan).toBe('pro');
    const none = await answer(api().usage.$get());
    expect(none.status).toBe(401);
    expect(none.json).toEqual({ detail: 'Not authenticated. Provide a Bearer token or X-API-Key.' });
    const badToken = await answer(api({ token: 'nope' }).usage.$get());
    expect(badToken.status).toBe(401);
    const badTokenGoodKey = await answer(api({ token: 'nope', apiKey: keyed.apiKey }).usage.$get());
    expect(badTokenGoodKey.status).toBe(200);
  });
});

import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiKeys, apiKeyUsage, importJobs, priceAlerts, pricePoints, priceWatches, storeConnections, subscriptions, users } from '../db/schema';
import worker from '../index';
import { DAILY_METRICS_CRON } from '../jobs/daily-metrics';
import { answer, api, rawCall, registerUser, userWithKey, withDb } from './helpers';

/*
 * Admin metrics are global, and other test files write to the same database at the same
 * time, so the admin scenario lives in January 1900, where no other test writes: every
 * row it seeds has an explicit time there. Its users carry the SEED tag, and rows left by
 * an earlier run that died half-way are removed first (CI reuses its PostgreSQL).
 */
const SEED = 'metrics-seed-';
const at = (iso: string) => new Date(iso);
const SECOND = 1000;
const later = (d: Date, seconds: number) => new Date(d.getTime() + seconds * SECOND);
const service = () => ({ 'X-Service-Key': env.PLATFORM_SERVICE_KEY });
const FORBIDDEN = { detail: 'Admin metrics require the platform service key' };

const removeSeed = () => withDb((db) => db.delete(users).where(like(users.email, `${SEED}%`)));

async function seedUser(name: string, createdAt: Date) {
  const [u] = await withDb((db) =>
    db
      .insert(users)
      .values({ email: `${SEED}${name}-${crypto.randomUUID().slice(0, 8)}@example.com`, createdAt, updatedAt: createdAt })
      .returning({ id: users.id }),
  );
  return u.id;
}

type Status = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
const job = (userId: string, status: Status, createdAt: Date, tookSeconds: number | null = null) => ({
  userId,
  source: 'aliexpress' as const,
  status,
  createdAt,
  updatedAt: createdAt,
  startedAt: status === 'pending' ? null : createdAt,
  finishedAt: tookSeconds === null ? null : later(createdAt, tookSeconds),
});

const subscription = (userId: string, plan: 'free' | 'pro' | 'enterprise', status: 'active' | 'trialing' | 'past_due' | 'canceled', createdAt: Date) => ({
  userId,
  stripeSubscriptionId: `sub_${crypto.randomUUID()}`,
  stripePriceId: `price_${plan}`,
  plan,
  status,
  currentPeriodStart: createdAt,
  currentPeriodEnd: later(createdAt, 30 * 86_400),
  createdAt,
  updatedAt: createdAt,
});

const connection = (userId: string, n: number, createdAt: Date) => ({
  userId,
  storeName: `Shop ${n}`,
  platform: 'shopify',
  storeUrl: `https://shop-${n}-${crypto.randomUUID().slice(0, 8)}.myshopify.com`,
  createdAt,
  updatedAt: createdAt,
});

/** A watch the price cron of other tests never finds due. */
const watch = (userId: string, isActive: boolean, createdAt: Date) => ({
  userId,
  source: 'aliexpress',
  sourceProductId: `100500${Math.floor(Math.random() * 1e9)}`,
  isActive,
  nextCheckAt: at('9000-01-01T00:00:00Z'),
  createdAt,
  updatedAt: createdAt,
});

const point = (watchId: string, observedAt: Date) => ({ watchId, price: '10.00', currency: 'USD', observedAt });
const alert = (userId: string, watchId: string, kind: string, createdAt: Date) => ({ userId, watchId, kind, oldPrice: '10.00', newPrice: '12.00', changePercent: '20.00', createdAt });

async function seedKey(userId: string) {
  const [k] = await withDb((db) =>
    db
      .insert(apiKeys)
      .values({ userId, name: 'seed', keyHash: crypto.randomUUID().replace(/-/g, '').padEnd(64, '0'), keyPrefix: 'so_live_seed', scopes: ['read'] })
      .returning({ id: apiKeys.id }),
  );
  return k.id;
}

/*
 * The main window W is 1900-01-10T00:00Z .. 1900-01-13T00:00Z (three UTC days); rows sit
 * just before, exactly on and just after both edges.
 */
const W = { from: '1900-01-10T00:00:00Z', to: '1900-01-13T00:00:00Z' };

beforeAll(async () => {
  await removeSeed();
  const u0 = await seedUser('u0', at('1900-01-05T00:00:00Z'));
  const u1 = await seedUser('u1', at('1900-01-10T00:00:00Z'));
  const u2 = await seedUser('u2', at('1900-01-11T09:00:00Z'));
  const u3 = await seedUser('u3', at('1900-01-11T10:00:00Z'));
  const u4 = await seedUser('u4', at('1900-01-12T08:00:00Z'));
  await seedUser('u5', at('1900-01-12T23:59:59Z'));
  const u6 = await seedUser('u6', at('1900-01-10T12:00:00Z'));
  const u7 = await seedUser('u7', at('1900-01-13T00:00:00Z'));

  await withDb(async (db) => {
    await db.insert(importJobs).values([
      job(u1, 'completed', at('1900-01-09T23:59:59Z'), 600), // created before W, finished inside: not W's
      job(u1, 'completed', at('1900-01-10T00:00:00Z'), 60), // on the opening edge: W's
      job(u2, 'completed', at('1900-01-10T12:00:00Z'), 120),
      job(u2, 'failed', at('1900-01-10T13:00:00Z'), 30),
      job(u1, 'cancelled', at('1900-01-11T08:00:00Z'), 10), // volume only, not the success rate
      job(u1, 'pending', at('1900-01-11T09:00:00Z')),
      job(u6, 'running', at('1900-01-11T10:00:00Z')),
      job(u6, 'completed', at('1900-01-11T11:00:00Z')), // no finished_at (older rows): a success, no duration
      job(u0, 'completed', at('1900-01-12T23:59:59Z'), 301), // finishes after W: still W's (created inside)
      job(u0, 'completed', at('1900-01-13T00:00:00Z'), 5), // on the closing edge: not W's
    ]);

    await db.insert(subscriptions).values([
      subscription(u0, 'pro', 'active', at('1900-01-05T01:00:00Z')), // signed up before W
      subscription(u1, 'pro', 'active', at('1900-01-10T01:00:00Z')),
      subscription(u2, 'enterprise', 'trialing', at('1900-01-11T09:30:00Z')),
      subscription(u3, 'pro', 'canceled', at('1900-01-11T11:00:00Z')),
      subscription(u4, 'pro', 'past_due', at('1900-01-12T09:00:00Z')),
      subscription(u6, 'pro', 'active', at('1900-01-10T13:00:00Z')),
      subscription(u6, 'enterprise', 'trialing', at('1900-01-10T14:00:00Z')), // the newer one names the plan
      subscription(u7, 'pro', 'active', at('1900-01-13T01:00:00Z')), // signed up after W
    ]);

    await db.insert(storeConnections).values([
      connection(u0, 1, at('1900-01-05T00:00:00Z')),
      connection(u1, 1, at('1900-01-10T00:00:00Z')),
      connection(u1, 2, at('1900-01-12T00:00:00Z')),
      connection(u2, 1, at('1900-01-11T00:00:00Z')),
      connection(u2, 2, at('1900-01-11T01:00:00Z')),
      connection(u2, 3, at('1900-01-11T02:00:00Z')),
      connection(u3, 1, at('1900-01-14T00:00:00Z')), // connected after W
    ]);

    const [a, b, c, d] = await db
      .insert(priceWatches)
      .values([
        watch(u1, true, at('1900-01-05T00:00:00Z')),
        watch(u1, false, at('1900-01-05T00:00:00Z')), // paused
        watch(u2, true, at('1900-01-12T00:00:00Z')),
        watch(u2, true, at('1900-01-14T00:00:00Z')), // created after W
      ])
      .returning({ id: priceWatches.id });
    await db.insert(pricePoints).values([
      point(a.id, at('1900-01-09T01:00:00Z')),
      point(a.id, at('1900-01-10T01:00:00Z')),
      point(a.id, at('1900-01-11T01:00:00Z')),
      point(a.id, at('1900-01-12T01:00:00Z')),
      point(c.id, at('1900-01-12T05:00:00Z')),
      point(b.id, at('1900-01-13T00:00:00Z')),
      point(d.id, at('1900-01-14T01:00:00Z')),
    ]);
    await db.insert(priceAlerts).values([
      alert(u1, a.id, 'price_change', at('1900-01-09T01:00:00Z')),
      alert(u1, a.id, 'price_change', at('1900-01-11T01:00:00Z')),
      alert(u1, a.id, 'out_of_stock', at('1900-01-12T01:00:00Z')), // a stock alert, not a price change
      alert(u2, c.id, 'price_change', at('1900-01-13T00:00:00Z')),
    ]);
  });

  const [k0, k1, k2] = [await seedKey(u0), await seedKey(u1), await seedKey(u2)];
  await withDb((db) =>
    db.insert(apiKeyUsage).values([
      { keyId: k1, day: '1900-01-09', requests: 5 },
      { keyId: k1, day: '1900-01-10', requests: 7 },
      { keyId: k1, day: '1900-01-12', requests: 3 },
      { keyId: k2, day: '1900-01-11', requests: 11 },
      { keyId: k0, day: '1900-01-12', requests: 1 },
      { keyId: k0, day: '1900-01-13', requests: 100 },
    ]),
  );
});

afterAll(removeSeed);

const adminMetrics = (query: string, headers: Record<string, string> = service()) => rawCall(`/admin/metrics${query}`, { headers });

describe('GET /admin/metrics', () => {
  it('answers all eight metrics for a window, from the rows on and inside its edges', async () => {
    const r = await adminMetrics(`?from=${W.from}&to=${W.to}`);
    expect(r.status).toBe(200);
    expect(r.roundTrips).toBe(1);
    expect(r.json).toEqual({
      window: { from: '1900-01-10T00:00:00.000Z', to: '1900-01-13T00:00:00.000Z', days: 3 },
      imports: {
        total: 8,
        by_status: { pending: 1, running: 1, completed: 4, failed: 1, cancelled: 1 },
        success_rate: 0.8,
        average_duration_seconds: 160.333,
        per_day: 2.67,
        per_week: 18.67,
        per_month: 80,
      },
      price_watches: { active: 2, checks: 4, changes_detected: 1, change_detection_rate: 0.25 },
      conversion: { signups: 6, converted: 3, by_plan: { pro: 1, enterprise: 2 }, trialing: 2, rate: 0.5 },
      api_keys: { requests: 22, keys_used: 3, users: 3 },
      stores: {
        users_with_stores: 3,
        connections: 6,
        average_per_user: 2,
        distribution: [
          { stores: 1, users: 1 },
          { stores: 2, users: 1 },
          { stores: 3, users: 1 },
        ],
      },
      daily: [
        { date: '1900-01-10', total: 3, completed: 2, failed: 1, cancelled: 0, in_progress: 0, success_rate: 0.6667 },
        { date: '1900-01-11', total: 4, completed: 1, failed: 0, cancelled: 1, in_progress: 2, success_rate: 1 },
        { date: '1900-01-12', total: 1, completed: 1, failed: 0, cancelled: 0, in_progress: 0, success_rate: 1 },
      ],
    });
  });

  it('reads bare dates as whole UTC days and accepts zone offsets', async () => {
    const days = await adminMetrics('?from=1900-01-10&to=1900-01-12');
    expect(days.json.window).toEqual({ from: '1900-01-10T00:00:00.000Z', to: '1900-01-13T00:00:00.000Z', days: 3 });
    expect(days.json.imports.total).toBe(8);
    // 1900-01-10T01:00+01:00 is midnight UTC: the job on the opening edge is in, the one a second before is not.
    const offset = await adminMetrics(`?from=${encodeURIComponent('1900-01-10T01:00:00+01:00')}&to=${encodeURIComponent('1900-01-10T12:00:00Z')}`);
    expect(offset.json.window.from).toBe('1900-01-10T00:00:00.000Z');
    expect(offset.json.imports.total).toBe(1);
    expect(offset.json.imports.by_status.completed).toBe(1);
  });

  it('an empty window answers zeros and nulls, never a division by zero', async () => {
    const r = await adminMetrics('?from=1900-01-02&to=1900-01-03');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      window: { from: '1900-01-02T00:00:00.000Z', to: '1900-01-04T00:00:00.000Z', days: 2 },
      imports: {
        total: 0,
        by_status: { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0 },
        success_rate: null,
        average_duration_seconds: null,
        per_day: 0,
        per_week: 0,
        per_month: 0,
      },
      price_watches: { active: 0, checks: 0, changes_detected: 0, change_detection_rate: null },
      conversion: { signups: 0, converted: 0, by_plan: { pro: 0, enterprise: 0 }, trialing: 0, rate: null },
      api_keys: { requests: 0, keys_used: 0, users: 0 },
      stores: { users_with_stores: 0, connections: 0, average_per_user: null, distribution: [] },
      daily: [
        { date: '1900-01-02', total: 0, completed: 0, failed: 0, cancelled: 0, in_progress: 0, success_rate: null },
        { date: '1900-01-03', total: 0, completed: 0, failed: 0, cancelled: 0, in_progress: 0, success_rate: null },
      ],
    });

    const instant = await adminMetrics(`?from=${W.from}&to=${W.from}`);
    expect(instant.status).toBe(200);
    expect(instant.json.window.days).toBe(0);
    expect(instant.json.imports).toMatchObject({ total: 0, per_day: null, per_week: null, per_month: null });
    expect(instant.json.api_keys.requests).toBe(0);
    expect(instant.json.daily).toEqual([]);
  });

  it('counts watches and stores as they stand at the window’s end (later ones join later windows)', async () => {
    const r = await adminMetrics('?from=1900-01-20&to=1900-01-20');
    expect(r.json.imports.total).toBe(0);
    expect(r.json.price_watches).toEqual({ active: 3, checks: 0, changes_detected: 0, change_detection_rate: null });
    expect(r.json.stores).toEqual({
      users_with_stores: 4,
      connections: 7,
      average_per_user: 1.75,
      distribution: [
        { stores: 1, users: 2 },
        { stores: 2, users: 1 },
        { stores: 3, users: 1 },
      ],
    });
  });

  it('defaults to the last 30 days: 30 daily points ending today', async () => {
    const before = Date.now();
    const r = await adminMetrics('');
    expect(r.status).toBe(200);
    const to = Date.parse(r.json.window.to);
    expect(to).toBeGreaterThanOrEqual(before - 1000);
    expect(r.json.daily).toHaveLength(30);
    expect(r.json.daily[29].date).toBe(new Date(to).toISOString().slice(0, 10));
    expect(r.json.window.from).toBe(`${r.json.daily[0].date}T00:00:00.000Z`);
    expect(r.json.window.days).toBeGreaterThan(29);
    expect(r.json.window.days).toBeLessThanOrEqual(30);
  });

  it('only the platform service key gets in; anything else is a 403 before validation', async () => {
    const keyed = await userWithKey(['read', 'write']);
    const path = '/admin/metrics?from=2025-02-30';
    for (const opts of [{}, { token: keyed.token }, { apiKey: keyed.apiKey }, { headers: { 'X-Service-Key': 'wrong' } }, { headers: { 'X-Service-Key': '' } }]) {
      const r = await rawCall(path, opts);
      expect(r.status).toBe(403);
      expect(r.json).toEqual(FORBIDDEN);
    }
    expect((await rawCall(path, { headers: { 'X-Service-Key': `${env.PLATFORM_SERVICE_KEY}x` } })).status).toBe(403);
  });

  it('rejects unreadable instants, from after to and windows over 366 days with 422', async () => {
    const detail = async (query: string) => {
      const r = await adminMetrics(query);
      expect(r.status).toBe(422);
      return r.json.detail;
    };
    const bad = 'Input should be a valid ISO 8601 date or timestamp between 1900 and 9998';
    expect(await detail('?from=2025-02-30')).toEqual([{ type: 'datetime_parsing', loc: ['query', 'from'], msg: bad, input: '2025-02-30' }]);
    expect(await detail('?to=yesterday')).toEqual([{ type: 'datetime_parsing', loc: ['query', 'to'], msg: bad, input: 'yesterday' }]);
    expect(await detail('?to=2025-01-01T24:00:00Z')).toMatchObject([{ type: 'datetime_parsing', loc: ['query', 'to'] }]);
    expect(await detail('?from=0000-01-01')).toMatchObject([{ type: 'datetime_parsing', loc: ['query', 'from'] }]);
    expect(await detail('?from=2025-03-03&to=2025-03-01')).toEqual([
      { type: 'value_error', loc: ['query', 'from'], msg: "Value error, 'from' must not be later than 'to'", input: '2025-03-03' },
    ]);
    expect(await detail('?from=2024-01-01&to=2025-01-01')).toEqual([
      { type: 'value_error', loc: ['query', 'from'], msg: 'Value error, the window must not exceed 366 days', input: '2024-01-01', ctx: { max_days: 366 } },
    ]);
    expect(await detail(`?from=${'9'.repeat(65)}`)).toMatchObject([{ type: 'string_too_long', loc: ['query', 'from'] }]);
    expect(await detail('?from=a&from=b')).toMatchObject([{ loc: ['query', 'from'] }]);
    // A leap year's 366 days is the longest window.
    expect((await adminMetrics('?from=2024-01-01&to=2024-12-31')).status).toBe(200);
  });
});

describe('daily metrics cron', () => {
  it('logs the previous UTC day’s figures as one JSON line', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController({ scheduledTime: at('1900-01-13T03:00:00Z'), cron: DAILY_METRICS_CRON }), env, ctx);
      await waitOnExecutionContext(ctx);
      const lines = log.mock.calls.map(([line]) => JSON.parse(String(line))).filter((l) => l.msg === 'daily metrics');
      expect(lines).toHaveLength(1);
      const { duration_ms, ...figures } = lines[0];
      expect(duration_ms).toBeGreaterThanOrEqual(0);
      expect(figures).toEqual({
        level: 'info',
        msg: 'daily metrics',
        cron: '0 3 * * *',
        window: { from: '1900-01-12T00:00:00.000Z', to: '1900-01-13T00:00:00.000Z', days: 1 },
        imports: {
          total: 1,
          by_status: { pending: 0, running: 0, completed: 1, failed: 0, cancelled: 0 },
          success_rate: 1,
          average_duration_seconds: 301,
          per_day: 1,
          per_week: 7,
          per_month: 30,
        },
        price_watches: { active: 2, checks: 2, changes_detected: 0, change_detection_rate: 0 },
        conversion: { signups: 2, converted: 0, by_plan: { pro: 0, enterprise: 0 }, trialing: 0, rate: 0 },
        api_keys: { requests: 4, keys_used: 2, users: 2 },
        stores: {
          users_with_stores: 3,
          connections: 6,
          average_per_user: 2,
          distribution: [
            { stores: 1, users: 1 },
            { stores: 2, users: 1 },
            { stores: 3, users: 1 },
          ],
        },
      });
      // The same figures as the endpoint for that day.
      const api = await adminMetrics('?from=1900-01-12&to=1900-01-12');
      const { daily, ...same } = api.json;
      expect(daily).toHaveLength(1);
      expect(same).toEqual({ window: figures.window, imports: figures.imports, price_watches: figures.price_watches, conversion: figures.conversion, api_keys: figures.api_keys, stores: figures.stores });
    } finally {
      log.mockRestore();
    }
  });
});

describe('GET /stats', () => {
  // Merchant figures are per user, so any window works; this one is 2024-03-01..03 (three days).
  const M = '?from=2024-03-01&to=2024-03-03';

  it('answers the caller’s own figures only, in two round trips', async () => {
    const user = await registerUser('stats');
    const other = await registerUser('stats-other');
    await withDb(async (db) => {
      await db.insert(importJobs).values([
        job(user.id, 'completed', at('2024-02-29T23:59:59Z'), 40), // before the window
        job(user.id, 'completed', at('2024-03-01T00:00:00Z'), 90),
        job(user.id, 'failed', at('2024-03-01T10:00:00Z'), 5),
        job(user.id, 'completed', at('2024-03-02T10:00:00Z'), 30),
        job(user.id, 'cancelled', at('2024-03-02T11:00:00Z'), 2),
        job(user.id, 'running', at('2024-03-03T23:59:59Z')),
        job(user.id, 'pending', at('2024-03-04T00:00:00Z')), // after the window (bare `to` is the end of that day)
        job(other.id, 'completed', at('2024-03-02T10:00:00Z'), 1000),
        job(other.id, 'failed', at('2024-03-02T10:00:00Z'), 1),
      ]);
      const [mine, paused, theirs] = await db
        .insert(priceWatches)
        .values([watch(user.id, true, at('2024-02-01T00:00:00Z')), watch(user.id, false, at('2024-02-01T00:00:00Z')), watch(other.id, true, at('2024-02-01T00:00:00Z'))])
        .returning({ id: priceWatches.id });
      await db.insert(pricePoints).values([
        point(mine.id, at('2024-03-01T01:00:00Z')),
        point(mine.id, at('2024-03-02T01:00:00Z')),
        point(paused.id, at('2024-03-01T01:00:00Z')),
        point(mine.id, at('2024-03-05T01:00:00Z')),
        point(theirs.id, at('2024-03-01T01:00:00Z')),
      ]);
      await db.insert(priceAlerts).values([
        alert(user.id, mine.id, 'price_change', at('2024-03-02T01:00:00Z')),
        alert(user.id, mine.id, 'back_in_stock', at('2024-03-02T01:00:00Z')),
        alert(other.id, theirs.id, 'price_change', at('2024-03-01T01:00:00Z')),
      ]);
      await db.insert(storeConnections).values([connection(user.id, 1, at('2024-01-01T00:00:00Z')), connection(user.id, 2, at('2024-03-10T00:00:00Z')), connection(other.id, 1, at('2024-01-01T00:00:00Z'))]);
    });

    const r = await rawCall(`/stats${M}`, { token: user.token });
    expect(r.status).toBe(200);
    expect(r.roundTrips).toBeLessThanOrEqual(2);
    expect(r.json).toEqual({
      window: { from: '2024-03-01T00:00:00.000Z', to: '2024-03-04T00:00:00.000Z', days: 3 },
      imports: {
        total: 5,
        by_status: { pending: 0, running: 1, completed: 2, failed: 1, cancelled: 1 },
        success_rate: 0.6667,
        average_duration_seconds: 60,
        per_day: 1.67,
        per_week: 11.67,
        per_month: 50,
      },
      daily: [
        { date: '2024-03-01', total: 2, completed: 1, failed: 1, cancelled: 0, in_progress: 0, success_rate: 0.5 },
        { date: '2024-03-02', total: 2, completed: 1, failed: 0, cancelled: 1, in_progress: 0, success_rate: 1 },
        { date: '2024-03-03', total: 1, completed: 0, failed: 0, cancelled: 0, in_progress: 1, success_rate: null },
      ],
      price_watches: { active: 1, checks: 3, changes_detected: 1, change_detection_rate: 0.3333 },
      connected_stores: 1,
      api_keys: { requests: 0, last_used_at: null },
    });
  });

  it('a new merchant sees an empty 30-day window', async () => {
    const user = await registerUser('stats-new');
    const r = await answer(api({ token: user.token }).stats.$get({ query: {} }));
    expect(r.status).toBe(200);
    expect(r.json.imports).toEqual({
      total: 0,
      by_status: { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0 },
      success_rate: null,
      average_duration_seconds: null,
      per_day: 0,
      per_week: 0,
      per_month: 0,
    });
    expect(r.json.daily).toHaveLength(30);
    expect(r.json.daily.every((d: { total: number }) => d.total === 0)).toBe(true);
    expect(r.json.price_watches).toEqual({ active: 0, checks: 0, changes_detected: 0, change_detection_rate: null });
    expect(r.json.connected_stores).toBe(0);
    expect(r.json.api_keys).toEqual({ requests: 0, last_used_at: null });
  });

  it('counts today’s imports in the default window and the key’s requests recorded before this one', async () => {
    const keyed = await userWithKey(['read']);
    await withDb((db) => db.insert(importJobs).values([job(keyed.id, 'completed', new Date(), 45), job(keyed.id, 'pending', new Date())]));
    // A request's own use is recorded as it ends, after its statements (migration 0019).
    const first = await answer(api({ apiKey: keyed.apiKey }).stats.$get({ query: {} }));
    expect(first.status).toBe(200);
    expect(first.roundTrips).toBeLessThanOrEqual(2);
    expect(first.json.api_keys.requests).toBe(0);
    expect(first.json.api_keys.last_used_at).toBeNull();
    expect(first.json.imports).toMatchObject({ total: 2, success_rate: 1, average_duration_seconds: 45 });
    const today = first.json.daily.at(-1)!;
    expect(today.date).toBe(first.json.window.to.slice(0, 10));
    expect(today).toMatchObject({ total: 2, completed: 1, in_progress: 1 });

    const second = await answer(api({ apiKey: keyed.apiKey }).stats.$get({ query: {} }));
    expect(second.json.api_keys.requests).toBe(1);
    expect(Date.parse(second.json.api_keys.last_used_at!)).toBeGreaterThan(Date.now() - 60_000);
    // The dashboard (JWT) sees the key's requests too, without adding one.
    const viaJwt = await answer(api({ token: keyed.token }).stats.$get({ query: {} }));
    expect(viaJwt.json.api_keys.requests).toBe(2);
    expect(viaJwt.roundTrips).toBeLessThanOrEqual(2);
  });

  it('authenticates before validating, and validates the window like the admin route', async () => {
    const none = await answer(api().stats.$get({ query: { from: 'nope' } }));
    expect(none.status).toBe(401);
    expect(none.json).toEqual({ detail: 'Not authenticated. Provide a Bearer token or X-API-Key.' });
    const user = await registerUser('stats-422');
    const r = await answer(api({ token: user.token }).stats.$get({ query: { from: '2025-03-03', to: '2025-03-01' } }));
    expect(r.status).toBe(422);
    expect(r.json.detail[0]).toMatchObject({ type: 'value_error', loc: ['query', 'from'] });
    const long = await answer(api({ token: user.token }).stats.$get({ query: { from: '2020-01-01' } }));
    expect(long.status).toBe(422);
    expect(long.json.detail[0]).toMatchObject({ type: 'value_error', ctx: { max_days: 366 } });
  });
});

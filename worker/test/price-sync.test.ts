import { env } from 'cloudflare:workers';
import { eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDb } from '../db/client';
import { priceAlerts, pricePoints, priceWatches } from '../db/schema';
import { backoffSeconds } from '../lib/backoff';
import { MAX_PRICE_ATTEMPTS, processPriceMessage } from '../jobs/price-consumer';
import { alertId, checkChunk, checkWatchIds, loadWatchesById, movedBeyond, priceCheckDeps, type PriceCheckDeps } from '../services/price-check';
import type { SupplierSource } from '../shared/sources';
import type { SupplierAdapter } from '../suppliers/types';
import { registerUser, withDb, type TestUser } from './helpers';
import { aliId, aliUrl, createWatch, deliverPrice } from './price-helpers';
import { connectAliExpress } from './supplier-helpers';

const numericId = () => `1005${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;

async function liveUser() {
  const user = await registerUser('live');
  const ae = await connectAliExpress(user.id);
  return { user, ae };
}

/** Product calls the fake AliExpress received from one app, per product id. */
async function productCalls(ae: Awaited<ReturnType<typeof connectAliExpress>>) {
  const log = await ae.requests();
  const counts: Record<string, number> = {};
  for (const r of log.requests.filter((q) => q.method === 'aliexpress.ds.product.get')) counts[r.params.product_id] = (counts[r.params.product_id] ?? 0) + 1;
  return counts;
}

const watchRows = (ids: string[]) => withDb((db) => db.select().from(priceWatches).where(inArray(priceWatches.id, ids)));
const watchRow = async (id: string) => (await watchRows([id]))[0];
/** observed_at of the watch's n-th price point (1-based) as Postgres prints timestamptz text, i.e. the baseline time of the next check. */
async function rawCheckedAt(watchId: string, n: number): Promise<string | undefined> {
  const { rows } = await withDb((db) =>
    db.execute<{ at: string }>(sql`SELECT observed_at::text AS at FROM price_points WHERE watch_id = ${watchId} ORDER BY observed_at LIMIT 1 OFFSET ${n - 1}`),
  );
  return rows[0]?.at;
}
const alertsOf = (id: string) => withDb((db) => db.select().from(priceAlerts).where(eq(priceAlerts.watchId, id)).orderBy(priceAlerts.createdAt));

/** Runs one chunk through the consumer's own code with a fresh pool, counting its statements. */
async function checkCounted(ids: string[], deps?: PriceCheckDeps) {
  const { db, pool, roundTrips } = createDb(env);
  try {
    const result = await checkWatchIds(env, db, deps ?? priceCheckDeps(env), ids);
    return { result, statements: roundTrips.statements };
  } finally {
    await pool.end();
  }
}

/** The demo adapters of a run, wrapped to record every getPrices call. */
function countingDemo() {
  const base = priceCheckDeps(env);
  const calls: { source: SupplierSource; ids: string[] }[] = [];
  const deps: PriceCheckDeps = {
    ...base,
    demo: (source) => {
      const inner = base.demo(source);
      const wrapped: SupplierAdapter = {
        source: inner.source,
        mode: inner.mode,
        search: (q, p, s) => inner.search(q, p, s),
        getProduct: (id, url) => inner.getProduct(id, url),
        getPrices: async (ids) => {
          calls.push({ source, ids: [...ids] });
          return inner.getPrices(ids);
        },
      };
      return wrapped;
    },
  };
  return { deps, calls };
}

async function watch(user: TestUser, productId: string, extra: Record<string, unknown> = {}) {
  return (await createWatch(user, { product_url: aliUrl(productId), source: 'aliexpress', ...extra })).id;
}

describe('price-sync consumer (PRICE_QUEUE)', () => {
  it('fetches each distinct product once per chunk per supplier account, and records every watch', async () => {
    const a = await liveUser();
    const b = await liveUser();
    const [p1, p2] = [numericId(), numericId()];
    const ids = [
      await watch(a.user, p1, { threshold_percent: 5 }),
      await watch(a.user, p1, { threshold_percent: 10 }),
      await watch(a.user, p1, { threshold_percent: 20 }),
      await watch(a.user, p2),
      await watch(a.user, p2),
      await watch(b.user, p1),
    ];
    const result = await deliverPrice([{ watchIds: ids }]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toHaveLength(0);
    expect(await productCalls(a.ae)).toEqual({ [p1]: 1, [p2]: 1 });
    expect(await productCalls(b.ae)).toEqual({ [p1]: 1 });
    const rows = await watchRows(ids);
    expect(rows.every((r) => r.currentPrice !== null && r.lastCheckedAt !== null && r.lastError === null)).toBe(true);
    expect(rows.every((r) => r.nextCheckAt.getTime() > Date.now() + 50 * 60_000)).toBe(true);
    const points = await withDb((db) => db.select().from(pricePoints).where(inArray(pricePoints.watchId, ids)));
    expect(points).toHaveLength(6);
  });

  it('asks the demo catalogue once per product however many users watch it, in two statements per chunk', async () => {
    const users = await Promise.all([registerUser(), registerUser(), registerUser()]);
    const shared = aliId();
    const ids: string[] = [];
    for (const u of users) {
      ids.push(await watch(u, shared));
      ids.push(await watch(u, aliId()));
    }
    const { deps, calls } = countingDemo();
    const { result, statements } = await checkCounted(ids, deps);
    expect(calls).toHaveLength(1);
    expect(calls[0].ids.filter((id) => id === shared)).toHaveLength(1);
    expect(calls[0].ids).toHaveLength(4);
    expect(result).toMatchObject({ checked: 6, errors: 0, productLookups: 4 });
    // One load, one write: nothing per watch.
    expect(statements).toBe(2);
  });

  it('costs one more statement per live supplier account in the chunk, not per watch', async () => {
    const a = await liveUser();
    const b = await liveUser();
    const demo = await registerUser();
    const ids = [
      ...(await Promise.all(Array.from({ length: 5 }, () => watch(a.user, numericId())))),
      ...(await Promise.all(Array.from({ length: 5 }, () => watch(b.user, numericId())))),
      ...(await Promise.all(Array.from({ length: 5 }, () => watch(demo, aliId())))),
    ];
    const { result, statements } = await checkCounted(ids);
    expect(result.checked).toBe(15);
    expect(result.errors).toBe(0);
    expect(statements).toBe(2 + 2);
  });

  it('judges changes against the threshold: first check none, then |Δ%| ≥ threshold', async () => {
    const { user, ae } = await liveUser();
    const pid = numericId();
    await ae.control('products', { product_id: pid, price: 10 });
    const w10 = await watch(user, pid, { threshold_percent: 10 });
    const w0 = await watch(user, pid, { threshold_percent: 0 });
    const ids = [w10, w0];

    await checkCounted(ids);
    for (const r of await watchRows(ids)) expect(r).toMatchObject({ currentPrice: '10.00', lastPrice: null, priceChanged: false, currency: 'USD' });

    await ae.control('products', { product_id: pid, price: 10.5 });
    let { result } = await checkCounted(ids);
    expect(result.changed).toBe(1);
    expect(await watchRow(w10)).toMatchObject({ lastPrice: '10.00', currentPrice: '10.50', priceChanged: false });
    expect(await watchRow(w0)).toMatchObject({ lastPrice: '10.00', currentPrice: '10.50', priceChanged: true });
    expect(await alertsOf(w10)).toHaveLength(0);
    expect((await alertsOf(w0)).map((a) => [a.kind, a.oldPrice, a.newPrice, a.changePercent])).toEqual([['price_change', '10.00', '10.50', '5.00']]);

    // Exactly +10 % from the previous price reaches a 10 % threshold.
    await ae.control('products', { product_id: pid, price: 11.55 });
    ({ result } = await checkCounted(ids));
    expect(result.changed).toBe(2);
    expect(await watchRow(w10)).toMatchObject({ lastPrice: '10.50', currentPrice: '11.55', priceChanged: true });
    expect((await alertsOf(w10)).map((a) => a.changePercent)).toEqual(['10.00']);

    // No move: no change, even at a 0 % threshold; last_price follows current_price.
    ({ result } = await checkCounted(ids));
    expect(result.changed).toBe(0);
    for (const r of await watchRows(ids)) expect(r).toMatchObject({ lastPrice: '11.55', currentPrice: '11.55', priceChanged: false });

    // A drop counts the same way.
    await ae.control('products', { product_id: pid, price: 9.24 });
    await checkCounted(ids);
    const drop = (await alertsOf(w10)).at(-1)!;
    expect([drop.kind, drop.oldPrice, drop.newPrice, drop.changePercent]).toEqual(['price_change', '11.55', '9.24', '-20.00']);
    const history = await withDb((db) => db.select().from(pricePoints).where(eq(pricePoints.watchId, w10)).orderBy(pricePoints.observedAt));
    expect(history.map((p) => p.price)).toEqual(['10.00', '10.50', '11.55', '11.55', '9.24']);
  });

  it('records an alert once when the same check runs twice (a retried message, overlapping checks)', async () => {
    const { user, ae } = await liveUser();
    const pid = numericId();
    await ae.control('products', { product_id: pid, price: 10, stock: 5 });
    const w = await watch(user, pid);
    await checkCounted([w]);
    await ae.control('products', { product_id: pid, price: 15 });
    const { db, pool } = createDb(env);
    try {
      const rows = await loadWatchesById(db, [w]);
      const first = await checkChunk(env, db, priceCheckDeps(env), rows);
      const again = await checkChunk(env, db, priceCheckDeps(env), rows);
      // The second run's alert has the same id: already stored, so it is not sent again.
      expect([first.alerts, again.alerts]).toEqual([1, 0]);
    } finally {
      await pool.end();
    }
    const alerts = await alertsOf(w);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].id).toBe(await alertId(w, 'price_change', (await rawCheckedAt(w, 1)) ?? null, 15, 5 * 6));
    // The watch itself stays consistent: the second write saw no move any more.
    expect(await watchRow(w)).toMatchObject({ lastPrice: '15.00', currentPrice: '15.00', priceChanged: false });
  });

  it('alerts when a product goes out of stock and when it comes back, whatever the threshold', async () => {
    const { user, ae } = await liveUser();
    const pid = numericId();
    await ae.control('products', { product_id: pid, price: 20, stock: 30 });
    const w = await watch(user, pid, { threshold_percent: 50 });
    await checkCounted([w]);
    expect((await watchRow(w)).lastStock).toBe(180);

    await ae.control('products', { product_id: pid, stock: 0 });
    await checkCounted([w]);
    expect(await watchRow(w)).toMatchObject({ lastStock: 0, priceChanged: false, currentPrice: '20.00' });
    await ae.control('products', { product_id: pid, stock: 7 });
    await checkCounted([w]);
    const alerts = await alertsOf(w);
    expect(alerts.map((a) => a.kind)).toEqual(['out_of_stock', 'back_in_stock']);
    expect(alerts[0].details).toMatchObject({ stock: 0, previous_stock: 180, currency: 'USD' });
    const points = await withDb((db) => db.select().from(pricePoints).where(eq(pricePoints.watchId, w)).orderBy(pricePoints.observedAt));
    expect(points.map((p) => p.stock)).toEqual([180, 0, 42]);
  });

  it('records supplier failures per watch and carries on', async () => {
    const { user, ae } = await liveUser();
    const gone = numericId();
    const fine = numericId();
    await ae.control('products', { product_id: gone, missing: true });
    const demoUser = await registerUser();
    const ids = [await watch(user, gone), await watch(user, fine), await watch(demoUser, aliId())];
    const { result } = await checkCounted(ids);
    expect(result).toMatchObject({ checked: 3, errors: 1 });
    const missing = await watchRow(ids[0]);
    expect(missing.lastError).toMatch(/no longer lists product/);
    expect(missing.currentPrice).toBeNull();
    expect(missing.lastCheckedAt).toBeNull();
    expect((await watchRow(ids[1])).lastError).toBeNull();

    // A supplier outage: every watch of that account says so and is tried again within 15 minutes.
    await ae.control('fail', { mode: 'server_error', times: 50 });
    const before = Date.now();
    const again = await checkCounted(ids);
    expect(again.result.errors).toBe(2);
    const down = await watchRow(ids[1]);
    expect(down.lastError).toMatch(/unavailable/);
    expect(down.currentPrice).not.toBeNull();
    expect(down.nextCheckAt.getTime()).toBeLessThan(before + 16 * 60_000);
    expect((await watchRow(ids[2])).lastError).toBeNull();
    await ae.control('fail', { mode: 'server_error', times: 0 });
  });

  it('never sends an uncheckable watch to a supplier', async () => {
    const user = await registerUser();
    const w = (await createWatch(user, { product_url: 'https://example.com/thing', source: 'aliexpress' })).id;
    const { deps, calls } = countingDemo();
    const { result } = await checkCounted([w], deps);
    expect(calls).toHaveLength(0);
    expect(result).toMatchObject({ checked: 1, errors: 1 });
    expect((await watchRow(w)).lastError).toMatch(/can't be checked: Unsupported supplier URL/);
  });

  it('acks malformed messages, skips paused or deleted watches, and retries when the database fails', async () => {
    expect((await deliverPrice([{ jobId: 'x' }, { watchIds: [] }, { watchIds: ['nope'] }])).explicitAcks).toHaveLength(3);

    const user = await registerUser();
    const paused = await watch(user, aliId());
    await withDb((db) => db.update(priceWatches).set({ isActive: false }).where(eq(priceWatches.id, paused)));
    const acked = await deliverPrice([{ watchIds: [paused, crypto.randomUUID()] }]);
    expect(acked.explicitAcks).toHaveLength(1);
    expect((await watchRow(paused)).lastCheckedAt).toBeNull();

    // A database failure retries the message with backoff; the last attempt goes to the dead-letter queue.
    const broken = { ...env, DB_WS_PROXY: '127.0.0.1:9' };
    const retried = await deliverPrice([{ watchIds: [paused] }], { env: broken, attempts: 2 });
    expect(retried.retryMessages).toHaveLength(1);
    const seen: { retry?: { delaySeconds?: number }; acked: boolean }[] = [];
    for (const attempts of [2, MAX_PRICE_ATTEMPTS]) {
      const record: { retry?: { delaySeconds?: number }; acked: boolean } = { acked: false };
      const message = {
        id: `m-${attempts}`,
        timestamp: new Date(),
        attempts,
        body: { watchIds: [paused] },
        ack: () => void (record.acked = true),
        retry: (opts?: { delaySeconds?: number }) => void (record.retry = opts ?? {}),
      } as unknown as Message<unknown>;
      const { db, pool } = createDb(broken);
      await processPriceMessage(broken, db, priceCheckDeps(broken), message).finally(() => pool.end().catch(() => {}));
      seen.push(record);
    }
    expect(seen).toEqual([
      { acked: false, retry: { delaySeconds: backoffSeconds(2) } },
      { acked: false, retry: {} },
    ]);
  });
});

describe('pure rules', () => {
  it('compares moves against the threshold exactly', () => {
    expect(movedBeyond(10, 11, 10)).toBe(true);
    expect(movedBeyond(10, 10.99, 10)).toBe(false);
    expect(movedBeyond(19.99, 17.99, 10)).toBe(true);
    expect(movedBeyond(0.3, 0.33, 10)).toBe(true);
    expect(movedBeyond(5, 5, 0)).toBe(false);
    expect(movedBeyond(5, 5.01, 0)).toBe(true);
    expect(movedBeyond(0, 5, 0)).toBe(false);
  });
});

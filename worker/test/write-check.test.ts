import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import app from '../app';
import { importJobs, importListItems, priceWatches, shopifyPendingInstalls, storeConnections, subscriptions, supplierCallUsage, users } from '../db/schema';
import { checkedWithFirstStatement } from '../middleware/auth';
import { call, freshIp, registerUser, setPlan, withDb, type TestUser } from './helpers';
import { listItemOf } from './import-list-helpers';
import { aliUrl } from './price-helpers';
import { countingQueue } from './queue-helpers';
import { fakeShopifyShop, pendingShopifyInstall } from './store-fakes';
import { connectAliExpress } from './supplier-helpers';

/**
 * Writes marked `checkedWithFirstStatement` (middleware/auth.ts) run before their user is
 * checked: the check rides with their first statement, which saves the write a round trip
 * (issue 18). That is only safe if nothing happens before that statement. For every marked
 * route (read from the app itself, so marking a route without a case here fails), a valid
 * request from a user deactivated after signing in must answer 401, call nothing outside
 * (no fetch but the database's, no queue message) and change nothing the route writes.
 */

interface Case {
  /** Makes what the request acts on for `user`; answers the request and a snapshot of what it would change. */
  setup(user: TestUser): Promise<{ path: string; body?: unknown; state: () => Promise<unknown> }>;
}

const jobsOf = (userId: string) => () => withDb((db) => db.select().from(importJobs).where(eq(importJobs.userId, userId)));

const jobOf = (id: string) => () => withDb((db) => db.select().from(importJobs).where(eq(importJobs.id, id)));
const insertJob = (userId: string, status: 'pending' | 'failed') =>
  withDb(async (db) => (await db.insert(importJobs).values({ userId, source: 'aliexpress', sourceUrl: aliUrl(), status }).returning({ id: importJobs.id }))[0].id);
const itemAndJobs = (userId: string, item: string) => async () => [await withDb((db) => db.select().from(importListItems).where(eq(importListItems.id, item))), await jobsOf(userId)()];

const CASES: Record<string, Case> = {
  'POST /api/v1/imports/{job_id}/cancel': {
    async setup(user) {
      const job = await insertJob(user.id, 'pending');
      return { path: `/imports/${job}/cancel`, state: jobOf(job) };
    },
  },
  'POST /api/v1/imports/{job_id}/retry': {
    async setup(user) {
      const job = await insertJob(user.id, 'failed');
      return { path: `/imports/${job}/retry`, state: jobOf(job) };
    },
  },
  'POST /api/v1/import-list/push': {
    async setup(user) {
      const item = await listItemOf(user.id);
      return { path: '/import-list/push', body: { item_ids: [item] }, state: itemAndJobs(user.id, item) };
    },
  },
  'POST /api/v1/import-list/{item_id}/push': {
    async setup(user) {
      const item = await listItemOf(user.id);
      return { path: `/import-list/${item}/push`, body: {}, state: itemAndJobs(user.id, item) };
    },
  },
  'POST /api/v1/imports': {
    async setup(user) {
      return { path: '/imports', body: { product_url: aliUrl(), source: 'aliexpress' }, state: jobsOf(user.id) };
    },
  },
  'POST /api/v1/imports/bulk': {
    async setup(user) {
      return { path: '/imports/bulk', body: { product_urls: [aliUrl(), aliUrl()], source: 'aliexpress' }, state: jobsOf(user.id) };
    },
  },
  'POST /api/v1/webhooks/product-scored': {
    async setup(user) {
      return { path: '/webhooks/product-scored', body: { product_url: aliUrl(), source: 'aliexpress', score: 91, product_name: 'Desk lamp' }, state: jobsOf(user.id) };
    },
  },
  'POST /api/v1/connections/{conn_id}/test': {
    async setup(user) {
      const shop = await fakeShopifyShop();
      const conn = await call('/connections', { token: user.token, body: { store_name: 'Shop', platform: 'shopify', store_url: shop.storeUrl, api_key: shop.token } });
      return { path: `/connections/${conn.json.id}/test`, state: () => withDb((db) => db.select().from(storeConnections).where(eq(storeConnections.userId, user.id))) };
    },
  },
  'POST /api/v1/price-watches/sync': {
    async setup(user) {
      await setPlan(user.id, 'pro');
      await connectAliExpress(user.id);
      expect((await call('/price-watches', { token: user.token, body: { product_url: aliUrl(), source: 'aliexpress' } })).status).toBe(201);
      return { path: '/price-watches/sync', state: () => withDb((db) => db.select().from(priceWatches).where(eq(priceWatches.userId, user.id))) };
    },
  },
  'POST /api/v1/products/preview': {
    async setup(user) {
      await setPlan(user.id, 'pro');
      await connectAliExpress(user.id);
      return {
        path: '/products/preview',
        body: { url: aliUrl() },
        state: () => withDb((db) => db.select().from(supplierCallUsage).where(eq(supplierCallUsage.userId, user.id))),
      };
    },
  },
  'PUT /api/v1/import-list/{item_id}': {
    async setup(user) {
      const item = await listItemOf(user.id);
      return { path: `/import-list/${item}`, body: { version: 1, title: 'Renamed by a gone user' }, state: () => withDb((db) => db.select().from(importListItems).where(eq(importListItems.id, item))) };
    },
  },
  'POST /api/v1/import-list/reprice': {
    async setup(user) {
      const item = await listItemOf(user.id);
      return {
        path: '/import-list/reprice',
        body: { item_ids: [item], rule: { markup_percent: 300 }, dry_run: false },
        state: () => withDb((db) => db.select().from(importListItems).where(eq(importListItems.id, item))),
      };
    },
  },
  'POST /api/v1/billing/checkout': {
    async setup(user) {
      return {
        path: '/billing/checkout',
        body: { plan: 'pro' },
        state: async () => [await withDb((db) => db.select().from(subscriptions).where(eq(subscriptions.userId, user.id))), await withDb((db) => db.select({ plan: users.plan, customer: users.stripeCustomerId }).from(users).where(eq(users.id, user.id)))],
      };
    },
  },
  'POST /api/v1/connections/shopify/pending/{code}/attach': {
    async setup(user) {
      const origin = `https://gone-${crypto.randomUUID().slice(0, 8)}.myshopify.com`;
      const { code } = await pendingShopifyInstall(origin);
      return {
        path: `/connections/shopify/pending/${code}/attach`,
        state: async () => [
          await withDb((db) => db.select({ origin: shopifyPendingInstalls.shopOrigin }).from(shopifyPendingInstalls).where(eq(shopifyPendingInstalls.shopOrigin, origin))),
          await withDb((db) => db.select().from(storeConnections).where(eq(storeConnections.userId, user.id))),
        ],
      };
    },
  },
};

const routeName = (method: string, path: string) => `${method} ${path.replace(/\/+$/, '').replace(/:([^/{?]+)/g, '{$1}')}`;

/** Outbound fetches made while `fn` runs, the database's own (its HTTP endpoint) left out. */
async function outboundDuring<T>(fn: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
  const original = globalThis.fetch;
  const calls: string[] = [];
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith(env.DB_HTTP_ENDPOINT)) calls.push(url);
    return original(input, init);
  }) as typeof fetch;
  try {
    return { result: await fn(), calls };
  } finally {
    globalThis.fetch = original;
  }
}

async function send(method: string, path: string, token: string, body: unknown) {
  const imports = countingQueue(env.IMPORT_QUEUE);
  const prices = countingQueue(env.PRICE_QUEUE);
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, 'CF-Connecting-IP': freshIp() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const exec = createExecutionContext();
  const res = await app.fetch(
    new Request(`http://sourcepilot.test/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
    { ...env, IMPORT_QUEUE: imports.queue, PRICE_QUEUE: prices.queue },
    exec,
  );
  const json = await res.json();
  await waitOnExecutionContext(exec);
  return { status: res.status, json, queued: imports.counts.send + imports.counts.sendBatch + prices.counts.send + prices.counts.sendBatch };
}

describe('writes checked with their first statement', () => {
  it('has a case for every marked route', () => {
    const marked = new Set(app.routes.filter((r) => r.handler === checkedWithFirstStatement).map((r) => routeName(r.method, r.path)));
    expect([...marked].sort()).toEqual(Object.keys(CASES).sort());
  });

  for (const [route, c] of Object.entries(CASES)) {
    it(`${route}: a deactivated user gets 401, nothing is called and nothing changes`, async () => {
      const user = await registerUser('gone-writer');
      const { path, body, state } = await c.setup(user);
      const before = await state();
      await withDb((db) => db.update(users).set({ isActive: false }).where(eq(users.id, user.id)));
      const method = route.split(' ')[0];
      const { result, calls } = await outboundDuring(() => send(method, path, user.token, body));
      expect(result.status, JSON.stringify(result.json)).toBe(401);
      expect(result.json).toEqual({ detail: expect.stringMatching(/^(Not authenticated|User not found or inactive)/) });
      expect(calls).toEqual([]);
      expect(result.queued).toBe(0);
      expect(await state()).toEqual(before);
    });
  }

  it('the same requests from an active user do reach the database and beyond (the cases can fail)', async () => {
    const user = await registerUser('live-writer');
    const { path, body, state } = await CASES['POST /api/v1/import-list/reprice'].setup(user);
    const before = await state();
    const r = await send('POST', path, user.token, body);
    expect(r.status).toBe(200);
    expect(await state()).not.toEqual(before);
    const imported = await CASES['POST /api/v1/imports/bulk'].setup(user);
    const bulk = await send('POST', imported.path, user.token, imported.body);
    expect(bulk.status).toBe(201);
    expect(bulk.queued).toBe(1);
    const preview = await CASES['POST /api/v1/products/preview'].setup(user);
    const { result, calls } = await outboundDuring(() => send('POST', preview.path, user.token, preview.body));
    expect(result.status).toBe(200);
    expect(calls.length).toBeGreaterThan(0);
  });
});

import { eq, inArray } from 'drizzle-orm';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createDb } from '../db/client';
import { priceWatches, priceWatchQuota, repriceEvents, shopifyWebhookEvents, storeConnections, storeProducts } from '../db/schema';
import { checkWatchIds, priceCheckDeps } from '../services/price-check';
import { callWith } from './billing-support';
import { call, rawCall, registerUser, setPlan, withDb, type TestUser } from './helpers';
import { fakeShopifyShop } from './store-fakes';
import { connectAliExpress } from './supplier-helpers';
import { shopifyDeliveryHeaders, signedShopifyDelivery, signShopifyBody as sign, type ShopifyDeliveryInput } from './shopify-webhook-support';
import { waitForJob } from './queue-helpers';

const PATH = '/webhooks/shopify';

/** Posts a delivery signed as Shopify signs it, or with the given `hmac` (null: none). */
async function deliver(d: ShopifyDeliveryInput & { hmac?: string | null }) {
  if (d.hmac === undefined) return rawCall(PATH, await signedShopifyDelivery(d));
  return rawCall(PATH, { rawBody: JSON.stringify(d.body ?? { shop_domain: d.shop }), headers: shopifyDeliveryHeaders(d, d.hmac) });
}

const uniqueShop = () => `shop-${crypto.randomUUID().slice(0, 8)}.myshopify.com`;

async function connect(user: TestUser, shop: string) {
  const r = await call('/connections', { token: user.token, body: { store_name: shop, platform: 'shopify', store_url: `https://${shop}`, api_key: 'shpat_0123456789abcdef' } });
  expect(r.status).toBe(201);
  return r.json.id as string;
}

const connection = (id: string) => withDb(async (db) => (await db.select().from(storeConnections).where(eq(storeConnections.id, id)))[0]);

/** An active watch on the connection, admitted against the user's quota row as the API would. */
async function activeWatch(user: TestUser, storeId: string) {
  return withDb(async (db) => {
    const [w] = await db.insert(priceWatches).values({ userId: user.id, storeId, source: 'aliexpress', sourceProductId: '1005001234567890', autoReprice: true }).returning({ id: priceWatches.id });
    await db.insert(priceWatchQuota).values({ userId: user.id, active: 1 }).onConflictDoUpdate({ target: priceWatchQuota.userId, set: { active: 1 } });
    return w.id;
  });
}

describe('POST /webhooks/shopify: signature', () => {
  for (const topic of ['app/uninstalled', 'customers/data_request', 'customers/redact', 'shop/redact']) {
    it(`answers 401 to a wrong or missing HMAC on ${topic}, and changes nothing`, async () => {
      const user = await registerUser();
      const shop = uniqueShop();
      const id = await connect(user, shop);
      const body = JSON.stringify({ shop_domain: shop });
      for (const hmac of [await sign(body, 'not-the-app-secret'), await sign(`${body} `), 'garbage', '', null]) {
        const r = await rawCall(PATH, { rawBody: body, headers: shopifyDeliveryHeaders({ topic, shop }, hmac) });
        expect(r.status).toBe(401);
        expect(r.json).toEqual({ detail: 'Invalid webhook signature' });
      }
      expect(await connection(id)).toMatchObject({ status: 'connected', apiKey: expect.any(String) });
    });
  }

  it('answers 401 when the app secret is not configured, whatever the delivery carries', async () => {
    const shop = uniqueShop();
    const rawBody = JSON.stringify({ shop_domain: shop });
    const r = await callWith({ SHOPIFY_API_SECRET: '' }, PATH, { rawBody, headers: shopifyDeliveryHeaders({ topic: 'app/uninstalled', shop }, await sign(rawBody)) });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ detail: 'Invalid webhook signature' });
  });

  it('answers the privacy topics and unknown topics 200 (no store-customer data is kept)', async () => {
    const shop = uniqueShop();
    for (const topic of ['customers/data_request', 'customers/redact', 'orders/create']) {
      const body = { shop_id: 1, shop_domain: shop, customer: { id: 2, email: 'a@example.com', phone: null }, orders_requested: [3], data_request: { id: 4 } };
      const r = await deliver({ topic, shop, body });
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ status: 'ok', outcome: 'ignored' });
    }
  });
});

describe('app/uninstalled', () => {
  it('marks every connection to the shop uninstalled, erases its tokens, pauses its watches; imports then fail with the reconnect message', async () => {
    const shop = uniqueShop();
    const owner = await registerUser();
    await setPlan(owner.id, 'pro');
    const other = await registerUser();
    const id = await connect(owner, shop);
    const otherUsersId = await connect(other, shop);
    const elsewhere = await connect(owner, uniqueShop());
    const watch = await activeWatch(owner, id);
    await withDb((db) => db.update(storeConnections).set({ refreshToken: 'enc-refresh', tokenExpiresAt: new Date(Date.now() + 3600_000) }).where(eq(storeConnections.id, id)));

    const r = await deliver({ topic: 'app/uninstalled', shop, body: { id: 1, name: 'Shop', domain: shop, myshopify_domain: shop } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: 'ok', outcome: 'applied' });
    expect(r.roundTrips).toBeLessThanOrEqual(3);

    for (const conn of [id, otherUsersId]) {
      expect(await connection(conn)).toMatchObject({
        status: 'uninstalled',
        statusDetail: expect.stringMatching(/uninstalled.*Reconnect/),
        apiKey: null,
        refreshToken: null,
        tokenExpiresAt: null,
        refreshTokenExpiresAt: null,
      });
    }
    expect(await connection(elsewhere)).toMatchObject({ status: 'connected', apiKey: expect.any(String) });
    const [w] = await withDb((db) => db.select().from(priceWatches).where(eq(priceWatches.id, watch)));
    expect(w.isActive).toBe(false);
    const [quota] = await withDb((db) => db.select().from(priceWatchQuota).where(eq(priceWatchQuota.userId, owner.id)));
    expect(quota.active).toBe(0);

    const listed = await call('/connections', { token: owner.token });
    expect(listed.json.items).toContainEqual(expect.objectContaining({ id, status: 'uninstalled', status_detail: expect.any(String) }));

    const created = await call('/imports', { token: owner.token, body: { product_url: 'https://www.aliexpress.com/item/1005006543210987.html', source: 'aliexpress', store_id: id } });
    expect(created.status).toBe(201);
    const done = await waitForJob(owner.token, created.json.id);
    expect(done.status).toBe('failed');
    expect(done.error_message).toMatch(/uninstalled from this store; reconnect it/);
  });

  it('ignores a replayed delivery (same webhook id) and a duplicate of the same event (same event id)', async () => {
    const shop = uniqueShop();
    const user = await registerUser();
    const id = await connect(user, shop);
    const first = { topic: 'app/uninstalled', shop, webhookId: crypto.randomUUID(), eventId: crypto.randomUUID() };
    expect((await deliver(first)).json.outcome).toBe('applied');

    // The merchant reconnects; a replay of the old uninstall must not undo that.
    await withDb((db) => db.update(storeConnections).set({ status: 'connected', statusDetail: null, apiKey: 'enc-new' }).where(eq(storeConnections.id, id)));
    const replay = await deliver(first);
    expect(replay.status).toBe(200);
    expect(replay.json.outcome).toBe('duplicate');
    const sameEvent = await deliver({ ...first, webhookId: crypto.randomUUID() });
    expect(sameEvent.json.outcome).toBe('duplicate');
    expect(await connection(id)).toMatchObject({ status: 'connected', apiKey: 'enc-new' });
  });

  it('applies two concurrent identical deliveries once', async () => {
    const shop = uniqueShop();
    const user = await registerUser();
    await connect(user, shop);
    const d = { topic: 'app/uninstalled', shop, webhookId: crypto.randomUUID(), eventId: crypto.randomUUID() };
    const answers = await Promise.all([deliver(d), deliver(d), deliver(d)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.json.outcome).sort()).toEqual(['applied', 'duplicate', 'duplicate']);
    const keys = await withDb((db) => db.select().from(shopifyWebhookEvents).where(inArray(shopifyWebhookEvents.id, [`event:${d.eventId}`, `webhook:${d.webhookId}`])));
    expect(keys).toHaveLength(2);
  });
});

describe('shop/redact', () => {
  it('erases every connection to the shop and its store products; the user’s other store becomes the default', async () => {
    const shop = uniqueShop();
    const user = await registerUser();
    const id = await connect(user, shop);
    const kept = await connect(user, uniqueShop());
    const other = await registerUser();
    const othersId = await connect(other, shop);
    await withDb((db) => db.insert(storeProducts).values({ userId: user.id, storeId: id, source: 'aliexpress', sourceProductId: '1005000000000001', storeProductId: 'gid://shopify/Product/1' }));

    const r = await deliver({ topic: 'shop/redact', shop, body: { shop_id: 1, shop_domain: shop } });
    expect(r.status).toBe(200);
    expect(r.json.outcome).toBe('applied');

    expect(await connection(id)).toBeUndefined();
    expect(await connection(othersId)).toBeUndefined();
    expect(await withDb((db) => db.select().from(storeProducts).where(eq(storeProducts.storeId, id)))).toEqual([]);
    expect((await call('/connections', { token: user.token })).json.items).toEqual([expect.objectContaining({ id: kept, is_default: true })]);
    expect((await deliver({ topic: 'shop/redact', shop, hmac: 'forged' })).status).toBe(401);
  });
});

describe('reprice into a store that is no longer connected', () => {
  it('is refused before any store call, with the reconnect message', async () => {
    const user = await registerUser();
    await setPlan(user.id, 'pro');
    const ae = await connectAliExpress(user.id);
    const shop = await fakeShopifyShop();
    const conn = await call('/connections', { token: user.token, body: { store_name: shop.name, platform: 'shopify', store_url: shop.storeUrl, api_key: shop.token } });
    const productId = `1005${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
    await ae.control('products', { product_id: productId, price: 20 });
    const created = await call('/imports', { token: user.token, body: { product_url: `https://www.aliexpress.com/item/${productId}.html`, source: 'aliexpress' } });
    expect((await waitForJob(user.token, created.json.id)).status).toBe('completed');
    const w = await call('/price-watches', { token: user.token, body: { import_job_id: created.json.id, auto_reprice: true, threshold_percent: 25 } });
    expect(w.status).toBe(201);

    const check = async () => {
      const { db, pool } = createDb(env);
      try {
        return await checkWatchIds(env, db, priceCheckDeps(env), [w.json.id]);
      } finally {
        await pool.end();
      }
    };
    await check();

    // Uninstalled while the watch stays active (it was resumed, or the status came from a failed token refresh).
    await withDb((db) => db.update(storeConnections).set({ status: 'uninstalled' }).where(eq(storeConnections.id, conn.json.id)));
    await ae.control('products', { product_id: productId, price: 22 });
    const before = (await shop.requests()).length;
    expect(await check()).toMatchObject({ reprices: 1 });
    const [event] = await withDb((db) => db.select().from(repriceEvents).where(eq(repriceEvents.watchId, w.json.id)));
    expect(event).toMatchObject({ status: 'failed', error: expect.stringMatching(/uninstalled from this store; reconnect it/) });
    expect((await shop.requests()).length).toBe(before);
  }, 40_000);
});

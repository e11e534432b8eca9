import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { priceAlerts, repriceEvents } from '../db/schema';
import { priceFor } from '../shared/pricing';
import { fakeAliExpressProduct } from './fakes/aliexpress';
import { answer, api, call, registerUser, setPlan, withDb } from './helpers';
import { fakeShopifyShop, registerFakeShopifyApp } from './store-fakes';
import { connectAliExpress } from './supplier-helpers';
import { settleImport } from './queue-helpers';
import { checkWatches } from './price-helpers';

const RULE = { markup_percent: 50, round_to: 0.99, compare_at_percent: 30 };

/** What the store should show for each supplier variant at supplier base price `base`. */
function expectedPrices(productId: string, base: number) {
  const p = fakeAliExpressProduct(productId, { price: base });
  return Object.fromEntries(
    p.ae_item_sku_info_dtos.map((s) => {
      const priced = priceFor(Number(s.offer_sale_price), RULE, 'USD');
      return [s.sku_attr, { price: priced.price.toFixed(2), compare_at_price: priced.compareAt === null ? null : priced.compareAt.toFixed(2) }];
    }),
  );
}

const app = env as unknown as { SHOPIFY_API_KEY: string; SHOPIFY_API_SECRET: string };
beforeAll(() => registerFakeShopifyApp(app.SHOPIFY_API_KEY, app.SHOPIFY_API_SECRET));

describe('auto-reprice', () => {
  it('updates the imported Shopify product with the import’s pricing rule when the supplier price moves', async () => {
    const user = await registerUser('reprice');
    await setPlan(user.id, 'pro');
    const ae = await connectAliExpress(user.id);
    const shop = await fakeShopifyShop();
    const conn = await answer(api({ token: user.token }).connections.$post({ json: { store_name: shop.name, platform: 'shopify', store_url: shop.storeUrl, api_key: shop.token } }));
    expect(conn.status).toBe(201);
    const productId = `1005${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
    await ae.control('products', { product_id: productId, price: 20 });

    const created = await answer(api({ token: user.token }).imports.$post({ json: { product_url: `https://www.aliexpress.com/item/${productId}.html`, source: 'aliexpress', config: RULE } }));
    const job = await settleImport(user.token, created.json.id);
    expect(job.status).toBe('completed');

    const w = await answer(api({ token: user.token })['price-watches'].$post({ json: { import_job_id: job.id, auto_reprice: true, threshold_percent: 25 } }));
    expect(w.status).toBe(201);
    expect(w.json).toMatchObject({ auto_reprice: true, store_id: conn.json.id, source_product_id: productId });
    await checkWatches([w.json.id]);

    const storeVariants = async () => Object.fromEntries((await shop.products())[0].variants.map((v) => [v.variant_key, { price: Number(v.price).toFixed(2), compare_at_price: v.compare_at_price === null ? null : Number(v.compare_at_price).toFixed(2) }]));
    expect(await storeVariants()).toEqual(expectedPrices(productId, 20));

    // +10 %: below the alert threshold, but the cost moved, so the store price follows.
    await ae.control('products', { product_id: productId, price: 22 });
    const r = await checkWatches([w.json.id]);
    expect(r).toMatchObject({ reprices: 1, alerts: 0, changed: 0 });
    expect(await storeVariants()).toEqual(expectedPrices(productId, 22));
    const [event] = await withDb((db) => db.select().from(repriceEvents).where(eq(repriceEvents.watchId, w.json.id)));
    expect(event).toMatchObject({ status: 'ok', error: null, oldCost: '20.00', newCost: '22.00', storeId: conn.json.id, storeProductId: job.created_product_id });
    expect(Number(event.newPrice)).toBe(priceFor(22, RULE, 'USD').price);
    expect(Number(event.newPrice)).toBeGreaterThanOrEqual(22);
    const updates = (await shop.requests()).filter((q) => q.operation === 'productVariantsBulkUpdate');
    expect(updates).toHaveLength(1);

    // The store refuses: recorded as failed, the check itself still succeeds.
    await shop.fail(500, 10);
    await ae.control('products', { product_id: productId, price: 30 });
    const failed = await checkWatches([w.json.id]);
    expect(failed).toMatchObject({ errors: 0, reprices: 1, alerts: 1 });
    const events = await withDb((db) => db.select().from(repriceEvents).where(eq(repriceEvents.watchId, w.json.id)).orderBy(repriceEvents.createdAt));
    expect(events.map((e) => e.status)).toEqual(['ok', 'failed']);
    expect(events[1].error).toMatch(/^The store refused the price update: /);
    expect(await withDb((db) => db.select().from(priceAlerts).where(eq(priceAlerts.watchId, w.json.id)))).toHaveLength(1);
  }, 40_000);

  it('leaves the store alone for watches without auto-reprice', async () => {
    const user = await registerUser('noreprice');
    const ae = await connectAliExpress(user.id);
    const shop = await fakeShopifyShop();
    await answer(api({ token: user.token }).connections.$post({ json: { store_name: shop.name, platform: 'shopify', store_url: shop.storeUrl, api_key: shop.token } }));
    const productId = `1005${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
    await ae.control('products', { product_id: productId, price: 8 });
    const created = await answer(api({ token: user.token }).imports.$post({ json: { product_url: `https://www.aliexpress.com/item/${productId}.html`, source: 'aliexpress', config: RULE } }));
    const job = await settleImport(user.token, created.json.id);
    const w = await answer(api({ token: user.token })['price-watches'].$post({ json: { import_job_id: job.id } }));
    await checkWatches([w.json.id]);
    await ae.control('products', { product_id: productId, price: 12 });
    expect(await checkWatches([w.json.id])).toMatchObject({ reprices: 0, alerts: 1 });
    expect((await shop.requests()).filter((q) => q.operation === 'productVariantsBulkUpdate')).toHaveLength(0);

    // Turning it on later works once the watch is linked to the store product.
    const on = await answer(api({ token: user.token })['price-watches'][':watch_id'].$put({ param: { watch_id: w.json.id }, json: { auto_reprice: true } }));
    expect(on.status).toBe(200);
    expect(on.json.auto_reprice).toBe(true);
  }, 40_000);

  it('refreshes an installed app’s expired token before repricing, as imports do', async () => {
    const user = await registerUser('reprice-oauth');
    await setPlan(user.id, 'pro');
    const ae = await connectAliExpress(user.id);
    const shop = await fakeShopifyShop();
    const started = await call('/connections/shopify/install', { token: user.token, body: { shop: shop.storeUrl } });
    expect(started.status).toBe(200);
    const back = await SELF.fetch((await shop.approve(started.json.authorize_url)).toString(), { redirect: 'manual' });
    const connId = new URL(back.headers.get('Location')!).searchParams.get('connected')!;
    expect(connId).toMatch(/^[0-9a-f-]{36}$/);

    const productId = `1005${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
    await ae.control('products', { product_id: productId, price: 20 });
    const created = await answer(api({ token: user.token }).imports.$post({ json: { product_url: `https://www.aliexpress.com/item/${productId}.html`, source: 'aliexpress', store_id: connId, config: RULE } }));
    expect((await settleImport(user.token, created.json.id)).status).toBe('completed');
    const w = await answer(api({ token: user.token })['price-watches'].$post({ json: { import_job_id: created.json.id, auto_reprice: true, threshold_percent: 25 } }));
    expect(w.status).toBe(201);
    await checkWatches([w.json.id]);

    // An hour later the shop's token has lapsed (the row still trusts it): the reprice meets a 401, refreshes once, and lands.
    await shop.expire();
    await ae.control('products', { product_id: productId, price: 22 });
    expect(await checkWatches([w.json.id])).toMatchObject({ reprices: 1 });
    const [event] = await withDb((db) => db.select().from(repriceEvents).where(eq(repriceEvents.watchId, w.json.id)));
    expect(event).toMatchObject({ status: 'ok', error: null });
    expect((await shop.products())[0].variants.map((v) => Number(v.price).toFixed(2)).sort()).toEqual(Object.values(expectedPrices(productId, 22)).map((p) => p.price).sort());
    expect(await shop.auth()).toMatchObject({ refreshes: 1, unauthorizedCalls: 1, revokedTokenCalls: 0 });
  }, 40_000);
});

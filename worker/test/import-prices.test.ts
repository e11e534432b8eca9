import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { priceAlerts, priceWatches, repriceEvents, storeProducts, supplierAccounts } from '../db/schema';
import { money, priceFor } from '../shared/pricing';
import { answer, api, registerUser, setPlan, withDb } from './helpers';
import { fakeShopifyShop } from './store-fakes';
import { connectAliExpress } from './supplier-helpers';
import { settleImport } from './queue-helpers';
import { checkWatches } from './price-helpers';

/**
 * Prices and currency (issue #14): a supplier variant without a price is a supplier error,
 * never listed or repriced, and no price reaches a store in a currency other than the
 * one its product is priced in, unless the merchant recorded a rate.
 */

const RULE = { markup_percent: 50, round_to: 0.99 };

async function liveShopifyUser(tag: string) {
  const user = await registerUser(tag);
  await setPlan(user.id, 'pro');
  const ae = await connectAliExpress(user.id);
  const shop = await fakeShopifyShop();
  const conn = await answer(api({ token: user.token }).connections.$post({ json: { store_name: shop.name, platform: 'shopify', store_url: shop.storeUrl, api_key: shop.token } }));
  expect(conn.status).toBe(201);
  const productId = `1005${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
  const importIt = async (config: Record<string, unknown> = RULE) => {
    const created = await answer(api({ token: user.token }).imports.$post({ json: { product_url: `https://www.aliexpress.com/item/${productId}.html`, source: 'aliexpress', config } }));
    expect(created.status).toBe(201);
    return settleImport(user.token, created.json.id);
  };
  return { user, ae, shop, connectionId: conn.json.id, productId, importIt };
}

describe('a supplier variant without a price', () => {
  it('is never listed: the other variants go to the store, with a warning', async () => {
    const { ae, shop, productId, importIt } = await liveShopifyUser('priceless');
    await ae.control('products', { product_id: productId, price: 10, priceless_skus: 2 });
    const job = await importIt();
    expect(job.status).toBe('completed');
    const [product] = await shop.products();
    expect(product.variants).toHaveLength(4);
    for (const v of product.variants) expect(Number(v.price)).toBeGreaterThanOrEqual(10);
    expect(job.product_data!.variants).toHaveLength(4);
    expect(job.product_data!.cost).toBeGreaterThanOrEqual(10);
    const [row] = await withDb((db) => db.select().from(storeProducts).where(eq(storeProducts.storeProductId, product.id)));
    expect(Object.keys(row.variantMap as object)).toHaveLength(4);
  }, 30_000);

  it('a product without any priced variant is refused, nothing reaches the store', async () => {
    const { ae, shop, productId, importIt } = await liveShopifyUser('priceless-all');
    await ae.control('products', { product_id: productId, price: 10, priceless_skus: 6 });
    const job = await importIt();
    expect(job.status).toBe('failed');
    expect(job.error_message).toMatch(/no price for any variant/);
    expect(await shop.products()).toHaveLength(0);
  }, 30_000);

  it('is never repriced, and a product answering no price raises no "price down 100%" alert', async () => {
    const { user, ae, shop, productId, importIt } = await liveShopifyUser('priceless-reprice');
    await ae.control('products', { product_id: productId, price: 20 });
    const job = await importIt();
    expect(job.status).toBe('completed');
    const w = await answer(api({ token: user.token })['price-watches'].$post({ json: { import_job_id: job.id, auto_reprice: true, threshold_percent: 5 } }));
    expect(w.status).toBe(201);
    await checkWatches([w.json.id]);
    const before = (await shop.products())[0].variants.map((v) => v.price);

    // Two variants lose their price and the rest rise: only the priced ones are repriced.
    await ae.control('products', { product_id: productId, price: 22, priceless_skus: 2 });
    expect(await checkWatches([w.json.id])).toMatchObject({ reprices: 1, errors: 0 });
    const after = (await shop.products())[0].variants;
    const updates = (await shop.requests()).filter((q) => q.operation === 'productVariantsBulkUpdate');
    expect(updates).toHaveLength(1);
    expect((updates[0].variables.variants as unknown[]).length).toBe(4);
    expect(after.filter((v, i) => v.price === before[i])).toHaveLength(2);
    for (const v of after) expect(Number(v.price)).toBeGreaterThanOrEqual(20);

    // No price at all: a supplier error on the watch; no store call, no alert.
    await ae.control('products', { product_id: productId, priceless_skus: 6 });
    expect(await checkWatches([w.json.id])).toMatchObject({ reprices: 0, alerts: 0, errors: 1 });
    expect((await shop.requests()).filter((q) => q.operation === 'productVariantsBulkUpdate')).toHaveLength(1);
    const [watch] = await withDb((db) => db.select().from(priceWatches).where(eq(priceWatches.id, w.json.id)));
    expect(watch.lastError).toMatch(/no price/);
    expect(Number(watch.currentPrice)).toBe(22);
    const alerts = await withDb((db) => db.select().from(priceAlerts).where(eq(priceAlerts.watchId, w.json.id)));
    expect(alerts.filter((a) => Number(a.changePercent) <= -100)).toHaveLength(0);
  }, 40_000);
});

describe('currency', () => {
  it('a supplier switching currency never reprices the store in the wrong currency; a recorded rate converts', async () => {
    const { user, ae, shop, productId, connectionId, importIt } = await liveShopifyUser('currency');
    await ae.control('products', { product_id: productId, price: 20 });
    const job = await importIt();
    expect(job.status).toBe('completed');
    const w = await answer(api({ token: user.token })['price-watches'].$post({ json: { import_job_id: job.id, auto_reprice: true } }));
    await checkWatches([w.json.id]);
    const prices = async () => (await shop.products())[0].variants.map((v) => v.price);
    const before = await prices();

    // The account's target currency changed: the supplier now answers in EUR.
    await ae.control('products', { product_id: productId, price: 18.5, currency: 'EUR' });
    expect(await checkWatches([w.json.id])).toMatchObject({ reprices: 1 });
    expect(await prices()).toEqual(before);
    expect((await shop.requests()).filter((q) => q.operation === 'productVariantsBulkUpdate')).toHaveLength(0);
    const [event] = await withDb((db) => db.select().from(repriceEvents).where(eq(repriceEvents.watchId, w.json.id)));
    expect(event.status).toBe('failed');
    expect(event.error).toMatch(/in EUR but the store product's prices are in USD/);

    // A re-import in EUR is refused as well: the store product stays in USD. (Changing the
    // account's settings moves its updated_at, which starts a fresh preview cache.)
    await withDb((db) => db.update(supplierAccounts).set({ updatedAt: new Date() }).where(eq(supplierAccounts.id, ae.accountId)));
    const again = await importIt();
    expect(again.status).toBe('failed');
    expect(again.error_message).toMatch(/in EUR but the store product's prices are in USD/);
    expect(await prices()).toEqual(before);

    // With a rate the merchant recorded, the re-import converts: 18.50 EUR × 1.1 = 20.35 USD.
    const converted = await importIt({ ...RULE, exchange_rates: { EUR: 1.1 } });
    expect(converted.status).toBe('completed');
    expect(converted.product_data!.currency).toBe('USD');
    const [sp] = await withDb((db) => db.select().from(storeProducts).where(eq(storeProducts.storeId, connectionId)));
    expect(sp.currency).toBe('USD');
    expect(Number((await prices())[0])).toBe(priceFor(20.35, RULE, 'USD').price);
  }, 60_000);
});

describe('money()', () => {
  it('rounds to the currency’s minor units', () => {
    expect(money(12.345, 'USD')).toBe('12.35');
    expect(money(1500.4, 'JPY')).toBe('1500');
    expect(money(1.2345, 'KWD')).toBe('1.235');
    expect(money(1.005)).toBe('1.01');
  });
});

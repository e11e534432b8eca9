import { env } from 'cloudflare:workers';
import { inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { priceWatches } from '../db/schema';
import { cjVariantOptions } from '../suppliers/cj';
import { supplierFor } from '../suppliers/resolve';
import { registerUser, withDb } from './helpers';
import { createWatch, deliverPrice } from './price-helpers';
import { connectCj } from './supplier-helpers';

/**
 * CJ read as CJ defines it (INTEGRATIONS §3e): countryCode is a warehouse filter, never
 * the destination; option values may contain "-".
 */

const pid = () => `CJ${crypto.randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
const cjUrl = (id: string) => `https://cjdropshipping.com/product/thing-p-${id}.html`;

describe('CJ countryCode is a warehouse, not the destination', () => {
  it('keeps China-stocked products watched with no "no longer listed" alarm when the merchant ships to the US', async () => {
    const user = await registerUser('cjwh');
    const cj = await connectCj(user.id, { qps: 20, settings: { ship_to_country: 'US' } });
    const china = pid();
    await cj.control('products', { pid: china, warehouses: ['CN'], price: 4.2 });
    const watch = await createWatch(user, { product_url: cjUrl(china), source: 'cjdropship' });
    const result = await deliverPrice([{ watchIds: [watch.id] }]);
    expect(result.explicitAcks).toHaveLength(1);
    const [row] = await withDb((db) => db.select().from(priceWatches).where(inArray(priceWatches.id, [watch.id])));
    expect(row.lastError).toBeNull();
    expect(Number(row.currentPrice)).toBe(4.2);
    const seen = await cj.requests();
    // No warehouse filter was sent: the merchant chose none.
    expect(seen.requests.filter((r) => r.path === '/product/variant/query').every((r) => r.query.countryCode === undefined)).toBe(true);
  });

  it('imports keep every variant and get shipping to the destination from the freight endpoint', async () => {
    const user = await registerUser('cjwh');
    const cj = await connectCj(user.id, { qps: 20, settings: { ship_to_country: 'DE' } });
    const china = pid();
    await cj.control('products', { pid: china, warehouses: ['CN'] });
    const product = await withDb(async (db) => (await supplierFor(env, db, user.id, 'cjdropship')).getProduct(china));
    expect(product.variants).toHaveLength(4);
    expect(product.shipping).toEqual({ cost: expect.any(Number), days: 12 });
    const seen = await cj.requests();
    const freight = seen.requests.find((r) => r.path === '/logistic/freightCalculate');
    expect(freight).toBeDefined();
    expect(seen.requests.some((r) => r.query.countryCode !== undefined)).toBe(false);
  });

  it('sends countryCode only for the warehouse the merchant chose', async () => {
    const user = await registerUser('cjwh');
    const cj = await connectCj(user.id, { qps: 20, settings: { ship_to_country: 'US', warehouse_country: 'US' } });
    const [china, us] = [pid(), pid()];
    await cj.control('products', { pid: china, warehouses: ['CN'] });
    await cj.control('products', { pid: us, warehouses: ['CN', 'US'] });
    const quotes = await withDb(async (db) => (await supplierFor(env, db, user.id, 'cjdropship')).getPrices([china, us]));
    expect([...quotes.keys()]).toEqual([us]);
    const seen = await cj.requests();
    expect(seen.requests.filter((r) => r.path === '/product/variant/query').map((r) => r.query.countryCode)).toEqual(['US', 'US']);
  });
});

describe('CJ option values containing "-"', () => {
  it('splits with the product option count and merges the extra pieces where they belong', () => {
    expect(cjVariantOptions('Color-Size', ['Black-2-3Y', 'Black-4-5Y', 'White-2-3Y'])).toEqual({
      names: ['Color', 'Size'],
      values: [
        ['Black', '2-3Y'],
        ['Black', '4-5Y'],
        ['White', '2-3Y'],
      ],
    });
    expect(cjVariantOptions('Color-Length', ['Red-100-110cm', 'Red-110-120cm']).values).toEqual([
      ['Red', '100-110cm'],
      ['Red', '110-120cm'],
    ]);
    expect(cjVariantOptions('Style-Color', ['T-Shirt-Black', 'Hoodie-Black', 'T-Shirt-White']).values).toEqual([
      ['T-Shirt', 'Black'],
      ['Hoodie', 'Black'],
      ['T-Shirt', 'White'],
    ]);
    // One option: the whole key is its value.
    expect(cjVariantOptions('Size', ['2-3Y', '100-110cm'])).toEqual({ names: ['Size'], values: [['2-3Y'], ['100-110cm']] });
  });

  it("takes variantKey's JSON-array form as sent", () => {
    expect(cjVariantOptions('Color-Size', ['["Black","2-3Y"]', '["White","T-Shirt"]']).values).toEqual([
      ['Black', '2-3Y'],
      ['White', 'T-Shirt'],
    ]);
    expect(cjVariantOptions('Size', ['["XS"]', '["100-110cm"]']).values).toEqual([['XS'], ['100-110cm']]);
  });

  it('never yields values that disagree with the options: too few pieces or collisions fall back to one option', () => {
    const short = cjVariantOptions('Color-Size', ['Black-S', 'White']);
    expect(short).toEqual({ names: ['Color / Size'], values: [['Black-S'], ['White']] });
    for (const r of [short, cjVariantOptions('Color-Size', ['A-B-C', 'A-B-C'])]) {
      expect(r.values.every((v) => v.length === r.names.length)).toBe(true);
    }
  });

  it('keeps "2-3Y" and "100-110cm" in the preview through the live adapter (both key forms)', async () => {
    const user = await registerUser('cjopt');
    const cj = await connectCj(user.id, { qps: 20 });
    const [plain, json] = [pid(), pid()];
    const keys = ['Black|2-3Y', 'Black|100-110cm', 'White|2-3Y', 'White|100-110cm'];
    await cj.control('products', { pid: plain, product_key: 'Color-Size', variant_keys: keys });
    await cj.control('products', { pid: json, product_key: 'Color-Size', variant_keys: keys, json_keys: true });
    for (const id of [plain, json]) {
      const product = await withDb(async (db) => (await supplierFor(env, db, user.id, 'cjdropship')).getProduct(id));
      expect(product.options).toEqual([
        { name: 'Color', values: ['Black', 'White'] },
        { name: 'Size', values: ['2-3Y', '100-110cm'] },
      ]);
      expect(product.variants.map((v) => v.options)).toEqual(keys.map((k) => ({ Color: k.split('|')[0], Size: k.split('|')[1] })));
    }
  });
});

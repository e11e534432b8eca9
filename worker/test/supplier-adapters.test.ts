import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { httpErrorFor } from '../lib/errors';
import { getProductCached } from '../services/products';
import { Refused } from '../shared/domain-errors';
import { demoProduct } from '../suppliers/demo';
import { supplierFor } from '../suppliers/resolve';
import { SupplierError, type PriceQuote } from '../suppliers/types';
import { registerUser, withDb } from './helpers';
import { connectAliExpress, connectCj } from './supplier-helpers';

describe('supplierFor', () => {
  it('picks the live adapter only for an active account on that platform', async () => {
    const user = await registerUser();
    await connectCj(user.id, { qps: 10 });
    await withDb(async (db) => {
      expect((await supplierFor(env, db, user.id, 'cjdropship')).mode).toBe('live');
      expect((await supplierFor(env, db, user.id, 'aliexpress')).mode).toBe('demo');
      expect((await supplierFor(env, db, user.id, 'spocket')).mode).toBe('demo');
      const off = await supplierFor({ ...env, DEMO_CATALOGUE: 'off' }, db, user.id, 'aliexpress').catch((e: unknown) => e);
      expect(off).toBeInstanceOf(Refused);
      expect(httpErrorFor(off as Refused, () => 'body')).toMatchObject({ status: 400, detail: 'Connect a aliexpress supplier account first' });
    });
  });
});

describe('getPrices', () => {
  it('AliExpress: one product.get per id, current price and stock, missing ids left out', async () => {
    const user = await registerUser();
    const ae = await connectAliExpress(user.id);
    await ae.control('products', { product_id: '1005007000000001', price: 12.5, stock: 3 });
    await ae.control('products', { product_id: '1005007000000003', missing: true });
    const quotes = await withDb(async (db) => (await supplierFor(env, db, user.id, 'aliexpress')).getPrices(['1005007000000001', '1005007000000002', '1005007000000003']));
    expect([...quotes.keys()].sort()).toEqual(['1005007000000001', '1005007000000002']);
    const q = quotes.get('1005007000000001') as PriceQuote;
    expect(q).toMatchObject({ sourceProductId: '1005007000000001', currency: 'USD', price: 12.5 });
    expect(q.variants).toHaveLength(6);
    expect(q.variants.every((v) => v.stock === 3)).toBe(true);
    expect(q.variants[0].key).toBe('14:193#Black;5:100014064');
    expect((await ae.requests()).requests.map((r) => r.method)).toEqual(Array(3).fill('aliexpress.ds.product.get'));
  });

  it('CJ: variant prices and stock per vid, paced, missing ids left out', async () => {
    const user = await registerUser();
    const cj = await connectCj(user.id, { qps: 4 });
    await cj.control('products', { pid: 'P-1', price: 7, stock: 0 });
    await cj.control('products', { pid: 'P-2', missing: true });
    const quotes = await withDb(async (db) => (await supplierFor(env, db, user.id, 'cjdropship')).getPrices(['P-1', 'P-2']));
    expect([...quotes.keys()]).toEqual(['P-1']);
    expect(quotes.get('P-1')).toEqual({
      sourceProductId: 'P-1',
      currency: 'USD',
      price: 7,
      variants: [
        { key: 'P-1-V00', price: 7, stock: 0 },
        { key: 'P-1-V01', price: 7.6, stock: 0 },
        { key: 'P-1-V10', price: 7.4, stock: 0 },
        { key: 'P-1-V11', price: 8, stock: 0 },
      ],
    });
    expect((await cj.requests()).qps_violations).toBe(0);
  });

  it('demo: the same prices as the demo product', async () => {
    await withDb(async (db) => {
      const user = await registerUser();
      const quotes = await (await supplierFor(env, db, user.id, 'spocket')).getPrices(['sp004-12345678']);
      const product = demoProduct('spocket', 'sp004-12345678');
      expect(quotes.get('sp004-12345678')).toMatchObject({ price: product.price, variants: product.variants.map((v) => ({ key: v.key, price: v.price, stock: v.stock })) });
      expect(product.title).toMatch(/Yoga Mat/);
    });
  });
});

describe('getProductCached', () => {
  it('serves the import pipeline from the preview cache and throws SupplierError for supplier failures', async () => {
    const user = await registerUser();
    const ae = await connectAliExpress(user.id);
    await withDb(async (db) => {
      const a = await getProductCached(env, db, user.id, 'aliexpress', '1005007000000010', 'https://www.aliexpress.com/item/1005007000000010.html');
      const b = await getProductCached(env, db, user.id, 'aliexpress', '1005007000000010', null);
      expect(a.mode).toBe('live');
      expect(a.descriptionHtml).toContain('Fake description');
      expect(b).toEqual({ ...a, sourceUrl: 'https://www.aliexpress.com/item/1005007000000010.html' });
      expect((await ae.requests()).count).toBe(1);

      await ae.control('fail', { mode: 'rate_limit' });
      const err = await getProductCached(env, db, user.id, 'aliexpress', '1005007000000011').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SupplierError);
      expect(err).toMatchObject({ retryable: true, kind: 'rate_limited' });
    });
  });
});

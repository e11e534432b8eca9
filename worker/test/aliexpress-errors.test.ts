import { env } from 'cloudflare:workers';
import { inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { priceWatches } from '../db/schema';
import { aeError } from '../suppliers/aliexpress';
import { supplierFor } from '../suppliers/resolve';
import { SupplierError, type PriceQuote } from '../suppliers/types';
import { registerUser, withDb } from './helpers';
import { aliUrl, createWatch, deliverPrice } from './price-helpers';
import { connectAliExpress } from './supplier-helpers';

/**
 * AliExpress errors read by their documented codes (INTEGRATIONS.md §3d: the DS error
 * table of product.get: 602 and 605 permanent, 404 "System Error" transient), and one
 * product's answer never failing the others of a price-check chunk.
 */

const numericId = () => `1005${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;

describe('AliExpress error codes', () => {
  it('classifies the DS error table and gateway codes', () => {
    const cases: [string, string, boolean, string][] = [
      ['404', 'System Error', true, 'unavailable'],
      ['602', 'Item is not allowed to this country', false, 'not_found'],
      ['605', 'ITEM_ID_NOT_FOUND', false, 'not_found'],
      ['ITEM_ID_NOT_FOUND', 'The item does not exist', false, 'not_found'],
      ['ApiCallLimit', 'App Call Limited', true, 'rate_limited'],
      ['isp.service-unavailable', 'Service unavailable', true, 'rate_limited'],
      ['IllegalAccessToken', 'The specified access token is invalid or expired', false, 'auth'],
      ['MissingParameter', 'product_id is required', false, 'bad_request'],
    ];
    for (const [code, msg, retryable, kind] of cases) {
      const e = aeError(code, msg);
      expect({ code, retryable: e.retryable, kind: e.kind }).toEqual({ code, retryable, kind });
    }
    // A "System Error" is never read as a missing product from its text or its 404.
    expect(aeError('404', 'System Error').message).not.toMatch(/no such product/);
    expect(aeError('602', 'Item is not allowed to this country').message).toMatch(/ship-to country/);
  });

  it('getPrices answers each product on its own: a System Error is that product’s retryable error, the rest still priced', async () => {
    const user = await registerUser();
    const ae = await connectAliExpress(user.id);
    const [ok, busy, banned, gone] = [numericId(), numericId(), numericId(), numericId()];
    await ae.control('products', { product_id: busy, error: '404' });
    await ae.control('products', { product_id: banned, error: '602' });
    await ae.control('products', { product_id: gone, error: '605' });
    const answers = await withDb(async (db) => (await supplierFor(env, db, user.id, 'aliexpress')).getPrices([ok, busy, banned, gone]));
    expect((answers.get(ok) as PriceQuote).variants.length).toBeGreaterThan(0);
    const err = answers.get(busy);
    expect(err).toBeInstanceOf(SupplierError);
    expect((err as SupplierError).retryable).toBe(true);
    expect(answers.has(banned)).toBe(false);
    expect(answers.has(gone)).toBe(false);
  });

  it('a transient error_response "System Error" (code 404) is retryable, not a bad request', async () => {
    const user = await registerUser();
    const ae = await connectAliExpress(user.id);
    await ae.control('fail', { mode: 'system_error', times: 1 });
    const err = await withDb(async (db) => (await supplierFor(env, db, user.id, 'aliexpress')).getProduct(numericId())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SupplierError);
    expect((err as SupplierError).retryable).toBe(true);
  });

  it('in a price check one product’s System Error fails only its own watch', async () => {
    const user = await registerUser();
    const ae = await connectAliExpress(user.id);
    const [good1, bad, good2] = [numericId(), numericId(), numericId()];
    await ae.control('products', { product_id: bad, error: '404' });
    const ids: string[] = [];
    for (const p of [good1, bad, good2]) ids.push((await createWatch(user, { product_url: aliUrl(p), source: 'aliexpress' })).id);
    const result = await deliverPrice([{ watchIds: ids }]);
    expect(result.explicitAcks).toHaveLength(1);
    const rows = await withDb((db) => db.select().from(priceWatches).where(inArray(priceWatches.id, ids)));
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const id of [ids[0], ids[2]]) {
      expect(byId.get(id)!.currentPrice).not.toBeNull();
      expect(byId.get(id)!.lastError).toBeNull();
    }
    expect(byId.get(ids[1])!.lastError).toMatch(/System Error/);
    expect(byId.get(ids[1])!.lastError).not.toMatch(/no longer lists/);
  });
});

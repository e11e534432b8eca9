import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { priceAlerts, priceWatches } from '../db/schema';
import { checkReading, clampPercent } from '../services/price-check';
import { answer, api, registerUser, withDb } from './helpers';
import { aliId, createWatch, deliverPrice } from './price-helpers';
import { connectAliExpress } from './supplier-helpers';
import { ALERTS_FAKE, alertsFake } from './alert-helpers';

/**
 * One bad reading in a chunk of several merchants' watches: the others are stored, the
 * bad one is skipped with its reason, the message is acked, and alerts go out once, also
 * when the message is delivered again.
 */


/** A live AliExpress merchant with a signed alert webhook, watching one product priced `price`. */
async function merchant(price: number) {
  const user = await registerUser('iso');
  const ae = await connectAliExpress(user.id);
  const token = crypto.randomUUID().replace(/-/g, '');
  const settings = await answer(api({ token: user.token }).alerts.settings.$put({ json: { webhook_url: `${ALERTS_FAKE}/hooks/${token}`, webhook_enabled: true } }));
  expect(settings.status).toBe(200);
  await alertsFake('hooks', { token, secret: settings.json.webhook_secret });
  const productId = aliId();
  await ae.control('products', { product_id: productId, price, stock: 50 });
  const watch = await createWatch(user, { product_url: `https://www.aliexpress.com/item/${productId}.html`, source: 'aliexpress', threshold_percent: 5 });
  return { user, ae, token, productId, watchId: watch.id as string, hooks: async () => (await alertsFake<{ deliveries: unknown[] }>(`hooks/${token}`)).deliveries.length };
}

const watches = (ids: string[]) => withDb((db) => db.select().from(priceWatches).where(inArray(priceWatches.id, ids)));
const alertsOf = (id: string) => withDb((db) => db.select().from(priceAlerts).where(eq(priceAlerts.watchId, id)));

describe('price checks isolate a bad reading', () => {
  it('stores the rest of the chunk, skips the bad one with a reason, and never repeats an alert on a retry', async () => {
    const good = await merchant(10);
    const huge = await merchant(10);
    const tiny = await merchant(0.01);
    const ids = [good.watchId, huge.watchId, tiny.watchId];
    expect((await deliverPrice([{ watchIds: ids }])).explicitAcks).toHaveLength(1);

    await good.ae.control('products', { product_id: good.productId, price: 12 });
    // ≥ 10^8: beyond numeric(10,2) (an IDR or VND price of a few dollars).
    await huge.ae.control('products', { product_id: huge.productId, price: 150_000_000 });
    // 0.01 → 99,999: a change of about 10^9 %, beyond numeric(8,2).
    await tiny.ae.control('products', { product_id: tiny.productId, price: 99_999 });

    const first = await deliverPrice([{ watchIds: ids }]);
    expect(first.explicitAcks).toHaveLength(1);
    expect(first.retryMessages).toHaveLength(0);
    const rows = new Map((await watches(ids)).map((w) => [w.id, w]));
    expect(Number(rows.get(good.watchId)!.currentPrice)).toBe(12);
    expect(rows.get(good.watchId)!.lastError).toBeNull();
    expect(Number(rows.get(huge.watchId)!.currentPrice)).toBe(10);
    expect(rows.get(huge.watchId)!.lastError).toMatch(/beyond what a price watch can hold.*skipped/);
    expect(Number(rows.get(tiny.watchId)!.currentPrice)).toBe(99_999);
    const [tinyAlert] = await alertsOf(tiny.watchId);
    expect(Number(tinyAlert.changePercent)).toBe(999_999.99);
    expect(await good.hooks()).toBe(1);
    expect(await tiny.hooks()).toBe(1);
    expect(await huge.hooks()).toBe(0);
    const [goodAlert] = await alertsOf(good.watchId);
    expect(goodAlert.delivery).toMatchObject({ webhook: { status: 'sent' } });

    // The same message again (a retry, or a duplicate delivery): nothing is sent twice.
    const again = await deliverPrice([{ watchIds: ids }], { attempts: 2 });
    expect(again.explicitAcks).toHaveLength(1);
    expect(await good.hooks()).toBe(1);
    expect(await tiny.hooks()).toBe(1);
    expect(await alertsOf(good.watchId)).toHaveLength(1);
  });

  it('checks each reading: price range, currency code, stock', () => {
    const q = (price: number, currency = 'IDR') => ({ ok: true as const, quote: { sourceProductId: 'x', currency, price, variants: [] }, stock: 3 });
    expect(checkReading(q(99_999_999.99))).toMatchObject({ ok: true });
    expect(checkReading(q(100_000_000))).toMatchObject({ ok: false, retryable: false });
    expect(checkReading(q(Number.NaN))).toMatchObject({ ok: false });
    expect(checkReading(q(-1))).toMatchObject({ ok: false });
    expect(checkReading(q(5, 'USDT'))).toMatchObject({ ok: false, error: expect.stringMatching(/currency/) });
    expect(checkReading(q(5, 'usd'))).toMatchObject({ ok: true, quote: { currency: 'USD' } });
    expect(checkReading({ ...q(5), stock: 1e12 })).toMatchObject({ ok: true, stock: 2_147_483_647 });
    expect(clampPercent(-5e9)).toBe(-999_999.99);
  });
});

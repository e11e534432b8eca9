import { env } from 'cloudflare:workers';
import { createHmac } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { priceWatches } from '../db/schema';
import { reconcileCjWebhooks } from '../services/cj-webhooks';
import { rawCall, registerUser, withDb, type TestUser } from './helpers';
import { createWatch, deliverPrice } from './price-helpers';
import { connectCj } from './supplier-helpers';

/**
 * CJ webhooks (INTEGRATIONS §3e): enabled per account, watched products subscribed and
 * unsubscribed with their watches, `sign` = base64 HMAC-SHA256(String(openId), raw body),
 * and a change turns into the same price check a cron run makes.
 */

const pid = () => `CJW${crypto.randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
const sign = (openId: string, raw: string) => createHmac('sha256', openId).update(raw).digest('base64');

async function webhook(raw: string, signature?: string) {
  return rawCall('/webhooks/cj', { rawBody: raw, headers: signature === undefined ? {} : { sign: signature } });
}

async function cjMerchant() {
  const user = await registerUser('cjhook');
  const cj = await connectCj(user.id, { qps: 20 });
  const products = [pid(), pid()];
  for (const p of products) await cj.control('products', { pid: p, price: 5 });
  const watches: string[] = [];
  for (const p of products) watches.push((await createWatch(user, { product_url: `https://cjdropshipping.com/product/x-p-${p}.html`, source: 'cjdropship', threshold_percent: 5 })).id);
  return { user, cj, products, watches };
}

async function enable(user: TestUser, accountId: string) {
  return rawCall(`/suppliers/accounts/${accountId}/cj-webhooks`, { token: user.token, method: 'POST' });
}

const watchRow = async (id: string) => (await withDb((db) => db.select().from(priceWatches).where(eq(priceWatches.id, id))))[0];

describe('CJ webhooks', () => {
  it('refuses a message whose sign is missing or wrong', async () => {
    const raw = JSON.stringify({ messageId: 'm1', type: 'PRODUCT', messageType: 'UPDATE', openId: 12345, params: { pid: 'X' } });
    expect((await webhook(raw)).status).toBe(401);
    const bad = await webhook(raw, sign('99999', raw));
    expect(bad.status).toBe(401);
    expect(bad.json).toEqual({ detail: 'Invalid webhook signature' });
    // Signed right, but the body changed afterwards.
    expect((await webhook(raw.replace('"X"', '"Y"'), sign('12345', raw))).status).toBe(401);
  });

  it('enables product and stock webhooks, subscribes watched products and unsubscribes when the last watch goes', async () => {
    const { user, cj, products, watches } = await cjMerchant();
    const r = await enable(user, cj.accountId);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json).toMatchObject({ enabled: true, subscribed: 2, unsubscribed: 0 });
    const seen = await cj.requests();
    expect(seen.webhook_sets).toEqual([
      { product: { type: 'ENABLE', callbackUrls: [r.json.callback_url] }, stock: { type: 'ENABLE', callbackUrls: [r.json.callback_url] } },
    ]);
    expect(r.json.callback_url).toMatch(/\/api\/v1\/webhooks\/cj$/);
    expect(seen.subscribed).toEqual([...products].sort());

    expect((await rawCall(`/price-watches/${watches[1]}`, { token: user.token, method: 'DELETE' })).status).toBe(204);
    await withDb((db) => reconcileCjWebhooks(env, db, 1000));
    const after = await cj.requests();
    expect(after.subscribed).toEqual([products[0]]);
    expect(after.subscribe_calls.at(-1)).toEqual({ action: 'unsubscribe', productIds: [products[1]] });
    // In step: another reconcile calls CJ for nothing.
    await withDb((db) => reconcileCjWebhooks(env, db, 1000));
    expect((await cj.requests()).subscribe_calls).toHaveLength(after.subscribe_calls.length);
  });

  it('turns a signed price change into the price check of the watched product, without polling', async () => {
    const { user, cj, products, watches } = await cjMerchant();
    expect((await enable(user, cj.accountId)).status).toBe(200);
    await deliverPrice([{ watchIds: [watches[0]] }]);
    expect(Number((await watchRow(watches[0])).currentPrice)).toBe(5);

    await cj.control('products', { pid: products[0], price: 6.5 });
    const openId = String((await cj.requests()).open_id);
    const raw = JSON.stringify({ messageId: crypto.randomUUID(), type: 'PRODUCT', messageType: 'UPDATE', openId: Number(openId), params: { pid: products[0], productSellPrice: 6.5, fields: ['productSellPrice'] } });
    const started = Date.now();
    const r = await webhook(raw, sign(openId, raw));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: 'ok', queued: 1 });

    // The queue consumer runs the same check a cron run would.
    let price = 5;
    for (let i = 0; i < 40 && price !== 6.5; i++) {
      await new Promise((res) => setTimeout(res, 250));
      price = Number((await watchRow(watches[0])).currentPrice);
    }
    expect(price).toBe(6.5);
    expect((await watchRow(watches[0])).priceChanged).toBe(true);
  });
});

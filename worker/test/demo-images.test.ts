import { createExecutionContext, createMessageBatch, getQueueResult, SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { importJobs } from '../db/schema';
import worker from '../index';
import { DEMO_IMAGE_PATH, demoProduct } from '../suppliers/demo';
import { call, registerUser, setPlan, withDb } from './helpers';
import { fakeShopifyShop } from './store-fakes';

/**
 * Demo catalogue pictures over http (DEMO_IMAGES_ORIGIN, set by `npm run dev`): the
 * product data links to the worker's GET /demo/images/{name}, so a store receiving a
 * demo import gets its pictures. Without the var they stay inline data: pictures.
 */
const ORIGIN = 'http://127.0.0.1:8109';
const path = (url: string) => new URL(url).pathname.slice(DEMO_IMAGE_PATH.length);
const decoded = (dataUrl: string) => decodeURIComponent(dataUrl.slice(dataUrl.indexOf(',') + 1));

describe('demo catalogue pictures', () => {
  it('links every product and variant picture under the origin, each served as the same SVG the inline picture holds', async () => {
    for (const [source, id] of [['aliexpress', '1005006123456789'], ['cjdropship', '1392017123456789012'], ['spocket', 'sp021-12345678']] as const) {
      const inline = demoProduct(source, id);
      const linked = demoProduct(source, id, null, `${ORIGIN}/`);
      expect(linked.title).toBe(inline.title);
      const pictures = [...linked.images, ...linked.variants.flatMap((v) => (v.image ? [v.image] : []))];
      const originals = [...inline.images, ...inline.variants.flatMap((v) => (v.image ? [v.image] : []))];
      expect(pictures.length).toBeGreaterThan(2);
      for (const [i, url] of pictures.entries()) {
        expect(url.startsWith(`${ORIGIN}${DEMO_IMAGE_PATH}`)).toBe(true);
        const res = await SELF.fetch(`https://api.test${DEMO_IMAGE_PATH}${path(url)}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('Content-Type')).toBe('image/svg+xml; charset=utf-8');
        expect(res.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
        expect(await res.text()).toBe(decoded(originals[i]));
      }
    }
  });

  it('serves only names the catalogue makes, and nothing while the demo catalogue is off', async () => {
    for (const name of ['no-such-thing-200-0.svg', 'wireless-earbuds-360-0.svg', 'wireless-earbuds-200-7x.svg', 'wireless-earbuds-200-0.png', '..%2Fwrangler.toml', 'iphone-15-200-swatch.svg']) {
      const res = await SELF.fetch(`https://api.test${DEMO_IMAGE_PATH}${name}`);
      expect(res.status, name).toBe(404);
      expect(await res.json()).toEqual({ detail: 'Not Found' });
    }
    expect((await SELF.fetch(`https://api.test${DEMO_IMAGE_PATH}wireless-earbuds-200-1.svg`)).status).toBe(200);
    const off = await worker.fetch(new Request(`https://api.test${DEMO_IMAGE_PATH}wireless-earbuds-200-1.svg`), { ...env, DEMO_CATALOGUE: 'off' }, createExecutionContext());
    expect(off.status).toBe(404);
  });

  it('a demo import reaches a Shopify store with its pictures when the origin is set', async () => {
    const user = await registerUser('demo-img');
    await setPlan(user.id, 'pro');
    const shop = await fakeShopifyShop();
    const conn = await call('/connections', { token: user.token, body: { store_name: shop.name, platform: 'shopify', store_url: shop.storeUrl, api_key: shop.token } });
    expect(conn.status).toBe(201);
    // No AliExpress account: the demo catalogue answers. The job is delivered by hand, with the var set.
    const id = `1005004${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
    const [job] = await withDb((db) =>
      db.insert(importJobs).values({ userId: user.id, storeId: conn.json.id, source: 'aliexpress', sourceUrl: `https://www.aliexpress.com/item/${id}.html` }).returning({ id: importJobs.id }),
    );
    const batch = createMessageBatch('sourcepilot-imports', [{ id: `m-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body: { jobId: job.id } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, { ...env, DEMO_IMAGES_ORIGIN: ORIGIN }, ctx);
    await getQueueResult(batch, ctx);
    expect((await call(`/imports/${job.id}`, { token: user.token })).json.status).toBe('completed');

    const [product] = await shop.products();
    const expected = demoProduct('aliexpress', id, null, ORIGIN);
    expect(product.images).toEqual(expect.arrayContaining(expected.images));
    expect(product.images.length).toBeGreaterThanOrEqual(expected.images.length);
    expect(product.images.every((u) => u.startsWith(`${ORIGIN}${DEMO_IMAGE_PATH}`))).toBe(true);
  });
});

describe('demo store label', () => {
  it('says demo: true on a Shopify connection to DEMO_STORE_URL, false elsewhere', async () => {
    const user = await registerUser('demo-label');
    const shop = await fakeShopifyShop();
    const conn = await call('/connections', { token: user.token, body: { store_name: shop.name, platform: 'shopify', store_url: shop.storeUrl, api_key: shop.token } });
    expect(conn.json.demo).toBe(false);
    const list = async (demoStore: string) => {
      const res = await worker.fetch(new Request('https://api.test/api/v1/connections', { headers: { Authorization: `Bearer ${user.token}` } }), { ...env, DEMO_STORE_URL: demoStore }, createExecutionContext());
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: { demo: boolean }[] }).items.map((c) => c.demo);
    };
    expect(await list(`${shop.storeUrl}/`)).toEqual([true]);
    expect(await list('http://127.0.0.1:1')).toEqual([false]);
    expect(await list('')).toEqual([false]);
  });
});

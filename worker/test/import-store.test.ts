import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { importJobs, storeProducts } from '../db/schema';
import { MAX_IMPORT_ATTEMPTS } from '../jobs/import-consumer';
import { call, registerUser, setPlan, withDb, type TestUser } from './helpers';
import { fakeShopifyShop, fakeWooStore } from './store-fakes';
import { connectAliExpress } from './supplier-helpers';
import { deliverImport } from './queue-helpers';

const aliUrl = (id: string | number = Math.floor(1e15 + Math.random() * 9e15)) => `https://www.aliexpress.com/item/${id}.html`;

/**
 * A pending job for `connectionId` that is not on the queue: tests that hand the consumer
 * its message themselves (to control attempts and timing) must not race the real delivery.
 */
async function unqueuedJob(user: TestUser, connectionId: string | null, url = aliUrl(), config: Record<string, unknown> | null = null) {
  const [row] = await withDb((db) =>
    db.insert(importJobs).values({ userId: user.id, storeId: connectionId, source: 'aliexpress', sourceUrl: url, config }).returning({ id: importJobs.id }),
  );
  return row.id;
}

async function job(user: TestUser, id: string) {
  return (await call(`/imports/${id}`, { token: user.token })).json;
}

async function waitFor(user: TestUser, id: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const j = await job(user, id);
    if (!['pending', 'running'].includes(j.status)) return j;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${j.status}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function shopifyUser() {
  const user = await registerUser();
  await setPlan(user.id, 'pro');
  const shop = await fakeShopifyShop();
  const conn = await call('/connections', { token: user.token, body: { store_name: shop.name, platform: 'shopify', store_url: shop.storeUrl, api_key: shop.token } });
  expect(conn.status).toBe(201);
  return { user, shop, connectionId: conn.json.id as string };
}

describe('import → store', () => {
  it('pushes exactly one priced product to the default Shopify store through the real queue', async () => {
    const { user, shop, connectionId } = await shopifyUser();
    const created = await call('/imports', { token: user.token, body: { product_url: aliUrl(), source: 'aliexpress', config: { markup_percent: 50, round_to: 0.99, compare_at_percent: 30, tags: ['summer'], publish: true } } });
    expect(created.json.store_id).toBe(connectionId);
    const done = await waitFor(user, created.json.id);
    expect(done.status).toBe('completed');
    expect(done.created_product_id).toMatch(/^gid:\/\/shopify\/Product\//);
    const products = await shop.products();
    expect(products).toHaveLength(1);
    const pushed = products[0] as unknown as { title: string; tags: string[]; status: string; variants: { price: string; compare_at_price: string | null; sku: string | null }[] };
    expect(pushed.title).toBe(done.product_data.title);
    expect(pushed.tags).toContain('summer');
    expect(pushed.status).toBe('ACTIVE');
    const expected = done.product_data.variants.map((v: { price: number; compare_at: number | null }) => [v.price.toFixed(2), v.compare_at?.toFixed(2) ?? null]);
    expect(pushed.variants.map((v) => [Number(v.price).toFixed(2), v.compare_at_price === null ? null : Number(v.compare_at_price).toFixed(2)]).sort()).toEqual(expected.sort());
    for (const v of done.product_data.variants) expect(Math.round(v.price * 100) % 100).toBe(99);
    expect(done.product_data.store).toMatchObject({ id: connectionId, product_id: done.created_product_id, created: true });
  });

  it('updates the same store product on re-import instead of creating a duplicate', async () => {
    const { user, shop, connectionId } = await shopifyUser();
    const url = aliUrl();
    const first = await unqueuedJob(user, connectionId, url, { markup_percent: 20 });
    await deliverImport(first);
    const a = await job(user, first);
    const second = await unqueuedJob(user, connectionId, url, { markup_percent: 80 });
    await deliverImport(second);
    const b = await job(user, second);
    expect(b.status).toBe('completed');
    expect(b.created_product_id).toBe(a.created_product_id);
    expect(b.product_data.store.created).toBe(false);
    expect(await shop.products()).toHaveLength(1);
    const [mapping] = await withDb((db) => db.select().from(storeProducts).where(eq(storeProducts.storeId, connectionId)));
    expect(mapping).toMatchObject({ storeProductId: a.created_product_id, lastJobId: second, pricing: { markup_percent: 80 } });
  });

  it('pushes a variable product to WooCommerce with string prices', async () => {
    const user = await registerUser();
    const woo = await fakeWooStore();
    const conn = await call('/connections', { token: user.token, body: { store_name: woo.name, platform: 'woocommerce', store_url: woo.storeUrl, api_key: woo.apiKey } });
    const created = await unqueuedJob(user, conn.json.id, aliUrl(), { price_multiplier: 2 });
    await deliverImport(created);
    const done = await job(user, created);
    expect(done.status).toBe('completed');
    const products = (await woo.products()) as unknown as { id: number; type: string; variations: { regular_price: string }[] }[];
    expect(products).toHaveLength(1);
    expect(String(products[0].id)).toBe(done.created_product_id);
    for (const v of products[0].variations ?? []) expect(typeof v.regular_price).toBe('string');
  });

  it('retries a throttled store with backoff, then completes', async () => {
    const { user, shop, connectionId } = await shopifyUser();
    const created = await unqueuedJob(user, connectionId, aliUrl());
    await shop.fail(503, 10);
    const first = await deliverImport(created, { attempts: 1 });
    // (the harness records that the message was retried, not its delay; backoffSeconds is unit-tested)
    expect(first.retryMessages).toHaveLength(1);
    expect(first.explicitAcks).toHaveLength(0);
    const mid = await job(user, created);
    expect(mid.status).toBe('pending');
    expect(mid.error_message).toMatch(/^Retrying after:/);
    await shop.fail(503, 0);
    const second = await deliverImport(created, { attempts: 2 });
    expect(second.explicitAcks).toHaveLength(1);
    const done = await job(user, created);
    expect(done.status).toBe('completed');
    expect(done.error_message).toBeNull();
    expect(await shop.products()).toHaveLength(1);
  });

  it('fails at once on a permanent store error, passing the store’s message on', async () => {
    const { user, shop, connectionId } = await shopifyUser();
    await shop.revoke();
    const created = await unqueuedJob(user, connectionId, aliUrl());
    const result = await deliverImport(created);
    expect(result.retryMessages).toHaveLength(0);
    const failed = await job(user, created);
    expect(failed.status).toBe('failed');
    expect(failed.error_message).toMatch(/^The store refused the product: /);
  });

  it('fails the job with the last error and hands the message to the dead-letter queue after the last attempt', async () => {
    const { user, shop, connectionId } = await shopifyUser();
    await shop.fail(503, 10);
    const created = await unqueuedJob(user, connectionId, aliUrl());
    const result = await deliverImport(created, { attempts: MAX_IMPORT_ATTEMPTS });
    expect(result.retryMessages).toHaveLength(1);
    const failed = await job(user, created);
    expect(failed.status).toBe('failed');
    expect(failed.error_message).toMatch(/503|unavailable|Shopify/i);
    const history = await call(`/imports/${created}/history`, { token: user.token });
    expect(history.json.items.at(-1).action).toBe('failed');
  });

  it('does not push a job cancelled while it was fetching', async () => {
    const { user, shop, connectionId } = await shopifyUser();
    const ali = await connectAliExpress(user.id);
    await ali.control('fail', { mode: 'delay', delay_ms: 1500, times: 1 });
    const created = await unqueuedJob(user, connectionId, aliUrl(1005001111222333));
    const running = deliverImport(created);
    await new Promise((r) => setTimeout(r, 400));
    const cancelled = await call(`/imports/${created}/cancel`, { token: user.token, method: 'POST' });
    expect(cancelled.json.status).toBe('cancelled');
    await running;
    expect((await job(user, created)).status).toBe('cancelled');
    expect(await shop.products()).toHaveLength(0);
    const [row] = await withDb((db) => db.select().from(importJobs).where(eq(importJobs.id, created)));
    expect(row.createdProductId).toBeNull();
  });

  it('fails with the supplier’s words when the product does not exist, and retries supplier rate limits', async () => {
    const user = await registerUser();
    const ali = await connectAliExpress(user.id);
    await ali.control('products', { product_id: '1005009999999999', missing: true });
    const missing = { json: { id: await unqueuedJob(user, null, aliUrl(1005009999999999)) } };
    await deliverImport(missing.json.id);
    const failed = await job(user, missing.json.id);
    expect(failed.status).toBe('failed');
    expect(failed.error_message).toBeTruthy();

    await ali.control('fail', { mode: 'rate_limit', times: 1 });
    const limited = { json: { id: await unqueuedJob(user, null, aliUrl(1005008888888888)) } };
    const first = await deliverImport(limited.json.id, { attempts: 1 });
    expect(first.retryMessages).toHaveLength(1);
    await deliverImport(limited.json.id, { attempts: 2 });
    const done = await job(user, limited.json.id);
    expect(done.status).toBe('completed');
    expect(done.product_data.mode).toBe('live');
  });
});

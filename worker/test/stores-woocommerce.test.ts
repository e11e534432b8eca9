import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { connectorFor } from '../stores';
import { StoreError, type StoreProductInput, type StoreVariantInput } from '../stores/types';
import { parentSku } from '../stores/woocommerce';
import { answer, api, registerUser, sealedConnection } from './helpers';
import { fakeWooStore } from './store-fakes';

async function wooConnector(apiKey: string, storeUrl: string) {
  return connectorFor(env, await sealedConnection('woocommerce', storeUrl, apiKey));
}

const variant = (key: string, options: Record<string, string>, price: number, extra: Partial<StoreVariantInput> = {}): StoreVariantInput => ({
  supplierKey: key,
  sku: null,
  options,
  price,
  compareAt: null,
  stock: null,
  image: null,
  ...extra,
});

function product(key = crypto.randomUUID().slice(0, 8), overrides: Partial<StoreProductInput> = {}): StoreProductInput {
  return {
    supplierKey: `cjdropship:${key}`,
    title: 'Ceramic Mug',
    descriptionHtml: '<p>Holds coffee.</p>',
    images: ['https://img.example.com/mug.jpg'],
    options: [
      { name: 'Color', values: ['Blue', 'Sand'] },
      { name: 'Size', values: ['300ml', '450ml'] },
    ],
    variants: [
      variant(`${key}-b3`, { Color: 'Blue', Size: '300ml' }, 12, { sku: `MUG-B3-${key}`, compareAt: 15, stock: 4, image: 'https://img.example.com/mug-blue.jpg' }),
      variant(`${key}-b4`, { Color: 'Blue', Size: '450ml' }, 14, { sku: `MUG-B4-${key}`, stock: 0 }),
      variant(`${key}-s3`, { Color: 'Sand', Size: '300ml' }, 12.5, { sku: `MUG-S3-${key}` }),
    ],
    tags: ['kitchen'],
    published: true,
    currency: 'USD',
    ...overrides,
  };
}

describe('POST /connections/{id}/test against WooCommerce', () => {
  it('answers ok with the site name; wrong secrets get WooCommerce’s own message', async () => {
    const store = await fakeWooStore('Mug Heaven');
    const user = await registerUser();
    const conn = await answer(api({ token: user.token }).connections.$post({ json: { store_name: 'Woo', platform: 'woocommerce', store_url: store.storeUrl, api_key: store.apiKey } }));
    expect(conn.status).toBe(201);
    const ok = await answer(api({ token: user.token }).connections[':conn_id'].test.$post({ param: { conn_id: conn.json.id } }));
    expect(ok.json).toEqual({ ok: true, shop_name: 'Mug Heaven', detail: null });
    expect(ok.roundTrips).toBeLessThanOrEqual(3);

    await answer(api({ token: user.token }).connections[':conn_id'].$put({ param: { conn_id: conn.json.id }, json: { api_key: `${store.consumerKey}:cs_wrong` } }));
    const bad = await answer(api({ token: user.token }).connections[':conn_id'].test.$post({ param: { conn_id: conn.json.id } }));
    expect(bad.json).toEqual({ ok: false, shop_name: null, detail: 'WooCommerce rejected the API keys: Consumer secret is invalid. (woocommerce_rest_authentication_error)' });
  });
});

describe('WooCommerce connector', () => {
  it('creates a variable product with attributes and variations; prices are strings', async () => {
    const store = await fakeWooStore();
    const connector = await wooConnector(store.apiKey, store.storeUrl);
    const input = product();
    const pushed = await connector.upsertProduct(input);
    expect(pushed.created).toBe(true);
    expect(pushed.warnings).toEqual([]);
    expect(pushed.url).toBe(`${store.storeUrl}/product/${pushed.productId}/`);
    const products = await store.products();
    expect(products).toHaveLength(1);
    const [p] = products;
    expect(p).toMatchObject({
      id: pushed.productId,
      name: 'Ceramic Mug',
      type: 'variable',
      status: 'publish',
      sku: await parentSku(input.supplierKey),
      supplier_key: input.supplierKey,
      tags: ['kitchen'],
      // Variation images join the gallery, so each is uploaded once and referenced by id.
      images: ['https://img.example.com/mug.jpg', 'https://img.example.com/mug-blue.jpg'],
      attributes: [
        { name: 'Color', options: ['Blue', 'Sand'] },
        { name: 'Size', options: ['300ml', '450ml'] },
      ],
    });
    expect(p.variations.map((v) => [v.options, v.regular_price, v.sale_price, v.stock_quantity, v.sku, v.variant_key, pushed.variantIds[v.variant_key!] === v.id])).toEqual([
      [{ Color: 'Blue', Size: '300ml' }, '15.00', '12.00', 4, input.variants[0].sku, input.variants[0].supplierKey, true],
      [{ Color: 'Blue', Size: '450ml' }, '14.00', '', 0, input.variants[1].sku, input.variants[1].supplierKey, true],
      [{ Color: 'Sand', Size: '300ml' }, '12.50', '', null, input.variants[2].sku, input.variants[2].supplierKey, true],
    ]);
    expect(p.variations[0].image).toBe('https://img.example.com/mug-blue.jpg');
  });

  it('updates the same product on a second push: changed prices, new and removed variations', async () => {
    const store = await fakeWooStore();
    const connector = await wooConnector(store.apiKey, store.storeUrl);
    const input = product();
    const first = await connector.upsertProduct(input);
    const next = {
      ...input,
      // Title is the merchant's after the first push unless the import asks to overwrite.
      overwrite: true,
      title: 'Ceramic Mug (new)',
      options: [
        { name: 'Color', values: ['Blue', 'Sand'] },
        { name: 'Size', values: ['300ml', '450ml'] },
      ],
      variants: [
        { ...input.variants[0], price: 13 },
        variant(`${input.supplierKey}-s4`, { Color: 'Sand', Size: '450ml' }, 16),
      ],
    };
    const second = await connector.upsertProduct(next);
    expect(second.created).toBe(false);
    expect(second.productId).toBe(first.productId);
    expect(second.variantIds[input.variants[0].supplierKey]).toBe(first.variantIds[input.variants[0].supplierKey]);
    const products = await store.products();
    expect(products).toHaveLength(1);
    expect(products[0].name).toBe('Ceramic Mug (new)');
    expect(products[0].variations.map((v) => [v.variant_key, v.regular_price, v.sale_price])).toEqual([
      [input.variants[0].supplierKey, '15.00', '13.00'],
      [`${input.supplierKey}-s4`, '16.00', ''],
    ]);
    expect(await connector.findProductBySupplierKey(input.supplierKey)).toEqual({ productId: first.productId, variantIds: second.variantIds });
  });

  it('sends variations in batches of 25 (WooCommerce allows 100; 25 stays well within the timeout)', async () => {
    const store = await fakeWooStore();
    const connector = await wooConnector(store.apiKey, store.storeUrl);
    const sizes = Array.from({ length: 150 }, (_, i) => `S${i}`);
    const pushed = await connector.upsertProduct(
      product(undefined, { options: [{ name: 'Size', values: sizes }], variants: sizes.map((s, i) => variant(`k-${s}`, { Size: s }, 10 + i / 100)) }),
    );
    expect(Object.keys(pushed.variantIds)).toHaveLength(150);
    const batches = (await store.requests()).filter((r) => r.path.endsWith('/variations/batch'));
    expect(batches.map((b) => (b.body as { create: unknown[] }).create.length)).toEqual([25, 25, 25, 25, 25, 25]);
    const [p] = await store.products();
    expect(p.variations).toHaveLength(150);
    expect(p.variations[149].regular_price).toBe('11.49');
  });

  it('pushes a product without options as a simple product and reprices it', async () => {
    const store = await fakeWooStore();
    const connector = await wooConnector(store.apiKey, store.storeUrl);
    const input = product(undefined, { options: [], variants: [variant('only', {}, 9.99, { compareAt: 12, stock: 7 })] });
    const pushed = await connector.upsertProduct(input);
    expect(pushed.variantIds).toEqual({ only: pushed.productId });
    let [p] = await store.products();
    expect([p.type, p.regular_price, p.sale_price, p.stock_quantity, p.variations]).toEqual(['simple', '12.00', '9.99', 7, []]);
    await connector.updateVariantPrices(pushed.productId, [{ variantId: pushed.productId, price: 8.5, compareAt: null }]);
    [p] = await store.products();
    expect([p.regular_price, p.sale_price]).toEqual(['8.50', '']);
  });

  it('updates variation prices in batches', async () => {
    const store = await fakeWooStore();
    const connector = await wooConnector(store.apiKey, store.storeUrl);
    const input = product();
    const pushed = await connector.upsertProduct(input);
    await connector.updateVariantPrices(pushed.productId, [{ variantId: pushed.variantIds[input.variants[1].supplierKey], price: 20, compareAt: 25 }]);
    const [p] = await store.products();
    expect(p.variations[1]).toMatchObject({ regular_price: '25.00', sale_price: '20.00' });
    const err = await connector.updateVariantPrices(pushed.productId, [{ variantId: '999999', price: 1, compareAt: null }]).catch((e) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err.message).toBe('WooCommerce rejected a price update: Invalid ID.');
  });

  it('saves a variation without its SKU when the SKU is taken, with a warning', async () => {
    const store = await fakeWooStore();
    const connector = await wooConnector(store.apiKey, store.storeUrl);
    const a = product();
    await connector.upsertProduct(a);
    const b = product(undefined, { variants: [variant('dup', { Color: 'Blue', Size: '300ml' }, 5, { sku: a.variants[0].sku })] });
    const pushed = await connector.upsertProduct(b);
    expect(pushed.warnings).toEqual([`The variation Blue / 300ml was saved without its SKU ${a.variants[0].sku}, which another product in the store already uses`]);
    const saved = (await store.products()).find((p) => p.id === pushed.productId)!;
    expect(saved.variations.map((v) => [v.variant_key, v.sku])).toEqual([['dup', '']]);
  });

  it('falls back to query-string keys when the host strips the Authorization header', async () => {
    const store = await fakeWooStore('Stripped');
    await store.stripAuth(true);
    const connector = await wooConnector(store.apiKey, store.storeUrl);
    expect(await connector.testConnection()).toEqual({ ok: true, shop_name: 'Stripped', detail: null });
    await connector.upsertProduct(product());
    expect(await store.products()).toHaveLength(1);
  });

  it('maps failures: 5xx and timeouts retryable, 401/404 permanent with the store’s message', async () => {
    const store = await fakeWooStore();
    const connector = await wooConnector(store.apiKey, store.storeUrl);
    await store.fail(502, 1);
    const e502 = await connector.upsertProduct(product()).catch((e) => e);
    expect([e502.retryable, e502.status, e502.message]).toEqual([true, 502, 'WooCommerce is unavailable (HTTP 502): There has been a critical error on this website. (internal_server_error)']);
    await store.fail(429, 1, { code: 'too_many_requests', message: 'Slow down.' });
    expect((await connector.findProductBySupplierKey('x').catch((e) => e)).retryable).toBe(true);

    const wrong = await wooConnector('ck_unknown:cs_unknown', store.storeUrl);
    const e401 = await wrong.upsertProduct(product()).catch((e) => e);
    expect([e401.retryable, e401.message]).toEqual([false, 'WooCommerce rejected the API keys: Consumer key is invalid. (woocommerce_rest_authentication_error)']);

    await store.fail(404, 1, { code: 'rest_no_route', message: 'No route was found matching the URL and request method.' });
    const e404 = await connector.testConnection();
    expect(e404.ok).toBe(false);
    expect(e404.detail).toMatch(/REST API was not found/);

    const slow = await connectorFor({ ...env, STORE_REQUEST_TIMEOUT_MS: '200' }, await sealedConnection('woocommerce', store.storeUrl, store.apiKey));
    await store.fail(200, 1, { delayMs: 1500 });
    const timeout = await slow.findProductBySupplierKey('x').catch((e) => e);
    expect([timeout.retryable, timeout.message]).toEqual([true, 'WooCommerce did not answer within 200 ms']);
    expect(await store.products()).toEqual([]);
  });
});

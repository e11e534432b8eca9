import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { storeConnections } from '../db/schema';
import { connectorFor } from '../stores';
import { supplierTag } from '../stores/shopify';
import { StoreError, type StoreProductInput } from '../stores/types';
import { answer, api, rawCall, registerUser, sealedConnection, withDb } from './helpers';
import { fakeShopifyShop } from './store-fakes';

async function shopifyConnector(token: string, storeUrl: string, overrides: Partial<typeof env> = {}) {
  return connectorFor({ ...env, ...overrides }, await sealedConnection('shopify', storeUrl, token));
}

function product(key = crypto.randomUUID().slice(0, 8), overrides: Partial<StoreProductInput> = {}): StoreProductInput {
  const colors = ['Black', 'White'];
  const sizes = ['M', 'L'];
  return {
    supplierKey: `aliexpress:${key}`,
    title: 'Linen Shirt',
    descriptionHtml: '<p>Soft linen.</p>',
    images: ['https://img.example.com/shirt-1.jpg', 'https://img.example.com/shirt-2.jpg'],
    options: [
      { name: 'Color', values: colors },
      { name: 'Size', values: sizes },
    ],
    variants: colors.flatMap((color, i) =>
      sizes.map((size, j) => ({
        supplierKey: `${key}-${color}-${size}`,
        sku: `LS-${color[0]}${size}-${key}`,
        options: { Color: color, Size: size },
        price: 19.99 + i * 2 + j,
        compareAt: j === 0 ? 29.99 : null,
        stock: 10 * (i + 1) + j,
        image: i === 0 ? 'https://img.example.com/shirt-black.jpg' : null,
      })),
    ),
    tags: ['summer', 'linen'],
    published: true,
    currency: 'USD',
    ...overrides,
  };
}

describe('POST /connections/{id}/test against Shopify', () => {
  it('answers ok with the shop name and remembers it', async () => {
    const shop = await fakeShopifyShop('Linen & Co');
    const user = await registerUser();
    const conn = await answer(api({ token: user.token }).connections.$post({ json: { store_name: 'Mine', platform: 'shopify', store_url: shop.storeUrl, api_key: shop.token } }));
    const r = await answer(api({ token: user.token }).connections[':conn_id'].test.$post({ param: { conn_id: conn.json.id } }));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ ok: true, shop_name: 'Linen & Co', detail: null });
    expect(r.roundTrips).toBeLessThanOrEqual(3);
    const [row] = await withDb((db) => db.select().from(storeConnections).where(eq(storeConnections.id, conn.json.id)));
    expect(row.shopName).toBe('Linen & Co');
    expect((await shop.requests()).map((q) => q.operation)).toEqual(['shop']);
  });

  it('answers ok:false with Shopify’s own message for a bad token, and explains missing keys and unknown platforms', async () => {
    const shop = await fakeShopifyShop();
    const user = await registerUser();
    const conn = await answer(api({ token: user.token }).connections.$post({ json: { store_name: 'Mine', platform: 'shopify', store_url: shop.storeUrl, api_key: shop.token } }));
    await shop.revoke();
    const r = await answer(api({ token: user.token }).connections[':conn_id'].test.$post({ param: { conn_id: conn.json.id } }));
    expect(r.status).toBe(200);
    expect(r.json.ok).toBe(false);
    expect(r.json.shop_name).toBeNull();
    expect(r.json.detail).toBe('Shopify rejected the access token: [API] Invalid API key or access token (unrecognized login or wrong password)');

    const keyless = await answer(api({ token: user.token }).connections.$post({ json: { store_name: 'No key', platform: 'shopify', store_url: 'https://nokey.myshopify.com' } }));
    const k = await answer(api({ token: user.token }).connections[':conn_id'].test.$post({ param: { conn_id: keyless.json.id } }));
    expect(k.json).toEqual({ ok: false, shop_name: null, detail: expect.stringContaining('No access token is saved') });

    const other = await answer(api({ token: user.token }).connections.$post({ json: { store_name: 'Big', platform: 'bigcommerce', store_url: 'https://big.example.com', api_key: 'x' } }));
    const o = await answer(api({ token: user.token }).connections[':conn_id'].test.$post({ param: { conn_id: other.json.id } }));
    expect(o.json).toEqual({ ok: false, shop_name: null, detail: 'SourcePilot cannot connect to "bigcommerce" stores; supported platforms are shopify and woocommerce' });
  });

  it('404s unknown and foreign connections, 422s bad ids', async () => {
    const user = await registerUser();
    const other = await registerUser();
    const theirs = await answer(api({ token: other.token }).connections.$post({ json: { store_name: 'T', platform: 'shopify', store_url: 'https://theirs.myshopify.com' } }));
    const r = await answer(api({ token: user.token }).connections[':conn_id'].test.$post({ param: { conn_id: theirs.json.id } }));
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ detail: 'Store connection not found' });
    expect((await rawCall('/connections/xyz/test', { method: 'POST', token: user.token })).status).toBe(422);
  });
});

describe('Shopify connector', () => {
  it('creates a product with productSet: options, variants, prices as strings, images, stock, tags and keys', async () => {
    const shop = await fakeShopifyShop();
    const connector = await shopifyConnector(shop.token, shop.storeUrl);
    const input = product();
    const pushed = await connector.upsertProduct(input);
    expect(pushed.created).toBe(true);
    expect(pushed.warnings).toEqual([]);
    expect(pushed.productId).toMatch(/^gid:\/\/shopify\/Product\/\d+$/);
    expect(pushed.url).toBe(`${shop.storeUrl}/admin/products/${pushed.productId.split('/').pop()}`);
    expect(Object.keys(pushed.variantIds).sort()).toEqual(input.variants.map((v) => v.supplierKey).sort());

    const products = await shop.products();
    expect(products).toHaveLength(1);
    const [p] = products;
    expect(p).toMatchObject({ id: pushed.productId, title: 'Linen Shirt', status: 'ACTIVE', supplier_key: input.supplierKey });
    expect(p.tags).toEqual(['summer', 'linen', supplierTag(input.supplierKey)]);
    expect(p.options).toEqual([
      { name: 'Color', values: ['Black', 'White'] },
      { name: 'Size', values: ['M', 'L'] },
    ]);
    expect(p.images).toEqual(['https://img.example.com/shirt-1.jpg', 'https://img.example.com/shirt-2.jpg', 'https://img.example.com/shirt-black.jpg']);
    expect(p.variants.map((v) => [v.options, v.price, v.compare_at_price, v.inventory, v.variant_key, v.id === pushed.variantIds[v.variant_key!]])).toEqual([
      [{ Color: 'Black', Size: 'M' }, '19.99', '29.99', 10, input.variants[0].supplierKey, true],
      [{ Color: 'Black', Size: 'L' }, '20.99', null, 11, input.variants[1].supplierKey, true],
      [{ Color: 'White', Size: 'M' }, '21.99', '29.99', 20, input.variants[2].supplierKey, true],
      [{ Color: 'White', Size: 'L' }, '22.99', null, 21, input.variants[3].supplierKey, true],
    ]);
    const ops = (await shop.requests()).map((r) => r.operation);
    expect(ops).toEqual(['products', 'location', 'productSet']);
  });

  it('updates the same product when pushed again (found by supplier key), keeping variant ids', async () => {
    const shop = await fakeShopifyShop();
    const connector = await shopifyConnector(shop.token, shop.storeUrl);
    const input = product();
    const first = await connector.upsertProduct(input);
    const repriced = { ...input, published: false, variants: input.variants.map((v) => ({ ...v, price: v.price + 5 })) };
    const second = await connector.upsertProduct(repriced);
    expect(second.created).toBe(false);
    expect(second.productId).toBe(first.productId);
    expect(second.variantIds).toEqual(first.variantIds);
    const products = await shop.products();
    expect(products).toHaveLength(1);
    // Status is the merchant's after the first push (README, Imports): only prices change.
    expect(products[0].status).toBe('ACTIVE');
    expect(products[0].variants.map((v) => v.price)).toEqual(['24.99', '25.99', '26.99', '27.99']);
    expect(await connector.findProductBySupplierKey(input.supplierKey)).toEqual({ productId: first.productId, variantIds: first.variantIds });
    expect(await connector.findProductBySupplierKey('aliexpress:nothing-here')).toBeNull();
  });

  it('creates again, with a warning, when the product it was given no longer exists', async () => {
    const shop = await fakeShopifyShop();
    const connector = await shopifyConnector(shop.token, shop.storeUrl);
    const pushed = await connector.upsertProduct(product(), 'gid://shopify/Product/424242424242');
    expect(pushed.created).toBe(true);
    expect(pushed.warnings).toEqual([expect.stringContaining('no longer exists')]);
    expect(await shop.products()).toHaveLength(1);
  });

  it('fits Shopify’s three options: drops a Ships From axis, folds the rest, and says so', async () => {
    const shop = await fakeShopifyShop();
    const connector = await shopifyConnector(shop.token, shop.storeUrl);
    const variants = ['China', 'United States'].flatMap((from, k) =>
      ['Red', 'Blue'].map((color, i) => ({
        supplierKey: `v-${from}-${color}`,
        sku: null,
        options: { Color: color, Size: 'M', Material: 'Cotton', 'Ships From': from },
        price: 10 + i + k * 3,
        compareAt: null,
        stock: null,
        image: null,
      })),
    );
    const pushed = await connector.upsertProduct(
      product(undefined, {
        options: [
          { name: 'Color', values: ['Red', 'Blue'] },
          { name: 'Size', values: ['M'] },
          { name: 'Material', values: ['Cotton'] },
          { name: 'Ships From', values: ['China', 'United States'] },
        ],
        variants,
      }),
    );
    expect(pushed.warnings).toEqual([expect.stringMatching(/Dropped the option "Ships From".*2 removed/)]);
    const [p] = await shop.products();
    expect(p.options.map((o) => o.name)).toEqual(['Color', 'Size', 'Material']);
    expect(p.variants.map((v) => [v.options.Color, v.price])).toEqual([
      ['Red', '10.00'],
      ['Blue', '11.00'],
    ]);
    // Only the kept supplier variants map to store variants.
    expect(Object.keys(pushed.variantIds).sort()).toEqual(['v-China-Blue', 'v-China-Red']);

    const five = await connector.upsertProduct(
      product(undefined, {
        options: ['A', 'B', 'C', 'D'].map((name) => ({ name, values: ['1', '2'] })),
        variants: ['1', '2'].map((x) => ({ supplierKey: `k${x}`, sku: null, options: { A: x, B: x, C: '1', D: x }, price: 5, compareAt: null, stock: null, image: null })),
      }),
    );
    expect(five.warnings).toEqual(['Combined the options "C", "D" into "C / D" (the store allows 3 options)']);
    const folded = (await shop.products()).find((x) => x.id === five.productId)!;
    expect(folded.options).toEqual([
      { name: 'A', values: ['1', '2'] },
      { name: 'B', values: ['1', '2'] },
      { name: 'C / D', values: ['1 / 1', '1 / 2'] },
    ]);
  });

  it('updates variant prices with productVariantsBulkUpdate', async () => {
    const shop = await fakeShopifyShop();
    const connector = await shopifyConnector(shop.token, shop.storeUrl);
    const input = product();
    const pushed = await connector.upsertProduct(input);
    const ids = input.variants.map((v) => pushed.variantIds[v.supplierKey]);
    await connector.updateVariantPrices(pushed.productId, [
      { variantId: ids[0], price: 15.5, compareAt: 20 },
      { variantId: ids[1], price: 16, compareAt: 12 },
    ]);
    const [p] = await shop.products();
    expect(p.variants.slice(0, 3).map((v) => [v.price, v.compare_at_price])).toEqual([
      ['15.50', '20.00'],
      ['16.00', null],
      ['21.99', '29.99'],
    ]);
    const bad = await connector.updateVariantPrices(pushed.productId, [{ variantId: 'gid://shopify/ProductVariant/1', price: 1, compareAt: null }]).catch((e) => e);
    expect(bad).toBeInstanceOf(StoreError);
    expect(bad.retryable).toBe(false);
    expect(bad.message).toBe('Shopify rejected the price update: variants.0.id: Product variant does not exist');
  });

  it('backs off when throttled and succeeds; gives up with a retryable error when it stays throttled', async () => {
    const shop = await fakeShopifyShop();
    const connector = await shopifyConnector(shop.token, shop.storeUrl);
    await shop.throttle(2, 0);
    const started = Date.now();
    const pushed = await connector.upsertProduct(product());
    expect(pushed.created).toBe(true);
    // The fake's bucket restores 100 points/s and reports 0 available: each wait is cost/100 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect((await shop.requests()).map((r) => r.operation)).toEqual(['products', 'products', 'products', 'location', 'productSet']);

    await shop.throttle(10, 0);
    const err = await connector.upsertProduct(product()).catch((e) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/throttled/);
  });

  it('maps HTTP failures: 5xx and timeouts retryable, 401/403/404 permanent with Shopify’s message, userErrors permanent', async () => {
    const shop = await fakeShopifyShop();
    const connector = await shopifyConnector(shop.token, shop.storeUrl);
    await shop.fail(503, 1);
    const e503 = await connector.findProductBySupplierKey('x').catch((e) => e);
    expect([e503.retryable, e503.status, e503.message]).toEqual([true, 503, 'Shopify is unavailable (HTTP 503): Internal Server Error']);

    await shop.fail(403, 1, { body: { errors: '[API] This action requires merchant approval for write_products scope.' } });
    const e403 = await connector.upsertProduct(product()).catch((e) => e);
    expect([e403.retryable, e403.message]).toEqual([false, 'The access token lacks a required permission: [API] This action requires merchant approval for write_products scope.']);

    await shop.fail(404, 1, { body: { errors: 'Not Found' } });
    const e404 = await connector.findProductBySupplierKey('x').catch((e) => e);
    expect([e404.retryable, e404.message]).toEqual([false, 'No Shopify store answers at this URL: Not Found']);

    const broken = product(undefined, { variants: product().variants.map((v) => ({ ...v, price: Number.NaN })) });
    const invalid = await connector.upsertProduct(broken).catch((e) => e);
    expect(invalid).toBeInstanceOf(StoreError);
    expect(invalid.retryable).toBe(false);
    expect(invalid.message).toMatch(/^Shopify rejected the product: input\.variants\.0\.price: Price must be a decimal amount/);

    const slow = await shopifyConnector(shop.token, shop.storeUrl, { STORE_REQUEST_TIMEOUT_MS: '200' });
    await shop.fail(200, 1, { delayMs: 1500 });
    const timeout = await slow.testConnection();
    expect(timeout).toEqual({ ok: false, shop_name: null, detail: 'Shopify did not answer within 200 ms' });
    await shop.fail(200, 1, { delayMs: 1500 });
    const timedOut = await slow.findProductBySupplierKey('x').catch((e) => e);
    expect(timedOut).toBeInstanceOf(StoreError);
    expect(timedOut.retryable).toBe(true);
    expect(await shop.products()).toEqual([]);
  });

  it('refuses to build a connector for URLs outside the rules or without usable keys', async () => {
    const err = await connectorFor({ ...env, ALLOW_LOCAL_STORES: 'false' }, await sealedConnection('shopify', 'http://127.0.0.1:1', 't')).catch((e) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err.message).toMatch(/public address/);
    const unreadable = await connectorFor(env, { ...(await sealedConnection('shopify', 'https://a.myshopify.com', 'x')), apiKey: 'v1.k9.AAAA.BBBB' }).catch((e) => e);
    expect(unreadable.message).toMatch(/cannot be read/);
  });
});

import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sealedConnection } from './helpers';
import { connectorFor } from '../stores';
import { StoreError, type StoreProductInput } from '../stores/types';
import { fakeWooStore } from './store-fakes';

/**
 * WooCommerce pushes that are safe on a real site (issue #14). The fake downloads every
 * `{src}` image like WooCommerce's controllers (a new attachment each time, a dead URL
 * fails the request) and can be slow on batches while it keeps saving after a timeout.
 */

async function wooConnector(apiKey: string, storeUrl: string, timeoutMs?: number, settleSeconds?: number) {
  const e = { ...env, ...(timeoutMs ? { STORE_REQUEST_TIMEOUT_MS: String(timeoutMs) } : {}), ...(settleSeconds ? { WOO_CREATE_SETTLE_SECONDS: String(settleSeconds) } : {}) };
  return connectorFor(e, await sealedConnection('woocommerce', storeUrl, apiKey));
}

/** Three colours × `sizes` sizes; every colour's variations share one image. */
function product(key: string, images: { main: string[]; colour: (c: string) => string | null }, sizes = 2): StoreProductInput {
  const colors = ['Red', 'Green', 'Blue'];
  const sizeNames = Array.from({ length: sizes }, (_, i) => `S${i + 1}`);
  return {
    supplierKey: `aliexpress:${key}`,
    title: 'Canvas Tote',
    descriptionHtml: '<p>Sturdy.</p>',
    images: images.main,
    options: [
      { name: 'Color', values: colors },
      { name: 'Size', values: sizeNames },
    ],
    variants: colors.flatMap((color) =>
      sizeNames.map((size) => ({
        supplierKey: `${key}-${color}-${size}`,
        sku: `TOTE-${color}-${size}-${key}`,
        options: { Color: color, Size: size },
        price: 15,
        compareAt: null,
        stock: 3,
        image: images.colour(color),
      })),
    ),
    tags: [],
    published: true,
    currency: 'USD',
  };
}

describe('WooCommerce images: uploaded once, reused, dead ones skipped', () => {
  it('variations of one colour share one upload, and a re-import adds no new media', async () => {
    const store = await fakeWooStore();
    const connector = await wooConnector(store.apiKey, store.storeUrl);
    const key = crypto.randomUUID().slice(0, 8);
    const input = product(key, { main: [store.imageUrl(`main-${key}.jpg`)], colour: (c) => store.imageUrl(`${c}-${key}.jpg`) });
    const first = await connector.upsertProduct(input);
    expect(first.warnings).toEqual([]);
    const media = await store.media();
    // The main image and one per colour, each downloaded once.
    expect(media.map((m) => m.source).sort()).toEqual([input.images[0], ...['Red', 'Green', 'Blue'].map((c) => store.imageUrl(`${c}-${key}.jpg`))].sort());
    const [p] = await store.products();
    const red = p.variations.filter((v) => v.options.Color === 'Red');
    expect(red).toHaveLength(2);
    expect(red[0].image_id).toBeTruthy();
    expect(red[1].image_id).toBe(red[0].image_id);
    expect(p.variations.map((v) => v.image)).toEqual(input.variants.map((v) => v.image));

    const again = await connector.upsertProduct({ ...input, variants: input.variants.map((v) => ({ ...v, price: 17 })) }, first.productId);
    expect(again.productId).toBe(first.productId);
    expect(await store.media()).toHaveLength(media.length);
    const [after] = await store.products();
    expect(after.image_ids).toEqual(p.image_ids);
    expect(after.variations.map((v) => [v.image_id, v.regular_price])).toEqual(p.variations.map((v) => [v.image_id, '17.00']));
  });

  it('an image the store cannot download is left out with a warning; the product is still pushed', async () => {
    const store = await fakeWooStore();
    const connector = await wooConnector(store.apiKey, store.storeUrl);
    const key = crypto.randomUUID().slice(0, 8);
    const dead = store.imageUrl(`gone-${key}.jpg`, true);
    const unresolvable = `https://cdn-${key}.invalid/green.jpg`;
    const input = product(key, {
      main: [store.imageUrl(`main-${key}.jpg`), dead],
      colour: (c) => (c === 'Green' ? unresolvable : store.imageUrl(`${c}-${key}.jpg`)),
    });
    const pushed = await connector.upsertProduct(input);
    expect(pushed.warnings).toEqual([
      `The store could not download the image ${dead}; the product was pushed without it`,
      `The store could not download the image ${unresolvable}; the product was pushed without it`,
    ]);
    const [p] = await store.products();
    expect(p.images).toEqual([input.images[0], store.imageUrl(`Red-${key}.jpg`), store.imageUrl(`Blue-${key}.jpg`)]);
    expect(p.variations).toHaveLength(6);
    expect(p.variations.filter((v) => v.options.Color === 'Green').map((v) => v.image)).toEqual([null, null]);
  });
});

describe('WooCommerce writes are idempotent on retry', () => {
  it('a variation batch that timed out while the site kept saving, retried at once, creates no duplicate', async () => {
    const store = await fakeWooStore();
    const key = crypto.randomUUID().slice(0, 8);
    const input = product(key, { main: [], colour: () => null }, 7); // 21 variations, one batch
    await store.slow(100);
    const impatient = await wooConnector(store.apiKey, store.storeUrl, 450);
    const err = await impatient.upsertProduct(input).catch((e) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err.retryable).toBe(true);

    // The retry starts while the first batch is still being saved.
    const retry = await wooConnector(store.apiKey, store.storeUrl);
    const pushed = await retry.upsertProduct(input);
    await new Promise((r) => setTimeout(r, 500));
    const products = await store.products();
    expect(products).toHaveLength(1);
    const skus = products[0].variations.map((v) => v.sku);
    expect(skus).toHaveLength(21);
    expect(new Set(skus).size).toBe(21);
    expect(skus.every((s) => s.startsWith('TOTE-'))).toBe(true);
    expect(pushed.warnings).toEqual([]);
    expect(Object.keys(pushed.variantIds).sort()).toEqual(input.variants.map((v) => v.supplierKey).sort());
    expect(products[0].variations.map((v) => pushed.variantIds[v.variant_key!] === v.id).every(Boolean)).toBe(true);
  });
});

describe('WooCommerce: a product create that timed out while the site kept saving', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('the fake models the race: a create started before the slow one saved passes the SKU check, and both are saved', async () => {
    const store = await fakeWooStore();
    const input = product(crypto.randomUUID().slice(0, 8), { main: [], colour: () => null }, 1);
    await store.slowCreate(700);
    const impatient = await wooConnector(store.apiKey, store.storeUrl, 250, 60);
    await expect(impatient.upsertProduct(input)).rejects.toBeInstanceOf(StoreError);
    // What an eager retry does: look up by SKU (nothing saved yet) and create.
    const eager = await wooConnector(store.apiKey, store.storeUrl);
    await eager.upsertProduct(input);
    await sleep(800);
    expect((await store.products()).map((p) => p.supplier_key)).toEqual([input.supplierKey, input.supplierKey]);
  });

  it('the connector says how long the create may still be saving; a retry after that updates the one product', async () => {
    const store = await fakeWooStore();
    const input = product(crypto.randomUUID().slice(0, 8), { main: [store.imageUrl('main.jpg')], colour: () => null }, 2);
    await store.slowCreate(700);
    const impatient = await wooConnector(store.apiKey, store.storeUrl, 250, 1.2);
    const err = await impatient.upsertProduct(input).catch((e) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect([err.retryable, err.settleMs]).toEqual([true, 1200]);
    expect(err.message).toMatch(/did not answer within 250 ms; the product may still be being saved by the store, so the import waits 2 s/);
    expect(await store.products()).toEqual([]);
    await sleep(err.settleMs);
    const pushed = await (await wooConnector(store.apiKey, store.storeUrl)).upsertProduct(input);
    const products = await store.products();
    expect(products).toHaveLength(1);
    expect([pushed.created, pushed.productId]).toEqual([false, products[0].id]);
    expect(products[0].variations).toHaveLength(6);
    expect(pushed.warnings).toEqual([]);
    // The image the slow create downloaded is the product's, not downloaded again.
    expect(await store.media()).toHaveLength(1);
    expect(products[0].images).toEqual([store.imageUrl('main.jpg')]);
    // …and remembered: a later import uploads nothing either.
    await (await wooConnector(store.apiKey, store.storeUrl)).upsertProduct(input);
    expect(await store.media()).toHaveLength(1);
  });
});

describe('WooCommerce: the merchant’s edits survive a re-import', () => {
  it('keeps the name, description and gallery the merchant set; prices still follow the supplier', async () => {
    const store = await fakeWooStore();
    const connector = await wooConnector(store.apiKey, store.storeUrl);
    const key = crypto.randomUUID().slice(0, 8);
    const input = product(key, { main: [store.imageUrl(`main-${key}.jpg`)], colour: () => null });
    const first = await connector.upsertProduct(input);
    // The merchant edits the product in wp-admin (the same REST write WooCommerce's UI makes).
    const edit = await fetch(`${store.storeUrl}/wp-json/wc/v3/products/${first.productId}`, {
      method: 'PUT',
      headers: { Authorization: `Basic ${btoa(store.apiKey)}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Merchant name', description: '<p>Merchant copy</p>', images: [] }),
    });
    expect(edit.status).toBe(200);
    await connector.upsertProduct({ ...input, variants: input.variants.map((v) => ({ ...v, price: 19 })) }, first.productId);
    const [p] = await store.products();
    expect(p.name).toBe('Merchant name');
    expect(p.images).toEqual([]);
    expect(p.variations.every((v) => v.regular_price === '19.00')).toBe(true);
    expect(await store.media()).toHaveLength(1);
  });
});

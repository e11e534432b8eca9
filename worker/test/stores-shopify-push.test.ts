import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sealedConnection } from './helpers';
import { connectorFor } from '../stores';
import { supplierTag } from '../stores/shopify';
import type { StoreProductInput } from '../stores/types';
import { fakeShopifyShop } from './store-fakes';

/**
 * Pushes that are safe on a real shop (issue #14): the Shopify fake replaces list fields
 * the way Shopify's productSet does and refuses requests above the cost maximum, so
 * these fail on a connector that re-sends productSet or one request per product.
 */

async function shopifyConnector(token: string, storeUrl: string) {
  return connectorFor(env, await sealedConnection('shopify', storeUrl, token));
}

function product(key = crypto.randomUUID().slice(0, 8), overrides: Partial<StoreProductInput> = {}): StoreProductInput {
  const colors = ['Black', 'White'];
  const sizes = ['M', 'L'];
  return {
    supplierKey: `aliexpress:${key}`,
    title: 'Linen Shirt',
    descriptionHtml: '<p>Soft linen.</p>',
    images: ['https://img.example.com/shirt-1.jpg'],
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
        compareAt: null,
        stock: 5,
        image: `https://img.example.com/shirt-${color.toLowerCase()}.jpg`,
      })),
    ),
    tags: ['summer'],
    published: true,
    currency: 'USD',
    ...overrides,
  };
}

const merchantField = { namespace: 'custom', key: 'care', type: 'single_line_text_field', value: 'Hand wash' };
const otherApp = { namespace: 'reviews_app', key: 'rating', type: 'single_line_text_field', value: '4.8' };

describe('Shopify: the merchant’s data survives a re-import and a reprice', () => {
  it('keeps merchant metafields (product and variant), media, tags, collections, title and description; updates prices', async () => {
    const shop = await fakeShopifyShop();
    const connector = await shopifyConnector(shop.token, shop.storeUrl);
    const input = product();
    const first = await connector.upsertProduct(input);
    const [created] = await shop.products();
    const firstVariant = created.variants[0].id;
    await shop.merchantEdit({
      product_id: first.productId,
      title: 'Our Linen Shirt',
      description_html: '<p>Written by the merchant.</p>',
      add_tags: ['bestseller'],
      add_metafields: [merchantField, otherApp],
      add_media: ['https://cdn.shopify.com/merchant-lifestyle.jpg'],
      add_collections: ['gid://shopify/Collection/77'],
      variant_metafields: { [firstVariant]: [merchantField] },
    });
    const before = (await shop.products())[0];

    // Re-import: the supplier raised prices.
    const again = await connector.upsertProduct({ ...input, variants: input.variants.map((v) => ({ ...v, price: v.price + 3 })) }, first.productId);
    expect(again.created).toBe(false);
    expect(again.variantIds).toEqual(first.variantIds);
    // Reprice through the price watch path.
    await connector.updateVariantPrices(first.productId, Object.values(first.variantIds).map((variantId) => ({ variantId, price: 30, compareAt: 40 })));

    const [after] = await shop.products();
    expect(after.title).toBe('Our Linen Shirt');
    expect(after.description_html).toBe('<p>Written by the merchant.</p>');
    expect(after.tags).toEqual(before.tags);
    expect(after.tags).toContain('bestseller');
    expect(after.tags).toContain(supplierTag(input.supplierKey));
    expect(after.metafields).toEqual(expect.arrayContaining([expect.objectContaining(merchantField), expect.objectContaining(otherApp)]));
    expect(after.metafields.find((m) => m.key === 'supplier_key')?.value).toBe(input.supplierKey);
    // Same media, same ids: nothing deleted and re-created.
    expect(after.media).toEqual(before.media);
    expect(after.collections).toEqual(['gid://shopify/Collection/77']);
    expect(after.variants.map((v) => v.id)).toEqual(before.variants.map((v) => v.id));
    expect(after.variants[0].metafields).toEqual(expect.arrayContaining([expect.objectContaining(merchantField)]));
    expect(after.variants.map((v) => v.image)).toEqual(before.variants.map((v) => v.image));
    expect(after.variants.map((v) => [v.price, v.compare_at_price])).toEqual(after.variants.map(() => ['30.00', '40.00']));
    expect((await shop.requests()).filter((r) => r.operation === 'productSet')).toHaveLength(1);
  });

  it('adds a new supplier variant and removes one the supplier dropped, leaving the rest alone', async () => {
    const shop = await fakeShopifyShop();
    const connector = await shopifyConnector(shop.token, shop.storeUrl);
    const input = product();
    const first = await connector.upsertProduct(input);
    const [dropped, ...kept] = input.variants;
    const added = { ...kept[0], supplierKey: `${kept[0].supplierKey}-XL`, sku: null, options: { Color: 'White', Size: 'XL' }, image: null };
    const second = await connector.upsertProduct({ ...input, variants: [...kept, added] }, first.productId);
    expect(second.warnings).toEqual([]);
    const [p] = await shop.products();
    expect(p.variants.map((v) => v.variant_key)).toEqual([...kept.map((v) => v.supplierKey), added.supplierKey]);
    expect(p.variants.slice(0, 3).map((v) => v.id)).toEqual(kept.map((v) => first.variantIds[v.supplierKey]));
    expect(second.variantIds[dropped.supplierKey]).toBeUndefined();
    expect(second.variantIds[added.supplierKey]).toBe(p.variants[3].id);
    expect(p.options.find((o) => o.name === 'Size')?.values).toContain('XL');
  });

  it('a full overwrite (config.overwrite) writes title, description, status and tags, still never metafields or media', async () => {
    const shop = await fakeShopifyShop();
    const connector = await shopifyConnector(shop.token, shop.storeUrl);
    const input = product();
    const first = await connector.upsertProduct(input);
    await shop.merchantEdit({ product_id: first.productId, title: 'Merchant title', add_tags: ['bestseller'], add_metafields: [merchantField], add_media: ['https://cdn.shopify.com/m.jpg'] });
    const before = (await shop.products())[0];
    await connector.upsertProduct({ ...input, title: 'Supplier title', published: false, overwrite: true }, first.productId);
    const [after] = await shop.products();
    expect(after.title).toBe('Supplier title');
    expect(after.status).toBe('DRAFT');
    expect(after.tags.sort()).toEqual(['summer', supplierTag(input.supplierKey)].sort());
    expect(after.metafields).toEqual(expect.arrayContaining([expect.objectContaining(merchantField)]));
    expect(after.media).toEqual(before.media);
  });
});

describe('Shopify: big products', () => {
  it('imports a 1,500-variant product under the per-request cost limit, without being throttled', async () => {
    const shop = await fakeShopifyShop();
    const connector = await shopifyConnector(shop.token, shop.storeUrl);
    const key = crypto.randomUUID().slice(0, 8);
    const colors = Array.from({ length: 15 }, (_, i) => `Colour ${i + 1}`);
    const sizes = Array.from({ length: 100 }, (_, i) => `EU ${i + 1}`);
    const input = product(key, {
      images: ['https://img.example.com/big-1.jpg', 'https://img.example.com/big-2.jpg'],
      options: [
        { name: 'Color', values: colors },
        { name: 'Size', values: sizes },
      ],
      variants: colors.flatMap((color, i) =>
        sizes.map((size, j) => ({
          supplierKey: `${key}-${i}-${j}`,
          sku: `BIG-${i}-${j}-${key}`,
          options: { Color: color, Size: size },
          price: 10 + j / 100,
          compareAt: null,
          stock: j,
          image: `https://img.example.com/big-colour-${i}.jpg`,
        })),
      ),
    });
    const pushed = await connector.upsertProduct(input);
    expect(pushed.warnings).toEqual([]);
    expect(Object.keys(pushed.variantIds)).toHaveLength(1500);

    const [p] = await shop.products();
    expect(p.variants).toHaveLength(1500);
    expect(new Set(p.variants.map((v) => v.variant_key)).size).toBe(1500);
    expect(p.variants.every((v, n) => v.image === `https://img.example.com/big-colour-${Math.floor(n / 100)}.jpg`)).toBe(true);
    expect(p.variants[1499]).toMatchObject({ price: '10.99', sku: `BIG-14-99-${key}`, inventory: 99 });
    // 2 product images + 15 colour images, each uploaded once.
    expect(p.media).toHaveLength(17);
    const requests = await shop.requests();
    expect(requests.every((r) => (r.cost ?? 0) <= 1000)).toBe(true);
    expect(requests.filter((r) => r.operation === 'productSet')).toHaveLength(1);
    expect(requests.filter((r) => r.operation === 'productVariantsBulkCreate').length).toBeGreaterThan(1);
    expect(await shop.throttledByBucket()).toBe(0);
  });
});

describe('the Shopify fake charges like Shopify', () => {
  it('charges productSet by Shopify’s formula and refuses one above the 1,000-point maximum with MAX_COST_EXCEEDED', async () => {
    const shop = await fakeShopifyShop();
    const send = async (input: Record<string, unknown>) => {
      const res = await fetch(`${shop.storeUrl}/admin/api/${env.SHOPIFY_API_VERSION}/graphql.json`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': shop.token },
        body: JSON.stringify({ query: 'mutation P($input: ProductSetInput!) { productSet(synchronous: true, input: $input) { product { id } userErrors { message } } }', variables: { input } }),
      });
      return (await res.json()) as { data?: unknown; errors?: { extensions: { code: string; cost: number; maxCost: number } }[] };
    };
    const variants = Array.from({ length: 1200 }, (_, i) => ({
      optionValues: [{ optionName: 'Size', name: `S${i}` }],
      price: '10.00',
      metafields: [{ namespace: 'sourcepilot', key: 'variant_key', type: 'single_line_text_field', value: `k${i}` }],
    }));
    const base = { title: 'Big', productOptions: [{ name: 'Size', values: variants.map((v) => ({ name: v.optionValues[0].name })) }], variants };
    // 10 + 1,200 × (0.2 + 0.4) = 730 points: accepted.
    expect((await send(base)).errors).toBeUndefined();
    // Plus 200 files × 1.9 = 1,110 points: refused whole.
    const files = Array.from({ length: 200 }, (_, i) => ({ originalSource: `https://img.example.com/${i}.jpg`, contentType: 'IMAGE' }));
    const refused = await send({ ...base, title: 'Too big', files });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'MAX_COST_EXCEEDED', cost: 1110, maxCost: 1000 });
    expect(refused.data).toBeUndefined();
    expect((await shop.products()).map((p) => p.title)).toEqual(['Big']);
    expect((await shop.requests()).map((r) => r.cost)).toEqual([730, 1110]);
  });
});

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

describe('Shopify: a re-import sets the supplier’s stock on existing variants', () => {
  const stockWrites = async (shop: Awaited<ReturnType<typeof fakeShopifyShop>>) => (await shop.requests()).filter((r) => r.operation === 'inventorySetQuantities');
  type SetInput = { input: { quantities: { inventoryItemId: string; quantity: number; changeFromQuantity: number | null }[] }; key: string };

  it('writes the new stock with changeFromQuantity = the quantity read, under an idempotency key', async () => {
    const shop = await fakeShopifyShop();
    const connector = await shopifyConnector(shop.token, shop.storeUrl);
    const input = product();
    const first = await connector.upsertProduct(input);
    expect((await shop.products())[0].variants.map((v) => v.inventory)).toEqual([5, 5, 5, 5]);
    // One variant already shows what the supplier says: it is not written.
    const restocked = { ...input, variants: input.variants.map((v, i) => ({ ...v, stock: i === 3 ? 5 : 12 + i })) };
    const second = await connector.upsertProduct(restocked, first.productId);
    expect(second.warnings).toEqual([]);
    const [p] = await shop.products();
    expect(p.variants.map((v) => v.inventory)).toEqual([12, 13, 14, 5]);
    const writes = await stockWrites(shop);
    expect(writes).toHaveLength(1);
    const sent = writes[0].variables as unknown as SetInput;
    expect(sent.key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(sent.input.quantities.map((q) => [q.inventoryItemId, q.changeFromQuantity, q.quantity])).toEqual(p.variants.slice(0, 3).map((v, i) => [v.inventory_item_id, 5, 12 + i]));
    // A third import with the same numbers writes nothing.
    await connector.upsertProduct(restocked, first.productId);
    expect(await stockWrites(shop)).toHaveLength(1);
  });

  it('a sale between the read and the write is not overwritten: stale compare-and-swap, read again, the sold unit kept off', async () => {
    const shop = await fakeShopifyShop();
    const connector = await shopifyConnector(shop.token, shop.storeUrl);
    const input = product();
    const first = await connector.upsertProduct(input);
    const sold = first.variantIds[input.variants[1].supplierKey];
    await shop.sell(sold, 2, 'before_next_inventory_set');
    const second = await connector.upsertProduct({ ...input, variants: input.variants.map((v) => ({ ...v, stock: 20 })) }, first.productId);
    expect(second.warnings).toEqual([]);
    const [p] = await shop.products();
    // The supplier says 20; two were sold in the store after SourcePilot read 5: 18 are left to sell.
    expect(p.variants.map((v) => [v.id === sold, v.inventory])).toEqual([[false, 20], [true, 18], [false, 20], [false, 20]]);
    const writes = (await stockWrites(shop)).map((w) => w.variables as unknown as SetInput);
    expect(writes).toHaveLength(2);
    expect(writes[0].key).not.toBe(writes[1].key);
    expect(writes[0].input.quantities.map((q) => q.changeFromQuantity)).toEqual([5, 5, 5, 5]);
    // Only the sold variant was stale (the refused write changed nothing), so the second round writes the batch again from what it read.
    expect(writes[1].input.quantities.map((q) => [q.changeFromQuantity, q.quantity])).toEqual([[5, 20], [3, 18], [5, 20], [5, 20]]);
    expect((await shop.inventory()).changes).toHaveLength(1);
  });

  it('a write whose answer was lost is sent again with the same key and applied once', async () => {
    const shop = await fakeShopifyShop();
    const connector = await shopifyConnector(shop.token, shop.storeUrl);
    const input = product();
    const first = await connector.upsertProduct(input);
    await shop.loseAnswer('inventorySetQuantities');
    const second = await connector.upsertProduct({ ...input, variants: input.variants.map((v) => ({ ...v, stock: 9 })) }, first.productId);
    expect(second.warnings).toEqual([]);
    expect((await shop.products())[0].variants.map((v) => v.inventory)).toEqual([9, 9, 9, 9]);
    const writes = (await stockWrites(shop)).map((w) => w.variables as unknown as SetInput);
    expect(writes).toHaveLength(2);
    expect(writes[1]).toEqual(writes[0]);
    const inventory = await shop.inventory();
    expect(inventory.changes).toHaveLength(1);
    expect(inventory.replays).toBe(1);
  });

  it('the fake refuses what Shopify refuses: no idempotency key, a key reused with other input, no changeFromQuantity', async () => {
    const shop = await fakeShopifyShop();
    const connector = await shopifyConnector(shop.token, shop.storeUrl);
    await connector.upsertProduct(product());
    const [variant] = (await shop.products())[0].variants;
    const quantity = (q: Record<string, unknown>) => ({ input: { name: 'available', reason: 'correction', quantities: [{ inventoryItemId: variant.inventory_item_id, locationId: shop.locationId, quantity: 7, ...q }] } });
    const noKey = await shop.graphql(`mutation($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { userErrors { code } } }`, quantity({ changeFromQuantity: 5 }));
    expect(noKey.errors?.[0].message).toMatch(/@idempotent/);
    const withKey = `mutation($input: InventorySetQuantitiesInput!, $key: String!) { inventorySetQuantities(input: $input) @idempotent(key: $key) { userErrors { code } } }`;
    const ok = await shop.graphql(withKey, { ...quantity({ changeFromQuantity: 5 }), key: 'k-1' });
    expect(ok.data?.inventorySetQuantities).toEqual({ userErrors: [] });
    const mismatch = await shop.graphql(withKey, { ...quantity({ changeFromQuantity: 5, quantity: 8 }), key: 'k-1' });
    expect(mismatch.data?.inventorySetQuantities).toEqual({ userErrors: [{ code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH' }] });
    const stale = await shop.graphql(withKey, { ...quantity({ changeFromQuantity: 5 }), key: 'k-2' });
    expect(stale.data?.inventorySetQuantities).toEqual({ userErrors: [{ code: 'CHANGE_FROM_QUANTITY_STALE' }] });
    const noCompare = await shop.graphql(withKey, { ...quantity({}), key: 'k-3' });
    expect(noCompare.data?.inventorySetQuantities).toEqual({ userErrors: [{ code: 'COMPARE_QUANTITY_REQUIRED' }] });
    expect((await shop.products())[0].variants[0].inventory).toBe(7);
  });
});

describe('Shopify: the supplier renames an option', () => {
  it('renames the store’s option (same position) and adds the new variants', async () => {
    const shop = await fakeShopifyShop();
    const connector = await shopifyConnector(shop.token, shop.storeUrl);
    const input = product();
    const first = await connector.upsertProduct(input);
    const rename = (o: Record<string, string>) => ({ Colour: o.Color, Size: o.Size });
    const renamed: StoreProductInput = {
      ...input,
      options: [{ name: 'Colour', values: ['Black', 'White', 'Red'] }, input.options[1]],
      variants: [
        ...input.variants.map((v) => ({ ...v, options: rename(v.options) })),
        { ...input.variants[0], supplierKey: `${input.variants[0].supplierKey}-red`, sku: null, options: { Colour: 'Red', Size: 'M' }, image: null },
      ],
    };
    const second = await connector.upsertProduct(renamed, first.productId);
    expect(second.warnings).toEqual([]);
    const [p] = await shop.products();
    expect(p.options).toEqual([{ name: 'Colour', values: ['Black', 'White', 'Red'] }, { name: 'Size', values: ['M', 'L'] }]);
    expect(p.variants.map((v) => v.options)).toEqual(renamed.variants.map((v) => v.options));
    expect(p.variants.slice(0, 4).map((v) => v.id)).toEqual(input.variants.map((v) => first.variantIds[v.supplierKey]));
    expect((await shop.requests()).filter((r) => r.operation === 'productOptionUpdate')).toHaveLength(1);
  });

  it('a real structure change (another option count, or options swapped) keeps the warning and touches no option', async () => {
    const shop = await fakeShopifyShop();
    const connector = await shopifyConnector(shop.token, shop.storeUrl);
    const input = product();
    const first = await connector.upsertProduct(input);
    const extra = { ...input.variants[0], supplierKey: 'new-one', sku: null, image: null, options: { Color: 'Red', Size: 'M' } };
    const threeOptions: StoreProductInput = {
      ...input,
      options: [...input.options, { name: 'Material', values: ['Linen'] }],
      variants: [...input.variants, extra].map((v) => ({ ...v, options: { ...v.options, Material: 'Linen' } })),
    };
    const swapped: StoreProductInput = {
      ...input,
      options: [input.options[1], input.options[0]],
      variants: [...input.variants, extra],
    };
    for (const changed of [threeOptions, swapped]) {
      const pushed = await connector.upsertProduct(changed, first.productId);
      expect(pushed.warnings.join(' ')).toMatch(/no longer match the store product's \(Color, Size\); 1 new variant\(s\) were not added/);
    }
    const [p] = await shop.products();
    expect(p.options.map((o) => o.name)).toEqual(['Color', 'Size']);
    expect(p.variants).toHaveLength(4);
    expect((await shop.requests()).filter((r) => r.operation === 'productOptionUpdate')).toHaveLength(0);
  });
});

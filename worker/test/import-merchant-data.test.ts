import { describe, expect, it } from 'vitest';
import { call, registerUser, setPlan } from './helpers';
import { fakeShopifyShop } from './store-fakes';
import { waitForJob } from './queue-helpers';

/**
 * Through the real queue and pipeline (issue #14): a re-import leaves what the merchant
 * edited in Shopify alone; `config.overwrite: true` writes title and tags, still never the
 * merchant's metafields or media.
 */

const aliUrl = (id: string | number = Math.floor(1e15 + Math.random() * 9e15)) => `https://www.aliexpress.com/item/${id}.html`;

/** A Pro user with a fake Shopify shop connected. */
async function shopifyProUser() {
  const user = await registerUser();
  await setPlan(user.id, 'pro');
  const shop = await fakeShopifyShop();
  const conn = await call('/connections', { token: user.token, body: { store_name: shop.name, platform: 'shopify', store_url: shop.storeUrl, api_key: shop.token } });
  expect(conn.status).toBe(201);
  return { user, shop };
}

describe('re-import into Shopify keeps the merchant’s data', () => {
  it('keeps the merchant’s title, tags, metafields and media; overwrite writes title and tags only', async () => {
    const { user, shop } = await shopifyProUser();
    const url = aliUrl();
    const first = await waitForJob(user.token, (await call('/imports', { token: user.token, body: { product_url: url, source: 'aliexpress', config: { tags: ['summer'] } } })).json.id);
    expect(first.status).toBe('completed');
    const productId = first.created_product_id as string;
    const field = { namespace: 'custom', key: 'care', type: 'single_line_text_field', value: 'Hand wash' };
    await shop.merchantEdit({ product_id: productId, title: 'Merchant title', add_tags: ['bestseller'], add_metafields: [field], add_media: ['https://cdn.shopify.com/own.jpg'] });
    const before = (await shop.products())[0];

    const again = await waitForJob(user.token, (await call('/imports', { token: user.token, body: { product_url: url, source: 'aliexpress', config: { markup_percent: 80, tags: ['summer'] } } })).json.id);
    expect(again.status).toBe('completed');
    expect(again.created_product_id).toBe(productId);
    let [p] = await shop.products();
    expect(p.title).toBe('Merchant title');
    expect(p.tags).toEqual(before.tags);
    expect(p.metafields).toEqual(expect.arrayContaining([expect.objectContaining(field)]));
    expect(p.media).toEqual(before.media);
    expect(p.variants.map((v) => v.id)).toEqual(before.variants.map((v) => v.id));
    expect(p.variants.map((v) => v.price)).not.toEqual(before.variants.map((v) => v.price));

    const overwritten = await waitForJob(user.token, (await call('/imports', { token: user.token, body: { product_url: url, source: 'aliexpress', config: { tags: ['autumn'], overwrite: true } } })).json.id);
    expect(overwritten.status).toBe('completed');
    [p] = await shop.products();
    expect(p.title).toBe(overwritten.product_data.title);
    expect(p.tags).toContain('autumn');
    expect(p.tags).not.toContain('bestseller');
    expect(p.tags.filter((t) => t.startsWith('sourcepilot:'))).toHaveLength(1);
    expect(p.metafields).toEqual(expect.arrayContaining([expect.objectContaining(field)]));
    expect(p.media).toEqual(before.media);
  });
});

describe('re-import into Shopify sets the supplier’s stock', () => {
  it('puts back the supplier’s stock on existing variants, tagged with the job, under an idempotency key', async () => {
    const { user, shop } = await shopifyProUser();
    const url = aliUrl();
    const first = await waitForJob(user.token, (await call('/imports', { token: user.token, body: { product_url: url, source: 'aliexpress' } })).json.id);
    expect(first.status).toBe('completed');
    const supplierStock = (first.product_data.variants as { stock: number | null }[]).map((v) => v.stock);
    const at = supplierStock.findIndex((s) => typeof s === 'number' && s >= 1);
    expect(at).toBeGreaterThanOrEqual(0);
    const [before] = await shop.products();
    expect(before.variants.map((v) => v.inventory)).toEqual(supplierStock);
    // A customer bought one in the store; the supplier's number is still the same.
    await shop.sell(before.variants[at].id, 1);

    const again = await waitForJob(user.token, (await call('/imports', { token: user.token, body: { product_url: url, source: 'aliexpress' } })).json.id);
    expect(again.status).toBe('completed');
    const [after] = await shop.products();
    expect(after.variants.map((v) => v.inventory)).toEqual(supplierStock);
    const writes = (await shop.requests()).filter((r) => r.operation === 'inventorySetQuantities');
    expect(writes).toHaveLength(1);
    const sent = writes[0].variables as { key: string; input: { referenceDocumentUri: string; quantities: { changeFromQuantity: number; quantity: number }[] } };
    expect(sent.input.referenceDocumentUri).toBe(`gid://sourcepilot/ImportJob/${again.id}`);
    expect(sent.input.quantities).toEqual([expect.objectContaining({ inventoryItemId: before.variants[at].inventory_item_id, changeFromQuantity: supplierStock[at]! - 1, quantity: supplierStock[at] })]);
    expect(sent.key).toMatch(/^[0-9a-f-]{36}$/);
  });
});

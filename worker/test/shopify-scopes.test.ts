import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { connectorFor } from '../stores';
import { SHOPIFY_DOCUMENTS } from '../stores/shopify';
import { effectiveScopes, missingScopes, SHOPIFY_SCOPE_NAMES } from '../shared/shopify-scopes';
import { StoreError, type StoreProductInput } from '../stores/types';
import { call, registerUser, sealedConnection } from './helpers';
import { fakeShopifySchema, fakeShopifyShop } from './store-fakes';

const schema = fakeShopifySchema();

/** The fields of a document that `granted` does not open, as "path needs one of …". */
async function uncovered(query: string, granted: readonly string[]) {
  const result = await schema.access(query);
  expect(result.errors, 'the document must be valid against Shopify’s Admin schema').toBeUndefined();
  const have = effectiveScopes(granted);
  return result.gates!.filter((g) => !g.scopes.some((s) => have.has(s))).map((g) => `${g.path.join('.')} (${g.gate}) needs one of ${g.scopes.join(', ')}`);
}

async function graphql(token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${(env as unknown as { FAKE_SHOPIFY_URL: string }).FAKE_SHOPIFY_URL}/admin/api/${env.SHOPIFY_API_VERSION}/graphql.json`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': token },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; locations?: unknown; path?: string[]; extensions: Record<string, unknown> }[] } };
}

const withStock: StoreProductInput = {
  supplierKey: 'aliexpress:scopes-1',
  title: 'Linen Shirt',
  descriptionHtml: '<p>Soft.</p>',
  images: [],
  options: [{ name: 'Size', values: ['M'] }],
  variants: [{ supplierKey: 'scopes-1-M', sku: null, options: { Size: 'M' }, price: 20, compareAt: null, stock: 5, image: null }],
  tags: [],
  published: true,
  currency: 'USD',
};

describe('the scopes SourcePilot requests from Shopify', () => {
  it('come from the schema of the Admin API version the worker calls', async () => {
    const info = await schema.info();
    expect(info.version).toBe(env.SHOPIFY_API_VERSION);
    expect(info.source).toMatch(/^@shopify\/dev-mcp@[\d.]+ dist\/data\/admin_\d{4}-\d{2}\.json\.gz$/);
  });

  it('cover every field of every document the connector sends (from the schema’s offline scopes)', async () => {
    const gaps: Record<string, string[]> = {};
    for (const [name, query] of Object.entries(SHOPIFY_DOCUMENTS)) {
      const missing = await uncovered(query, SHOPIFY_SCOPE_NAMES);
      if (missing.length) gaps[name] = missing;
    }
    expect(gaps).toEqual({});
  });

  it('would catch a scope left out: write_products alone does not open location { id }', async () => {
    expect(await uncovered(SHOPIFY_DOCUMENTS.location, ['write_products'])).toEqual([
      'location (Location) needs one of read_locations, read_inventory, read_markets_home',
      'location.id (Location.id) needs one of read_locations, read_inventory, read_markets_home',
    ]);
    expect(await uncovered(SHOPIFY_DOCUMENTS.productSet, ['read_products'])).toEqual(['productSet (Mutation.productSet) needs one of write_products']);
  });

  it('count a write scope as its read scope too', () => {
    expect([...effectiveScopes(['write_products', 'read_locations'])].sort()).toEqual(['read_locations', 'read_products', 'write_products']);
    expect(missingScopes(['write_products', 'write_locations', 'write_inventory'])).toEqual([]);
    expect(missingScopes(['read_products', 'read_inventory'])).toEqual(['write_products', 'read_locations', 'write_inventory']);
  });
});

describe('the Shopify fake is as strict as Shopify', () => {
  it('refuses a document that is not valid against the schema, as Shopify words it', async () => {
    const shop = await fakeShopifyShop();
    const r = await graphql(shop.token, 'query Q {\n  shop { nme }\n}');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      errors: [{ message: "Field 'nme' doesn't exist on type 'Shop'", locations: [{ line: 2, column: 10 }], extensions: { code: 'undefinedField', typeName: 'Shop', fieldName: 'nme' } }],
    });
    expect((await graphql(shop.token, '{ product(handle: "x") { id } }')).body.errors![0].extensions.code).toBe('argumentNotAccepted');
  });

  it('refuses variables that do not fit their types with INVALID_VARIABLE', async () => {
    const shop = await fakeShopifyShop();
    const r = await graphql(shop.token, SHOPIFY_DOCUMENTS.productSet, { input: { title: 'T', status: 'LIVE', variants: [{ optionValues: [], priceV2: '1.00' }] } });
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors).toEqual([
      {
        message:
          'Variable $input of type ProductSetInput! was provided invalid value for status (Expected "LIVE" to be one of: ACTIVE, ARCHIVED, DRAFT, UNLISTED), variants.0.priceV2 (Field is not defined on ProductVariantSetInput)',
        locations: [{ line: 1, column: 32 }],
        extensions: {
          code: 'INVALID_VARIABLE',
          value: { title: 'T', status: 'LIVE', variants: [{ optionValues: [], priceV2: '1.00' }] },
          problems: [
            { path: ['status'], explanation: 'Expected "LIVE" to be one of: ACTIVE, ARCHIVED, DRAFT, UNLISTED' },
            { path: ['variants', 0, 'priceV2'], explanation: 'Field is not defined on ProductVariantSetInput' },
          ],
        },
      },
    ]);
    expect(await shop.products()).toEqual([]);
  });

  it('answers ACCESS_DENIED with the required access for fields the token’s scopes do not cover, and runs the rest', async () => {
    const shop = await fakeShopifyShop('Scoped', { scopes: ['write_products'] });
    const r = await graphql(shop.token, 'query Q { shop { name } location { id } }');
    expect(r.body.data).toEqual({ shop: { name: 'Scoped' }, location: null });
    const requiredAccess = '`read_locations` access scope, `read_inventory` access scope or `read_markets_home` access scope.';
    expect(r.body.errors).toEqual([
      {
        message: `Access denied for location field. Required access: ${requiredAccess}`,
        locations: [{ line: 1, column: 25 }],
        path: ['location'],
        extensions: { code: 'ACCESS_DENIED', documentation: 'https://shopify.dev/api/usage/access-scopes', requiredAccess },
      },
    ]);
    // read_inventory (here through write_inventory) opens the Location object as well.
    const inventory = await fakeShopifyShop('Stock', { scopes: ['write_products', 'write_inventory'] });
    expect((await graphql(inventory.token, SHOPIFY_DOCUMENTS.location)).body).toMatchObject({ data: { location: { id: inventory.locationId } } });
    expect((await graphql(inventory.token, SHOPIFY_DOCUMENTS.location)).body.errors).toBeUndefined();
  });

  it('makes an import with stock fail on a token with write_products only, naming the scope', async () => {
    const shop = await fakeShopifyShop(undefined, { scopes: ['write_products'] });
    const connector = await connectorFor(env, await sealedConnection('shopify', shop.storeUrl, shop.token));
    const err = await connector.upsertProduct(withStock).catch((e) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('Shopify: Access denied for location field. Required access: `read_locations` access scope, `read_inventory` access scope or `read_markets_home` access scope.');
    expect(await shop.products()).toEqual([]);
    // Without stock the location is never asked for, so write_products is enough.
    const pushed = await connector.upsertProduct({ ...withStock, variants: withStock.variants.map((v) => ({ ...v, stock: null })) });
    expect(pushed.created).toBe(true);
  });
});

describe('POST /connections/{id}/test checks the scopes imports need', () => {
  async function testWith(scopes: string[]) {
    const shop = await fakeShopifyShop('Linen & Co', { scopes });
    const user = await registerUser();
    const conn = await call('/connections', { token: user.token, body: { store_name: 'Mine', platform: 'shopify', store_url: shop.storeUrl, api_key: shop.token } });
    return (await call(`/connections/${conn.json.id}/test`, { method: 'POST', token: user.token })).json;
  }

  it('fails, naming each missing scope and what it is for, where an import would fail', async () => {
    expect(await testWith(['write_products'])).toEqual({
      ok: false,
      shop_name: 'Linen & Co',
      detail:
        'The access token lacks scopes that imports need: read_locations (to find the location that stock is counted at), write_inventory (to set the stock of imported variants). Grant them to the app in Shopify, then test again',
    });
    expect((await testWith(['read_products', 'read_locations', 'write_inventory'])).detail).toBe(
      'The access token lacks a scope that imports need: write_products (to create products and update their variants and prices). Grant it to the app in Shopify, then test again',
    );
  });

  it('passes when the token holds every requested scope, however Shopify lists them', async () => {
    expect(await testWith([...SHOPIFY_SCOPE_NAMES])).toEqual({ ok: true, shop_name: 'Linen & Co', detail: null });
    expect(await testWith(['write_products', 'write_locations', 'write_inventory', 'read_orders'])).toEqual({ ok: true, shop_name: 'Linen & Co', detail: null });
  });
});

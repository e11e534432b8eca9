import { randomBytes } from 'node:crypto';
import { getArgumentValues, getDirectiveValues, isNonNullType, Kind, type FieldNode, type GraphQLField, type FragmentDefinitionNode, type SelectionNode } from 'graphql';
import { SHOPIFY_SCOPE_NAMES } from '../../shared/shopify-scopes';
import type { StartedFake } from './index';
import { FakeShopifyOAuth } from './shopify-oauth';
import { installScreen } from './shopify-screens';
import { accessDenied, checkRequest, fieldAccess, loadShopifyAdminSchema, type ShopifyAdminSchema } from './shopify-schema';
import { isMoney, isObject, parseBody, startStoreServer, takeFailure, type Failure, type StoreReply, type StoreRequest } from './store-common';

/**
 * A fake Shopify Admin GraphQL API: `POST /admin/api/{version}/graphql.json` with
 * `X-Shopify-Access-Token`. Several shops live on one server, told apart by their
 * token, so parallel test files never share a shop. Strict the way Shopify is: every
 * document is validated against Shopify's published Admin schema for the pinned
 * version (./shopify-schema.ts), variables against their declared types, and fields
 * the token's scopes do not cover answer ACCESS_DENIED. It models the operations the
 * connectors send (shop, the app's access scopes, location, products by tag, product
 * variants, productSet, productUpdate, productVariantsBulkCreate/Update/Delete, nodes,
 * inventorySetQuantities with its idempotency key and compare-and-swap, productOptionUpdate), checks
 * their values like Shopify does (option and variant limits, option values, files, money
 * strings, unknown ids), keeps products in memory, answers only the selected fields, with
 * `extensions.cost`. productSet replaces the list fields it is given (metafields, a
 * variant's metafields, files → media with new ids, collections, variants; tags are
 * overwritten) and leaves omitted fields alone, as Shopify's description of
 * Mutation.productSet in the published schema says. Each request is charged
 * (requestCost: productSet by Shopify's published formula) against a leaky bucket of
 * 2,000 points restoring 100/s (Standard plan; short → Throttled), and a request above
 * 1,000 points answers MAX_COST_EXCEEDED (INTEGRATIONS.md §4e).
 *
 * Control (tests and the e2e runner):
 *   POST   /__control/shops                    {name?, scopes?} → {token, name, location_id, scopes}
 *                                               (scopes default to everything SourcePilot requests)
 *   GET    /__control/shops/:token             → {name, products, requests}
 *   GET    /__control/shops/:token/products    → products as received (variants with prices)
 *   POST   /__control/shops/:token/merchant    {product_id, title?, description_html?, add_tags?, add_metafields?,
 *                                               add_media?, add_collections?, variant_metafields?: {variant_id: [...]}}
 *                                               → the merchant's own edits in the Shopify admin
 *   POST   /__control/shops/:token/sell        {variant_id, quantity, when?: 'before_next_inventory_set'} → a customer
 *                                               buys: now, or just before the next inventorySetQuantities runs
 *   POST   /__control/shops/:token/lose-answer {operation, count} → the next requests of that root field run,
 *                                               but answer 503 (the work is done, the answer lost)
 *   GET    /__control/shops/:token/inventory   → {changes: one entry per applied inventorySetQuantities, replays}
 *   POST   /__control/shops/:token/throttle    {count, currently_available?} → next calls answer Throttled
 *   POST   /__control/shops/:token/fail        {status, count, body?, delay_ms?} → next calls fail (or stall)
 *   DELETE /__control/shops/:token             → every token of the shop stops working (a revoked app)
 *   POST   /__control/shops/:token/approve     {authorize_url, scopes?, overrides?} → {callback_url}: the merchant
 *                                               approves the app's install screen (./shopify-oauth.ts)
 *   POST   /__control/shops/:token/apps        {client_id, client_secret} → the merchant's own Dev Dashboard app for
 *                                               this shop (client credentials grant)
 *   POST   /__control/shops/:token/expire      {in_ms?} → the shop's expiring app tokens expire now (or in in_ms)
 *   GET    /__control/shops/:token/auth        → refreshes, concurrency, calls with expired or revoked tokens
 *   POST   /__control/refresh-delay            {ms} → refresh grants take this long to answer
 *   POST   /__control/apps                     {client_id, client_secret} → an app the token endpoint knows
 *   POST   /admin/oauth/access_token           the code, refresh and client credentials grants, as on a real shop
 *   GET    /admin/oauth/authorize              the install screen a merchant sees (./shopify-screens.ts)
 *   GET    /__control/schema                   → {version, source} of the schema in use
 *   POST   /__control/access                   {query} → {errors} when invalid, else {gates: [{path, gate, scopes, required_access}]}:
 *                                               every field of the document that needs a scope
 */

interface Metafield {
  namespace: string;
  key: string;
  type: string;
  value: string;
}
interface Variant {
  id: string;
  optionValues: { optionName: string; name: string }[];
  price: string;
  compareAtPrice: string | null;
  sku: string | null;
  tracked: boolean;
  /** Every variant has one inventory item (InventoryItem.variant is non-null in the schema). */
  inventoryItemId: string;
  inventory: { locationId: string; name: string; quantity: number }[];
  /** The media id the variant shows. */
  file: string | null;
  metafields: Metafield[];
}
interface Media {
  id: string;
  /** The URL the media was created from (`originalSource`). */
  src: string;
}
interface Product {
  id: string;
  handle: string;
  title: string;
  descriptionHtml: string;
  status: string;
  tags: string[];
  /** In position order (ProductOption.position is 1-based). */
  options: { id: string; name: string; values: string[] }[];
  media: Media[];
  metafields: Metafield[];
  /** Collection ids the product is in (productSet's `collections`). */
  collections: string[];
  variants: Variant[];
  createdAt: string;
  updatedAt: string;
}
interface Shop {
  token: string;
  name: string;
  /** The scopes of the shop's custom-app token (`token`), as Shopify lists them. */
  scopes: string[];
  locationId: string;
  products: Map<string, Product>;
  requests: { operation: string; variables: unknown; at: string; cost?: number }[];
  throttle: { count: number; available: number } | null;
  /** Requests refused because the bucket was short (not scripted by /throttle). */
  throttledByBucket: number;
  /** The leaky bucket: points available at `at` (ms), refilled at RESTORE_RATE per second. */
  bucket: { available: number; at: number };
  failure: Failure | null;
  /**
   * inventorySetQuantities answers by idempotency key: the request's input (to refuse
   * a key reused with other parameters) and the answer it got, replayed on reuse.
   */
  idempotency: Map<string, { fingerprint: string; answer: { inventoryAdjustmentGroup: unknown; userErrors: UserError[] } }>;
  /** Quantities changed by inventorySetQuantities, one entry per applied request (not per replay). */
  inventoryChanges: { key: string; changes: { inventoryItemId: string; before: number; after: number }[] }[];
  /** Replays answered from the idempotency store. */
  idempotentReplays: number;
  /** Sales scripted to happen just before the next inventorySetQuantities runs (a customer buying meanwhile). */
  pendingSales: { variantId: string; quantity: number }[];
  /** The next `count` requests of `operation` run, but their answer is lost (503 from the edge). */
  loseAnswer: { operation: string; count: number } | null;
}

interface UserError {
  code: string | null;
  field: string[] | null;
  message: string;
}

const INVALID_TOKEN = { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' };
const MAX_AVAILABLE = 2000;
const RESTORE_RATE = 100;
/** The most a single request may cost, on every plan (INTEGRATIONS.md §4e). */
const MAX_QUERY_COST = 1000;

let nextId = 1000;
const gid = (type: string) => `gid://shopify/${type}/${nextId++}`;

const pageSize = (query: string, field: string) => Number(new RegExp(`${field}\\(first:\\s*(\\d+)`).exec(query)?.[1] ?? 250);

/** The variant's quantities at `locationId` as an InventoryLevel, or null where it is not stocked. */
function levelAt(v: Variant, locationId: unknown) {
  const here = v.inventory.filter((q) => q.locationId === locationId);
  if (!here.length) return null;
  return { id: `gid://shopify/InventoryLevel/${v.inventoryItemId.split('/').pop()}?inventory_item_id=${v.inventoryItemId}`, quantities: here.map((q) => ({ id: `${v.inventoryItemId}/${q.name}`, name: q.name, quantity: q.quantity })) };
}

/**
 * A variant as the schema's ProductVariant. `locationId` resolves
 * `inventoryItem.inventoryLevel(locationId:)`: the connector passes it as the
 * `$locationId` variable, and the fake reads it from there instead of resolving arguments.
 */
function variantOut(product: Product, v: Variant, locationId: unknown = null) {
  return {
    inventoryItem: { id: v.inventoryItemId, tracked: v.tracked, sku: v.sku, inventoryLevel: levelAt(v, locationId) },
    id: v.id,
    title: v.optionValues.map((o) => o.name).join(' / '),
    price: v.price,
    compareAtPrice: v.compareAtPrice,
    sku: v.sku,
    selectedOptions: v.optionValues.map((o) => ({ name: o.optionName, value: o.name })),
    // The connectors only ask for their own variant key; a real server would resolve the arguments.
    metafield: (() => {
      const m = v.metafields.find((f) => f.namespace === 'sourcepilot' && f.key === 'variant_key');
      return m ? { value: m.value } : null;
    })(),
    media: { nodes: v.file ? [{ id: v.file }] : [] },
    product: { id: product.id },
  };
}

function variantPage(product: Product, first: number, after: string | null) {
  const start = after ? Number(after) : 0;
  const nodes = product.variants.slice(start, start + first).map((v) => variantOut(product, v));
  const end = start + nodes.length;
  return { nodes, pageInfo: { hasNextPage: end < product.variants.length, endCursor: nodes.length ? String(end) : null } };
}

function productOut(product: Product, query: string, after: string | null = null) {
  const supplier = product.metafields.find((f) => f.namespace === 'sourcepilot' && f.key === 'supplier_key');
  return {
    id: product.id,
    handle: product.handle,
    title: product.title,
    status: product.status,
    tags: product.tags,
    options: product.options.map((o, i) => ({ id: o.id, name: o.name, position: i + 1, values: o.values, optionValues: o.values.map((name) => ({ name })) })),
    media: { nodes: product.media.map((m) => ({ id: m.id })) },
    metafield: supplier ? { value: supplier.value } : null,
    variants: variantPage(product, pageSize(query, 'variants'), after),
  };
}

const slug = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'product';

function validMetafields(list: unknown, path: string[], errors: UserError[]): Metafield[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    errors.push({ code: 'INVALID', field: path, message: 'Metafields must be a list' });
    return [];
  }
  return list.flatMap((m, i) => {
    if (!isObject(m) || typeof m.namespace !== 'string' || typeof m.key !== 'string' || typeof m.value !== 'string' || typeof m.type !== 'string') {
      errors.push({ code: 'INVALID_METAFIELD', field: [...path, String(i)], message: 'Metafield needs namespace, key, type and value' });
      return [];
    }
    return [{ namespace: m.namespace, key: m.key, type: m.type, value: m.value }];
  });
}

/** productSet: validates like Shopify (limits, option values, files, money) and replaces list fields. */
function productSet(shop: Shop, variables: Record<string, unknown>): { product: Product | null; userErrors: UserError[] } {
  const errors: UserError[] = [];
  const input = variables.input;
  if (!isObject(input)) return { product: null, userErrors: [{ code: 'INVALID', field: ['input'], message: 'Input is required' }] };
  const identifier = isObject(variables.identifier) ? variables.identifier : null;
  let existing: Product | null = null;
  if (identifier?.id !== undefined) {
    existing = shop.products.get(String(identifier.id)) ?? null;
    if (!existing) return { product: null, userErrors: [{ code: 'PRODUCT_DOES_NOT_EXIST', field: ['identifier', 'id'], message: 'Product does not exist' }] };
  }
  if (!existing && (typeof input.title !== 'string' || !input.title.trim())) errors.push({ code: 'BLANK', field: ['input', 'title'], message: "Title can't be blank" });
  if (input.status !== undefined && !['ACTIVE', 'DRAFT', 'ARCHIVED'].includes(String(input.status))) {
    errors.push({ code: 'INVALID', field: ['input', 'status'], message: `Expected one of ACTIVE, DRAFT, ARCHIVED` });
  }

  const options = Array.isArray(input.productOptions)
    ? input.productOptions.map((o) => {
        const name = String((o as { name?: unknown }).name ?? '');
        return { id: existing?.options.find((eo) => eo.name === name)?.id ?? gid('ProductOption'), name, values: ((o as { values?: { name?: unknown }[] }).values ?? []).map((v) => String(v?.name ?? '')) };
      })
    : (existing?.options ?? []);
  if (options.length > 3) errors.push({ code: 'OPTIONS_OVER_LIMIT', field: ['input', 'productOptions'], message: 'Options over limit' });
  for (const [i, o] of options.entries()) {
    if (!o.name.trim()) errors.push({ code: 'INVALID', field: ['input', 'productOptions', String(i), 'name'], message: 'Option name cannot be blank' });
    if (new Set(o.values).size !== o.values.length) errors.push({ code: 'DUPLICATED_OPTION_VALUE', field: ['input', 'productOptions', String(i)], message: 'Duplicated option value' });
  }

  const files = Array.isArray(input.files)
    ? input.files.map((f, i) => {
        const src = isObject(f) ? f.originalSource : undefined;
        if (typeof src !== 'string' || !/^https?:\/\//.test(src) || (isObject(f) && f.contentType !== 'IMAGE')) {
          errors.push({ code: 'INVALID', field: ['input', 'files', String(i)], message: 'File needs an originalSource URL and contentType IMAGE' });
        }
        return String(src);
      })
    : null;

  const rawVariants = Array.isArray(input.variants) ? input.variants : null;
  if (rawVariants && rawVariants.length > 2048) errors.push({ code: 'VARIANTS_OVER_LIMIT', field: ['input', 'variants'], message: 'Variants count is over the allowed limit of 2048' });
  const seen = new Set<string>();
  const variants: Variant[] = (rawVariants ?? []).map((raw, i) => {
    const at = ['input', 'variants', String(i)];
    const v = isObject(raw) ? raw : {};
    const optionValues = Array.isArray(v.optionValues) ? v.optionValues.map((o) => ({ optionName: String((o as { optionName?: unknown }).optionName ?? ''), name: String((o as { name?: unknown }).name ?? '') })) : [];
    if (!Array.isArray(v.optionValues)) errors.push({ code: 'INVALID', field: [...at, 'optionValues'], message: 'optionValues is required' });
    else if (optionValues.length !== options.length || options.some((o) => !optionValues.find((ov) => ov.optionName === o.name && o.values.includes(ov.name)))) {
      errors.push({ code: 'INVALID_VARIANT', field: [...at, 'optionValues'], message: "Variant option values don't match the product's options" });
    }
    const combo = options.map((o) => optionValues.find((ov) => ov.optionName === o.name)?.name ?? '').join(' / ');
    if (seen.has(combo)) errors.push({ code: 'DUPLICATE_VARIANT', field: at, message: `The variant '${combo}' already exists.` });
    seen.add(combo);
    if (v.price !== undefined && !isMoney(v.price)) errors.push({ code: 'INVALID', field: [...at, 'price'], message: 'Price must be a decimal amount' });
    if (v.compareAtPrice !== undefined && v.compareAtPrice !== null && !isMoney(v.compareAtPrice)) {
      errors.push({ code: 'INVALID', field: [...at, 'compareAtPrice'], message: 'Compare at price must be a decimal amount' });
    }
    let id = typeof v.id === 'string' ? v.id : null;
    if (id && !existing?.variants.some((ev) => ev.id === id)) {
      errors.push({ code: 'PRODUCT_VARIANT_DOES_NOT_EXIST', field: [...at, 'id'], message: 'Product variant does not exist' });
      id = null;
    }
    const file = isObject(v.file) ? String(v.file.originalSource) : null;
    if (file && !files?.includes(file)) errors.push({ code: 'INVALID', field: [...at, 'file'], message: 'Variant file must also be in the product files' });
    const inventory = Array.isArray(v.inventoryQuantities)
      ? v.inventoryQuantities.map((q, j) => {
          const iq = isObject(q) ? q : {};
          if (iq.locationId !== shop.locationId) errors.push({ code: 'INVALID', field: [...at, 'inventoryQuantities', String(j), 'locationId'], message: 'Location does not exist' });
          if (!['available', 'on_hand'].includes(String(iq.name))) errors.push({ code: 'INVALID', field: [...at, 'inventoryQuantities', String(j), 'name'], message: 'Must be one of available or on_hand' });
          if (!Number.isInteger(iq.quantity)) errors.push({ code: 'INVALID', field: [...at, 'inventoryQuantities', String(j), 'quantity'], message: 'Quantity must be an integer' });
          return { locationId: String(iq.locationId), name: String(iq.name), quantity: Number(iq.quantity) };
        })
      : [];
    const previous = existing?.variants.find((ev) => ev.id === id);
    return {
      id: id ?? '',
      optionValues,
      price: typeof v.price === 'string' ? v.price : (previous?.price ?? '0.00'),
      compareAtPrice: v.compareAtPrice === undefined ? (previous?.compareAtPrice ?? null) : (v.compareAtPrice as string | null),
      sku: typeof v.sku === 'string' ? v.sku : (previous?.sku ?? null),
      tracked: isObject(v.inventoryItem) ? v.inventoryItem.tracked === true : (previous?.tracked ?? false),
      inventoryItemId: previous?.inventoryItemId ?? gid('InventoryItem'),
      inventory: inventory.length ? inventory : (previous?.inventory ?? []),
      // Resolved to a media id below, once the product's media exist.
      file,
      // A list given replaces the variant's metafields; one left out is left alone.
      metafields: v.metafields === undefined ? (previous?.metafields ?? []) : validMetafields(v.metafields, [...at, 'metafields'], errors),
    };
  });
  const metafields = validMetafields(input.metafields, ['input', 'metafields'], errors);
  if (errors.length) return { product: null, userErrors: errors };

  const now = new Date().toISOString();
  const product: Product = existing ?? {
    id: gid('Product'),
    handle: `${slug(String(input.title))}-${nextId}`,
    title: '',
    descriptionHtml: '',
    status: 'ACTIVE',
    tags: [],
    options: [],
    media: [],
    metafields: [],
    collections: [],
    variants: [],
    createdAt: now,
    updatedAt: now,
  };
  if (typeof input.title === 'string') product.title = input.title;
  if (typeof input.descriptionHtml === 'string') product.descriptionHtml = input.descriptionHtml;
  if (typeof input.status === 'string') product.status = input.status;
  if (Array.isArray(input.tags)) product.tags = input.tags.map(String);
  product.options = options;
  // List fields given replace what the product had: entries left out are deleted, and a
  // file given by originalSource is new media with a new id (Shopify's description of
  // Mutation.productSet in the published schema: "deletes existing entries that aren't
  // included in the mutation's input"; omitted fields remain unchanged).
  if (files) product.media = files.map((src) => ({ id: gid('MediaImage'), src }));
  if (input.metafields !== undefined) product.metafields = metafields;
  if (Array.isArray(input.collections)) product.collections = input.collections.map(String);
  if (rawVariants) {
    product.variants = variants.map((v) => ({
      ...v,
      id: v.id || gid('ProductVariant'),
      file: v.file && files ? (product.media.find((m) => m.src === v.file)?.id ?? null) : (existing?.variants.find((ev) => ev.id === v.id)?.file ?? null),
    }));
  }
  // Media no longer in the product's list are gone from its variants too.
  for (const v of product.variants) if (v.file && !product.media.some((m) => m.id === v.file)) v.file = null;
  product.updatedAt = now;
  shop.products.set(product.id, product);
  return { product, userErrors: [] };
}

function bulkUpdate(shop: Shop, variables: Record<string, unknown>) {
  const product = shop.products.get(String(variables.productId));
  if (!product) return { productVariants: null, userErrors: [{ code: 'PRODUCT_DOES_NOT_EXIST', field: ['productId'], message: 'Product does not exist' }] };
  const list = Array.isArray(variables.variants) ? variables.variants : [];
  const errors: UserError[] = [];
  list.forEach((raw, i) => {
    const v = isObject(raw) ? raw : {};
    if (!product.variants.some((pv) => pv.id === v.id)) errors.push({ code: 'PRODUCT_VARIANT_DOES_NOT_EXIST', field: ['variants', String(i), 'id'], message: 'Product variant does not exist' });
    if (v.price !== undefined && !isMoney(v.price)) errors.push({ code: 'INVALID', field: ['variants', String(i), 'price'], message: 'Price must be a decimal amount' });
  });
  // allowPartialUpdates: false → all or nothing.
  if (errors.length) return { productVariants: null, userErrors: errors };
  const updated = list.map((raw) => {
    const v = raw as Record<string, unknown>;
    const target = product.variants.find((pv) => pv.id === v.id)!;
    if (v.price !== undefined) target.price = String(v.price);
    if (v.compareAtPrice !== undefined) target.compareAtPrice = (v.compareAtPrice as string | null) ?? null;
    if (isObject(v.inventoryItem) && typeof v.inventoryItem.sku === 'string') target.sku = v.inventoryItem.sku;
    return variantOut(product, target);
  });
  product.updatedAt = new Date().toISOString();
  return { productVariants: updated, userErrors: [] };
}

/**
 * productVariantsBulkCreate: variants are added to the product (nothing else is touched);
 * option values a variant names that the option lacks are added to it, as Shopify does.
 */
function bulkCreate(shop: Shop, variables: Record<string, unknown>) {
  const product = shop.products.get(String(variables.productId));
  if (!product) return { productVariants: null, userErrors: [{ code: 'PRODUCT_DOES_NOT_EXIST', field: ['productId'], message: 'Product does not exist' }] };
  const list = Array.isArray(variables.variants) ? variables.variants : [];
  const errors: UserError[] = [];
  if (product.variants.length + list.length > 2048) errors.push({ code: 'VARIANTS_OVER_LIMIT', field: ['variants'], message: 'Variants count is over the allowed limit of 2048' });
  const combos = new Set(product.variants.map((v) => product.options.map((o) => v.optionValues.find((ov) => ov.optionName === o.name)?.name ?? '').join(' / ')));
  const made: Variant[] = [];
  list.forEach((raw, i) => {
    const at = ['variants', String(i)];
    const v = isObject(raw) ? raw : {};
    const optionValues = Array.isArray(v.optionValues) ? v.optionValues.map((o) => ({ optionName: String((o as { optionName?: unknown }).optionName ?? ''), name: String((o as { name?: unknown }).name ?? '') })) : [];
    if (optionValues.length !== product.options.length || product.options.some((o) => !optionValues.some((ov) => ov.optionName === o.name && ov.name))) {
      errors.push({ code: 'INVALID_VARIANT', field: [...at, 'optionValues'], message: "Variant option values don't match the product's options" });
    }
    const combo = product.options.map((o) => optionValues.find((ov) => ov.optionName === o.name)?.name ?? '').join(' / ');
    if (combos.has(combo)) errors.push({ code: 'VARIANT_ALREADY_EXISTS', field: at, message: `The variant '${combo}' already exists.` });
    combos.add(combo);
    if (v.price !== undefined && !isMoney(v.price)) errors.push({ code: 'INVALID', field: [...at, 'price'], message: 'Price must be a decimal amount' });
    if (v.mediaId !== undefined && !product.media.some((m) => m.id === v.mediaId)) errors.push({ code: 'MEDIA_NOT_FOUND', field: [...at, 'mediaId'], message: 'Media does not exist' });
    const item = isObject(v.inventoryItem) ? v.inventoryItem : {};
    const inventory = Array.isArray(v.inventoryQuantities)
      ? v.inventoryQuantities.map((q, j) => {
          const iq = isObject(q) ? q : {};
          if (iq.locationId !== shop.locationId) errors.push({ code: 'INVALID', field: [...at, 'inventoryQuantities', String(j), 'locationId'], message: 'Location does not exist' });
          return { locationId: String(iq.locationId), name: 'available', quantity: Number(iq.availableQuantity) };
        })
      : [];
    made.push({
      id: '',
      optionValues,
      price: typeof v.price === 'string' ? v.price : '0.00',
      compareAtPrice: typeof v.compareAtPrice === 'string' ? v.compareAtPrice : null,
      sku: typeof item.sku === 'string' ? item.sku : null,
      tracked: item.tracked === true,
      inventoryItemId: gid('InventoryItem'),
      inventory,
      file: typeof v.mediaId === 'string' ? v.mediaId : null,
      metafields: validMetafields(v.metafields, [...at, 'metafields'], errors),
    });
  });
  if (errors.length) return { productVariants: null, userErrors: errors };
  for (const v of made) {
    v.id = gid('ProductVariant');
    product.variants.push(v);
    for (const ov of v.optionValues) {
      const option = product.options.find((o) => o.name === ov.optionName)!;
      if (!option.values.includes(ov.name)) option.values.push(ov.name);
    }
  }
  product.updatedAt = new Date().toISOString();
  return { productVariants: made.map((v) => variantOut(product, v)), userErrors: [] };
}

function bulkDelete(shop: Shop, variables: Record<string, unknown>) {
  const product = shop.products.get(String(variables.productId));
  if (!product) return { product: null, userErrors: [{ code: 'PRODUCT_DOES_NOT_EXIST', field: ['productId'], message: 'Product does not exist' }] };
  const ids = Array.isArray(variables.variantsIds) ? variables.variantsIds.map(String) : [];
  const missing = ids.findIndex((id) => !product.variants.some((v) => v.id === id));
  if (missing >= 0) return { product: null, userErrors: [{ code: 'AT_LEAST_ONE_VARIANT_DOES_NOT_BELONG_TO_THE_PRODUCT', field: ['variantsIds', String(missing)], message: 'At least one variant does not belong to the product' }] };
  if (ids.length >= product.variants.length) return { product: null, userErrors: [{ code: 'CANNOT_DELETE_LAST_VARIANT', field: ['variantsIds'], message: 'Cannot delete the last variant of a product' }] };
  product.variants = product.variants.filter((v) => !ids.includes(v.id));
  return { product: { id: product.id }, userErrors: [] };
}

/**
 * The reasons inventorySetQuantities accepts ("The value must be one of the possible
 * reasons": shopify.dev, inventory management apps, quantities and states).
 */
const INVENTORY_REASONS = new Set([
  'correction', 'cycle_count_available', 'damaged', 'movement_created', 'movement_updated', 'movement_received', 'movement_canceled',
  'other', 'promotion', 'quality_control', 'received', 'reservation_created', 'reservation_deleted', 'reservation_updated', 'restock',
  'safety_stock', 'shrinkage',
]);

function variantByInventoryItem(shop: Shop, inventoryItemId: unknown): Variant | null {
  for (const p of shop.products.values()) for (const v of p.variants) if (v.inventoryItemId === inventoryItemId) return v;
  return null;
}

/** Node interface lookups (`nodes(ids:)`): the fake holds product variants; other ids answer null, as unknown ids do. */
function nodes(shop: Shop, variables: Record<string, unknown>, args: Record<string, unknown>) {
  const ids = Array.isArray(args.ids) ? args.ids : [];
  return ids.map((id) => {
    for (const p of shop.products.values()) {
      const v = p.variants.find((pv) => pv.id === id);
      if (v) return { __typename: 'ProductVariant', ...variantOut(p, v, variables.locationId) };
    }
    return null;
  });
}

/**
 * inventorySetQuantities as the 2026-10 schema describes it (Mutation.inventorySetQuantities,
 * InventoryQuantityInput.changeFromQuantity, InventorySetQuantitiesUserErrorCode):
 * - the `@idempotent(key:)` directive is required since 2026-04 ("calling these mutations
 *   without an idempotency directive will result in an error at runtime", shopify.dev
 *   changelog); a key seen before with the same input replays the first answer without
 *   applying anything again; with another input → IDEMPOTENCY_KEY_PARAMETER_MISMATCH; a
 *   key whose request failed → IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED (the enum's wording);
 * - `changeFromQuantity` must be given on every quantity, even as null ("This field is
 *   mandatory … or the mutation returns an error"); the schema has no code of its own for
 *   that, so the fake answers the closest one, COMPARE_QUANTITY_REQUIRED;
 * - compare-and-swap: a changeFromQuantity that is not the current quantity →
 *   CHANGE_FROM_QUANTITY_STALE; quantities per (inventory item, location), a pair at most
 *   once, never negative; the request is all or nothing (the fake's reading: a userError
 *   means no quantity changed).
 * An item not stocked at the location answers INVALID_LOCATION (the fake's choice: real
 * shops may activate the item there instead).
 */
function inventorySetQuantities(shop: Shop, variables: Record<string, unknown>, args: Record<string, unknown>, key: string | null) {
  if (key === null) return { error: { message: 'The @idempotent directive with a non-blank key is required for inventorySetQuantities since API version 2026-04', extensions: { code: 'BAD_REQUEST' } } };
  const input = isObject(args.input) ? args.input : {};
  const fingerprint = JSON.stringify(input);
  const seen = shop.idempotency.get(key);
  if (seen) {
    if (seen.fingerprint !== fingerprint) {
      return { value: { inventoryAdjustmentGroup: null, userErrors: [{ code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH', field: null, message: 'The same idempotency key cannot be used with different operation parameters.' }] } };
    }
    if (seen.answer.userErrors.length) {
      return { value: { inventoryAdjustmentGroup: null, userErrors: [{ code: 'IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED', field: null, message: 'A previous request with this idempotency key failed. Retry with a new idempotency key.' }] } };
    }
    shop.idempotentReplays++;
    return { value: seen.answer };
  }
  // A customer's purchase that the test scripted to land between the connector's read and this write.
  for (const sale of shop.pendingSales.splice(0)) {
    for (const p of shop.products.values()) {
      const v = p.variants.find((pv) => pv.id === sale.variantId);
      const level = v?.inventory.find((q) => q.locationId === shop.locationId && q.name === 'available');
      if (level) level.quantity -= sale.quantity;
    }
  }
  const errors: UserError[] = [];
  const name = String(input.name ?? '');
  if (!['available', 'on_hand'].includes(name)) errors.push({ code: 'INVALID_NAME', field: ['input', 'name'], message: "The quantity name must be either 'available' or 'on_hand'." });
  if (!INVENTORY_REASONS.has(String(input.reason))) errors.push({ code: 'INVALID_REASON', field: ['input', 'reason'], message: 'The specified reason is invalid.' });
  if (input.referenceDocumentUri != null && !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(String(input.referenceDocumentUri))) {
    errors.push({ code: 'INVALID_REFERENCE_DOCUMENT', field: ['input', 'referenceDocumentUri'], message: 'The specified reference document is invalid.' });
  }
  const raw = Array.isArray(input.quantities) ? input.quantities : [];
  // The caller's raw variables: coercion fills an omitted nullable field with nothing, so omission is read from what was sent.
  const sent = isObject(variables.input) && Array.isArray(variables.input.quantities) ? variables.input.quantities : raw;
  const pairs = new Set<string>();
  const planned: { level: { quantity: number }; item: string; before: number; after: number }[] = [];
  raw.forEach((q, i) => {
    const at = ['input', 'quantities', String(i)];
    const iq = isObject(q) ? q : {};
    const variant = variantByInventoryItem(shop, iq.inventoryItemId);
    if (!variant) return void errors.push({ code: 'INVALID_INVENTORY_ITEM', field: [...at, 'inventoryItemId'], message: 'The specified inventory item could not be found.' });
    if (iq.locationId !== shop.locationId) return void errors.push({ code: 'INVALID_LOCATION', field: [...at, 'locationId'], message: 'The specified location could not be found.' });
    const pair = `${String(iq.inventoryItemId)}@${String(iq.locationId)}`;
    if (pairs.has(pair)) errors.push({ code: 'NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR', field: at, message: 'The combination of inventoryItemId and locationId must be unique.' });
    pairs.add(pair);
    const quantity = Number(iq.quantity);
    if (quantity < 0) errors.push({ code: 'INVALID_QUANTITY_NEGATIVE', field: [...at, 'quantity'], message: "The quantity can't be negative." });
    if (quantity > 1_000_000_000) errors.push({ code: 'INVALID_QUANTITY_TOO_HIGH', field: [...at, 'quantity'], message: "The total quantity can't be higher than 1,000,000,000." });
    const given = sent[i];
    if (!isObject(given) || !('changeFromQuantity' in given)) {
      errors.push({ code: 'COMPARE_QUANTITY_REQUIRED', field: [...at, 'changeFromQuantity'], message: 'changeFromQuantity must be given on every quantity (null to skip the check).' });
      return;
    }
    let level = variant.inventory.find((l) => l.locationId === shop.locationId && l.name === name);
    if (!level && variant.inventory.some((l) => l.locationId === shop.locationId)) {
      level = { locationId: shop.locationId, name, quantity: 0 };
      variant.inventory.push(level);
    }
    if (!level) return void errors.push({ code: 'INVALID_LOCATION', field: [...at, 'locationId'], message: 'The inventory item is not stocked at the location.' });
    if (iq.changeFromQuantity !== null && iq.changeFromQuantity !== level.quantity) {
      errors.push({ code: 'CHANGE_FROM_QUANTITY_STALE', field: [...at, 'changeFromQuantity'], message: 'The changeFromQuantity value does not match persisted value.' });
    }
    planned.push({ level, item: String(iq.inventoryItemId), before: level.quantity, after: quantity });
  });
  let answer: { inventoryAdjustmentGroup: unknown; userErrors: UserError[] };
  if (errors.length) answer = { inventoryAdjustmentGroup: null, userErrors: errors };
  else {
    for (const change of planned) change.level.quantity = change.after;
    shop.inventoryChanges.push({ key, changes: planned.map(({ item, before, after }) => ({ inventoryItemId: item, before, after })) });
    answer = {
      inventoryAdjustmentGroup: {
        id: gid('InventoryAdjustmentGroup'),
        createdAt: new Date().toISOString(),
        reason: String(input.reason),
        referenceDocumentUri: input.referenceDocumentUri ?? null,
        changes: planned.map((c) => ({ name, delta: c.after - c.before, quantityAfterChange: c.after, item: { id: c.item }, location: { id: shop.locationId } })),
      },
      userErrors: [],
    };
  }
  shop.idempotency.set(key, { fingerprint, answer });
  return { value: answer };
}

/**
 * productOptionUpdate (Mutation.productOptionUpdate in the 2026-10 schema): renames or
 * moves one option; every variant's value of it follows, as the option is the same
 * object. Option names are unique on a product (OPTION_ALREADY_EXISTS), blank ones are
 * INVALID_NAME, over 255 characters OPTION_NAME_TOO_LONG; positions run 1..n
 * (INVALID_POSITION). Value changes (optionValuesToAdd/Update/Delete) are not modelled.
 */
function productOptionUpdate(shop: Shop, args: Record<string, unknown>) {
  const product = shop.products.get(String(args.productId));
  if (!product) return { product: null, userErrors: [{ code: 'PRODUCT_DOES_NOT_EXIST', field: ['productId'], message: 'Product does not exist' }] };
  for (const unsupported of ['optionValuesToAdd', 'optionValuesToUpdate', 'optionValuesToDelete']) {
    if (Array.isArray(args[unsupported]) && (args[unsupported] as unknown[]).length) return undefined;
  }
  const option = isObject(args.option) ? args.option : {};
  const at = product.options.findIndex((o) => o.id === option.id);
  if (at < 0) return { product: null, userErrors: [{ code: 'OPTION_DOES_NOT_EXIST', field: ['option', 'id'], message: 'Option does not exist.' }] };
  const errors: UserError[] = [];
  if (option.name !== undefined && option.name !== null) {
    const name = String(option.name);
    if (!name.trim()) errors.push({ code: 'INVALID_NAME', field: ['option', 'name'], message: 'The name provided is not valid.' });
    else if (name.length > 255) errors.push({ code: 'OPTION_NAME_TOO_LONG', field: ['option', 'name'], message: 'Option name is too long.' });
    else if (product.options.some((o, i) => i !== at && o.name.toLowerCase() === name.toLowerCase())) {
      errors.push({ code: 'OPTION_ALREADY_EXISTS', field: ['option', 'name'], message: 'Option already exists.' });
    }
  }
  const position = option.position === undefined || option.position === null ? null : Number(option.position);
  if (position !== null && !(Number.isInteger(position) && position >= 1 && position <= product.options.length)) {
    errors.push({ code: 'INVALID_POSITION', field: ['option', 'position'], message: 'The option position provided is not valid.' });
  }
  if (errors.length) return { product: null, userErrors: errors };
  const target = product.options[at];
  if (typeof option.name === 'string' && option.name !== target.name) {
    const before = target.name;
    target.name = option.name;
    for (const v of product.variants) for (const ov of v.optionValues) if (ov.optionName === before) ov.optionName = option.name;
  }
  if (position !== null && position !== at + 1) {
    product.options.splice(at, 1);
    product.options.splice(position - 1, 0, target);
  }
  product.updatedAt = new Date().toISOString();
  return { product: productOut(product, ''), userErrors: [] };
}

/** productUpdate: the fields given (title, description, status, tags replace); variants, media and metafields left alone unless given. */
function productUpdate(shop: Shop, variables: Record<string, unknown>) {
  const input = isObject(variables.product) ? variables.product : {};
  const product = shop.products.get(String(input.id));
  if (!product) return { product: null, userErrors: [{ field: ['id'], message: 'Product does not exist' }] };
  if (input.title !== undefined && (typeof input.title !== 'string' || !input.title.trim())) return { product: null, userErrors: [{ field: ['title'], message: "Title can't be blank" }] };
  if (typeof input.title === 'string') product.title = input.title;
  if (typeof input.descriptionHtml === 'string') product.descriptionHtml = input.descriptionHtml;
  if (typeof input.status === 'string') product.status = input.status;
  if (Array.isArray(input.tags)) product.tags = input.tags.map(String);
  product.updatedAt = new Date().toISOString();
  return { product: { id: product.id }, userErrors: [] };
}

/**
 * What a request is charged before it runs. productSet: Shopify's published formula
 * (INTEGRATIONS.md §4e): 10 + 0.2·variants + 0.6·variant files + 0.4·variant metafields
 * + 0.4·product metafields + 1.9·files. Shopify publishes no formula for the bulk variant
 * mutations; the fake charges them the same per-variant weights (conservative). Other
 * mutations 10, queries 2.
 */
function requestCost(operation: string | null, variables: Record<string, unknown>): number {
  const len = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  if (operation === 'productSet') {
    const input = isObject(variables.input) ? variables.input : {};
    const variants = Array.isArray(input.variants) ? input.variants.filter(isObject) : [];
    return Math.ceil(
      10 + 0.2 * variants.length + variants.reduce((sum, v) => sum + (v.file ? 0.6 : 0) + 0.4 * len(v.metafields), 0) + 0.4 * len(input.metafields) + 1.9 * len(input.files),
    );
  }
  if (operation === 'productVariantsBulkCreate' || operation === 'productVariantsBulkUpdate') {
    const variants = Array.isArray(variables.variants) ? variables.variants.filter(isObject) : [];
    return Math.ceil(10 + variants.reduce((sum, v) => sum + 0.2 + (v.mediaId ? 0.6 : 0) + 0.4 * len(v.metafields), 0));
  }
  if (['productVariantsBulkDelete', 'productUpdate', 'inventorySetQuantities', 'productOptionUpdate'].includes(operation ?? '')) return 10;
  // A node costs a point (Shopify's calculated cost: one per object), plus the query itself.
  if (operation === 'nodes') return 1 + len(variables.ids);
  return 2;
}

/** A merchant's own edits in the Shopify admin, which SourcePilot must not undo. */
function merchantEdit(shop: Shop, input: Record<string, unknown>): { error?: string } {
  const product = shop.products.get(String(input.product_id));
  if (!product) return { error: 'no such product' };
  if (typeof input.title === 'string') product.title = input.title;
  if (typeof input.description_html === 'string') product.descriptionHtml = input.description_html;
  if (Array.isArray(input.add_tags)) product.tags = [...new Set([...product.tags, ...input.add_tags.map(String)])];
  if (Array.isArray(input.add_metafields)) product.metafields.push(...validMetafields(input.add_metafields, ['add_metafields'], []));
  if (Array.isArray(input.add_media)) product.media.push(...input.add_media.map((src) => ({ id: gid('MediaImage'), src: String(src) })));
  if (Array.isArray(input.add_collections)) product.collections.push(...input.add_collections.map(String));
  if (isObject(input.variant_metafields)) {
    for (const [id, list] of Object.entries(input.variant_metafields)) {
      const variant = product.variants.find((v) => v.id === id);
      if (!variant) return { error: `no variant ${id}` };
      variant.metafields.push(...validMetafields(list, ['variant_metafields'], []));
    }
  }
  return {};
}

/** What a test asserts on: each product with its variants' options, prices and keys. */
export function describeProduct(p: Product) {
  return {
    id: p.id,
    title: p.title,
    status: p.status,
    tags: p.tags,
    description_html: p.descriptionHtml,
    options: p.options.map((o) => ({ name: o.name, values: o.values })),
    images: p.media.map((m) => m.src),
    media: p.media,
    metafields: p.metafields,
    collections: p.collections,
    supplier_key: p.metafields.find((m) => m.key === 'supplier_key')?.value ?? null,
    variants: p.variants.map((v) => ({
      id: v.id,
      options: Object.fromEntries(v.optionValues.map((o) => [o.optionName, o.name])),
      price: v.price,
      compare_at_price: v.compareAtPrice,
      sku: v.sku,
      inventory: v.inventory.find((q) => q.name === 'available')?.quantity ?? null,
      inventory_item_id: v.inventoryItemId,
      variant_key: v.metafields.find((m) => m.key === 'variant_key')?.value ?? null,
      metafields: v.metafields,
      image: p.media.find((m) => m.id === v.file)?.src ?? null,
      media_id: v.file,
    })),
  };
}

/** The fields of a selection set, fragments spread in (the fake's objects carry no runtime type). */
function fieldsOf(selections: readonly SelectionNode[], fragments: Record<string, FragmentDefinitionNode>): FieldNode[] {
  return selections.flatMap((s) => {
    if (s.kind === Kind.FIELD) return [s];
    if (s.kind === Kind.INLINE_FRAGMENT) return fieldsOf(s.selectionSet.selections, fragments);
    const fragment = fragments[s.name.value];
    return fragment ? fieldsOf(fragment.selectionSet.selections, fragments) : [];
  });
}

/** Only what the document selected, under its aliases, as a GraphQL server answers. */
function project(value: unknown, selections: readonly SelectionNode[], fragments: Record<string, FragmentDefinitionNode>): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => project(v, selections, fragments));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const field of fieldsOf(selections, fragments)) {
    const name = field.name.value;
    const v = value[name];
    out[field.alias?.value ?? name] = field.selectionSet ? project(v, field.selectionSet.selections, fragments) : (v ?? null);
  }
  return out;
}

/** One root field of a valid document; undefined when the fake does not model it. */
function resolveRoot(admin: ShopifyAdminSchema, shop: Shop, scopes: string[], root: FieldNode, definition: GraphQLField<unknown, unknown>, variables: Record<string, unknown>, query: string): unknown {
  const field = root.name.value;
  const args = getArgumentValues(definition, root, variables);
  switch (field) {
    case 'shop':
      return { name: shop.name, myshopifyDomain: `${slug(shop.name)}.myshopify.com` };
    case 'currentAppInstallation':
      return { accessScopes: scopes.map((handle) => ({ handle })) };
    case 'location':
      return { id: shop.locationId, name: 'Shop location' };
    case 'product': {
      const product = shop.products.get(String(variables.id));
      return product ? productOut(product, query, typeof variables.after === 'string' ? variables.after : null) : null;
    }
    case 'products': {
      const q = String(variables.query ?? '');
      const tag = /tag:(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\S+))/.exec(q);
      const wanted = tag ? (tag[1] ?? tag[2] ?? tag[3]).replace(/\\(.)/g, '$1').toLowerCase() : null;
      const nodes = [...shop.products.values()].filter((p) => !wanted || p.tags.some((t) => t.toLowerCase() === wanted)).slice(0, pageSize(query, 'products'));
      return { nodes: nodes.map((p) => productOut(p, query)) };
    }
    case 'productSet': {
      if (!/synchronous:\s*true/.test(query)) return { product: null, productSetOperation: { id: gid('ProductSetOperation'), status: 'CREATED' }, userErrors: [] };
      const { product, userErrors } = productSet(shop, variables);
      return { product: product ? productOut(product, query) : null, userErrors };
    }
    case 'productVariantsBulkUpdate':
      return bulkUpdate(shop, variables);
    case 'productVariantsBulkCreate':
      return bulkCreate(shop, variables);
    case 'productVariantsBulkDelete':
      return bulkDelete(shop, variables);
    case 'productUpdate':
      return productUpdate(shop, variables);
    case 'nodes':
      return nodes(shop, variables, args);
    case 'inventorySetQuantities': {
      const directive = admin.schema.getDirective('idempotent');
      const key = directive ? getDirectiveValues(directive, root, variables)?.key : undefined;
      const set = inventorySetQuantities(shop, variables, args, typeof key === 'string' && key.trim() ? key : null);
      return 'error' in set ? { __error: set.error } : set.value;
    }
    case 'productOptionUpdate':
      return productOptionUpdate(shop, args);
    default:
      return undefined;
  }
}

/**
 * One Admin GraphQL request, checked like Shopify: a document that fails validation
 * against the pinned schema, or variables that do not fit their types, are refused
 * whole; then each root field the token's scopes do not cover answers null with
 * ACCESS_DENIED, and the rest run.
 */
function graphql(admin: ShopifyAdminSchema, shop: Shop, scopes: string[], req: StoreRequest): StoreReply {
  const body = parseBody(req.body);
  if (!isObject(body) || typeof body.query !== 'string') return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };
  const query = body.query;
  const variables = isObject(body.variables) ? body.variables : {};
  const checked = checkRequest(admin, query, variables, typeof body.operationName === 'string' ? body.operationName : null);
  if (!checked.ok) {
    shop.requests.push({ operation: '(invalid)', variables, at: new Date().toISOString() });
    return { body: { errors: checked.errors } };
  }
  const { operation, fragments } = checked;
  const roots = fieldsOf(operation.selectionSet.selections, fragments);
  const field = roots[0]?.name.value ?? null;
  shop.requests.push({ operation: field ?? '?', variables, at: new Date().toISOString() });

  const requestedQueryCost = requestCost(field, variables);
  shop.requests[shop.requests.length - 1].cost = requestedQueryCost;
  const now = Date.now();
  const available = Math.min(MAX_AVAILABLE, shop.bucket.available + ((now - shop.bucket.at) / 1000) * RESTORE_RATE);
  shop.bucket = { available, at: now };
  if (requestedQueryCost > MAX_QUERY_COST) {
    return {
      body: {
        errors: [
          {
            message: `Query cost is ${requestedQueryCost}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`,
            extensions: { code: 'MAX_COST_EXCEEDED', cost: requestedQueryCost, maxCost: MAX_QUERY_COST, documentation: 'https://shopify.dev/api/usage/rate-limits' },
          },
        ],
      },
    };
  }
  if (!shop.throttle?.count && requestedQueryCost > available) {
    shop.throttledByBucket++;
    return {
      body: {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost, actualQueryCost: null, throttleStatus: { maximumAvailable: MAX_AVAILABLE, currentlyAvailable: Math.floor(available), restoreRate: RESTORE_RATE } } },
      },
    };
  }
  if (shop.throttle && shop.throttle.count > 0) {
    shop.throttle.count--;
    return {
      body: {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost, actualQueryCost: null, throttleStatus: { maximumAvailable: MAX_AVAILABLE, currentlyAvailable: shop.throttle.available, restoreRate: RESTORE_RATE } } },
      },
    };
  }
  shop.bucket.available -= requestedQueryCost;
  const cost = { requestedQueryCost, actualQueryCost: requestedQueryCost, throttleStatus: { maximumAvailable: MAX_AVAILABLE, currentlyAvailable: Math.floor(shop.bucket.available), restoreRate: RESTORE_RATE } };

  const denied = accessDenied(fieldAccess(admin, operation, fragments), scopes);
  const rootType = operation.operation === 'mutation' ? admin.schema.getMutationType()! : admin.schema.getQueryType()!;
  let data: Record<string, unknown> | null = {};
  for (const root of roots) {
    const key = root.alias?.value ?? root.name.value;
    if (root.name.value === '__typename') {
      data[key] = rootType.name;
      continue;
    }
    if (denied.some((e) => e.path?.[0] === key)) {
      // A refused non-null root field nulls the whole answer, as GraphQL propagates nulls.
      if (isNonNullType(rootType.getFields()[root.name.value].type)) {
        data = null;
        break;
      }
      data[key] = null;
      continue;
    }
    const value = resolveRoot(admin, shop, scopes, root, rootType.getFields()[root.name.value], variables, query);
    if (value === undefined) {
      return { status: 501, body: { errors: [{ message: `The Shopify fake does not model ${rootType.name}.${root.name.value} (valid in Admin ${admin.version}) as called; add it to worker/test/fakes/shopify.ts` }] } };
    }
    if (isObject(value) && '__error' in value) {
      // A resolver's runtime error: the field answers null and the error names its path.
      denied.push({ ...(value.__error as { message: string }), path: [key] });
      data[key] = null;
      continue;
    }
    data[key] = project(value, root.selectionSet?.selections ?? [], fragments);
  }
  // The request ran, but its answer never reaches the client (an edge 503 after the work was done).
  if (shop.loseAnswer && shop.loseAnswer.count > 0 && roots.some((r) => r.name.value === shop.loseAnswer!.operation)) {
    shop.loseAnswer.count--;
    return { status: 503, body: { errors: 'Service Unavailable' } };
  }
  return { body: { ...(denied.length ? { errors: denied } : {}), data, extensions: { cost } } };
}

export async function startFakeShopify(): Promise<StartedFake> {
  const shops = new Map<string, Shop>();
  const admin = await loadShopifyAdminSchema();
  const oauth = new FakeShopifyOAuth<Shop>(() => server.origin);

  const server = await startStoreServer((req) => {
    if (req.path === '/__control/schema' && req.method === 'GET') return { body: { version: admin.version, source: admin.source } };
    if (req.path === '/__control/access' && req.method === 'POST') {
      const input = parseBody(req.body);
      if (!isObject(input) || typeof input.query !== 'string') return { status: 422, body: { error: 'query is required' } };
      const checked = checkRequest(admin, input.query, null);
      if (!checked.ok) return { body: { errors: checked.errors } };
      const gates = fieldAccess(admin, checked.operation, checked.fragments);
      return { body: { gates: gates.map((g) => ({ path: g.path, gate: g.gate, scopes: g.access.scopes, required_access: g.access.text })) } };
    }
    if (req.path === '/__control/apps' && req.method === 'POST') {
      const input = parseBody(req.body);
      if (!isObject(input) || typeof input.client_id !== 'string' || typeof input.client_secret !== 'string') return { status: 422, body: { error: 'client_id and client_secret are required' } };
      oauth.apps.set(input.client_id, input.client_secret);
      return { status: 201, body: { ok: true } };
    }
    if (req.path === '/__control/refresh-delay' && req.method === 'POST') {
      oauth.refreshDelayMs = Number((parseBody(req.body) as { ms?: unknown } | null)?.ms ?? 0);
      return { body: { ok: true } };
    }
    if (req.path === '/admin/oauth/access_token' && req.method === 'POST') return oauth.tokenEndpoint(req);
    const screen = installScreen(req, shops, oauth, server.origin);
    if (screen) return screen;
    const control = /^\/__control\/shops(?:\/([^/]+))?(?:\/(products|throttle|fail|approve|expire|auth|merchant|apps|sell|lose-answer|inventory))?$/.exec(req.path);
    if (control) {
      const [, token, action] = control;
      const input = (parseBody(req.body) ?? {}) as Record<string, unknown>;
      if (!token && req.method === 'POST') {
        const shop: Shop = {
          token: `shpat_${randomBytes(16).toString('hex')}`,
          name: typeof input.name === 'string' ? input.name : `Fake Shop ${shops.size + 1}`,
          scopes: Array.isArray(input.scopes) ? input.scopes.map(String) : [...SHOPIFY_SCOPE_NAMES],
          locationId: gid('Location'),
          products: new Map(),
          requests: [],
          throttle: null,
          throttledByBucket: 0,
          bucket: { available: MAX_AVAILABLE, at: Date.now() },
          failure: null,
          idempotency: new Map(),
          inventoryChanges: [],
          idempotentReplays: 0,
          pendingSales: [],
          loseAnswer: null,
        };
        shops.set(shop.token, shop);
        oauth.tokens.set(shop.token, { shop, scopes: shop.scopes, clientId: null, expiresAt: null });
        return { status: 201, body: { token: shop.token, name: shop.name, location_id: shop.locationId, scopes: shop.scopes } };
      }
      const shop = token ? shops.get(token) : undefined;
      if (!shop) return { status: 404, body: { error: 'no such shop' } };
      if (req.method === 'DELETE' && !action) {
        shops.delete(shop.token);
        oauth.revokeShop(shop);
        return { status: 204 };
      }
      if (req.method === 'POST' && action === 'approve') {
        const scopes = Array.isArray(input.scopes) ? input.scopes.map(String) : undefined;
        const overrides = isObject(input.overrides) ? Object.fromEntries(Object.entries(input.overrides).map(([k, v]) => [k, String(v)])) : {};
        const approved = oauth.approve(shop, String(input.authorize_url ?? ''), scopes, overrides);
        return approved.error ? { status: 422, body: approved } : { body: approved };
      }
      if (req.method === 'POST' && action === 'apps') {
        if (typeof input.client_id !== 'string' || typeof input.client_secret !== 'string') return { status: 422, body: { error: 'client_id and client_secret are required' } };
        oauth.ownApps.set(input.client_id, { secret: input.client_secret, shop });
        return { status: 201, body: { ok: true } };
      }
      if (req.method === 'POST' && action === 'expire') {
        oauth.expireShop(shop, Number(input.in_ms ?? 0));
        return { body: { ok: true } };
      }
      if (req.method === 'GET' && !action) return { body: { name: shop.name, products: [...shop.products.values()].map(describeProduct), requests: shop.requests, throttled_by_bucket: shop.throttledByBucket } };
      if (req.method === 'POST' && action === 'merchant') {
        const edited = merchantEdit(shop, input);
        return edited.error ? { status: 422, body: edited } : { body: { ok: true } };
      }
      if (req.method === 'GET' && action === 'auth') {
        const { inFlight: _, ...stats } = oauth.statsFor(shop);
        return { body: stats };
      }
      if (req.method === 'GET' && action === 'products') return { body: [...shop.products.values()].map(describeProduct) };
      if (req.method === 'POST' && action === 'sell') {
        // A customer buys `quantity` of a variant: now, or just before the next inventorySetQuantities runs.
        const variantId = String(input.variant_id ?? '');
        const quantity = Number(input.quantity ?? 1);
        const variant = [...shop.products.values()].flatMap((p) => p.variants).find((v) => v.id === variantId);
        const level = variant?.inventory.find((q) => q.locationId === shop.locationId && q.name === 'available');
        if (!level || !Number.isInteger(quantity) || quantity < 1) return { status: 422, body: { error: 'no stocked variant with that id, or a bad quantity' } };
        if (input.when === 'before_next_inventory_set') shop.pendingSales.push({ variantId, quantity });
        else level.quantity -= quantity;
        return { body: { ok: true } };
      }
      if (req.method === 'POST' && action === 'lose-answer') {
        shop.loseAnswer = { operation: String(input.operation ?? ''), count: Number(input.count ?? 1) };
        return { body: { ok: true } };
      }
      if (req.method === 'GET' && action === 'inventory') return { body: { changes: shop.inventoryChanges, replays: shop.idempotentReplays } };
      if (req.method === 'POST' && action === 'throttle') {
        shop.throttle = { count: Number(input.count ?? 1), available: Number(input.currently_available ?? 0) };
        return { body: { ok: true } };
      }
      if (req.method === 'POST' && action === 'fail') {
        shop.failure = { status: Number(input.status ?? 500), count: Number(input.count ?? 1), body: input.body, delayMs: Number(input.delay_ms ?? 0) };
        return { body: { ok: true } };
      }
      return { status: 405, body: { error: 'unsupported control call' } };
    }

    if (!/^\/admin\/api\/\d{4}-\d{2}\/graphql\.json$/.test(req.path)) return { status: 404, body: { errors: 'Not Found' } };
    const presented = String(req.headers['x-shopify-access-token'] ?? '');
    const access = oauth.access(presented);
    if (!access) {
      oauth.unauthorized(presented);
      return { status: 401, body: INVALID_TOKEN };
    }
    const shop = access.shop;
    const failure = takeFailure(shop.failure);
    if (failure) {
      if (failure.delayMs) return { status: failure.status, body: failure.body ?? { errors: 'Internal Server Error' }, delayMs: failure.delayMs };
      return { status: failure.status, body: failure.body ?? { errors: failure.status >= 500 ? 'Internal Server Error' : 'Error' } };
    }
    if (req.method !== 'POST') return { status: 405, body: { errors: 'Method Not Allowed' } };
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return { status: 415, body: { errors: 'Unsupported Media Type' } };
    return graphql(admin, shop, access.scopes, req);
  });

  return { bindings: { FAKE_SHOPIFY_URL: server.origin }, stop: server.stop };
}

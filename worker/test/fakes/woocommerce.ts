import { randomBytes } from 'node:crypto';
import type { StartedFake } from './index';
import { FakeWooAuth } from './woocommerce-auth';
import { isMoney, isObject, parseBody, startStoreServer, takeFailure, type Failure, type StoreReply, type StoreRequest } from './store-common';

/**
 * A fake WooCommerce REST v3 site under `/wp-json/wc/v3`, authenticated with a consumer
 * key and secret (HTTP Basic, or the `consumer_key`/`consumer_secret` query when a host
 * strips the header). Several stores share the server, one per key pair, so parallel
 * test files never collide. It validates bodies like WooCommerce (string prices, unique
 * SKUs, variation attributes that exist on the parent, at most 100 items per batch),
 * keeps products and variations in memory and answers in WooCommerce's shapes,
 * errors included (`{code, message, data: {status}}`).
 *
 * Images behave like WooCommerce's products and variations controllers
 * (`set_product_images` / `set_variation_image` → `wc_rest_upload_image_from_url`,
 * INTEGRATIONS.md §4f): every `{src}` without an `id` is downloaded on that request and
 * becomes a new attachment in the media library (a re-sent URL is a second copy); `{id}`
 * reuses an attachment (an unknown id → 400 `woocommerce_product_invalid_image_id`). A
 * download that fails fails the whole request with 400
 * `woocommerce_product_image_upload_error` / `woocommerce_variation_image_upload_error`
 * ("Error getting remote image <url>. Error: …"); attachments downloaded before it stay
 * in the library. Downloads are real HTTP for loopback URLs (this server serves
 * `/__images/<name>`; `/__images/missing/…` is a 404); other hosts cannot be reached from
 * the test machine, so they count as downloaded unless the host ends in `.invalid`
 * (RFC 2606: never resolves). A slow site (`slow`) takes `ms_per_item` for each item of a
 * variation batch, saving each as it goes and answering at the end; like PHP, it keeps
 * saving after the client gave up. A slow product create (`slow-create`) is WooCommerce's
 * products controller on a slow host: the request is checked (the SKU's uniqueness
 * included, as `set_sku` checks it when the request is read), its `{src}` images are
 * downloaded, and only then, `ms` later, is the product saved and the answer sent; PHP
 * goes on after the client gave up, so the product appears after the client's timeout.
 * A second create of the same SKU that starts before the first one saved passes the
 * same check, so both are saved: the duplicate a too-eager retry makes on a real site.
 *
 * Control:
 *   POST   /__control/stores                    {name?} → {consumer_key, consumer_secret, name}
 *   GET    /__control/stores/:key               → {name, products, requests}
 *   GET    /__control/stores/:key/products      → products with their variations as received
 *   POST   /__control/stores/:key/fail          {status, count, code?, message?, delay_ms?}
 *   POST   /__control/stores/:key/strip-auth    {enabled} → ignore the Authorization header, like some hosts
 *   GET    /__control/stores/:key/media         → the media library: [{id, source}] (one entry per download)
 *   POST   /__control/stores/:key/slow          {ms_per_item} → variation batches take this long per item
 *   POST   /__control/stores/:key/slow-create   {ms, count?} → the next `count` product creates save (and answer) `ms` late
 *   DELETE /__control/stores/:key               → the keys stop working
 *   /wc-auth/v1/authorize, /__control/wc-auth/* → the app authorization screen (./woocommerce-auth.ts)
 */

interface Meta {
  id: number;
  key: string;
  value: unknown;
}
interface Variation {
  id: number;
  sku: string;
  regular_price: string;
  sale_price: string;
  manage_stock: boolean;
  stock_quantity: number | null;
  /** Attachment id. */
  image: number | null;
  attributes: { name: string; option: string }[];
  meta_data: Meta[];
}
interface Product {
  id: number;
  name: string;
  type: string;
  status: string;
  description: string;
  sku: string;
  regular_price: string;
  sale_price: string;
  manage_stock: boolean;
  stock_quantity: number | null;
  /** Attachment ids, the first is the product image. */
  images: number[];
  tags: { id: number; name: string }[];
  attributes: { name: string; options: string[]; variation: boolean; visible: boolean; position: number }[];
  meta_data: Meta[];
  variations: Variation[];
}
interface Store {
  key: string;
  secret: string;
  name: string;
  products: Map<number, Product>;
  tags: Map<number, string>;
  requests: { method: string; path: string; body: unknown; at: string }[];
  failure: (Failure & { code?: string; message?: string }) | null;
  stripAuth: boolean;
  /** The media library: every downloaded image, by attachment id. */
  media: Map<number, { id: number; source: string }>;
  slowMsPerItem: number;
  slowCreate: { ms: number; count: number } | null;
}

const BATCH_LIMIT = 100;
/** What `/__images/<name>` serves: not a real JPEG, but served as one (the fake only checks the type). */
const FAKE_JPEG = '\xff\xd8\xff\xe0 fake jpeg';
let nextId = 100;

const wooError = (status: number, code: string, message: string, extra: Record<string, unknown> = {}): StoreReply => ({
  status,
  body: { code, message, data: { status, ...extra } },
});

let imageOrigin = '';
const uploadedSrc = (id: number) => `${imageOrigin}/wp-content/uploads/sourcepilot-fake/${id}.jpg`;
const imageOut = (id: number) => ({ id, src: uploadedSrc(id), name: `${id}.jpg`, alt: '' });

function variationOut(p: Product, v: Variation) {
  const onSale = v.sale_price !== '';
  return { id: v.id, parent_id: p.id, sku: v.sku, price: onSale ? v.sale_price : v.regular_price, regular_price: v.regular_price, sale_price: v.sale_price, on_sale: onSale, manage_stock: v.manage_stock, stock_quantity: v.stock_quantity, image: v.image ? imageOut(v.image) : null, attributes: v.attributes, meta_data: v.meta_data };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** wc_rest_upload_image_from_url: the attachment id, or the reason the download failed. */
async function download(store: Store, url: string): Promise<{ id: number } | { error: string }> {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return { error: 'Invalid image: invalid URL' };
  }
  if (host.endsWith('.invalid')) return { error: `cURL error 6: Could not resolve host: ${host}` };
  if (host === '127.0.0.1' || host === 'localhost') {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      if (!res.ok) return { error: `${res.status} ${res.statusText || 'Not Found'}` };
      if (!String(res.headers.get('content-type')).startsWith('image/')) return { error: 'Invalid image: Sorry, you are not allowed to upload this file type.' };
    } catch (err) {
      return { error: String((err as Error).message) };
    }
  }
  const id = nextId++;
  store.media.set(id, { id, source: url });
  return { id };
}

/**
 * An image field as the controllers read it: `{id}` must be an attachment, `{src}` is
 * downloaded now. Throws the controller's error reply.
 */
async function imageId(store: Store, raw: unknown, variation: boolean): Promise<number> {
  const img = isObject(raw) ? raw : {};
  const id = Number(img.id ?? 0);
  if (id) {
    if (!store.media.has(id)) throw wooError(400, variation ? 'woocommerce_variation_invalid_image_id' : 'woocommerce_product_invalid_image_id', `#${id} is an invalid image ID.`);
    return id;
  }
  const src = typeof img.src === 'string' ? img.src : '';
  const got = await download(store, src);
  if ('error' in got) {
    throw wooError(400, variation ? 'woocommerce_variation_image_upload_error' : 'woocommerce_product_image_upload_error', `Error getting remote image ${src}. Error: ${got.error}.`);
  }
  return got.id;
}

const isReply = (e: unknown): e is StoreReply => isObject(e) && isObject((e as StoreReply).body) && typeof (e as StoreReply).status === 'number';

function productOut(origin: string, p: Product) {
  const onSale = p.sale_price !== '';
  return {
    id: p.id,
    name: p.name,
    slug: p.name.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
    permalink: `${origin}/product/${p.id}/`,
    type: p.type,
    status: p.status,
    description: p.description,
    sku: p.sku,
    price: onSale ? p.sale_price : p.regular_price,
    regular_price: p.regular_price,
    sale_price: p.sale_price,
    manage_stock: p.manage_stock,
    stock_quantity: p.stock_quantity,
    images: p.images.map(imageOut),
    tags: p.tags,
    attributes: p.attributes,
    variations: p.variations.map((v) => v.id),
    meta_data: p.meta_data,
  };
}

/** What a test asserts on: the product and its variations as the store holds them. */
export function describeProduct(p: Product, media: Map<number, { source: string }> = new Map()) {
  return {
    id: String(p.id),
    name: p.name,
    type: p.type,
    status: p.status,
    sku: p.sku,
    regular_price: p.regular_price,
    sale_price: p.sale_price,
    stock_quantity: p.stock_quantity,
    /** The URLs the images were downloaded from. */
    images: p.images.map((id) => media.get(id)?.source ?? null),
    image_ids: p.images,
    tags: p.tags.map((t) => t.name),
    attributes: p.attributes.map((a) => ({ name: a.name, options: a.options })),
    supplier_key: (p.meta_data.find((m) => m.key === '_sourcepilot_supplier_key')?.value as string | undefined) ?? null,
    variations: p.variations.map((v) => ({
      id: String(v.id),
      sku: v.sku,
      regular_price: v.regular_price,
      sale_price: v.sale_price,
      stock_quantity: v.stock_quantity,
      options: Object.fromEntries(v.attributes.map((a) => [a.name, a.option])),
      variant_key: (v.meta_data.find((m) => m.key === '_sourcepilot_variant_key')?.value as string | undefined) ?? null,
      image: v.image ? (media.get(v.image)?.source ?? null) : null,
      image_id: v.image,
    })),
  };
}

/** Checks the fields both products and variations share; returns the first problem as a Woo error. */
function checkCommon(store: Store, body: Record<string, unknown>, ownId: number | null): StoreReply | null {
  const invalidParams: Record<string, string> = {};
  for (const field of ['regular_price', 'sale_price'] as const) {
    if (body[field] !== undefined && (typeof body[field] !== 'string' || (body[field] !== '' && !isMoney(body[field])))) {
      invalidParams[field] = `${field} is not of type string.`;
    }
  }
  if (body.stock_quantity !== undefined && body.stock_quantity !== null && !Number.isInteger(body.stock_quantity)) invalidParams.stock_quantity = 'stock_quantity is not of type integer.';
  if (body.manage_stock !== undefined && typeof body.manage_stock !== 'boolean') invalidParams.manage_stock = 'manage_stock is not of type boolean.';
  if (body.meta_data !== undefined && (!Array.isArray(body.meta_data) || body.meta_data.some((m) => !isObject(m) || typeof m.key !== 'string'))) invalidParams.meta_data = 'meta_data is not valid.';
  if (Object.keys(invalidParams).length) return wooError(400, 'rest_invalid_param', `Invalid parameter(s): ${Object.keys(invalidParams).join(', ')}`, { params: invalidParams });
  if (typeof body.sku === 'string' && body.sku !== '') {
    for (const p of store.products.values()) {
      const clash = (p.sku === body.sku && p.id !== ownId) || p.variations.some((v) => v.sku === body.sku && v.id !== ownId);
      if (clash) return wooError(400, 'product_invalid_sku', 'Invalid or duplicated SKU.', { resource_id: p.id, unique_sku: body.sku });
    }
  }
  return null;
}

const metaOf = (list: unknown, previous: Meta[]): Meta[] => {
  if (!Array.isArray(list)) return previous;
  const out = [...previous];
  for (const m of list as { key: string; value: unknown }[]) {
    const at = out.findIndex((o) => o.key === m.key);
    if (at >= 0) out[at] = { ...out[at], value: m.value };
    else out.push({ id: nextId++, key: m.key, value: m.value });
  }
  return out;
};

function applyProduct(store: Store, p: Product, body: Record<string, unknown>, images: number[] | null) {
  if (typeof body.name === 'string') p.name = body.name;
  if (typeof body.type === 'string') p.type = body.type;
  if (typeof body.status === 'string') p.status = body.status;
  if (typeof body.description === 'string') p.description = body.description;
  if (typeof body.sku === 'string') p.sku = body.sku;
  if (typeof body.regular_price === 'string') p.regular_price = body.regular_price;
  if (typeof body.sale_price === 'string') p.sale_price = body.sale_price;
  if (typeof body.manage_stock === 'boolean') p.manage_stock = body.manage_stock;
  if (body.stock_quantity !== undefined) p.stock_quantity = body.stock_quantity as number | null;
  if (images) p.images = images;
  // Like WooCommerce: tags are referenced by id; unknown ids are dropped.
  if (Array.isArray(body.tags)) p.tags = body.tags.flatMap((t) => (store.tags.has(Number((t as { id?: unknown }).id)) ? [{ id: Number((t as { id: number }).id), name: store.tags.get(Number((t as { id: number }).id))! }] : []));
  if (Array.isArray(body.attributes)) {
    p.attributes = body.attributes.map((a, i) => {
      const attr = a as Record<string, unknown>;
      return { name: String(attr.name), options: Array.isArray(attr.options) ? attr.options.map(String) : [], variation: attr.variation === true, visible: attr.visible !== false, position: Number(attr.position ?? i) };
    });
  }
  p.meta_data = metaOf(body.meta_data, p.meta_data);
}

function checkProduct(body: unknown): StoreReply | null {
  if (!isObject(body)) return wooError(400, 'rest_invalid_json', 'The JSON body passed is not a valid JSON object.');
  if (body.type !== undefined && !['simple', 'variable', 'grouped', 'external'].includes(String(body.type))) return wooError(400, 'rest_invalid_param', 'Invalid parameter(s): type', { params: { type: 'type is not one of simple, grouped, external, and variable.' } });
  if (body.status !== undefined && !['draft', 'pending', 'private', 'publish', 'future'].includes(String(body.status))) return wooError(400, 'rest_invalid_param', 'Invalid parameter(s): status', { params: { status: 'status is not one of draft, pending, private, publish, and future.' } });
  if (body.images !== undefined && (!Array.isArray(body.images) || body.images.some((i) => !isObject(i) || (typeof i.src !== 'string' && typeof i.id !== 'number')))) {
    return wooError(400, 'rest_invalid_param', 'Invalid parameter(s): images', { params: { images: 'images is not valid.' } });
  }
  if (body.attributes !== undefined && (!Array.isArray(body.attributes) || body.attributes.some((a) => !isObject(a) || typeof a.name !== 'string' || !Array.isArray(a.options)))) {
    return wooError(400, 'rest_invalid_param', 'Invalid parameter(s): attributes', { params: { attributes: 'attributes is not valid.' } });
  }
  return null;
}

/** One variation of a batch: an item error (as Woo reports them per item) or the saved variation. */
async function saveVariation(store: Store, p: Product, raw: unknown, existing: Variation | null): Promise<{ error: StoreReply['body'] } | { variation: Variation }> {
  if (!isObject(raw)) return { error: { code: 'rest_invalid_param', message: 'Invalid variation.', data: { status: 400 } } };
  const common = checkCommon(store, raw, existing?.id ?? null);
  if (common) return { error: common.body };
  let attributes = existing?.attributes ?? [];
  if (raw.attributes !== undefined) {
    if (!Array.isArray(raw.attributes)) return { error: { code: 'rest_invalid_param', message: 'Invalid parameter(s): attributes', data: { status: 400 } } };
    attributes = [];
    for (const a of raw.attributes as Record<string, unknown>[]) {
      const parent = p.attributes.find((pa) => pa.variation && pa.name.toLowerCase() === String(a.name).toLowerCase());
      if (!parent || !parent.options.includes(String(a.option))) {
        return { error: { code: 'woocommerce_rest_invalid_attribute', message: `Attribute "${String(a.name)}: ${String(a.option)}" is not a variation attribute of the product.`, data: { status: 400 } } };
      }
      attributes.push({ name: parent.name, option: String(a.option) });
    }
  }
  let image: number | undefined;
  if (raw.image !== undefined && raw.image !== null) {
    try {
      image = await imageId(store, raw.image, true);
    } catch (err) {
      if (isReply(err)) return { error: err.body };
      throw err;
    }
  }
  const v: Variation = existing ?? { id: nextId++, sku: '', regular_price: '', sale_price: '', manage_stock: false, stock_quantity: null, image: null, attributes: [], meta_data: [] };
  if (typeof raw.sku === 'string') v.sku = raw.sku;
  if (typeof raw.regular_price === 'string') v.regular_price = raw.regular_price;
  if (typeof raw.sale_price === 'string') v.sale_price = raw.sale_price;
  if (typeof raw.manage_stock === 'boolean') v.manage_stock = raw.manage_stock;
  if (raw.stock_quantity !== undefined) v.stock_quantity = raw.stock_quantity as number | null;
  if (image !== undefined) v.image = image;
  v.attributes = attributes;
  v.meta_data = metaOf(raw.meta_data, v.meta_data);
  return { variation: v };
}

/** The product's images in order, downloading `{src}` ones; throws the controller's error reply. */
async function productImages(store: Store, body: unknown): Promise<number[] | null> {
  if (!isObject(body) || !Array.isArray(body.images)) return null;
  const ids: number[] = [];
  for (const raw of body.images) ids.push(await imageId(store, raw, false));
  return ids;
}

async function api(store: Store, origin: string, req: StoreRequest): Promise<StoreReply> {
  try {
    return await route(store, origin, req);
  } catch (err) {
    if (isReply(err)) return err;
    throw err;
  }
}

async function route(store: Store, origin: string, req: StoreRequest): Promise<StoreReply> {
  const path = req.path.replace(/^\/wp-json\/wc\/v3/, '').replace(/\/+$/, '') || '/';
  const body = parseBody(req.body);
  if (body === Symbol.for('invalid-json')) return wooError(400, 'rest_invalid_json', 'The JSON body passed is not a valid JSON object.');
  store.requests.push({ method: req.method, path, body, at: new Date().toISOString() });
  let m: RegExpExecArray | null;

  if (req.method === 'GET' && path === '/system_status') {
    return { body: { environment: { home_url: origin, site_url: origin, version: '9.8.1', wp_version: '6.8.1' }, settings: { currency: 'USD', currency_symbol: '$' } } };
  }
  if (req.method === 'GET' && path === '/products') {
    const perPage = Number(req.query.get('per_page') ?? 10);
    if (!(perPage >= 1 && perPage <= 100)) return wooError(400, 'rest_invalid_param', 'Invalid parameter(s): per_page', { params: { per_page: 'per_page must be between 1 (inclusive) and 100 (inclusive)' } });
    const page = Number(req.query.get('page') ?? 1);
    const sku = req.query.get('sku');
    const all = [...store.products.values()].filter((p) => sku === null || p.sku === sku);
    return { body: all.slice((page - 1) * perPage, page * perPage).map((p) => productOut(origin, p)), headers: { 'X-WP-Total': String(all.length), 'X-WP-TotalPages': String(Math.ceil(all.length / perPage)) } };
  }
  if (req.method === 'POST' && path === '/products') {
    const invalid = checkProduct(body) ?? checkCommon(store, body as Record<string, unknown>, null);
    if (invalid) return invalid;
    const images = await productImages(store, body);
    if (store.slowCreate && store.slowCreate.count > 0) {
      store.slowCreate.count--;
      await sleep(store.slowCreate.ms);
    }
    const p: Product = { id: nextId++, name: '', type: 'simple', status: 'publish', description: '', sku: '', regular_price: '', sale_price: '', manage_stock: false, stock_quantity: null, images: [], tags: [], attributes: [], meta_data: [], variations: [] };
    applyProduct(store, p, body as Record<string, unknown>, images);
    store.products.set(p.id, p);
    return { status: 201, body: productOut(origin, p) };
  }
  if ((m = /^\/products\/(\d+)$/.exec(path))) {
    const p = store.products.get(Number(m[1]));
    if (!p) return wooError(404, 'woocommerce_rest_product_invalid_id', 'Invalid ID.');
    if (req.method === 'GET') return { body: productOut(origin, p) };
    if (req.method === 'PUT' || req.method === 'POST') {
      const invalid = checkProduct(body) ?? checkCommon(store, body as Record<string, unknown>, p.id);
      if (invalid) return invalid;
      applyProduct(store, p, body as Record<string, unknown>, await productImages(store, body));
      return { body: productOut(origin, p) };
    }
  }
  if ((m = /^\/products\/(\d+)\/variations$/.exec(path)) && req.method === 'GET') {
    const p = store.products.get(Number(m[1]));
    if (!p) return wooError(404, 'woocommerce_rest_product_invalid_id', 'Invalid ID.');
    const perPage = Number(req.query.get('per_page') ?? 10);
    if (!(perPage >= 1 && perPage <= 100)) return wooError(400, 'rest_invalid_param', 'Invalid parameter(s): per_page');
    const page = Number(req.query.get('page') ?? 1);
    const sku = req.query.get('sku');
    const all = p.variations.filter((v) => sku === null || v.sku === sku);
    return { body: all.slice((page - 1) * perPage, page * perPage).map((v) => variationOut(p, v)), headers: { 'X-WP-Total': String(all.length) } };
  }
  if ((m = /^\/products\/(\d+)\/variations\/batch$/.exec(path)) && (req.method === 'POST' || req.method === 'PUT')) {
    const p = store.products.get(Number(m[1]));
    if (!p) return wooError(404, 'woocommerce_rest_product_invalid_id', 'Invalid ID.');
    if (!isObject(body)) return wooError(400, 'rest_invalid_json', 'The JSON body passed is not a valid JSON object.');
    const create = Array.isArray(body.create) ? body.create : [];
    const update = Array.isArray(body.update) ? body.update : [];
    const del = Array.isArray(body.delete) ? body.delete : [];
    if (create.length + update.length + del.length > BATCH_LIMIT) {
      return wooError(413, 'woocommerce_rest_request_entity_too_large', `Unable to accept more than ${BATCH_LIMIT} items for this request.`);
    }
    const out: Record<string, unknown[]> = { create: [], update: [], delete: [] };
    const slow = () => (store.slowMsPerItem ? sleep(store.slowMsPerItem) : Promise.resolve());
    for (const raw of create) {
      await slow();
      const saved = await saveVariation(store, p, raw, null);
      if ('error' in saved) out.create.push({ id: 0, error: saved.error });
      else {
        p.variations.push(saved.variation);
        out.create.push(variationOut(p, saved.variation));
      }
    }
    for (const raw of update) {
      await slow();
      const existing = p.variations.find((v) => isObject(raw) && v.id === Number(raw.id));
      if (!existing) {
        out.update.push({ id: isObject(raw) ? Number(raw.id) : 0, error: { code: 'woocommerce_rest_product_variation_invalid_id', message: 'Invalid ID.', data: { status: 400 } } });
        continue;
      }
      const saved = await saveVariation(store, p, raw, existing);
      out.update.push('error' in saved ? { id: existing.id, error: saved.error } : variationOut(p, saved.variation));
    }
    for (const id of del) {
      const at = p.variations.findIndex((v) => v.id === Number(id));
      if (at < 0) out.delete.push({ id: Number(id), error: { code: 'woocommerce_rest_product_variation_invalid_id', message: 'Invalid ID.', data: { status: 404 } } });
      else out.delete.push(variationOut(p, p.variations.splice(at, 1)[0]));
    }
    return { body: out };
  }
  if (path === '/products/tags/batch' && (req.method === 'POST' || req.method === 'PUT')) {
    const create = isObject(body) && Array.isArray(body.create) ? body.create : [];
    if (create.length > BATCH_LIMIT) return wooError(413, 'woocommerce_rest_request_entity_too_large', `Unable to accept more than ${BATCH_LIMIT} items for this request.`);
    return {
      body: {
        create: create.map((t) => {
          const name = String((t as { name?: unknown }).name ?? '').trim();
          if (!name) return { id: 0, error: { code: 'woocommerce_rest_invalid_name', message: 'A name is required for this resource.', data: { status: 400 } } };
          const found = [...store.tags].find(([, n]) => n.toLowerCase() === name.toLowerCase());
          if (found) return { id: 0, error: { code: 'term_exists', message: 'A term with the name provided already exists with this parent.', data: { status: 400, resource_id: found[0] } } };
          const id = nextId++;
          store.tags.set(id, name);
          return { id, name, slug: name.toLowerCase().replace(/[^a-z0-9]+/g, '-') };
        }),
      },
    };
  }
  return wooError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
}

/** Who is calling: Basic auth (unless stripped) or the query-string keys, as WooCommerce accepts over HTTPS. */
function credentials(store: Map<string, Store>, req: StoreRequest): { key: string; secret: string } | null {
  const header = String(req.headers.authorization ?? '');
  const basic = /^Basic\s+(.+)$/i.exec(header);
  if (basic) {
    const [key, ...rest] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    if (!store.get(key)?.stripAuth) return { key, secret: rest.join(':') };
  }
  const key = req.query.get('consumer_key');
  const secret = req.query.get('consumer_secret');
  return key && secret ? { key, secret } : null;
}

export async function startFakeWooCommerce(): Promise<StartedFake> {
  const stores = new Map<string, Store>();
  let origin = '';

  const wooAuth = new FakeWooAuth(() => origin);
  const server = await startStoreServer(async (req) => {
    // The app authorization screens and their control calls (./woocommerce-auth.ts).
    const authorization = await wooAuth.handle(req);
    if (authorization) return authorization;
    const image = /^\/__images\/(missing\/)?[\w.-]+$/.exec(req.path);
    if (image && req.method === 'GET') {
      return image[1] ? { status: 404, body: { error: 'not found' } } : { raw: FAKE_JPEG, headers: { 'Content-Type': 'image/jpeg' } };
    }
    const control = /^\/__control\/stores(?:\/([^/]+))?(?:\/(products|fail|strip-auth|media|slow|slow-create))?$/.exec(req.path);
    if (control) {
      const [, key, action] = control;
      const input = (parseBody(req.body) ?? {}) as Record<string, unknown>;
      if (!key && req.method === 'POST') {
        const store: Store = {
          key: `ck_${randomBytes(20).toString('hex')}`,
          secret: `cs_${randomBytes(20).toString('hex')}`,
          name: typeof input.name === 'string' ? input.name : `Fake Woo ${stores.size + 1}`,
          products: new Map(),
          tags: new Map(),
          requests: [],
          failure: null,
          stripAuth: false,
          media: new Map(),
          slowMsPerItem: 0,
          slowCreate: null,
        };
        stores.set(store.key, store);
        return { status: 201, body: { consumer_key: store.key, consumer_secret: store.secret, name: store.name } };
      }
      const store = key ? stores.get(key) : undefined;
      if (!store) return { status: 404, body: { error: 'no such store' } };
      if (req.method === 'DELETE' && !action) {
        stores.delete(store.key);
        return { status: 204 };
      }
      if (req.method === 'GET' && !action) return { body: { name: store.name, products: [...store.products.values()].map((p) => describeProduct(p, store.media)), requests: store.requests } };
      if (req.method === 'GET' && action === 'products') return { body: [...store.products.values()].map((p) => describeProduct(p, store.media)) };
      if (req.method === 'GET' && action === 'media') return { body: [...store.media.values()] };
      if (req.method === 'POST' && action === 'slow') {
        store.slowMsPerItem = Number(input.ms_per_item ?? 0);
        return { body: { ok: true } };
      }
      if (req.method === 'POST' && action === 'slow-create') {
        store.slowCreate = { ms: Number(input.ms ?? 0), count: Number(input.count ?? 1) };
        return { body: { ok: true } };
      }
      if (req.method === 'POST' && action === 'fail') {
        store.failure = { status: Number(input.status ?? 500), count: Number(input.count ?? 1), delayMs: Number(input.delay_ms ?? 0), code: input.code as string | undefined, message: input.message as string | undefined };
        return { body: { ok: true } };
      }
      if (req.method === 'POST' && action === 'strip-auth') {
        store.stripAuth = input.enabled !== false;
        return { body: { ok: true } };
      }
      return { status: 405, body: { error: 'unsupported control call' } };
    }

    const creds = credentials(stores, req);
    // The WordPress index is public; with known keys it names that store's site.
    if (req.path === '/wp-json' || req.path === '/wp-json/') {
      const store = creds ? stores.get(creds.key) : undefined;
      return { body: { name: store?.name ?? 'WordPress', description: 'Just another WooCommerce store', url: origin, home: origin, namespaces: ['wp/v2', 'wc/v3'] } };
    }
    if (!req.path.startsWith('/wp-json/wc/v3')) return wooError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
    if (!creds) {
      return req.method === 'GET'
        ? wooError(401, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.')
        : wooError(401, 'woocommerce_rest_cannot_create', 'Sorry, you are not allowed to create resources.');
    }
    const store = stores.get(creds.key);
    if (!store) return wooError(401, 'woocommerce_rest_authentication_error', 'Consumer key is invalid.');
    if (store.secret !== creds.secret) return wooError(401, 'woocommerce_rest_authentication_error', 'Consumer secret is invalid.');
    const failure = takeFailure(store.failure);
    if (failure) {
      const f = failure as Failure & { code?: string; message?: string };
      const reply = wooError(f.status, f.code ?? (f.status >= 500 ? 'internal_server_error' : 'woocommerce_rest_error'), f.message ?? 'There has been a critical error on this website.');
      return { ...reply, delayMs: f.delayMs };
    }
    return api(store, origin, req);
  });
  origin = server.origin;
  imageOrigin = server.origin;

  return { bindings: { FAKE_WOOCOMMERCE_URL: server.origin }, stop: server.stop };
}

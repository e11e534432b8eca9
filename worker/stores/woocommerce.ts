import { sha256Hex } from '../lib/encoding';
import { chunks, money, readJson, redirectError, retryableStatus, storeFetch } from './http';
import { compareAtAbove, fitOptions } from './shape';
import { PLATFORM_LIMITS } from '../shared/import-list';
import { StoreError, type ConnectionTest, type PushResult, type StoreConnector, type StoreProductInput, type StoreVariantInput } from './types';

/** The largest REST answer read (a batch of 100 variations is a few hundred KiB). */
export const WOO_MAX_BYTES = 4 * 1024 * 1024;

/** WooCommerce refuses batches above 100 items (create + update + delete together). */
export const WOO_BATCH_LIMIT = 100;
/**
 * Variations per batch request. WooCommerce accepts 100, but each item is a full product
 * save (and used to be an image download); 25 keeps a batch well within the 20 s store
 * timeout on slow hosts, so a timeout, and a retry racing PHP still writing, is rare.
 */
export const WOO_VARIATION_BATCH = 25;
export const SUPPLIER_KEY_META = '_sourcepilot_supplier_key';
/** Image URL → attachment id of everything SourcePilot uploaded to this product (JSON). */
export const MEDIA_META = '_sourcepilot_media';
export const VARIANT_KEY_META = '_sourcepilot_variant_key';

/** Woo has no option cap; a generous one keeps a runaway supplier product sane. */
const WOO_MAX_VARIANTS = PLATFORM_LIMITS.woocommerce.variants;

interface WooError {
  code?: string;
  message?: string;
  data?: { status?: number; resource_id?: number };
}
interface Meta {
  key: string;
  value: unknown;
}
interface WooProduct {
  id: number;
  type: string;
  permalink?: string;
  meta_data?: Meta[];
  images?: { id: number; src: string }[];
}
interface WooVariation {
  id: number;
  sku?: string;
  meta_data?: Meta[];
}

/** A refusal with WooCommerce's own error code. */
class WooRequestError extends StoreError {
  constructor(
    message: string,
    retryable: boolean,
    status: number,
    readonly code: string | undefined,
  ) {
    super(message, retryable, status);
  }
}

/** The uploads remembered on a product (MEDIA_META), ignoring anything malformed. */
function mediaOf(meta: Meta[] | undefined): Record<string, number> {
  const raw = meta?.find((m) => m.key === MEDIA_META)?.value;
  if (typeof raw !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, number] => Number.isInteger(e[1]) && (e[1] as number) > 0));
  } catch {
    return {};
  }
}
interface BatchItem {
  id: number;
  error?: WooError;
}

/**
 * The uploads of a product SourcePilot made: its media meta, or, when the meta is
 * missing (a create whose answer never came, so the meta write after it never ran),
 * the gallery itself when it holds exactly the images a create sends, in that order
 * (WooCommerce keeps the order given; a create with an image it cannot download saves
 * nothing). Otherwise nothing is known and the images are uploaded again.
 */
function knownMedia(product: WooProduct, wanted: string[]): Record<string, number> {
  if (metaValue(product.meta_data, MEDIA_META) !== null) return mediaOf(product.meta_data);
  const gallery = product.images ?? [];
  if (!gallery.length || gallery.length !== wanted.length) return {};
  return Object.fromEntries(wanted.map((src, i) => [src, gallery[i].id]));
}

/** The parent SKU that makes a product findable by supplier key (`GET /products?sku=`). */
export async function parentSku(supplierKey: string): Promise<string> {
  const plain = `sp-${supplierKey}`;
  return plain.length <= 100 ? plain : `sp-${(await sha256Hex(supplierKey)).slice(0, 40)}`;
}

const metaValue = (meta: Meta[] | undefined, key: string) => {
  const v = meta?.find((m) => m.key === key)?.value;
  return typeof v === 'string' ? v : null;
};

/** Woo's regular price is the undiscounted one; a compare-at above the price makes it a sale. */
function prices(v: { price: number; compareAt: number | null }, currency?: string) {
  const regular = compareAtAbove(v);
  return regular != null ? { regular_price: money(regular, currency), sale_price: money(v.price, currency) } : { regular_price: money(v.price, currency), sale_price: '' };
}

/** A connector for one WooCommerce site through REST v3 with a consumer key and secret. */
export class WooCommerceConnector implements StoreConnector {
  private readonly api: string;
  /** Set when the server dropped the Authorization header and the keys must go in the query. */
  private queryAuth = false;

  constructor(
    private readonly origin: string,
    private readonly consumerKey: string,
    private readonly consumerSecret: string,
    private readonly timeoutMs: number,
    /** How long a product create whose answer never came may still be saving (config: wooCreateSettleMs). */
    private readonly createSettleMs: number,
  ) {
    this.api = `${origin}/wp-json/wc/v3`;
  }

  private url(path: string, query: Record<string, string | number> = {}, absolute?: string): string {
    const u = new URL(absolute ?? `${this.api}${path}`);
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, String(v));
    if (this.queryAuth) {
      u.searchParams.set('consumer_key', this.consumerKey);
      u.searchParams.set('consumer_secret', this.consumerSecret);
    }
    return u.toString();
  }

  private async request<T>(method: string, path: string, body?: unknown, query: Record<string, string | number> = {}, urlOverride?: string): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (!this.queryAuth) headers.Authorization = `Basic ${btoa(`${this.consumerKey}:${this.consumerSecret}`)}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await storeFetch('WooCommerce', this.url(path, query, urlOverride), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }, this.timeoutMs);
    const redirect = redirectError('WooCommerce', res);
    if (redirect) throw redirect;
    const json = await readJson('WooCommerce', res, WOO_MAX_BYTES);
    if (res.ok) return json as T;
    const err = (json ?? {}) as WooError;
    // "Sorry, you cannot …" with valid-looking keys: the host stripped the Authorization header.
    if (res.status === 401 && !this.queryAuth && !urlOverride && /cannot_(view|create|edit|list|update)/.test(err.code ?? '')) {
      this.queryAuth = true;
      return this.request<T>(method, path, body, query);
    }
    throw this.error(res.status, err);
  }

  private error(status: number, err: WooError): StoreError {
    const text = err.message ? `${err.message}${err.code ? ` (${err.code})` : ''}` : null;
    if (retryableStatus(status)) return new StoreError(`WooCommerce is unavailable (HTTP ${status})${text ? `: ${text}` : ''}`, true, status);
    if (status === 400 && err.code) return new WooRequestError(`WooCommerce refused the request (HTTP 400): ${text}`, false, 400, err.code);
    if (status === 404 && err.code === 'rest_no_route') {
      return new StoreError('The WooCommerce REST API was not found at this URL (is WooCommerce installed, and are permalinks set to anything but "Plain"?)', false, 404);
    }
    const what: Record<number, string> = { 401: 'WooCommerce rejected the API keys', 403: 'The API keys lack permission' };
    return new StoreError(`${what[status] ?? `WooCommerce refused the request (HTTP ${status})`}${text ? `: ${text}` : ''}`, false, status);
  }

  async testConnection(): Promise<ConnectionTest> {
    try {
      const status = await this.request<{ environment?: { site_url?: string; home_url?: string } }>('GET', '/system_status');
      let name: string | null = null;
      try {
        // The site's title lives in the WordPress index, not in the wc/v3 namespace.
        const index = await this.request<{ name?: string }>('GET', '', undefined, {}, `${this.origin}/wp-json/`);
        name = typeof index?.name === 'string' && index.name.trim() ? index.name.trim() : null;
      } catch {
        name = null;
      }
      const site = status?.environment?.home_url ?? status?.environment?.site_url ?? this.origin;
      return { ok: true, shop_name: name ?? new URL(site).host, detail: null };
    } catch (err) {
      if (err instanceof StoreError) return { ok: false, shop_name: null, detail: err.message };
      throw err;
    }
  }

  /** Tag ids for names, creating the missing ones in one batch (an existing name answers with its id). */
  private async tagIds(names: string[]): Promise<{ id: number }[]> {
    const unique = [...new Set(names.map((n) => n.trim()).filter(Boolean))].slice(0, WOO_BATCH_LIMIT);
    if (!unique.length) return [];
    const out = await this.request<{ create?: BatchItem[] }>('POST', '/products/tags/batch', { create: unique.map((name) => ({ name })) });
    return (out.create ?? [])
      .map((item) => (item.error ? item.error.data?.resource_id : item.id))
      .filter((id): id is number => typeof id === 'number' && id > 0)
      .map((id) => ({ id }));
  }

  private async variations(productId: string): Promise<WooVariation[]> {
    const all: WooVariation[] = [];
    for (let page = 1; page <= 50; page++) {
      const batch = await this.request<WooVariation[]>('GET', `/products/${productId}/variations`, undefined, { per_page: 100, page });
      all.push(...batch);
      if (batch.length < 100) break;
    }
    return all;
  }

  private async variantMapOf(product: WooProduct): Promise<Record<string, string>> {
    if (product.type !== 'variable') {
      const key = metaValue(product.meta_data, VARIANT_KEY_META);
      return key ? { [key]: String(product.id) } : {};
    }
    const map: Record<string, string> = {};
    for (const v of await this.variations(String(product.id))) {
      const key = metaValue(v.meta_data, VARIANT_KEY_META);
      if (key) map[key] = String(v.id);
    }
    return map;
  }

  private async getProduct(id: string): Promise<WooProduct | null> {
    try {
      return await this.request<WooProduct>('GET', `/products/${encodeURIComponent(id)}`);
    } catch (err) {
      if (err instanceof StoreError && err.status === 404) return null;
      throw err;
    }
  }

  /**
   * Creates the product, or updates the one found (`existingProductId`, else by parent
   * SKU). Images are uploaded once: unknown ones go as `{src}` in the product's images,
   * the ids WooCommerce answers are kept in the product's `_sourcepilot_media` meta
   * (URL → id), and later writes and every variation refer to them by `{id}`. An image
   * the store cannot download is left out with a warning. After the first push title,
   * description, status, tags and the gallery are the merchant's unless `overwrite`.
   */
  async upsertProduct(input: StoreProductInput, existingProductId?: string | null): Promise<PushResult> {
    const shaped = fitOptions(input, Number.MAX_SAFE_INTEGER, WOO_MAX_VARIANTS);
    const warnings = [...shaped.warnings];
    const variable = !(shaped.options.length === 1 && shaped.options[0].name === 'Title' && shaped.variants.length === 1);
    const sku = await parentSku(input.supplierKey);

    let existing: WooProduct | null = null;
    if (existingProductId) {
      existing = await this.getProduct(existingProductId);
      if (!existing) warnings.push('The product this import created earlier no longer exists in the store; created it again');
    } else {
      const found = await this.findProductBySupplierKey(input.supplierKey);
      existing = found ? await this.getProduct(found.productId) : null;
    }

    const wanted = [...new Set([...input.images, ...shaped.variants.map((v) => v.image).filter((i): i is string => !!i)])];
    const known = existing ? knownMedia(existing, wanted) : {};
    // A product without our media meta gets it written below, whatever was recovered.
    const knownBefore = existing && metaValue(existing.meta_data, MEDIA_META) !== null ? JSON.stringify(known) : '';
    const first = shaped.variants[0];
    const full = !existing || input.overwrite === true;
    const body: Record<string, unknown> = {
      ...(full
        ? { name: input.title, status: input.published ? 'publish' : 'draft', description: input.descriptionHtml, tags: await this.tagIds(input.tags) }
        : {}),
      type: variable ? 'variable' : 'simple',
      sku,
      meta_data: [
        { key: SUPPLIER_KEY_META, value: input.supplierKey },
        ...(variable ? [] : [{ key: VARIANT_KEY_META, value: first.supplierKey }]),
      ],
      ...(variable
        ? { attributes: shaped.options.map((o, position) => ({ name: o.name, position, visible: true, variation: true, options: o.values })) }
        : { ...prices(first, input.currency), ...stock(first) }),
    };
    // The gallery: ours in full on create or overwrite; otherwise the merchant's as it is,
    // plus supplier images not uploaded yet (a new colour's image), or nothing at all.
    type Image = { id: number } | { src: string };
    let images: Image[] | null;
    if (full) images = wanted.map((src) => (known[src] ? { id: known[src] } : { src }));
    else {
      const fresh = wanted.filter((src) => !known[src]);
      images = fresh.length ? [...(existing!.images ?? []).map((i) => ({ id: i.id })), ...fresh.map((src) => ({ src }))] : null;
    }

    let product: WooProduct | null = null;
    const adopt = async (): Promise<boolean> => {
      const adopted = await this.findProductBySupplierKey(input.supplierKey);
      existing = adopted ? await this.getProduct(adopted.productId) : null;
      if (!existing) return false;
      Object.assign(known, knownMedia(existing, wanted));
      if (images) images = images.map((i) => ('src' in i && known[i.src] ? { id: known[i.src] } : i));
      return true;
    };
    for (let attempt = 0; attempt <= wanted.length + 1 && !product; attempt++) {
      const send = images ? { ...body, images } : body;
      try {
        product = existing ? await this.request<WooProduct>('PUT', `/products/${existing.id}`, send) : await this.request<WooProduct>('POST', '/products', send);
      } catch (err) {
        if (!existing && isAmbiguous(err)) {
          // The create may have been saved (its answer lost) or may still be running in PHP
          // (downloading images before it saves). Saved: adopt it. Not yet: no new create
          // until it had time to finish, or the retry would make a second product (the
          // store checked the SKU's uniqueness when each request began, not when it saved).
          if (await adopt()) continue;
          throw new StoreError(
            `${err.message}; the product may still be being saved by the store, so the import waits ${Math.ceil(this.createSettleMs / 1000)} s before it looks for it again`,
            true,
            err.status,
            this.createSettleMs,
          );
        }
        if (!(err instanceof WooRequestError)) throw err;
        if (err.code === 'product_invalid_sku' && !existing) {
          // The backstop: an earlier create finished after all and holds the parent SKU: adopt it.
          if (await adopt()) continue;
          throw err;
        }
        if (!images) throw err;
        if (err.code === 'woocommerce_product_image_upload_error') {
          const dead = images.find((i): i is { src: string } => 'src' in i && err.message.includes(i.src));
          const drop = dead ? [dead] : images.filter((i): i is { src: string } => 'src' in i);
          images = images.filter((i) => !drop.includes(i as { src: string }));
          for (const d of drop) warnings.push(`The store could not download the image ${d.src}; the product was pushed without it`);
          continue;
        }
        if (err.code === 'woocommerce_product_invalid_image_id') {
          // The merchant deleted an upload: forget it and upload the image again.
          const id = Number(/#(\d+)/.exec(err.message)?.[1]);
          const url = Object.keys(known).find((k) => known[k] === id);
          if (url) delete known[url];
          images = images.flatMap((i) => ('id' in i && i.id === id ? (url ? [{ src: url }] : []) : [i]));
          continue;
        }
        throw err;
      }
    }
    if (!product) throw new StoreError('WooCommerce refused every attempt to save the product images', false, 400);
    const productId = String(product.id);

    // The answer lists the images in the order sent: remember the new uploads.
    if (images) {
      images.forEach((img, i) => {
        const id = product!.images?.[i]?.id;
        if ('src' in img && id) known[img.src] = id;
      });
    }
    if (JSON.stringify(known) !== knownBefore) {
      await this.request('PUT', `/products/${productId}`, { meta_data: [{ key: MEDIA_META, value: JSON.stringify(known) }] });
    }

    let variantIds: Record<string, string> = {};
    if (variable) {
      const current = existing ? await this.variations(productId) : [];
      variantIds = await this.syncVariations(productId, shaped.options.map((o) => o.name), shaped.variants, current, known, warnings, input.currency);
    } else {
      variantIds = { [first.supplierKey]: productId };
    }
    const media = Object.fromEntries(Object.entries(known).map(([src, id]) => [src, String(id)]));
    return { productId, variantIds, created: !existing, warnings, url: product.permalink ?? null, media };
  }

  /**
   * Creates, updates and deletes variations in batches of WOO_VARIATION_BATCH, matching
   * existing ones by the supplier variant key kept in their meta, else by SKU. A create
   * refused for a duplicated SKU is looked up: a variation of this product holding it (an
   * earlier timed-out batch that WooCommerce finished) is updated instead; a SKU used
   * elsewhere in the store is dropped from the variation, with a warning.
   */
  private async syncVariations(
    productId: string,
    optionNames: string[],
    variants: StoreVariantInput[],
    current: WooVariation[],
    media: Record<string, number>,
    warnings: string[],
    currency: string | undefined,
  ): Promise<Record<string, string>> {
    const ids: Record<string, string> = {};
    const byKey = new Map<string, number>();
    const bySku = new Map<string, number>();
    for (const v of current) {
      const key = metaValue(v.meta_data, VARIANT_KEY_META);
      if (key) byKey.set(key, v.id);
      if (v.sku) bySku.set(v.sku, v.id);
    }
    const wanted = new Set(variants.map((v) => v.supplierKey));
    const payload = (v: StoreVariantInput, withSku = true) => ({
      ...prices(v, currency),
      ...stock(v),
      ...(withSku && v.sku ? { sku: v.sku } : {}),
      ...(v.image && media[v.image] ? { image: { id: media[v.image] } } : {}),
      attributes: optionNames.map((name) => ({ name, option: v.options[name] })),
      meta_data: [{ key: VARIANT_KEY_META, value: v.supplierKey }],
    });
    type Write = { kind: 'create' | 'update'; variant: StoreVariantInput; id?: number; withSku: boolean };
    type Op = Write | { kind: 'delete'; id: number };
    let ops: Op[] = [
      ...variants.map((variant): Write => {
        const id = byKey.get(variant.supplierKey) ?? (variant.sku ? bySku.get(variant.sku) : undefined);
        return id ? { kind: 'update', variant, id, withSku: true } : { kind: 'create', variant, withSku: true };
      }),
      ...[...byKey].filter(([key]) => !wanted.has(key)).map(([, id]) => ({ kind: 'delete' as const, id })),
    ];

    for (let round = 0; ops.length && round < 3; round++) {
      const again: Write[] = [];
      for (const part of chunks(ops, WOO_VARIATION_BATCH)) {
        const creates = part.filter((o): o is Write => o.kind === 'create');
        const updates = part.filter((o): o is Write => o.kind === 'update');
        const deletes = part.filter((o): o is Extract<Op, { kind: 'delete' }> => o.kind === 'delete');
        const out = await this.request<{ create?: BatchItem[]; update?: BatchItem[] }>('POST', `/products/${productId}/variations/batch`, {
          create: creates.map((o) => payload(o.variant, o.withSku)),
          update: updates.map((o) => ({ id: o.id, ...payload(o.variant, o.withSku) })),
          delete: deletes.map((o) => o.id),
        });
        const results: [Write, BatchItem | undefined][] = [...creates.map((o, i) => [o, out.create?.[i]] as [Write, BatchItem | undefined]), ...updates.map((o, i) => [o, out.update?.[i]] as [Write, BatchItem | undefined])];
        for (const [op, item] of results) {
          const code = item?.error?.code;
          if ((code === 'product_invalid_sku' || code === 'woocommerce_rest_product_not_unique_sku') && op.variant.sku) {
            const holder = op.kind === 'create' ? await this.variationWithSku(productId, op.variant.sku) : null;
            if (holder) again.push({ kind: 'update', variant: op.variant, id: holder, withSku: true });
            else {
              warnings.push(`The variation ${Object.values(op.variant.options).join(' / ')} was saved without its SKU ${op.variant.sku}, which another product in the store already uses`);
              again.push({ ...op, withSku: false });
            }
          } else if (code === 'woocommerce_variation_invalid_image_id' && op.variant.image) {
            // The merchant deleted that upload from the media library: save the variation without it.
            warnings.push(`The image of the variation ${Object.values(op.variant.options).join(' / ')} was deleted from the store's media library; saved it without an image`);
            again.push({ ...op, variant: { ...op.variant, image: null } });
          } else if (item?.error || !item?.id) {
            throw new StoreError(`WooCommerce rejected a variation: ${item?.error?.message ?? 'no id returned'}${code ? ` (${code})` : ''}`, false, 400);
          } else ids[op.variant.supplierKey] = String(item.id);
        }
      }
      ops = again;
    }
    if (ops.length) throw new StoreError('WooCommerce kept refusing some variations (duplicated SKUs)', false, 400);
    return ids;
  }

  /** The id of this product's variation holding `sku`, if any. */
  private async variationWithSku(productId: string, sku: string): Promise<number | null> {
    const found = await this.request<WooVariation[]>('GET', `/products/${productId}/variations`, undefined, { sku, per_page: 10 });
    return found.find((v) => v.sku === sku)?.id ?? null;
  }

  async updateVariantPrices(productId: string, list: { variantId: string; price: number; compareAt: number | null }[], currency?: string): Promise<void> {
    const own = list.find((p) => p.variantId === productId);
    if (own) await this.request('PUT', `/products/${productId}`, prices(own, currency));
    const variations = list.filter((p) => p.variantId !== productId);
    for (const part of chunks(variations, WOO_VARIATION_BATCH)) {
      const out = await this.request<{ update?: BatchItem[] }>('POST', `/products/${productId}/variations/batch`, {
        update: part.map((p) => ({ id: Number(p.variantId), ...prices(p, currency) })),
      });
      const failed = (out.update ?? []).find((item) => item.error);
      if (failed) throw new StoreError(`WooCommerce rejected a price update: ${failed.error!.message ?? failed.error!.code}`, false, 400);
    }
  }

  async findProductBySupplierKey(supplierKey: string): Promise<{ productId: string; variantIds: Record<string, string> } | null> {
    const found = await this.request<WooProduct[]>('GET', '/products', undefined, { sku: await parentSku(supplierKey), per_page: 10 });
    // The SKU finds candidates; the meta holds the exact key.
    const product = found.find((p) => metaValue(p.meta_data, SUPPLIER_KEY_META) === supplierKey);
    if (!product) return null;
    return { productId: String(product.id), variantIds: await this.variantMapOf(product) };
  }
}

/**
 * A failed call whose outcome is unknown: no answer (timeout, connection lost) or a 5xx
 * from the site or a proxy in front of it. A 429 was refused before any work was done.
 */
function isAmbiguous(err: unknown): err is StoreError {
  return err instanceof StoreError && err.retryable && err.status !== 429;
}

function stock(v: { stock: number | null }) {
  return v.stock != null ? { manage_stock: true, stock_quantity: Math.max(0, Math.floor(v.stock)) } : { manage_stock: false };
}

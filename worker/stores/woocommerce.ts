import { sha256Hex } from '../lib/encoding';
import { chunks, money, readJson, redirectError, retryableStatus, storeFetch } from './http';
import { compareAtAbove, fitOptions } from './shape';
import { PLATFORM_LIMITS } from '../shared/import-list';
import { StoreError, type ConnectionTest, type PushResult, type StoreConnector, type StoreProductInput, type StoreVariantInput } from './types';

/** The largest REST answer read (a batch of 100 variations is a few hundred KiB). */
export const WOO_MAX_BYTES = 4 * 1024 * 1024;

/** WooCommerce refuses batches above 100 items (create + update + delete together). */
export const WOO_BATCH_LIMIT = 100;
export const SUPPLIER_KEY_META = '_sourcepilot_supplier_key';
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
}
interface WooVariation {
  id: number;
  meta_data?: Meta[];
}
interface BatchItem {
  id: number;
  error?: WooError;
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
function prices(v: { price: number; compareAt: number | null }) {
  const regular = compareAtAbove(v);
  return regular != null ? { regular_price: money(regular), sale_price: money(v.price) } : { regular_price: money(v.price), sale_price: '' };
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

  async upsertProduct(input: StoreProductInput, existingProductId?: string | null): Promise<PushResult> {
    const shaped = fitOptions(input, Number.MAX_SAFE_INTEGER, WOO_MAX_VARIANTS);
    const warnings = [...shaped.warnings];
    const variable = !(shaped.options.length === 1 && shaped.options[0].name === 'Title' && shaped.variants.length === 1);

    let existing: WooProduct | null = null;
    if (existingProductId) {
      existing = await this.getProduct(existingProductId);
      if (!existing) warnings.push('The product this import created earlier no longer exists in the store; created it again');
    } else {
      const found = await this.findProductBySupplierKey(input.supplierKey);
      existing = found ? await this.getProduct(found.productId) : null;
    }

    const first = shaped.variants[0];
    const body: Record<string, unknown> = {
      name: input.title,
      type: variable ? 'variable' : 'simple',
      status: input.published ? 'publish' : 'draft',
      description: input.descriptionHtml,
      sku: await parentSku(input.supplierKey),
      images: input.images.map((src) => ({ src })),
      tags: await this.tagIds(input.tags),
      meta_data: [
        { key: SUPPLIER_KEY_META, value: input.supplierKey },
        ...(variable ? [] : [{ key: VARIANT_KEY_META, value: first.supplierKey }]),
      ],
      ...(variable
        ? { attributes: shaped.options.map((o, position) => ({ name: o.name, position, visible: true, variation: true, options: o.values })) }
        : { ...prices(first), ...stock(first) }),
    };

    const product = existing
      ? await this.request<WooProduct>('PUT', `/products/${existing.id}`, body)
      : await this.request<WooProduct>('POST', '/products', body);
    const productId = String(product.id);

    let variantIds: Record<string, string> = {};
    if (variable) {
      variantIds = await this.syncVariations(productId, shaped.options.map((o) => o.name), shaped.variants, existing ? await this.variantMapOf({ ...product, type: 'variable' }) : {}, warnings);
    } else {
      variantIds = { [first.supplierKey]: productId };
    }
    return { productId, variantIds, created: !existing, warnings, url: product.permalink ?? null };
  }

  /**
   * Creates, updates and deletes variations in batches of at most 100, matching
   * existing ones by the supplier variant key kept in their meta. A duplicated SKU is
   * not worth failing the import for: the variation goes in without it and a warning says so.
   */
  private async syncVariations(
    productId: string,
    optionNames: string[],
    variants: StoreVariantInput[],
    existing: Record<string, string>,
    warnings: string[],
  ): Promise<Record<string, string>> {
    const ids: Record<string, string> = {};
    const wanted = new Set(variants.map((v) => v.supplierKey));
    const payload = (v: StoreVariantInput, withSku = true) => ({
      ...prices(v),
      ...stock(v),
      ...(withSku && v.sku ? { sku: v.sku } : {}),
      ...(v.image ? { image: { src: v.image } } : {}),
      attributes: optionNames.map((name) => ({ name, option: v.options[name] })),
      meta_data: [{ key: VARIANT_KEY_META, value: v.supplierKey }],
    });
    type Write = { kind: 'create' | 'update'; variant: StoreVariantInput };
    type Op = Write | { kind: 'delete'; id: number };
    const isWrite = (kind: Op['kind']) => (o: Op): o is Write => o.kind === kind;
    const ops: Op[] = [
      ...variants.map((variant) => ({ kind: existing[variant.supplierKey] ? ('update' as const) : ('create' as const), variant })),
      ...Object.entries(existing)
        .filter(([key]) => !wanted.has(key))
        .map(([, id]) => ({ kind: 'delete' as const, id: Number(id) })),
    ];

    for (const part of chunks(ops, WOO_BATCH_LIMIT)) {
      const creates = part.filter(isWrite('create'));
      const updates = part.filter(isWrite('update'));
      const deletes = part.filter((o): o is Extract<Op, { kind: 'delete' }> => o.kind === 'delete');
      const out = await this.request<{ create?: BatchItem[]; update?: BatchItem[] }>('POST', `/products/${productId}/variations/batch`, {
        create: creates.map((o) => payload(o.variant)),
        update: updates.map((o) => ({ id: Number(existing[o.variant.supplierKey]), ...payload(o.variant) })),
        delete: deletes.map((o) => o.id),
      });
      const retryWithoutSku: { kind: 'create' | 'update'; variant: StoreVariantInput }[] = [];
      const results: [{ kind: 'create' | 'update'; variant: StoreVariantInput }, BatchItem | undefined][] = [
        ...creates.map((o, i) => [o, out.create?.[i]] as [typeof o, BatchItem | undefined]),
        ...updates.map((o, i) => [o, out.update?.[i]] as [typeof o, BatchItem | undefined]),
      ];
      for (const [op, item] of results) {
        if (item?.error?.code === 'product_invalid_sku' || item?.error?.code === 'woocommerce_rest_product_not_unique_sku') {
          retryWithoutSku.push(op);
        } else if (item?.error || !item?.id) {
          throw new StoreError(`WooCommerce rejected a variation: ${item?.error?.message ?? 'no id returned'}${item?.error?.code ? ` (${item.error.code})` : ''}`, false, 400);
        } else ids[op.variant.supplierKey] = String(item.id);
      }
      if (retryWithoutSku.length) {
        warnings.push(`${retryWithoutSku.length} variation(s) were saved without a SKU because their SKU is already used in the store`);
        const again = await this.request<{ create?: BatchItem[]; update?: BatchItem[] }>('POST', `/products/${productId}/variations/batch`, {
          create: retryWithoutSku.filter((o) => o.kind === 'create').map((o) => payload(o.variant, false)),
          update: retryWithoutSku.filter((o) => o.kind === 'update').map((o) => ({ id: Number(existing[o.variant.supplierKey]), ...payload(o.variant, false) })),
        });
        const second = [
          ...retryWithoutSku.filter((o) => o.kind === 'create').map((o, i) => [o, again.create?.[i]] as const),
          ...retryWithoutSku.filter((o) => o.kind === 'update').map((o, i) => [o, again.update?.[i]] as const),
        ];
        for (const [op, item] of second) {
          if (item?.error || !item?.id) throw new StoreError(`WooCommerce rejected a variation: ${item?.error?.message ?? 'no id returned'}`, false, 400);
          ids[op.variant.supplierKey] = String(item.id);
        }
      }
    }
    return ids;
  }

  async updateVariantPrices(productId: string, list: { variantId: string; price: number; compareAt: number | null }[]): Promise<void> {
    const own = list.find((p) => p.variantId === productId);
    if (own) await this.request('PUT', `/products/${productId}`, prices(own));
    const variations = list.filter((p) => p.variantId !== productId);
    for (const part of chunks(variations, WOO_BATCH_LIMIT)) {
      const out = await this.request<{ update?: BatchItem[] }>('POST', `/products/${productId}/variations/batch`, {
        update: part.map((p) => ({ id: Number(p.variantId), ...prices(p) })),
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

function stock(v: { stock: number | null }) {
  return v.stock != null ? { manage_stock: true, stock_quantity: Math.max(0, Math.floor(v.stock)) } : { manage_stock: false };
}

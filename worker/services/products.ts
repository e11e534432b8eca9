import type { Db } from '../db/client';
import { NotFound, UpstreamFailure } from '../shared/domain-errors';
import { detectProductUrl } from '../shared/detect';
import type { ImportSource, SupplierSource } from '../shared/sources';
import { resolveSupplier, type SupplierEnv } from '../suppliers/resolve';
import { SupplierError, type NormalizedProduct, type ProductSummary } from '../suppliers/types';

/** Previews live 24 h in KV (API.md §3.6). */
export const PREVIEW_TTL_SECONDS = 86_400;

/**
 * `v1:preview:<scope>:<source>:<id>`: the scope is the supplier account (and its last
 * change), so demo and live answers never mix and one merchant's currency or ship-to
 * country never leaks into another's preview.
 */
export const previewCacheKey = (scope: string, source: SupplierSource, productId: string) => `v1:preview:${scope}:${source}:${productId}`;

/** A supplier failure for a merchant's request: an unknown product is not found, anything else the supplier's failure. */
export function supplierFailure(err: unknown): never {
  if (err instanceof SupplierError) throw err.kind === 'not_found' ? new NotFound(err.message) : new UpstreamFailure(err.message, err.retryable);
  throw err;
}

/**
 * The normalised product, from the preview cache when present (no supplier call), else
 * from the supplier, then cached for 24 h. For the import pipeline as well as previews;
 * it throws SupplierError (with `retryable`) so callers can choose retry or failure.
 * `sourceUrl` is the URL the merchant gave, reported back as the product's URL.
 */
export async function getProductCached(
  env: SupplierEnv,
  db: Db,
  userId: string,
  source: SupplierSource,
  productId: string,
  sourceUrl?: string | null,
): Promise<NormalizedProduct> {
  const { adapter, scope } = await resolveSupplier(env, db, userId, source);
  // The demo catalogue is computed in-process and deterministic: caching it would only
  // spend KV writes (and keep stale demo data across deploys).
  if (adapter.mode === 'demo') return adapter.getProduct(productId, sourceUrl ?? null);
  const key = previewCacheKey(scope, source, productId);
  const cached = await env.PREVIEW_CACHE.get<NormalizedProduct>(key, 'json');
  if (cached) return { ...cached, sourceUrl: sourceUrl ?? cached.sourceUrl };
  const product = await adapter.getProduct(productId, null);
  await env.PREVIEW_CACHE.put(key, JSON.stringify(product), { expirationTtl: PREVIEW_TTL_SECONDS });
  return { ...product, sourceUrl: sourceUrl ?? product.sourceUrl };
}

/** A search hit in the contract's ProductPreview shape (plus `mode`). */
export function previewItem(p: ProductSummary) {
  return {
    title: p.title,
    price: p.price,
    currency: p.currency,
    images: p.images,
    variants_summary: [] as { name: string; options: string[] }[],
    source: p.source,
    source_url: p.sourceUrl,
    source_product_id: p.sourceProductId,
    rating: p.rating,
    order_count: p.orderCount,
    supplier_name: p.supplierName,
    shipping_cost: p.shipping?.cost ?? null,
    shipping_days: p.shipping?.days ?? null,
    mode: p.mode,
  };
}

export async function searchProducts(
  env: SupplierEnv,
  db: Db,
  userId: string,
  input: { q: string; source: ImportSource; page: number; pageSize: number },
) {
  const base = { page: input.page, page_size: input.pageSize, source: input.source };
  // Manual imports carry their own product: there is no catalogue to search.
  if (input.source === 'manual') return { products: [] as ReturnType<typeof previewItem>[], total: 0, ...base };
  const { adapter } = await resolveSupplier(env, db, userId, input.source);
  const found = await adapter.search(input.q.trim(), input.page, input.pageSize).catch(supplierFailure);
  return { products: found.items.map(previewItem), total: found.total, ...base };
}

/** POST /products/preview: the contract's shape, plus `mode` and per-variant detail (`skus`). */
export async function previewProduct(env: SupplierEnv, db: Db, userId: string, url: string) {
  const { source, productId } = detectProductUrl(url);
  const p = await getProductCached(env, db, userId, source, productId, url).catch(supplierFailure);
  return {
    title: p.title,
    price: p.price,
    currency: p.currency,
    images: p.images,
    variants: p.options.map((o) => ({ name: o.name, options: o.values })),
    source: p.source,
    source_url: url,
    source_product_id: p.sourceProductId,
    supplier_name: p.supplierName,
    rating: p.rating,
    order_count: p.orderCount,
    shipping_info: p.shipping ? { cost: p.shipping.cost, estimated_days: p.shipping.days } : null,
    mode: p.mode,
    skus: p.variants.map((v) => ({ key: v.key, sku: v.sku, options: v.options, price: v.price, compare_at: v.compareAt, stock: v.stock, image: v.image })),
  };
}

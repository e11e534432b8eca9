/** What the import pipeline hands a store connector, already priced. */
export interface StoreVariantInput {
  /** The supplier's stable variant key, kept so later updates map to the same variant. */
  supplierKey: string;
  sku: string | null;
  /** Option name → value. */
  options: Record<string, string>;
  price: number;
  compareAt: number | null;
  stock: number | null;
  image: string | null;
}

export interface StoreProductInput {
  /** `<source>:<source product id>`: how a re-import finds the product it created. */
  supplierKey: string;
  title: string;
  descriptionHtml: string;
  images: string[];
  options: { name: string; values: string[] }[];
  variants: StoreVariantInput[];
  tags: string[];
  /** Import list edits (#17); Shopify's productType / vendor. Absent = the store's own. */
  productType?: string | null;
  vendor?: string | null;
  published: boolean;
  currency: string;
  /**
   * After the first push the store's copy of title, description, tags and status belongs
   * to the merchant (README, Imports); `true` (a job's `config.overwrite`) writes ours over them.
   */
  overwrite?: boolean;
  /**
   * The job run pushing the product. Store writes that need an idempotency key derive it
   * from this (the same run and batch → the same key, so a retried request is applied once).
   */
  push?: { jobId: string; runId: string };
}

export interface PushResult {
  /** The store's own id: a Shopify product GID or a WooCommerce product id. */
  productId: string;
  /** Supplier variant key → store variant id. */
  variantIds: Record<string, string>;
  created: boolean;
  /** Non-fatal adjustments, e.g. option axes folded to fit Shopify's three options. */
  warnings: string[];
  /** Admin or storefront link to the product, when known. */
  url: string | null;
  /**
   * Image URL → the store's media id for it, as far as known after this push. The
   * WooCommerce connector also keeps this on the product itself (hidden meta), so a
   * later push reuses the uploads without the caller storing anything.
   */
  media?: Record<string, string>;
}

export interface ConnectionTest {
  ok: boolean;
  shop_name: string | null;
  detail: string | null;
}

export interface StoreConnector {
  testConnection(): Promise<ConnectionTest>;
  /** Creates the product, or updates `existingProductId` (or the one found by supplier key). */
  upsertProduct(input: StoreProductInput, existingProductId?: string | null): Promise<PushResult>;
  /** `currency`: the prices' currency (formatted to its minor units); USD's two places when absent. */
  updateVariantPrices(productId: string, prices: { variantId: string; price: number; compareAt: number | null }[], currency?: string): Promise<void>;
  findProductBySupplierKey(supplierKey: string): Promise<{ productId: string; variantIds: Record<string, string> } | null>;
}

/** A store call that failed; 429/5xx/timeouts are retryable, 401/403/404/422 are not. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    /**
     * The failed call may still be completing in the store for this long (a create that
     * timed out while the store keeps working): nothing that could repeat it may run
     * before then.
     */
    readonly settleMs?: number,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

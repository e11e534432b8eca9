import type { SupplierSource } from '../shared/sources';

/**
 * The one shape every supplier adapter returns, whatever the supplier's own format.
 * Money is a number in `currency` with two decimals.
 */
export type CatalogueMode = 'live' | 'demo';

export interface ProductOption {
  name: string;
  values: string[];
}

export interface NormalizedVariant {
  /** Stable supplier key: AliExpress sku_attr, CJ vid, demo key. */
  key: string;
  sku: string | null;
  /** Option name → value, using the product's option names. */
  options: Record<string, string>;
  price: number;
  compareAt: number | null;
  /** Units available; null when the supplier does not say. */
  stock: number | null;
  image: string | null;
}

export interface NormalizedProduct {
  source: SupplierSource;
  sourceProductId: string;
  sourceUrl: string | null;
  title: string;
  descriptionHtml: string;
  images: string[];
  options: ProductOption[];
  variants: NormalizedVariant[];
  currency: string;
  /** Lowest variant price (what a listing shows). */
  price: number;
  shipping: { cost: number; days: number | null } | null;
  rating: number | null;
  orderCount: number | null;
  supplierName: string | null;
  mode: CatalogueMode;
}

/** A search hit: enough for a result card, without variants. */
export type ProductSummary = Omit<NormalizedProduct, 'descriptionHtml' | 'variants' | 'options'>;

export interface SearchPage {
  items: ProductSummary[];
  total: number;
}

/** Current price and stock of one product, for price watches and repricing. */
export interface PriceQuote {
  sourceProductId: string;
  currency: string;
  price: number;
  variants: { key: string; price: number; stock: number | null }[];
}

export interface SupplierAdapter {
  readonly source: SupplierSource;
  readonly mode: CatalogueMode;
  search(query: string, page: number, pageSize: number): Promise<SearchPage>;
  getProduct(productId: string, sourceUrl?: string | null): Promise<NormalizedProduct>;
  /**
   * Batch price/stock lookup; ids the supplier no longer has are missing from the map.
   * An id whose own lookup failed maps to its SupplierError, so one product's answer
   * never fails the others; a thrown error fails every id.
   */
  getPrices(productIds: string[]): Promise<Map<string, PriceQuote | SupplierError>>;
}

/**
 * What went wrong, for callers that answer differently: an unknown product is the
 * merchant's 404, rejected credentials need the supplier account fixed, the rest is the
 * supplier's trouble.
 */
export type SupplierErrorKind = 'not_found' | 'auth' | 'rate_limited' | 'timeout' | 'unavailable' | 'bad_request';

/**
 * A supplier call that failed. `retryable` marks rate limits, 5xx and timeouts;
 * everything else (bad credentials, unknown product) is permanent. `message` is
 * written for a merchant (it becomes an API `detail` or a job's `error_message`).
 */
export class SupplierError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly kind: SupplierErrorKind = retryable ? 'unavailable' : 'bad_request',
  ) {
    super(message);
    this.name = 'SupplierError';
  }
}

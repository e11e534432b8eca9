import { InvalidInput } from './domain-errors';
import type { SupplierSource } from './sources';

export const INVALID_URL = 'Invalid URL: must start with http:// or https://';
export const UNSUPPORTED_URL = 'Unsupported supplier URL';
export const NO_PRODUCT_ID = 'Could not find a product id in the URL';

export interface DetectedProduct {
  source: SupplierSource;
  productId: string;
}

/** The path with its percent-escapes decoded, or as it is when an escape is broken (`%E0%A4%A`). */
function decodedPath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

/** The supplier a hostname belongs to; any subdomain (www., m., es., de. …) counts. */
export function sourceForHost(host: string): SupplierSource | null {
  const h = host.toLowerCase().replace(/\.$/, '');
  // aliexpress.<tld> and <sub>.aliexpress.<tld>, including two-label TLDs (aliexpress.com.br).
  if (/(^|\.)aliexpress\.[a-z]{2,}(\.[a-z]{2,})?$/.test(h)) return 'aliexpress';
  if (h === 'cjdropshipping.com' || h.endsWith('.cjdropshipping.com')) return 'cjdropship';
  if (h === 'spocket.co' || h.endsWith('.spocket.co')) return 'spocket';
  return null;
}

function productIdFor(source: SupplierSource, url: URL): string | null {
  const path = decodedPath(url.pathname);
  const query = url.searchParams;
  switch (source) {
    case 'aliexpress': {
      const m = /\/(?:item|i)\/(\d+)\.html?$/i.exec(path);
      const q = query.get('productId') ?? query.get('productid');
      return m?.[1] ?? (q && /^\d+$/.test(q) ? q : null);
    }
    case 'cjdropship': {
      // Greedy prefix: the slug may itself contain "-p-"; the id follows the last one.
      const m = /^.*-p-([A-Za-z0-9][A-Za-z0-9-]*)\.html?$/i.exec(path);
      const q = query.get('pid') ?? query.get('id');
      return m?.[1] ?? (q && /^[A-Za-z0-9-]{1,64}$/.test(q) ? q : null);
    }
    case 'spocket': {
      const m = /^\/products?\/(.+)$/i.exec(path);
      const last = m?.[1].split('/').filter(Boolean).pop();
      return last && /^[A-Za-z0-9_-]{1,128}$/.test(last) ? last : null;
    }
  }
}

/**
 * Reads the supplier and product id from a product URL. Only the string is parsed:
 * the worker never fetches a URL a user supplied.
 */
export function detectProductUrl(raw: string): DetectedProduct {
  const value = raw.trim();
  if (!/^https?:\/\//i.test(value)) throw new InvalidInput(INVALID_URL);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidInput(UNSUPPORTED_URL);
  }
  const source = sourceForHost(url.hostname);
  if (!source) throw new InvalidInput(UNSUPPORTED_URL);
  const productId = productIdFor(source, url);
  if (!productId || productId.length > 255) throw new InvalidInput(NO_PRODUCT_ID);
  return { source, productId };
}

/** A canonical product page for a supplier product, for links and import records. */
export function productUrl(source: SupplierSource, productId: string): string {
  switch (source) {
    case 'aliexpress':
      return `https://www.aliexpress.com/item/${productId}.html`;
    case 'cjdropship':
      return `https://cjdropshipping.com/product/product-p-${productId}.html`;
    case 'spocket':
      return `https://app.spocket.co/product/${productId}`;
  }
}

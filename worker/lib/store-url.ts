/**
 * Store addresses the worker may call (API.md §6): Shopify only at
 * `https://<shop>.myshopify.com`, WooCommerce at a public https origin. Loopback and
 * private hosts (and plain http to them) only when ALLOW_LOCAL_STORES is on, which dev
 * and tests set so connectors can reach fake stores on 127.0.0.1.
 */
export type StorePlatform = 'shopify' | 'woocommerce';

/** The platform a connector exists for, matched case-insensitively; null for free-text platforms. */
export function storePlatform(platform: string): StorePlatform | null {
  const p = platform.trim().toLowerCase();
  return p === 'shopify' || p === 'woocommerce' ? p : null;
}

export type UrlCheck = { ok: true; origin: string } | { ok: false; msg: string };

const SHOP_HOST = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
const LOCAL_SUFFIXES = ['.localhost', '.local', '.internal', '.lan', '.home.arpa', '.localdomain'];

function ipv4Private(host: string): boolean | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (!m) return null;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

/**
 * Whether a (WHATWG-normalised) hostname is loopback, private, link-local or otherwise
 * not on the public internet. The URL parser has already turned `127.1` or `2130706433`
 * into `127.0.0.1`, so literal checks see the canonical form.
 */
export function isLocalHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host.startsWith('[')) {
    const v6 = host.slice(1, -1);
    if (v6 === '::1' || v6 === '::') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v6);
    if (mapped) return ipv4Private(mapped[1]) !== false;
    return /^(fc|fd|fe8|fe9|fea|feb)/.test(v6);
  }
  const v4 = ipv4Private(host);
  if (v4 !== null) return v4;
  if (host === 'localhost' || !host.includes('.')) return true;
  return LOCAL_SUFFIXES.some((s) => host.endsWith(s));
}

const ADDRESS_ONLY = "must be the store's address only, without a path, query or fragment";

/**
 * Checks a store URL for a known platform. `origin` is what connectors build API URLs
 * from; the stored value stays exactly as the client sent it (the contract compares
 * store URLs as exact strings).
 */
export function checkStoreUrl(platform: StorePlatform, raw: string, allowLocal: boolean): UrlCheck {
  const example = platform === 'shopify' ? 'https://your-shop.myshopify.com' : 'https://shop.example.com';
  if (/\s/.test(raw)) return { ok: false, msg: `Store URL must not contain spaces (for example ${example})` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, msg: `Store URL must be a full address such as ${example}` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, msg: `Store URL must start with https:// (for example ${example})` };
  if (url.username || url.password) return { ok: false, msg: 'Store URL must not contain a user name or password' };
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) return { ok: false, msg: `Store URL ${ADDRESS_ONLY} (for example ${example})` };

  const local = isLocalHost(url.hostname);
  if (local) {
    if (allowLocal) return { ok: true, origin: url.origin };
    return { ok: false, msg: 'Store URL must be a public address; local and private hosts are not allowed' };
  }
  if (platform === 'shopify') {
    if (url.protocol !== 'https:' || url.port || !SHOP_HOST.test(url.hostname)) {
      return { ok: false, msg: 'Shopify store URL must be https://<shop>.myshopify.com (your permanent myshopify.com address, not a custom domain)' };
    }
    return { ok: true, origin: url.origin };
  }
  if (url.protocol !== 'https:') return { ok: false, msg: 'WooCommerce store URL must use https:// (the REST API needs TLS for key authentication)' };
  return { ok: true, origin: url.origin };
}

const WOO_KEY = /^(ck_[A-Za-z0-9]+):(cs_[A-Za-z0-9]+)$/;

/** A WooCommerce connection's `api_key`: `ck_…:cs_…` (consumer key and secret in one field). */
export function parseWooKey(apiKey: string): { consumerKey: string; consumerSecret: string } | null {
  const m = WOO_KEY.exec(apiKey.trim());
  return m ? { consumerKey: m[1], consumerSecret: m[2] } : null;
}

export const WOO_KEY_MESSAGE = 'WooCommerce credentials must be the consumer key and secret joined by a colon: ck_…:cs_…';

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
/** Public names that always resolve to loopback. */
const LOOPBACK_NAMES = ['localtest.me', 'lvh.me', 'vcap.me'];

const OCTET = /^(0|[1-9]\d{0,2})$/;
const dottedQuad = (parts: string[]) => parts.length === 4 && parts.every((p) => OCTET.test(p) && Number(p) <= 255);

/**
 * An IPv4 address in any form the WHATWG URL parser accepts (1 to 4 parts, each decimal,
 * octal with a leading 0 or hex with 0x, the last part filling the remaining bytes), as a
 * 32-bit number; null when the text is not one.
 */
export function parseIPv4(text: string): number | null {
  const parts = text.replace(/\.$/, '').split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return null;
  const nums: number[] = [];
  for (const p of parts) {
    const hex = /^0x([0-9a-f]*)$/i.exec(p);
    const n = hex ? (hex[1] ? parseInt(hex[1], 16) : 0) : /^0[0-7]+$/.test(p) ? parseInt(p, 8) : /^(0|[1-9]\d*)$/.test(p) ? Number(p) : NaN;
    if (!Number.isFinite(n)) return null;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 256 ** (4 - nums.length)) return null;
  return nums.reduce((acc, n, i) => acc + n * 256 ** (3 - i), 0) + last;
}

/** An IPv6 address (without brackets, without a zone) as eight 16-bit groups; null when the text is not one. */
export function parseIPv6(text: string): number[] | null {
  let s = text.toLowerCase();
  let tail: number[] = [];
  const withV4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (withV4) {
    const quad = withV4[2].split('.');
    if (!dottedQuad(quad)) return null;
    const [a, b, c, d] = quad.map(Number);
    tail = [a * 256 + b, c * 256 + d];
    s = withV4[1].endsWith('::') ? withV4[1] : withV4[1].slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if ([...head, ...rest].some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  const known = head.length + rest.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return null;
  return [...head, ...Array(8 - known).fill('0'), ...rest].map((g) => parseInt(g, 16)).concat(tail);
}

/** IANA special-purpose IPv4 blocks, none of which is an ordinary public internet host. */
const V4_NOT_PUBLIC: [number, number][] = (
  [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.88.99.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const
).map(([base, bits]) => [Math.floor(parseIPv4(base)! / 2 ** (32 - bits)), bits]);

export const ipv4Private = (ip: number) => V4_NOT_PUBLIC.some(([prefix, bits]) => Math.floor(ip / 2 ** (32 - bits)) === prefix);

/**
 * Whether an IPv6 address is anything but an ordinary public host. Only global unicast
 * (2000::/3) can be public; within it the IETF protocol block (Teredo, ORCHID,
 * benchmarking) and the documentation blocks are not, and 6to4 (2002::/16) is as public
 * as the IPv4 address it carries. Everything outside 2000::/3 (loopback, unspecified,
 * IPv4-mapped, IPv4-compatible and SIIT forms, NAT64 64:ff9b::/96 and 64:ff9b:1::/48,
 * discard-only, unique-local, link-local, site-local, multicast) is refused.
 */
export function ipv6Private(g: number[]): boolean {
  if (g[0] < 0x2000 || g[0] > 0x3fff) return true;
  if (g[0] === 0x2001 && (g[1] < 0x200 || g[1] === 0xdb8)) return true;
  if (g[0] === 0x3fff && g[1] < 0x1000) return true;
  if (g[0] === 0x2002) return ipv4Private(g[1] * 65536 + g[2]);
  return false;
}

/**
 * A private address written into a name, the way wildcard DNS services answer:
 * `127.0.0.1.nip.io`, `app.10.0.0.1.sslip.io`, `10-0-0-1.sslip.io`, `app-7f000001.nip.io`,
 * or IPv6 in sslip.io's dashed form (`--1.sslip.io`, `fe80--1.sslip.io`).
 */
function embedsPrivateAddress(host: string): boolean {
  const privateQuad = (parts: string[]) => dottedQuad(parts) && ipv4Private(parseIPv4(parts.join('.'))!);
  const labels = host.split('.');
  for (let i = 0; i + 4 <= labels.length; i++) if (privateQuad(labels.slice(i, i + 4))) return true;
  for (const label of labels) {
    const parts = label.split('-');
    for (let i = 0; i + 4 <= parts.length; i++) if (privateQuad(parts.slice(i, i + 4))) return true;
    if (parts.some((p) => /^[0-9a-f]{8}$/.test(p) && ipv4Private(parseInt(p, 16)))) return true;
    if (label.includes('--') || parts.length === 8) {
      const v6 = parseIPv6(label.replace(/-/g, ':'));
      if (v6 && ipv6Private(v6)) return true;
    }
  }
  return false;
}

/**
 * Whether a hostname (as `URL.hostname` gives it, IPv6 in brackets) is loopback, private,
 * link-local or otherwise not an ordinary public internet host. Addresses are parsed as
 * addresses in every form, so `[::ffff:7f00:1]`, `0x7f.1` or `2130706433` are caught
 * whatever the URL parser left of them; names are judged by their suffix and by any
 * private address written into them. (Workers cannot resolve a name before fetching it,
 * so a name that merely resolves to a private address is left to the platform.)
 */
export function isLocalHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host.startsWith('[')) {
    const v6 = host.endsWith(']') ? parseIPv6(host.slice(1, -1)) : null;
    return v6 === null || ipv6Private(v6);
  }
  const v4 = parseIPv4(host);
  if (v4 !== null) return ipv4Private(v4);
  if (host === 'localhost' || !host.includes('.')) return true;
  if (LOCAL_SUFFIXES.some((s) => host.endsWith(s))) return true;
  if (LOOPBACK_NAMES.some((n) => host === n || host.endsWith(`.${n}`))) return true;
  return embedsPrivateAddress(host);
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

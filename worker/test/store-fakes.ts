import { env } from 'cloudflare:workers';
import { SELF } from 'cloudflare:test';
import { shopifyPendingInstalls } from '../db/schema';
import { randomBytes, sha256Hex, toHex } from '../lib/encoding';
import { encryptJson, pendingInstallSecret } from '../lib/secrets';
import type { describeProduct as describeShopifyProduct } from './fakes/shopify';
import type { AuthStats } from './fakes/shopify-oauth';
import type { describeProduct as describeWooProduct } from './fakes/woocommerce';
import { withDb } from './helpers';

/**
 * Test-side handles on the fake Shopify and WooCommerce servers (worker/test/fakes/):
 * each call makes a fresh shop or site of its own, so test files running in parallel
 * never see each other's products. `storeUrl` is what a connection's store_url should
 * be (loopback, allowed because tests run with ALLOW_LOCAL_STORES=true).
 */
const fakes = env as unknown as { FAKE_SHOPIFY_URL: string; FAKE_WOOCOMMERCE_URL: string; SHOPIFY_API_VERSION: string };

export type ShopifyFakeProduct = ReturnType<typeof describeShopifyProduct>;
export type WooFakeProduct = ReturnType<typeof describeWooProduct>;

async function control<T>(url: string, method = 'GET', body?: unknown): Promise<T> {
  const res = await fetch(url, { method, headers: body === undefined ? {} : { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`fake control ${method} ${url}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** A fresh shop; its token holds `opts.scopes` (default: every scope SourcePilot requests). */
export async function fakeShopifyShop(name = `Shop ${crypto.randomUUID().slice(0, 6)}`, opts: { scopes?: string[] } = {}) {
  const base = `${fakes.FAKE_SHOPIFY_URL}/__control/shops`;
  const shop = await control<{ token: string; name: string; location_id: string }>(base, 'POST', { name, scopes: opts.scopes });
  const at = `${base}/${shop.token}`;
  return {
    storeUrl: fakes.FAKE_SHOPIFY_URL,
    token: shop.token,
    name: shop.name,
    locationId: shop.location_id,
    products: () => control<ShopifyFakeProduct[]>(`${at}/products`),
    requests: async () => (await control<{ requests: { operation: string; variables: Record<string, unknown>; cost?: number }[] }>(at)).requests,
    /** Requests refused because the shop's bucket was short. */
    throttledByBucket: async () => (await control<{ throttled_by_bucket: number }>(at)).throttled_by_bucket,
    /** The merchant edits a product in the Shopify admin (see the fake's control list). */
    merchantEdit: (edit: {
      product_id: string;
      title?: string;
      description_html?: string;
      add_tags?: string[];
      add_metafields?: { namespace: string; key: string; type: string; value: string }[];
      add_media?: string[];
      add_collections?: string[];
      variant_metafields?: Record<string, { namespace: string; key: string; type: string; value: string }[]>;
    }) => control(`${at}/merchant`, 'POST', edit),
    /** The next `count` GraphQL calls answer `Throttled` with this much left in the bucket. */
    throttle: (count: number, currentlyAvailable = 0) => control(`${at}/throttle`, 'POST', { count, currently_available: currentlyAvailable }),
    /** The next `count` calls answer this HTTP status (after `delayMs`, to force timeouts). */
    fail: (status: number, count = 1, opts: { body?: unknown; delayMs?: number } = {}) => control(`${at}/fail`, 'POST', { status, count, body: opts.body, delay_ms: opts.delayMs }),
    /** Revokes the token: later calls get Shopify's 401. */
    revoke: () => control(at, 'DELETE'),
    /** A customer buys `quantity` of a variant: now, or just before the next inventorySetQuantities runs. */
    sell: (variantId: string, quantity: number, when: 'now' | 'before_next_inventory_set' = 'now') => control(`${at}/sell`, 'POST', { variant_id: variantId, quantity, when }),
    /** The next `count` requests of this root field run, but their answer is lost (503). */
    loseAnswer: (operation: string, count = 1) => control(`${at}/lose-answer`, 'POST', { operation, count }),
    /** Stock writes the shop applied (one entry per request applied, not per replay) and replays answered by key. */
    inventory: () => control<{ changes: { key: string; changes: { inventoryItemId: string; before: number; after: number }[] }[]; replays: number }>(`${at}/inventory`),
    /** One Admin GraphQL call with the shop's token, as the connector would send it. */
    graphql: async (query: string, variables: Record<string, unknown> = {}) => {
      const res = await fetch(`${fakes.FAKE_SHOPIFY_URL}/admin/api/${fakes.SHOPIFY_API_VERSION}/graphql.json`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': shop.token },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
    },
    /** The merchant approves the app's install screen: the callback URL Shopify redirects to. */
    approve: async (authorizeUrl: string, opts: { scopes?: string[]; overrides?: Record<string, string> } = {}) =>
      new URL((await control<{ callback_url: string }>(`${at}/approve`, 'POST', { authorize_url: authorizeUrl, ...opts })).callback_url),
    /** The merchant creates their own Dev Dashboard app for this shop: its client id and secret. */
    ownApp: async () => {
      const app = { clientId: crypto.randomUUID().replace(/-/g, ''), clientSecret: `shpss_${crypto.randomUUID().replace(/-/g, '')}` };
      await control(`${at}/apps`, 'POST', { client_id: app.clientId, client_secret: app.clientSecret });
      return app;
    },
    /** The shop's expiring app tokens expire now, or in `inMs`. */
    expire: (inMs = 0) => control(`${at}/expire`, 'POST', { in_ms: inMs }),
    /** Refresh grants and Admin calls refused for their token (see FakeShopifyOAuth). */
    auth: () => control<AuthStats>(`${at}/auth`),
  };
}

/** Refresh grants take `ms` to answer, on every shop of the fake (0 restores instant answers). */
export const slowFakeShopifyRefresh = (ms: number) => control(`${fakes.FAKE_SHOPIFY_URL}/__control/refresh-delay`, 'POST', { ms });

/** Tells the fake Shopify about an app's client id and secret (what Shopify knows from the app's registration). */
export const registerFakeShopifyApp = (clientId: string, clientSecret: string) =>
  control(`${fakes.FAKE_SHOPIFY_URL}/__control/apps`, 'POST', { client_id: clientId, client_secret: clientSecret });

export async function fakeWooStore(name = `Woo ${crypto.randomUUID().slice(0, 6)}`) {
  const base = `${fakes.FAKE_WOOCOMMERCE_URL}/__control/stores`;
  const store = await control<{ consumer_key: string; consumer_secret: string; name: string }>(base, 'POST', { name });
  const at = `${base}/${store.consumer_key}`;
  return {
    storeUrl: fakes.FAKE_WOOCOMMERCE_URL,
    consumerKey: store.consumer_key,
    consumerSecret: store.consumer_secret,
    /** The connection's api_key: `ck_…:cs_…`. */
    apiKey: `${store.consumer_key}:${store.consumer_secret}`,
    name: store.name,
    products: () => control<WooFakeProduct[]>(`${at}/products`),
    requests: async () => (await control<{ requests: { method: string; path: string; body: unknown }[] }>(at)).requests,
    fail: (status: number, count = 1, opts: { code?: string; message?: string; delayMs?: number } = {}) =>
      control(`${at}/fail`, 'POST', { status, count, code: opts.code, message: opts.message, delay_ms: opts.delayMs }),
    /** The media library: one entry per image the site downloaded. */
    media: () => control<{ id: number; source: string }[]>(`${at}/media`),
    /** Variation batches take `msPerItem` per item (0: fast again). */
    slow: (msPerItem: number) => control(`${at}/slow`, 'POST', { ms_per_item: msPerItem }),
    /** The next `count` product creates save and answer `ms` late; the site keeps saving after a client timeout. */
    slowCreate: (ms: number, count = 1) => control(`${at}/slow-create`, 'POST', { ms, count }),
    /** An image URL the site can download (served by the fake itself); `missing` gives a 404. */
    imageUrl: (name: string, missing = false) => `${fakes.FAKE_WOOCOMMERCE_URL}/__images/${missing ? 'missing/' : ''}${name}`,
    /** Makes the site ignore the Authorization header, as some hosts do. */
    stripAuth: (enabled = true) => control(`${at}/strip-auth`, 'POST', { enabled }),
    revoke: () => control(at, 'DELETE'),
  };
}

/** The fake's copy of Shopify's published Admin schema: its version, and what a document needs. */
export function fakeShopifySchema() {
  return {
    info: () => control<{ version: string; source: string }>(`${fakes.FAKE_SHOPIFY_URL}/__control/schema`),
    /** Validation errors, or every field of the document that needs a scope (any one of `scopes`). */
    access: (query: string) =>
      control<{ errors?: { message: string }[]; gates?: { path: string[]; gate: string; scopes: string[]; required_access: string }[] }>(`${fakes.FAKE_SHOPIFY_URL}/__control/access`, 'POST', { query }),
  };
}

/**
 * The merchant approves SourcePilot on the fake WooCommerce site's authorize screen
 * (fakes/woocommerce-auth.ts). The fake makes the keys; `deliver()` plays the store's
 * POST to our callback (the worker is not reachable from Node) and tells the fake the
 * answer, so a callback that does not answer 200 gets the keys deleted, as WooCommerce does.
 */
export async function approveWooAuthorization(authorizeUrl: string, name = `Woo ${crypto.randomUUID().slice(0, 6)}`) {
  const base = `${fakes.FAKE_WOOCOMMERCE_URL}/__control`;
  const made = await control<{ consumer_key: string; callback_url: string; payload: Record<string, unknown>; return_url: string }>(`${base}/wc-auth/approve`, 'POST', { authorize_url: authorizeUrl, name });
  const at = `${base}/stores/${made.consumer_key}`;
  return {
    ...made,
    returnUrl: new URL(made.return_url),
    /** POSTs the payload (or a variant of it) to the callback; answers the callback's status. */
    deliver: async (payload: Record<string, unknown> = made.payload) => {
      const res = await SELF.fetch(made.callback_url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
      await res.arrayBuffer();
      await control(`${base}/wc-auth/delivered`, 'POST', { consumer_key: made.consumer_key, status: res.status });
      return res.status;
    },
    products: () => control<WooFakeProduct[]>(`${at}/products`),
    /** Whether the keys still exist on the site. */
    keysAlive: async () => (await fetch(at)).ok,
  };
}

/**
 * A completed install from Shopify waiting for an account, as the callback keeps it
 * (tokens sealed to the code's hash and the shop), for a shop of the test's own: claims
 * make no call to Shopify, so any origin will do, and no other test file shares it.
 */
export async function pendingShopifyInstall(origin: string) {
  const code = toHex(randomBytes(24));
  const codeHash = await sha256Hex(code);
  const token = { accessToken: `shpat_${toHex(randomBytes(8))}`, scopes: ['write_products'], expiresIn: 3600, refreshToken: `shprt_${toHex(randomBytes(8))}`, refreshExpiresIn: 7_776_000 };
  const tokens = await encryptJson(env.ENCRYPTION_KEY, { token, issuedAt: Date.now() }, pendingInstallSecret(codeHash, origin));
  await withDb((db) => db.insert(shopifyPendingInstalls).values({ codeHash, shopOrigin: origin, tokens }));
  return { code, token };
}

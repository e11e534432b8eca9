import { createHmac } from 'node:crypto';
import { createExecutionContext, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import app from '../app';
import { importJobs } from '../db/schema';
import { UNDOCUMENTED } from '../routes/docs';
import { customerUser, stripeEvent, stripeSubscription } from './billing-support';
import { call, freshIp, registerUser, setPlan, userWithKey, withDb } from './helpers';
import { listItemOf } from './import-list-helpers';
import { aliUrl } from './price-helpers';
import { countingQueue } from './queue-helpers';
import { signedShopifyDelivery } from './shopify-webhook-support';
import { approveWooAuthorization, fakeShopifyShop, fakeWooStore, registerFakeShopifyApp } from './store-fakes';
import { approveAliExpress, connectAliExpress, ensureAliExpressApp } from './supplier-helpers';

/**
 * Database round trips per request (DESIGN.md "Database access on the edge"): every
 * route with a representative request, measured by the instrumented driver
 * (X-DB-Round-Trips; Neon's HTTP driver: one statement or one batch is one round trip).
 * Budgets (issue 18): an authenticated read ≤ 1 (the bearer token's user check rides
 * with the route's statement), a write ≤ 2 (the user, then the write), a bulk import of
 * 50 ≤ 2 plus exactly one sendBatch. Rows in EXCEPTIONS cost more and say why.
 * `npm run bench:round-trips` prints the table.
 */

const CJ_HOOK_BODY = JSON.stringify({ messageId: 'rt-1', type: 'PRODUCT', messageType: 'UPDATE', openId: 777, params: { pid: 'RT-NONE' } });

type Kind = 'read' | 'write' | 'bulk' | 'none';
const BUDGET: Record<Kind, number> = { read: 1, write: 2, bulk: 2, none: 0 };

interface Ctx {
  user: Awaited<ReturnType<typeof userWithKey>>;
  /** Ids made in beforeAll (or by earlier rows) that later rows act on. */
  ids: Record<string, string>;
}

interface Row {
  route: string;
  /** What the measured request does, when the route has more than one path through it. */
  label?: string;
  kind: Kind;
  status: number;
  request: (ctx: Ctx) => { path: string; token?: string | null; apiKey?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> };
}

/**
 * Routes that legitimately cost more than their kind's budget, with the reason. Writes
 * load the user first (one round trip, middleware/auth.ts) and then write, unless marked
 * `checkedWithFirstStatement` (their check rides with their first statement).
 */
const EXCEPTIONS: Record<string, { budget: number; reason: string }> = {
  'GET /api/v1/products/search (live supplier account)': {
    budget: 2,
    reason: 'the live supplier call is first admitted against the daily supplier-call cap (one conditional upsert) before it is made; demo answers in 1',
  },
  'GET /api/v1/usage (with an API key, first use)': {
    budget: 2,
    reason: "a key's first use at the edge (in this isolate and in AUTH_CACHE) is checked alone first: every route statement is keyed by the user id, only known after it; from then on the check rides with the route's statement",
  },
};

const id = (ctx: Ctx, name: string) => ctx.ids[name];

const ROWS: Row[] = [
  { route: 'GET /api/v1/health', kind: 'read', status: 200, request: () => ({ path: '/health', token: null }) },
  { route: 'GET /api/v1/openapi.json', kind: 'none', status: 200, request: () => ({ path: '/openapi.json', token: null }) },
  { route: 'GET /api/v1/docs', kind: 'none', status: 200, request: () => ({ path: '/docs', token: null }) },
  { route: 'POST /api/v1/auth/register', kind: 'write', status: 201, request: () => ({ path: '/auth/register', token: null, body: { email: `rt-${crypto.randomUUID().slice(0, 8)}@example.com`, password: 'correct horse battery' } }) },
  { route: 'POST /api/v1/auth/login', kind: 'write', status: 200, request: (c) => ({ path: '/auth/login', token: null, body: { email: c.user.email, password: c.user.password } }) },
  { route: 'POST /api/v1/auth/refresh', kind: 'write', status: 200, request: (c) => ({ path: '/auth/refresh', token: null, body: { refresh_token: c.user.refresh } }) },
  { route: 'GET /api/v1/auth/me', kind: 'read', status: 200, request: () => ({ path: '/auth/me' }) },
  { route: 'POST /api/v1/auth/forgot-password', kind: 'write', status: 200, request: (c) => ({ path: `/auth/forgot-password?email=${encodeURIComponent(c.user.email)}`, token: null, body: {} }) },
  {
    route: 'POST /api/v1/auth/provision',
    kind: 'write',
    status: 201,
    request: () => ({ path: '/auth/provision', token: null, headers: { 'X-Service-Key': env.PLATFORM_SERVICE_KEY }, body: { email: `prov-${crypto.randomUUID().slice(0, 8)}@example.com`, external_platform_id: crypto.randomUUID(), plan: 'pro' } }),
  },
  { route: 'POST /api/v1/api-keys', kind: 'write', status: 201, request: () => ({ path: '/api-keys', body: { name: 'round trips', scopes: ['read'] } }) },
  { route: 'GET /api/v1/api-keys', kind: 'read', status: 200, request: () => ({ path: '/api-keys' }) },
  { route: 'DELETE /api/v1/api-keys/{key_id}', kind: 'write', status: 204, request: (c) => ({ path: `/api-keys/${id(c, 'spareKey')}` }) },
  { route: 'GET /api/v1/usage', kind: 'read', status: 200, request: () => ({ path: '/usage' }) },
  // The key's first use: its owner is not known at the edge yet (services/api-key-owners.ts).
  { route: 'GET /api/v1/usage', label: 'with an API key, first use', kind: 'read', status: 200, request: (c) => ({ path: '/usage', token: null, apiKey: c.user.apiKey }) },
  { route: 'GET /api/v1/usage', label: 'with an API key', kind: 'read', status: 200, request: (c) => ({ path: '/usage', token: null, apiKey: c.user.apiKey }) },
  { route: 'GET /api/v1/admin/metrics', kind: 'read', status: 200, request: () => ({ path: '/admin/metrics', token: null, headers: { 'X-Service-Key': env.PLATFORM_SERVICE_KEY } }) },
  { route: 'GET /api/v1/stats', kind: 'read', status: 200, request: () => ({ path: '/stats' }) },
  { route: 'POST /api/v1/price-watches', kind: 'write', status: 201, request: () => ({ path: '/price-watches', body: { product_url: aliUrl(), source: 'aliexpress', threshold_percent: 5 } }) },
  { route: 'GET /api/v1/price-watches', kind: 'read', status: 200, request: () => ({ path: '/price-watches' }) },
  { route: 'POST /api/v1/price-watches/sync', kind: 'write', status: 200, request: () => ({ path: '/price-watches/sync', body: {} }) },
  { route: 'PUT /api/v1/price-watches/{watch_id}', kind: 'write', status: 200, request: (c) => ({ path: `/price-watches/${id(c, 'watch')}`, body: { threshold_percent: 12.5 } }) },
  { route: 'GET /api/v1/price-watches/{watch_id}/history', kind: 'read', status: 200, request: (c) => ({ path: `/price-watches/${id(c, 'watch')}/history` }) },
  { route: 'POST /api/v1/price-watches/{watch_id}/demo-advance', kind: 'write', status: 200, request: (c) => ({ path: `/price-watches/${id(c, 'watch')}/demo-advance`, body: {} }) },
  { route: 'DELETE /api/v1/price-watches/{watch_id}', kind: 'write', status: 204, request: (c) => ({ path: `/price-watches/${id(c, 'spareWatch')}` }) },
  { route: 'GET /api/v1/alerts/settings', kind: 'read', status: 200, request: () => ({ path: '/alerts/settings' }) },
  { route: 'PUT /api/v1/alerts/settings', kind: 'write', status: 200, request: () => ({ path: '/alerts/settings', body: { email: 'alerts@example.com', email_enabled: true } }) },
  { route: 'PUT /api/v1/alerts/settings', label: 'with an API key', kind: 'write', status: 200, request: (c) => ({ path: '/alerts/settings', token: null, apiKey: c.user.apiKey, body: { email: 'alerts@example.com', email_enabled: true } }) },
  // The PUT above just sent a link: a new one is refused for a minute (the guard is the statement itself).
  { route: 'POST /api/v1/alerts/settings/confirm-email', kind: 'write', status: 429, request: () => ({ path: '/alerts/settings/confirm-email', body: {} }) },
  { route: 'POST /api/v1/alerts/email/confirm', kind: 'write', status: 400, request: () => ({ path: '/alerts/email/confirm', token: null, body: { token: 'A'.repeat(43) } }) },
  { route: 'GET /api/v1/alerts', kind: 'read', status: 200, request: () => ({ path: '/alerts' }) },
  { route: 'GET /api/v1/suppliers/accounts', kind: 'read', status: 200, request: () => ({ path: '/suppliers/accounts' }) },
  { route: 'GET /api/v1/suppliers/accounts/points-usage', kind: 'read', status: 200, request: () => ({ path: '/suppliers/accounts/points-usage' }) },
  { route: 'POST /api/v1/suppliers/accounts', kind: 'write', status: 201, request: () => ({ path: '/suppliers/accounts', body: { name: `CJ ${crypto.randomUUID().slice(0, 6)}`, platform: 'cjdropshipping', credentials: { api_key: 'CJ123@api@abcdef' } } }) },
  { route: 'POST /api/v1/suppliers/accounts/{account_id}/cj-webhooks', label: 'not a CJ account', kind: 'write', status: 404, request: (c) => ({ path: `/suppliers/accounts/${id(c, 'account')}/cj-webhooks` }) },
  { route: 'PUT /api/v1/suppliers/accounts/{account_id}', kind: 'write', status: 200, request: (c) => ({ path: `/suppliers/accounts/${id(c, 'account')}`, body: { name: 'Renamed account' } }) },
  { route: 'DELETE /api/v1/suppliers/accounts/{account_id}', kind: 'write', status: 204, request: (c) => ({ path: `/suppliers/accounts/${id(c, 'spareAccount')}` }) },
  { route: 'GET /api/v1/connections', kind: 'read', status: 200, request: () => ({ path: '/connections' }) },
  { route: 'POST /api/v1/connections', kind: 'write', status: 201, request: (c) => ({ path: '/connections', body: { store_name: 'Woo', platform: 'woocommerce', store_url: c.ids.wooUrl, api_key: c.ids.wooKey } }) },
  { route: 'PUT /api/v1/connections/{conn_id}', kind: 'write', status: 200, request: (c) => ({ path: `/connections/${id(c, 'connection')}`, body: { store_name: 'Renamed shop' } }) },
  { route: 'POST /api/v1/connections/{conn_id}/default', kind: 'write', status: 200, request: (c) => ({ path: `/connections/${id(c, 'connection')}/default`, body: {} }) },
  { route: 'POST /api/v1/connections/{conn_id}/test', kind: 'write', status: 200, request: (c) => ({ path: `/connections/${id(c, 'connection')}/test`, body: {} }) },
  { route: 'DELETE /api/v1/connections/{conn_id}', kind: 'write', status: 204, request: (c) => ({ path: `/connections/${id(c, 'spareConnection')}` }) },
  { route: 'POST /api/v1/connections/shopify/install', kind: 'write', status: 200, request: () => ({ path: '/connections/shopify/install', body: { shop: 'round-trips' } }) },
  { route: 'GET /api/v1/connections/shopify/callback', kind: 'write', status: 302, request: (c) => ({ path: id(c, 'shopifyCallback'), token: null }) },
  { route: 'POST /api/v1/suppliers/accounts/aliexpress/authorize', kind: 'write', status: 200, request: () => ({ path: '/suppliers/accounts/aliexpress/authorize', body: { name: 'Round trips' } }) },
  { route: 'GET /api/v1/suppliers/accounts/aliexpress/callback', kind: 'write', status: 302, request: (c) => ({ path: id(c, 'aliexpressCallback'), token: null }) },
  { route: 'POST /api/v1/connections/woocommerce/authorize', kind: 'write', status: 200, request: (c) => ({ path: '/connections/woocommerce/authorize', body: { store_url: c.ids.wooUrl } }) },
  { route: 'POST /api/v1/connections/woocommerce/callback', kind: 'write', status: 200, request: (c) => ({ path: '/connections/woocommerce/callback', token: null, body: JSON.parse(id(c, 'wooDelivery')) }) },
  { route: 'GET /api/v1/connections/shopify/launch', kind: 'write', status: 302, request: (c) => ({ path: id(c, 'shopifyLaunch'), token: null }) },
  { route: 'POST /api/v1/connections/shopify/pending/{code}/account', kind: 'write', status: 200, request: (c) => ({ path: `/connections/shopify/pending/${id(c, 'pendingForAccount')}/account`, token: null, body: {} }) },
  { route: 'POST /api/v1/connections/shopify/pending/{code}/attach', kind: 'write', status: 200, request: (c) => ({ path: `/connections/shopify/pending/${id(c, 'pendingForAttach')}/attach`, body: {} }) },
  { route: 'GET /api/v1/demo/images/{name}', kind: 'none', status: 200, request: () => ({ path: '/demo/images/wireless-earbuds-200-1.svg', token: null }) },
  { route: 'GET /api/v1/products/search', label: 'demo catalogue', kind: 'read', status: 200, request: () => ({ path: '/products/search?q=desk%20lamp' }) },
  { route: 'GET /api/v1/products/search', label: 'live supplier account', kind: 'read', status: 200, request: (c) => ({ path: '/products/search?q=desk%20lamp', token: c.ids.liveToken }) },
  { route: 'POST /api/v1/products/preview', label: 'demo catalogue', kind: 'write', status: 200, request: () => ({ path: '/products/preview', body: { url: aliUrl() } }) },
  { route: 'POST /api/v1/products/preview', label: 'live, cache miss', kind: 'write', status: 200, request: (c) => ({ path: '/products/preview', token: c.ids.liveToken, body: { url: c.ids.liveUrl } }) },
  { route: 'POST /api/v1/products/preview', label: 'live, cache hit', kind: 'write', status: 200, request: (c) => ({ path: '/products/preview', token: c.ids.liveToken, body: { url: c.ids.liveUrl } }) },
  { route: 'GET /api/v1/ai/suggestions', kind: 'write', status: 200, request: () => ({ path: '/ai/suggestions' }) },
  { route: 'POST /api/v1/ai/score-supplier', kind: 'write', status: 200, request: () => ({ path: '/ai/score-supplier', body: { supplier_url: 'https://www.aliexpress.com/store/1234' } }) },
  { route: 'GET /api/v1/billing/plans', kind: 'none', status: 200, request: () => ({ path: '/billing/plans', token: null }) },
  { route: 'POST /api/v1/billing/checkout', kind: 'write', status: 201, request: (c) => ({ path: '/billing/checkout', token: c.ids.checkoutToken, body: { plan: 'pro' } }) },
  { route: 'POST /api/v1/billing/portal', kind: 'write', status: 200, request: (c) => ({ path: '/billing/portal', token: c.ids.checkoutToken, body: {} }) },
  { route: 'GET /api/v1/billing/current', kind: 'read', status: 200, request: () => ({ path: '/billing/current' }) },
  { route: 'GET /api/v1/billing/overview', kind: 'read', status: 200, request: () => ({ path: '/billing/overview' }) },
  { route: 'POST /api/v1/webhooks/stripe', kind: 'write', status: 200, request: (c) => ({ path: '/webhooks/stripe', token: null, rawBody: c.ids.stripeEvent }) },
  { route: 'POST /api/v1/webhooks/cj', label: 'a watched-nowhere product', kind: 'write', status: 200, request: () => ({ path: '/webhooks/cj', token: null, rawBody: CJ_HOOK_BODY, headers: { sign: createHmac('sha256', '777').update(CJ_HOOK_BODY).digest('base64') } }) },
  { route: 'POST /api/v1/webhooks/shopify', label: 'app/uninstalled', kind: 'write', status: 200, request: (c) => ({ path: '/webhooks/shopify', token: null, rawBody: c.ids.shopifyWebhookBody, headers: JSON.parse(c.ids.shopifyWebhookHeaders) }) },
  { route: 'POST /api/v1/imports', kind: 'write', status: 201, request: () => ({ path: '/imports', body: { product_url: aliUrl(), source: 'aliexpress', config: { markup_percent: 50 } } }) },
  { route: 'POST /api/v1/imports/bulk', label: '50 URLs', kind: 'bulk', status: 201, request: () => ({ path: '/imports/bulk', body: { product_urls: Array.from({ length: 50 }, () => aliUrl()), source: 'aliexpress' } }) },
  { route: 'GET /api/v1/imports', kind: 'read', status: 200, request: () => ({ path: '/imports?limit=50' }) },
  { route: 'GET /api/v1/imports', label: 'with an API key', kind: 'read', status: 200, request: (c) => ({ path: '/imports?limit=50', token: null, apiKey: c.user.apiKey }) },
  { route: 'GET /api/v1/imports/{job_id}', kind: 'read', status: 200, request: (c) => ({ path: `/imports/${id(c, 'failedJob')}` }) },
  { route: 'GET /api/v1/imports/{job_id}/history', kind: 'read', status: 200, request: (c) => ({ path: `/imports/${id(c, 'failedJob')}/history` }) },
  { route: 'POST /api/v1/imports/{job_id}/cancel', kind: 'write', status: 200, request: (c) => ({ path: `/imports/${id(c, 'heldJob')}/cancel`, body: {} }) },
  { route: 'POST /api/v1/imports/{job_id}/retry', kind: 'write', status: 200, request: (c) => ({ path: `/imports/${id(c, 'failedJob')}/retry`, body: {} }) },
  { route: 'GET /api/v1/import-list', kind: 'read', status: 200, request: () => ({ path: '/import-list?limit=100&q=mug' }) },
  { route: 'GET /api/v1/import-list/settings', kind: 'read', status: 200, request: () => ({ path: '/import-list/settings' }) },
  { route: 'PUT /api/v1/import-list/settings', kind: 'write', status: 200, request: () => ({ path: '/import-list/settings', body: { review_by_default: false } }) },
  { route: 'GET /api/v1/import-list/{item_id}', kind: 'read', status: 200, request: (c) => ({ path: `/import-list/${id(c, 'listItem')}` }) },
  { route: 'PUT /api/v1/import-list/{item_id}', kind: 'write', status: 200, request: (c) => ({ path: `/import-list/${id(c, 'listItem')}`, body: { version: 1, title: 'Edited', drop_options: [{ name: 'Ships From' }] } }) },
  { route: 'POST /api/v1/import-list/reprice', kind: 'write', status: 200, request: (c) => ({ path: '/import-list/reprice', body: { item_ids: [id(c, 'listItem'), id(c, 'pushItem')], rule: { markup_percent: 80 }, dry_run: false } }) },
  { route: 'POST /api/v1/import-list/{item_id}/push', kind: 'write', status: 202, request: (c) => ({ path: `/import-list/${id(c, 'pushItem')}/push`, body: {} }) },
  { route: 'POST /api/v1/import-list/push', kind: 'write', status: 202, request: (c) => ({ path: '/import-list/push', body: { item_ids: [id(c, 'listItem')] } }) },
  { route: 'DELETE /api/v1/import-list/{item_id}', kind: 'write', status: 204, request: (c) => ({ path: `/import-list/${id(c, 'spareItem')}` }) },
  { route: 'POST /api/v1/webhooks/product-scored', kind: 'write', status: 200, request: () => ({ path: '/webhooks/product-scored', body: { product_url: aliUrl(), source: 'aliexpress', score: 87, product_name: 'Desk lamp' } }) },
];

interface Measured {
  row: Row;
  status: number;
  roundTrips: number | null;
  sends: number;
  batches: number;
}

async function measure(row: Row, ctx: Ctx): Promise<Measured> {
  const r = row.request(ctx);
  const headers: Record<string, string> = { 'CF-Connecting-IP': freshIp(), ...r.headers };
  const token = r.token === undefined ? ctx.user.token : r.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (r.apiKey) headers['X-API-Key'] = r.apiKey;
  const body = r.rawBody ?? (r.body === undefined ? undefined : JSON.stringify(r.body));
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const method = row.route.split(' ')[0];
  const imports = countingQueue(env.IMPORT_QUEUE);
  const prices = countingQueue(env.PRICE_QUEUE);
  const exec = createExecutionContext();
  const res = await app.fetch(new Request(`http://sourcepilot.test/api/v1${r.path}`, { method, headers, body }), { ...env, IMPORT_QUEUE: imports.queue, PRICE_QUEUE: prices.queue }, exec);
  const text = await res.text();
  await waitOnExecutionContext(exec);
  if (res.status !== row.status) throw new Error(`${row.route}: expected ${row.status}, got ${res.status} ${text.slice(0, 300)}`);
  const header = res.headers.get('X-DB-Round-Trips');
  return {
    row,
    status: res.status,
    roundTrips: header === null ? null : Number(header),
    sends: imports.counts.send + prices.counts.send,
    batches: imports.counts.sendBatch + prices.counts.sendBatch,
  };
}

const nameOf = (row: Row) => (row.label ? `${row.route} (${row.label})` : row.route);

let ctx: Ctx;
const results: Measured[] = [];

beforeAll(async () => {
  const user = await userWithKey(['read', 'write'], 'enterprise');
  const h = { token: user.token };
  const api = async (path: string, body?: unknown, method?: string) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${h.token}`, 'CF-Connecting-IP': freshIp() };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const exec = createExecutionContext();
    const res = await app.fetch(
      new Request(`http://sourcepilot.test/api/v1${path}`, { method: method ?? (body === undefined ? 'GET' : 'POST'), headers, body: body === undefined ? undefined : JSON.stringify(body) }),
      env,
      exec,
    );
    await waitOnExecutionContext(exec);
    const json = res.status === 204 ? null : ((await res.json()) as any);
    if (res.status >= 300) throw new Error(`setup ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const shop = await fakeShopifyShop();
  const woo = await fakeWooStore();
  const connection = await api('/connections', { store_name: 'Shop', platform: 'shopify', store_url: shop.storeUrl, api_key: shop.token });
  // A platform without a connector is stored as sent (API.md §6), which is all a delete needs.
  const spareConnection = await api('/connections', { store_name: 'Spare', platform: 'bigcommerce', store_url: 'https://spare.example.com', api_key: 'spare' });
  // A second user installs the app, so the callback creates a connection of its own.
  const shopifyApp = env as unknown as { SHOPIFY_API_KEY: string; SHOPIFY_API_SECRET: string };
  await registerFakeShopifyApp(shopifyApp.SHOPIFY_API_KEY, shopifyApp.SHOPIFY_API_SECRET);
  const installer = await registerUser('rt-install');
  const installed = await fakeShopifyShop();
  const started = await call('/connections/shopify/install', { token: installer.token, body: { shop: installed.storeUrl } });
  const shopifyCallback = await installed.approve(started.json.authorize_url);
  // A third user links AliExpress, so the callback has an approved code and state to complete.
  await ensureAliExpressApp();
  const aeLinker = await registerUser('rt-ae');
  const aeStarted = await call('/suppliers/accounts/aliexpress/authorize', { token: aeLinker.token, body: {} });
  const aliexpressCallback = await approveAliExpress(aeStarted.json.authorize_url);
  // A fourth user approves SourcePilot on a WooCommerce site; the measured callback delivers the keys.
  const wooer = await registerUser('rt-woo');
  const wooStarted = await call('/connections/woocommerce/authorize', { token: wooer.token, body: { store_url: woo.storeUrl } });
  const wooApproved = await approveWooAuthorization(wooStarted.json.authorize_url);
  // Installs that start in Shopify: a signed app URL, and two completed installs waiting for an account.
  const launchUrl = async () => {
    const params = new URLSearchParams([['host', btoa('admin.shopify.com/store/rt')], ['shop', installed.storeUrl], ['timestamp', String(Math.floor(Date.now() / 1000))]]);
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(shopifyApp.SHOPIFY_API_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const mac = [...new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(params.toString())))].map((b) => b.toString(16).padStart(2, '0')).join('');
    return `/connections/shopify/launch?${params}&hmac=${mac}`;
  };
  const pendingInstall = async () => {
    const launched = await SELF.fetch(`https://api.test/api/v1${await launchUrl()}`, { redirect: 'manual' });
    const back = await SELF.fetch((await installed.approve(launched.headers.get('Location')!)).toString(), { redirect: 'manual' });
    return new URL(back.headers.get('Location')!).searchParams.get('install')!;
  };
  const [pendingForAccount, pendingForAttach, shopifyLaunch] = [await pendingInstall(), await pendingInstall(), await launchUrl()];
  const account = await api('/suppliers/accounts', { name: 'Spocket', platform: 'spocket', credentials: { api_key: 'sp-1' } });
  const spareAccount = await api('/suppliers/accounts', { name: 'Spare', platform: 'spocket', credentials: null });
  const watch = await api('/price-watches', { product_url: aliUrl(), source: 'aliexpress' });
  const spareWatch = await api('/price-watches', { product_url: aliUrl(), source: 'aliexpress' });
  const spareKey = await api('/api-keys', { name: 'spare', scopes: ['read'] });
  const [failedJob, heldJob] = await withDb((db) =>
    db
      .insert(importJobs)
      .values([
        { userId: user.id, source: 'aliexpress', sourceUrl: aliUrl(), status: 'failed', errorMessage: 'Supplier timed out' },
        { userId: user.id, source: 'aliexpress', sourceUrl: aliUrl(), status: 'running', progressPercent: 40 },
      ])
      .returning({ id: importJobs.id }),
  );
  const [listItem, pushItem, spareItem] = await Promise.all([listItemOf(user.id), listItemOf(user.id), listItemOf(user.id)]);
  const live = await registerUser('rt-live');
  await setPlan(live.id, 'pro');
  await connectAliExpress(live.id);
  const checkout = await registerUser('rt-checkout');
  const billing = await customerUser('free');
  // A store of another user, so the uninstall has a connection to mark without touching the measured user's.
  const uninstalling = await registerUser('rt-uninstall');
  const uninstalledShop = `rt-${crypto.randomUUID().slice(0, 8)}.myshopify.com`;
  const uninstalledConnection = await call('/connections', { token: uninstalling.token, body: { store_name: 'Uninstalled', platform: 'shopify', store_url: `https://${uninstalledShop}`, api_key: 'shpat_rt' } });
  if (uninstalledConnection.status !== 201) throw new Error(`setup /connections: ${uninstalledConnection.status}`);
  const shopifyWebhook = await signedShopifyDelivery({ topic: 'app/uninstalled', shop: uninstalledShop });
  const stripeEventBody = JSON.stringify(stripeEvent('customer.subscription.updated', stripeSubscription({ customer: billing.customer, status: 'active' })));
  ctx = {
    user,
    ids: {
      connection: connection.id,
      spareConnection: spareConnection.id,
      wooDelivery: JSON.stringify(wooApproved.payload),
      shopifyCallback: `${shopifyCallback.pathname.replace(/^\/api\/v1/, '')}${shopifyCallback.search}`,
      aliexpressCallback: `${aliexpressCallback.pathname.replace(/^\/api\/v1/, '')}${aliexpressCallback.search}`,
      shopifyLaunch,
      pendingForAccount,
      pendingForAttach,
      wooUrl: woo.storeUrl,
      wooKey: woo.apiKey,
      account: account.id,
      spareAccount: spareAccount.id,
      watch: watch.id,
      spareWatch: spareWatch.id,
      spareKey: spareKey.id,
      failedJob: failedJob.id,
      listItem,
      pushItem,
      spareItem,
      heldJob: heldJob.id,
      liveToken: live.token,
      liveUrl: 'https://www.aliexpress.com/item/1005006000000321.html',
      checkoutToken: checkout.token,
      stripeEvent: stripeEventBody,
      shopifyWebhookBody: shopifyWebhook.rawBody,
      shopifyWebhookHeaders: JSON.stringify(shopifyWebhook.headers),
    },
  };
}, 60_000);

describe('database round trips per request', () => {
  it('has a representative request for every registered route', () => {
    const covered = new Set(ROWS.map((r) => r.route));
    const missing: string[] = [];
    for (const r of app.routes) {
      if (r.method === 'ALL' || r.path.includes('*')) continue;
      const path = r.path.replace(/\/+$/, '').replace(/:([^/{?]+)/g, '{$1}');
      if (UNDOCUMENTED.some((x) => typeof x !== 'string' && x.test(path))) continue;
      if (!covered.has(`${r.method} ${path}`)) missing.push(`${r.method} ${path}`);
    }
    expect(missing).toEqual([]);
  });

  it('keeps every route within its budget', async () => {
    for (const row of ROWS) results.push(await measure(row, ctx));
    const table = results.map((m) => {
      const name = nameOf(m.row);
      const budget = EXCEPTIONS[name]?.budget ?? BUDGET[m.row.kind];
      return { route: name, kind: m.row.kind, status: m.status, round_trips: m.roundTrips ?? 0, budget, queue: m.batches ? `${m.batches} sendBatch` : m.sends ? `${m.sends} send` : '' };
    });
    console.log(`\nDatabase round trips per request (budget: read ≤ 1, write ≤ 2, bulk ≤ 2 + one sendBatch)\n${formatTable(table)}`);
    const over = table.filter((t) => t.round_trips > t.budget).map((t) => `${t.route}: ${t.round_trips} > ${t.budget}`);
    expect(over, formatTable(table)).toEqual([]);
    for (const m of results) {
      // Every route that opens the per-request pool reports its count; only the docs open none.
      if (m.row.kind === 'none' && m.roundTrips === null) continue;
      expect(m.roundTrips, nameOf(m.row)).not.toBeNull();
    }
    const bulk = results.find((m) => m.row.kind === 'bulk')!;
    expect(bulk.batches).toBe(1);
    expect(bulk.sends).toBe(0);
    const single = results.find((m) => m.row.route === 'POST /api/v1/imports')!;
    expect(single.sends + single.batches).toBe(1);
    // The exceptions are real: each one still costs more than its kind's budget, or it should leave the list.
    for (const [name, { budget }] of Object.entries(EXCEPTIONS)) {
      const m = results.find((r) => nameOf(r.row) === name)!;
      expect(m.roundTrips!, name).toBeGreaterThan(BUDGET[m.row.kind]);
      expect(m.roundTrips!, name).toBeLessThanOrEqual(budget);
    }
    const held = await withDb((db) => db.select().from(importJobs).where(eq(importJobs.id, ctx.ids.heldJob)));
    expect(held[0].status).toBe('cancelled');
  }, 120_000);
});

function formatTable(rows: Record<string, string | number>[]): string {
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(width[i])).join('  ');
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => String(r[c]))))].join('\n');
}

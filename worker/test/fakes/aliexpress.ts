import { createHmac } from 'node:crypto';
import type { StartedFake } from './index';
import { fakeHash, parseJson, startJsonServer, type FakeRequest, type FakeResponse } from './server';

/**
 * Fake AliExpress Open Platform (DS) gateway: POST /sync, form-encoded, HMAC-SHA256
 * signed exactly as documented (params sorted by name, key+value concatenated, uppercase
 * hex; business methods signed without a path prefix). Answers the wrapped shape
 * (simplify=false) or the simplified one (simplify=true), and `error_response` on failure.
 *
 * Seller authorization (INTEGRATIONS.md §3d, developer.alibaba.com docs 120687, 120691–120693):
 *   GET  /oauth/authorize?response_type=code&client_id&redirect_uri&state[&force_auth]
 *        → a minimal HTML approve page (the merchant's consent screen); its Approve link
 *        (GET /oauth/decide?…&approve=1) redirects to redirect_uri?code&state, Cancel to
 *        redirect_uri?error=access_denied&state. A code is single use, for that app only.
 *   POST /rest/auth/token/create  {code}            system API: signed with "/auth/token/create" in front
 *   POST /rest/auth/token/refresh {refresh_token}   system API: signed with "/auth/token/refresh" in front
 *        Both answer the documented fields (access_token, refresh_token, expires_in,
 *        refresh_expires_in, expire_time, refresh_token_valid_time, user_id, seller_id,
 *        havana_id, user_nick, account, account_platform, locale, sp, code "0",
 *        request_id). Lifetimes default to an app in test status: 1 day access, 2 days
 *        refresh (§3d). A refresh renews the access token but keeps the refresh token's
 *        deadline (§3d); the answer carries a refresh token the client must read
 *        ("read the values from each answer"), rotated here so a client that keeps an
 *        old one is caught. Errors: IncompleteSignature for a bad sign (§3d),
 *        InvalidCode / IllegalRefreshToken otherwise (codes seen in code, not in the
 *        official table).
 *   On /sync an expired or unknown access token answers IllegalAccessToken (§3d).
 *
 * State is per app (app_key), so parallel test files use their own apps:
 *   POST /__control/apps      {app_key, app_secret, access_token?, ensure?}   register (and reset) an app; `ensure` keeps an existing one
 *   POST /__control/products  {app_key, product_id, price?, stock?, missing?, title?, error?: "404"|"602"|"605", priceless_skus?, currency?}
 *        `error` answers product.get with that DS error-table code in rsp_code (§3d:
 *        404 "System Error", 602 "Item is not allowed to this country", 605 ITEM_ID_NOT_FOUND)
 *        priceless_skus: the first n SKUs come without offer_sale_price and sku_price (both are
 *        optional String fields of ae_item_sku_info_dto in the DS API's published response of
 *        aliexpress.ds.product.get); currency: the currency_code the SKUs and base info carry
 *        (the API answers in the requested target_currency, so a changed account setting
 *        changes it; the fake keeps the numbers, only the code changes)
 *   POST /__control/fail      {app_key, mode: rate_limit|server_error|garbage|delay|not_found|system_error, times?, delay_ms?}
 *   POST /__control/oauth     {app_key, access_seconds?, refresh_seconds?, refuse_refresh?, refresh_delay_ms?, auto_approve?}
 *   POST /__control/expire    {app_key}   every OAuth access token of the app expires now
 *   GET  /__control/requests?app_key=…   → {count, requests: [{method, params, at}]}  (system APIs appear with their path as method)
 */

interface ProductOverride {
  price?: number;
  pricelessSkus?: number;
  currency?: string;
  stock?: number;
  missing?: boolean;
  title?: string;
  error?: string;
}

interface OauthSettings {
  accessSeconds: number;
  refreshSeconds: number;
  refuseRefresh: boolean;
  refreshDelayMs: number;
}

interface App {
  secret: string;
  /** The token registered through /__control/apps: never expires. */
  accessToken: string;
  /** Access tokens issued by the OAuth endpoints, with their expiry (epoch ms). */
  issued: Map<string, number>;
  /** Live refresh tokens → their deadline (epoch ms) and the seller they belong to. */
  refreshTokens: Map<string, { validUntil: number; sellerId: string }>;
  oauth: OauthSettings;
  products: Map<string, ProductOverride>;
  failures: { mode: string; times: number; delayMs: number }[];
  requests: { method: string; params: Record<string, string>; at: number }[];
}

const apps = new Map<string, App>();
/** Authorization codes → the app and redirect_uri they were issued for (single use). */
const codes = new Map<string, { appKey: string; redirectUri: string; sellerId: string }>();
const DAY_S = 86_400;
const defaultOauth = (): OauthSettings => ({ accessSeconds: DAY_S, refreshSeconds: 2 * DAY_S, refuseRefresh: false, refreshDelayMs: 0 });
const randomToken = (prefix: string) => `${prefix}${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
const requestId = () => Math.random().toString(36).slice(2, 14);

/** Doc 120693: sorted key+value pairs; system APIs (a path) get the path in front. */
function sign(params: Record<string, string>, secret: string, apiPath = ''): string {
  const base =
    apiPath +
    Object.keys(params)
      .filter((k) => k !== 'sign')
      .sort()
      .map((k) => k + params[k])
      .join('');
  return createHmac('sha256', secret).update(base, 'utf8').digest('hex').toUpperCase();
}

const errorResponse = (code: string, msg: string, type = 'ISV', sub_msg?: string): FakeResponse => ({
  body: { error_response: { type, code, msg, ...(sub_msg ? { sub_msg } : {}), request_id: requestId() } },
});

const COLORS = [
  { id: '193', name: 'Black' },
  { id: '29', name: 'White' },
  { id: '173', name: 'Blue' },
];
const SIZES = [
  { id: '100014064', name: 'S' },
  { id: '361386', name: 'M' },
  { id: '361385', name: 'L' },
];

/** The fake's catalogue: stable per product id, changed by /__control/products. */
export function fakeAliExpressProduct(productId: string, override: ProductOverride = {}) {
  const h = fakeHash(productId);
  const base = override.price ?? Math.round((4 + (h % 4000) / 100) * 100) / 100;
  const currency = override.currency ?? 'USD';
  const skus = COLORS.slice(0, 2).flatMap((color, ci) =>
    SIZES.map((size, si) => {
      const sale = Math.round((base + si * 0.5) * 100) / 100;
      const priceless = ci * SIZES.length + si < (override.pricelessSkus ?? 0);
      return {
        sku_id: `${12000000000 + (h % 1000) * 10 + ci * 3 + si}`,
        sku_attr: `14:${color.id}#${color.name};5:${size.id}`,
        sku_code: `FAKE-${productId.slice(-4)}-${color.name.toUpperCase()}-${size.name}`,
        ...(priceless ? {} : { sku_price: (sale * 1.5).toFixed(2), offer_sale_price: sale.toFixed(2), offer_bulk_sale_price: sale.toFixed(2) }),
        sku_available_stock: override.stock ?? 100 + ((h >> (ci + si)) % 400),
        currency_code: currency,
        ae_sku_property_dtos: [
          { sku_property_id: 14, sku_property_name: 'Color', sku_property_value: color.name, property_value_id: Number(color.id), property_value_definition_name: color.name, sku_image: `https://ae01.alicdn.com/kf/fake-${productId}-${color.name}.jpg` },
          { sku_property_id: 5, sku_property_name: 'Size', sku_property_value: size.name, property_value_id: Number(size.id) },
        ],
      };
    }),
  );
  return {
    ae_item_base_info_dto: {
      product_id: Number(productId),
      subject: override.title ?? `Fake AliExpress Product ${productId}`,
      detail: `<p>Fake description of ${productId}</p>`,
      currency_code: currency,
      category_id: 200000001,
      product_status_type: 'onSelling',
      avg_evaluation_rating: '4.7',
      evaluation_count: '311',
      sales_count: String(100 + (h % 5000)),
    },
    ae_item_sku_info_dtos: skus,
    ae_multimedia_info_dto: { image_urls: `https://ae01.alicdn.com/kf/fake-${productId}-1.jpg;//ae01.alicdn.com/kf/fake-${productId}-2.jpg` },
    ae_store_info: { store_id: 9000 + (h % 100), store_name: `Fake Store ${h % 100}`, store_country_code: 'CN' },
    logistics_info_dto: { delivery_time: 12, ship_to_country: 'US' },
  };
}

/** simplify=false wraps every list in an object named after its singular DTO. */
function wrapProduct(p: ReturnType<typeof fakeAliExpressProduct>) {
  return {
    ...p,
    ae_item_sku_info_dtos: {
      ae_item_sku_info_d_t_o: p.ae_item_sku_info_dtos.map((s) => ({ ...s, ae_sku_property_dtos: { ae_sku_property_d_t_o: s.ae_sku_property_dtos } })),
    },
  };
}

function search(keyWord: string, pageIndex: number, pageSize: number, simplified: boolean) {
  const total = 20 + (fakeHash(keyWord) % 30);
  const start = (pageIndex - 1) * pageSize;
  const items = Array.from({ length: Math.max(0, Math.min(pageSize, total - start)) }, (_, i) => {
    const id = `1005${String(fakeHash(`${keyWord}:${start + i}`)).padStart(12, '0').slice(0, 12)}`;
    const p = fakeAliExpressProduct(id);
    return {
      itemId: id,
      title: `${keyWord} result ${start + i + 1}`,
      itemMainPic: `//ae01.alicdn.com/kf/fake-${id}-1.jpg`,
      itemUrl: `//www.aliexpress.com/item/${id}.html`,
      targetSalePrice: p.ae_item_sku_info_dtos[0].offer_sale_price,
      targetOriginalPrice: p.ae_item_sku_info_dtos[0].sku_price,
      targetSalePriceCurrency: 'USD',
      evaluateRate: '96.5%',
      orders: String(1000 + i),
      score: '4.6',
    };
  });
  return { totalCount: total, pageIndex, pageSize, products: simplified ? items : { selection_search_product: items } };
}

function handleSync(req: FakeRequest): FakeResponse {
  if (req.method !== 'POST') return errorResponse('InvalidMethod', 'Only POST is supported');
  if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    return errorResponse('MissingParameter', 'The request must be form-encoded');
  }
  const params = Object.fromEntries(new URLSearchParams(req.body));
  for (const p of ['app_key', 'timestamp', 'sign_method', 'sign', 'method']) {
    if (!params[p]) return errorResponse('MissingParameter', `The input parameter "${p}" that is mandatory for processing this request is not supplied`);
  }
  const app = apps.get(params.app_key);
  if (!app) return errorResponse('InvalidAppKey', 'The specified App Key is invalid');
  const { sign: given, ...signed } = params;
  app.requests.push({ method: params.method, params: signed, at: Date.now() });
  if (params.sign_method !== 'sha256') return errorResponse('InvalidSignatureMethod', 'Only sha256 is accepted here');
  if (given !== sign(params, app.secret)) return errorResponse('IncompleteSignature', 'The request signature does not conform to platform standards');
  const ts = Number(params.timestamp);
  if (!Number.isFinite(ts) || Math.abs(Date.now() - ts) > 7_200_000) return errorResponse('InvalidTimestamp', 'The timestamp is invalid or out of range');
  const token = params.access_token ?? params.session;
  const issuedUntil = app.issued.get(token);
  if (token !== app.accessToken && !(issuedUntil !== undefined && issuedUntil > Date.now())) {
    return errorResponse('IllegalAccessToken', 'The specified access token is invalid or expired');
  }

  const failure = app.failures[0];
  if (failure) {
    if (--failure.times <= 0) app.failures.shift();
    if (failure.mode === 'rate_limit') return errorResponse('ApiCallLimit', 'App Call Limited', 'ISP', 'This ban will last for 1 more seconds');
    if (failure.mode === 'server_error') return { status: 503, raw: '<html>Service Unavailable</html>' };
    if (failure.mode === 'garbage') return { status: 200, raw: '<html>gateway</html>' };
    if (failure.mode === 'delay') return { ...answer(params, app), delayMs: failure.delayMs };
    if (failure.mode === 'system_error') return { body: { error_response: { type: 'ISP', code: '404', msg: 'System Error', request_id: requestId() } } };
  }
  return answer(params, app);
}

function answer(params: Record<string, string>, app: App): FakeResponse {
  const simplified = params.simplify === 'true';
  if (params.method === 'aliexpress.ds.product.get') {
    if (!params.product_id || !params.ship_to_country) return errorResponse('MissingParameter', 'product_id and ship_to_country are required');
    const override = app.products.get(params.product_id) ?? {};
    // The DS error table of product.get (INTEGRATIONS.md §3d), answered in rsp_code/rsp_msg.
    const DS_ERRORS: Record<string, string> = { '404': 'System Error', '602': 'Item is not allowed to this country', '605': 'ITEM_ID_NOT_FOUND' };
    if (override.error && DS_ERRORS[override.error]) {
      return { body: { aliexpress_ds_product_get_response: { rsp_code: Number(override.error), rsp_msg: DS_ERRORS[override.error], request_id: requestId() } } };
    }
    if (override.missing || !/^\d+$/.test(params.product_id)) {
      return errorResponse('ITEM_ID_NOT_FOUND', 'The item does not exist or is not available', 'ISV');
    }
    const product = fakeAliExpressProduct(params.product_id, override);
    return {
      body: {
        aliexpress_ds_product_get_response: { result: simplified ? product : wrapProduct(product), rsp_code: 200, rsp_msg: 'Call succeeds', request_id: requestId() },
      },
    };
  }
  if (params.method === 'aliexpress.ds.text.search') {
    if (!params.keyWord) return errorResponse('EXCEPTION_TEXT_SEARCH_FOR_DS', 'keyWord is required');
    const data = search(params.keyWord, Number(params.pageIndex ?? 1), Number(params.pageSize ?? 20), simplified);
    return { body: { aliexpress_ds_text_search_response: { data, code: '0', msg: '', request_id: requestId() } } };
  }
  return errorResponse('InvalidApiPath', `The specified API ${params.method} does not exist`);
}

function control(req: FakeRequest): FakeResponse {
  const body = parseJson(req.body);
  const appKey = String(body.app_key ?? req.query.get('app_key') ?? '');
  if (req.path === '/__control/apps') {
    // `ensure`: register only when absent (the shared dev app of the OAuth tests keeps its tokens).
    if (body.ensure === true && apps.get(appKey)?.secret === String(body.app_secret)) return { body: { ok: true } };
    apps.set(appKey, {
      secret: String(body.app_secret),
      accessToken: typeof body.access_token === 'string' ? body.access_token : randomToken('static-'),
      issued: new Map(),
      refreshTokens: new Map(),
      oauth: defaultOauth(),
      products: new Map(),
      failures: [],
      requests: [],
    });
    return { body: { ok: true } };
  }
  const app = apps.get(appKey);
  if (!app) return { status: 404, body: { error: `unknown app ${appKey}` } };
  switch (req.path) {
    case '/__control/products': {
      const id = String(body.product_id);
      const override: ProductOverride = { ...app.products.get(id) };
      if (typeof body.price === 'number') override.price = body.price;
      if (typeof body.stock === 'number') override.stock = body.stock;
      if (typeof body.missing === 'boolean') override.missing = body.missing;
      if (typeof body.title === 'string') override.title = body.title;
      if (typeof body.error === 'string' || body.error === null) override.error = (body.error as string | null) ?? undefined;
      if (typeof body.priceless_skus === 'number') override.pricelessSkus = body.priceless_skus;
      if (typeof body.currency === 'string') override.currency = body.currency;
      app.products.set(id, override);
      return { body: { ok: true } };
    }
    case '/__control/fail':
      app.failures.push({ mode: String(body.mode), times: Number(body.times ?? 1), delayMs: Number(body.delay_ms ?? 0) });
      return { body: { ok: true } };
    case '/__control/oauth': {
      const o = app.oauth;
      if (typeof body.access_seconds === 'number') o.accessSeconds = body.access_seconds;
      if (typeof body.refresh_seconds === 'number') o.refreshSeconds = body.refresh_seconds;
      if (typeof body.refuse_refresh === 'boolean') o.refuseRefresh = body.refuse_refresh;
      if (typeof body.refresh_delay_ms === 'number') o.refreshDelayMs = body.refresh_delay_ms;
      return { body: { ok: true } };
    }
    case '/__control/expire':
      for (const t of app.issued.keys()) app.issued.set(t, Date.now() - 1);
      return { body: { ok: true } };
    case '/__control/requests':
      return { body: { count: app.requests.length, requests: app.requests } };
    default:
      return { status: 404, body: { error: 'unknown control path' } };
  }
}

const escapeHtml = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** GET /oauth/authorize: the consent screen (doc 120687), or an error page for a bad request. */
function authorizePage(req: FakeRequest): FakeResponse {
  const q = req.query;
  const app = apps.get(q.get('client_id') ?? '');
  const page = (status: number, html: string): FakeResponse => ({ status, raw: `<!doctype html><html><head><title>AliExpress authorization</title></head><body>${html}</body></html>`, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
  if (q.get('response_type') !== 'code' || !q.get('redirect_uri') || !app) return page(400, '<h1>Invalid authorization request</h1>');
  const decide = (approve: boolean) => `/oauth/decide?${new URLSearchParams({ client_id: q.get('client_id')!, redirect_uri: q.get('redirect_uri')!, state: q.get('state') ?? '', approve: approve ? '1' : '0' })}`;
  return page(
    200,
    `<main><h1>Authorize SourcePilot</h1><p>SourcePilot (app ${escapeHtml(q.get('client_id')!)}) asks to act for your AliExpress account.</p>` +
      `<a id="approve" href="${escapeHtml(decide(true))}">Approve</a> <a id="cancel" href="${escapeHtml(decide(false))}">Cancel</a></main>`,
  );
}

/** GET /oauth/decide: the merchant's answer, sent back to redirect_uri with a code (or error) and the state. */
function decide(req: FakeRequest): FakeResponse {
  const q = req.query;
  const appKey = q.get('client_id') ?? '';
  const redirectUri = q.get('redirect_uri') ?? '';
  if (!apps.has(appKey) || !redirectUri) return { status: 400, body: { error: 'invalid request' } };
  const to = new URL(redirectUri);
  if (q.get('approve') === '1') {
    const code = randomToken('code-');
    codes.set(code, { appKey, redirectUri, sellerId: String(2000000000 + (fakeHash(appKey) % 1000)) });
    to.searchParams.set('code', code);
  } else {
    to.searchParams.set('error', 'access_denied');
  }
  if (q.get('state')) to.searchParams.set('state', q.get('state')!);
  return { status: 302, headers: { Location: to.toString() }, raw: '' };
}

/** A token answer with the documented fields (INTEGRATIONS.md §3d). */
function tokenAnswer(app: App, sellerId: string, refreshToken: string, refreshUntil: number) {
  const now = Date.now();
  const accessToken = randomToken('ae-access-');
  app.issued.set(accessToken, now + app.oauth.accessSeconds * 1000);
  return {
    access_token: accessToken,
    refresh_token: refreshToken,
    expires_in: app.oauth.accessSeconds,
    refresh_expires_in: Math.max(0, Math.floor((refreshUntil - now) / 1000)),
    expire_time: now + app.oauth.accessSeconds * 1000,
    refresh_token_valid_time: refreshUntil,
    user_id: sellerId,
    seller_id: sellerId,
    havana_id: `hv${sellerId}`,
    user_nick: `seller${sellerId}`,
    account: `seller${sellerId}@example.com`,
    account_platform: 'buyerApp',
    locale: 'en_US',
    sp: 'ae',
    code: '0',
    request_id: requestId(),
  };
}

/** POST /rest/auth/token/{create,refresh}: system APIs, signed with their path in front (§3a, §3d). */
async function systemApi(req: FakeRequest): Promise<FakeResponse> {
  const apiPath = req.path.slice('/rest'.length);
  const fail = (code: string, message: string): FakeResponse => ({ body: { code, type: 'ISV', message, request_id: requestId() } });
  const params = Object.fromEntries(new URLSearchParams(req.method === 'POST' ? req.body : req.query.toString()));
  for (const p of ['app_key', 'timestamp', 'sign_method', 'sign']) if (!params[p]) return fail('MissingParameter', `The input parameter "${p}" that is mandatory for processing this request is not supplied`);
  const app = apps.get(params.app_key);
  if (!app) return fail('InvalidAppKey', 'The specified App Key is invalid');
  const { sign: given, ...signed } = params;
  app.requests.push({ method: apiPath, params: signed, at: Date.now() });
  if (params.sign_method !== 'sha256' || given !== sign(params, app.secret, apiPath)) return fail('IncompleteSignature', 'The request signature does not conform to platform standards');
  const ts = Number(params.timestamp);
  if (!Number.isFinite(ts) || Math.abs(Date.now() - ts) > 7_200_000) return fail('InvalidTimestamp', 'The timestamp is invalid or out of range');
  if (apiPath === '/auth/token/create') {
    const grant = codes.get(params.code ?? '');
    if (!grant || grant.appKey !== params.app_key) return fail('InvalidCode', 'The authorization code is invalid or has been used');
    codes.delete(params.code);
    const refreshToken = randomToken('ae-refresh-');
    const until = Date.now() + app.oauth.refreshSeconds * 1000;
    app.refreshTokens.set(refreshToken, { validUntil: until, sellerId: grant.sellerId });
    return { body: tokenAnswer(app, grant.sellerId, refreshToken, until) };
  }
  if (apiPath === '/auth/token/refresh') {
    if (app.oauth.refreshDelayMs) await new Promise((r) => setTimeout(r, app.oauth.refreshDelayMs));
    const held = app.refreshTokens.get(params.refresh_token ?? '');
    if (app.oauth.refuseRefresh || !held || held.validUntil <= Date.now()) return fail('IllegalRefreshToken', 'The refresh token is invalid or expired');
    // Rotated, with the deadline unchanged: a refresh does not extend the authorization (§3d).
    app.refreshTokens.delete(params.refresh_token);
    const next = randomToken('ae-refresh-');
    app.refreshTokens.set(next, held);
    return { body: tokenAnswer(app, held.sellerId, next, held.validUntil) };
  }
  return fail('InvalidApiPath', `The specified API ${apiPath} does not exist`);
}

/** `port` 0 picks a free one; the browser e2e uses a fixed port the stack was started with. */
export async function startAliExpressFake(port = 0): Promise<StartedFake> {
  const server = await startJsonServer((req) => {
    if (req.path.startsWith('/__control/')) return control(req);
    if (req.path === '/sync') return handleSync(req);
    if (req.path === '/oauth/authorize') return authorizePage(req);
    if (req.path === '/oauth/decide') return decide(req);
    if (req.path.startsWith('/rest/auth/token/')) return systemApi(req);
    return { status: 404, body: { error: 'not found' } };
  }, port);
  return { bindings: { ALIEXPRESS_API_BASE: server.origin }, stop: server.stop };
}

import { randomBytes } from 'node:crypto';
import type { StartedFake } from './index';
import { fakeHash, parseJson, startJsonServer, type FakeRequest, type FakeResponse } from './server';

/**
 * Fake CJ Dropshipping API 2.0 under /api2.0/v1: token issue and refresh (getAccessToken
 * at most once per 5 minutes per account), the CJ-Access-Token header, the
 * {code, result, message, data, requestId} envelope with CJ's error codes, and the
 * per-account request rate (1 request/s unless the account is registered with more).
 *
 * Read as CJ defines it (INTEGRATIONS §3e):
 * - `countryCode` is the **warehouse / inventory country**: `listV2` returns only products
 *   stocked there, `product/query` and `variant/query` only the variants stocked there. It
 *   is not a destination. Products are stocked in `warehouses` (default CN and US).
 * - Shipping to a destination comes from `POST /logistic/freightCalculate`
 *   `{startCountryCode, endCountryCode, products:[{quantity, vid}]}` → `[{logisticName,
 *   logisticPrice, logisticAging}]`.
 * - `productKeyEn` joins option names with "-", `variantKey` joins values with "-" (values
 *   may contain "-": "2-3Y", "100-110cm", "T-Shirt") or is a JSON array string (`json_keys`).
 * - Points since 2026-06-01: 50,000 a day per account; listV2 50, query/variant/stock 10;
 *   past the budget error 1600201.
 * - Webhooks: `POST /webhook/set`, `/webhook/product/subscribe` and `/unsubscribe`
 *   `{productIds}` (≤ 100); recorded for the tests (control `requests` → `webhook_sets`,
 *   `subscribed`). The account's `openId` is the HMAC key of the `sign` header.
 *
 * State is per account (api_key):
 *   POST /__control/accounts  {api_key, qps?, access_ttl_seconds?}   register (and reset)
 *   POST /__control/products  {api_key, pid, price?, stock?, missing?, title?, warehouses?, product_key?, variant_keys?, json_keys?}
 *   POST /__control/points    {api_key, limit?, used?}   CJ's daily points budget (default 50,000)
 *   POST /__control/fail      {api_key, mode: rate_limit|http_429|server_error|garbage|delay, times?, delay_ms?}
 *   POST /__control/revoke-tokens {api_key}   server-side invalidation of issued access tokens
 *   GET  /__control/requests?api_key=…  → {count, requests, token_calls, refresh_calls, qps_violations}
 */

const PREFIX = '/api2.0/v1';

interface ProductOverride {
  price?: number;
  stock?: number;
  missing?: boolean;
  title?: string;
  /** Warehouse countries the product's variants are stocked in (CJ's countryCode). */
  warehouses?: string[];
  /** productKeyEn and one variantKey per variant (overrides the Color × Size grid). */
  productKey?: string;
  variantKeys?: string[];
  /** variantKey as a JSON array string (CJ sends this form for some products). */
  jsonKeys?: boolean;
}

/** Points per call (CJ's points page). */
const POINTS: Record<string, number> = { '/product/listV2': 50, '/product/list': 50, '/product/query': 10, '/product/variant/query': 10, '/product/stock/getInventoryByPid': 10 };

interface Account {
  qps: number;
  accessTtlMs: number;
  lastTokenCallAt: number;
  lastRequestAt: number;
  products: Map<string, ProductOverride>;
  failures: { mode: string; times: number; delayMs: number }[];
  requests: { path: string; query: Record<string, string>; at: number }[];
  tokenCalls: number;
  refreshCalls: number;
  qpsViolations: number;
  pointsLimit: number;
  pointsUsed: number;
  webhookSets: unknown[];
  subscribed: Set<string>;
  subscribeCalls: { action: 'subscribe' | 'unsubscribe'; productIds: string[] }[];
}

const accounts = new Map<string, Account>();
const accessTokens = new Map<string, { apiKey: string; expiresAt: number }>();
const refreshTokens = new Map<string, { apiKey: string; expiresAt: number }>();

const requestId = () => randomBytes(8).toString('hex');
const ok = (data: unknown): FakeResponse => ({ body: { code: 200, result: true, message: 'Success', data, requestId: requestId() } });
const fail = (code: number, message: string, status = 200): FakeResponse => ({ status, body: { code, result: false, message, data: null, requestId: requestId() } });

/** CJ writes dates with a +08:00 offset. */
const cjDate = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, '+08:00');

function issueTokens(apiKey: string, account: Account) {
  const now = Date.now();
  const accessToken = `API@CJ${randomBytes(12).toString('hex')}`;
  const refreshToken = `REF@CJ${randomBytes(12).toString('hex')}`;
  accessTokens.set(accessToken, { apiKey, expiresAt: now + account.accessTtlMs });
  refreshTokens.set(refreshToken, { apiKey, expiresAt: now + 180 * 86_400_000 });
  return {
    openId: fakeHash(apiKey),
    accessToken,
    accessTokenExpiryDate: cjDate(now + account.accessTtlMs),
    refreshToken,
    refreshTokenExpiryDate: cjDate(now + 180 * 86_400_000),
    createDate: cjDate(now),
  };
}

/** The fake's catalogue: stable per pid, changed by /__control/products. */
export function fakeCjProduct(pid: string, override: ProductOverride = {}, countryCode?: string) {
  const h = fakeHash(pid);
  const base = override.price ?? Math.round((3 + (h % 3000) / 100) * 100) / 100;
  const warehouses = override.warehouses ?? ['CN', 'US'];
  const keys = override.variantKeys ?? ['Black', 'White'].flatMap((color) => ['S', 'M'].map((size) => `${color}-${size}`));
  const allVariants = keys.map((key, i) => {
    const ci = Math.floor(i / 2);
    const si = i % 2;
    return {
      vid: `${pid}-V${ci}${si}`,
      pid,
      variantNameEn: key.replace(/-/g, ' '),
      variantSku: `CJ${pid.slice(-5)}${i}`,
      variantKey: override.jsonKeys ? JSON.stringify(key.split('|')) : key.replace(/\|/g, '-'),
      variantSellPrice: Math.round((base + ci * 0.4 + si * 0.6) * 100) / 100,
      variantImage: `https://cf.cjdropshipping.com/fake/${pid}-${ci}.jpg`,
      variantWeight: 120,
    };
  });
  // countryCode filters by warehouse: only variants stocked there (INTEGRATIONS §3e).
  const variants = countryCode && !warehouses.includes(countryCode.toUpperCase()) ? [] : allVariants;
  const stockIn = (country: string, i: number) => (country === 'CN' ? (override.stock ?? 30 + i) : override.stock === undefined ? 20 : 0);
  return {
    product: {
      pid,
      productNameEn: override.title ?? `Fake CJ Product ${pid}`,
      productSku: `CJ${pid.slice(-5)}`,
      productImage: JSON.stringify([`https://cf.cjdropshipping.com/fake/${pid}-1.jpg`, `https://cf.cjdropshipping.com/fake/${pid}-2.jpg`]),
      productImageSet: [`https://cf.cjdropshipping.com/fake/${pid}-1.jpg`, `https://cf.cjdropshipping.com/fake/${pid}-2.jpg`],
      productWeight: '120',
      categoryName: 'Fake Category',
      description: `<p>Fake CJ description of ${pid}</p>`,
      productKeyEn: override.productKey ?? 'Color-Size',
      sellPrice: `${allVariants[0].variantSellPrice} -- ${allVariants[allVariants.length - 1].variantSellPrice}`,
      variants,
    },
    variants,
    warehouses,
    inventory: {
      inventories: warehouses.map((w, i) => ({ areaEn: `${w} Warehouse`, areaId: i + 1, countryCode: w, totalInventoryNum: allVariants.reduce((sum, _, j) => sum + stockIn(w, j), 0) })),
      variantInventories: allVariants.map((v, i) => ({
        vid: v.vid,
        inventory: warehouses.map((w) => ({ countryCode: w, totalInventory: stockIn(w, i), cjInventory: stockIn(w, i), factoryInventory: 0 })),
      })),
    },
  };
}

function listV2(keyWord: string, page: number, size: number, account: Account, countryCode?: string) {
  const total = 25 + (fakeHash(keyWord) % 40);
  const start = (page - 1) * size;
  const productList = Array.from({ length: Math.max(0, Math.min(size, total - start)) }, (_, i) => {
    const pid = `${1700000000000000000n + BigInt(fakeHash(`${keyWord}:${start + i}`))}`;
    const { product } = fakeCjProduct(pid, account.products.get(pid));
    return { id: pid, nameEn: `${keyWord} CJ result ${start + i + 1}`, sku: product.productSku, bigImage: product.productImageSet[0], sellPrice: product.sellPrice, nowPrice: null, listedNum: 10 + i, warehouseInventoryNum: 500 };
  });
  // countryCode: only products with stock in that warehouse (INTEGRATIONS §3e).
  const stocked = countryCode ? productList.filter((p) => fakeCjProduct(p.id, account.products.get(p.id)).warehouses.includes(countryCode.toUpperCase())) : productList;
  return { pageSize: size, pageNumber: page, totalRecords: total, totalPages: Math.ceil(total / size), content: [{ productList: stocked, relatedCategoryList: [], keyWord }] };
}

function api(req: FakeRequest): FakeResponse {
  const path = req.path.slice(PREFIX.length);
  const body = parseJson(req.body);
  const now = Date.now();

  if (path === '/authentication/getAccessToken') {
    if (req.method !== 'POST') return fail(1600101, 'Interface not found', 404);
    const apiKey = String(body.apiKey ?? '');
    const account = accounts.get(apiKey);
    if (!account) return fail(1600001, 'Invalid API key or access token');
    account.tokenCalls++;
    if (now - account.lastTokenCallAt < 300_000) return fail(1600200, 'Too Many Requests, this interface can be called once every 5 minutes');
    account.lastTokenCallAt = now;
    return ok(issueTokens(apiKey, account));
  }
  if (path === '/authentication/refreshAccessToken') {
    const found = refreshTokens.get(String(body.refreshToken ?? ''));
    const account = found && accounts.get(found.apiKey);
    if (!found || !account || found.expiresAt < now) return fail(1600003, 'Refresh token is failure');
    account.refreshCalls++;
    refreshTokens.delete(String(body.refreshToken));
    return ok(issueTokens(found.apiKey, account));
  }

  const token = req.headers['cj-access-token'];
  if (!token || typeof token !== 'string') return fail(1600002, 'CJ-Access-Token not found');
  const issued = accessTokens.get(token);
  const account = issued && accounts.get(issued.apiKey);
  if (!issued || !account || issued.expiresAt < now) return fail(1600001, 'Invalid API key or access token');

  const query = Object.fromEntries(req.query);
  account.requests.push({ path, query, at: now });
  const gap = now - account.lastRequestAt;
  account.lastRequestAt = now;
  if (gap < 1000 / account.qps - 50) {
    account.qpsViolations++;
    return fail(1600200, `Too Many Requests, QPS limit is ${account.qps} time/1second`);
  }

  const failure = account.failures[0];
  let delayMs = 0;
  if (failure) {
    if (--failure.times <= 0) account.failures.shift();
    if (failure.mode === 'rate_limit') return fail(1600200, 'Call exceeded limit');
    if (failure.mode === 'http_429') return { status: 429, body: { code: 1600200, result: false, message: 'Too Many Requests', data: null } };
    if (failure.mode === 'server_error') return { status: 502, raw: '<html>Bad Gateway</html>' };
    if (failure.mode === 'garbage') return { status: 200, raw: '<html>maintenance</html>' };
    if (failure.mode === 'delay') delayMs = failure.delayMs;
  }

  const cost = POINTS[path] ?? 0;
  if (cost) {
    if (account.pointsUsed + cost > account.pointsLimit) return fail(1600201, 'Your points for today are used up');
    account.pointsUsed += cost;
  }

  const pid = query.pid ?? '';
  const override = account.products.get(pid) ?? {};
  let out: FakeResponse;
  switch (path) {
    case '/product/listV2': {
      const page = Number(query.page ?? 1);
      const size = Number(query.size ?? 20);
      if (!query.keyWord || !(page >= 1 && page <= 1000) || !(size >= 1 && size <= 100)) out = fail(1600100, 'Param error');
      else out = ok(listV2(query.keyWord, page, size, account, query.countryCode));
      break;
    }
    case '/product/query':
    case '/product/variant/query':
    case '/product/stock/getInventoryByPid': {
      if (!pid) out = fail(1600100, 'Param error');
      else if (override.missing) out = fail(1602001, 'Product not found');
      else {
        const p = fakeCjProduct(pid, override, path === '/product/stock/getInventoryByPid' ? undefined : query.countryCode);
        out = ok(path === '/product/query' ? p.product : path === '/product/variant/query' ? p.variants : p.inventory);
      }
      break;
    }
    case '/logistic/freightCalculate': {
      const start = String(body.startCountryCode ?? '');
      const end = String(body.endCountryCode ?? '');
      const products = Array.isArray(body.products) ? body.products : [];
      if (req.method !== 'POST' || !/^[A-Z]{2}$/.test(start) || !/^[A-Z]{2}$/.test(end) || !products.length) out = fail(1600100, 'Param error');
      else {
        // Cheaper and faster from a warehouse in the destination country.
        const local = start === end;
        const seed = fakeHash(`${start}>${end}`) % 300;
        out = ok([
          { logisticName: 'CJPacket Ordinary', logisticPrice: local ? 3.1 : Math.round((4 + seed / 100) * 100) / 100, logisticAging: local ? '3-5' : '7-12', totalPostageFee: null },
          { logisticName: 'DHL', logisticPrice: local ? 9.5 : 24.8, logisticAging: local ? '1-3' : '3-6', totalPostageFee: null },
        ]);
      }
      break;
    }
    case '/webhook/set': {
      if (req.method !== 'POST') out = fail(1600101, 'Interface not found', 404);
      else {
        account.webhookSets.push(body);
        out = ok(true);
      }
      break;
    }
    case '/webhook/product/subscribe':
    case '/webhook/product/unsubscribe': {
      const ids = Array.isArray(body.productIds) ? body.productIds.map(String) : [];
      if (req.method !== 'POST' || !ids.length || ids.length > 100) out = fail(1600100, 'Param error');
      else {
        const action = path.endsWith('/unsubscribe') ? 'unsubscribe' : 'subscribe';
        account.subscribeCalls.push({ action, productIds: ids });
        for (const id of ids) if (action === 'subscribe') account.subscribed.add(id);
        else account.subscribed.delete(id);
        out = ok(true);
      }
      break;
    }
    default:
      out = fail(1600101, 'Interface not found', 404);
  }
  return { ...out, delayMs };
}

function control(req: FakeRequest): FakeResponse {
  const body = parseJson(req.body);
  const apiKey = String(body.api_key ?? req.query.get('api_key') ?? '');
  if (req.path === '/__control/accounts') {
    accounts.set(apiKey, {
      qps: Number(body.qps ?? 1),
      accessTtlMs: Number(body.access_ttl_seconds ?? 15 * 86_400) * 1000,
      lastTokenCallAt: 0,
      lastRequestAt: 0,
      products: new Map(),
      failures: [],
      requests: [],
      tokenCalls: 0,
      refreshCalls: 0,
      qpsViolations: 0,
      pointsLimit: 50_000,
      pointsUsed: 0,
      webhookSets: [],
      subscribed: new Set(),
      subscribeCalls: [],
    });
    return { body: { ok: true } };
  }
  const account = accounts.get(apiKey);
  if (!account) return { status: 404, body: { error: `unknown account ${apiKey}` } };
  switch (req.path) {
    case '/__control/products': {
      const pid = String(body.pid);
      const override: ProductOverride = { ...account.products.get(pid) };
      if (typeof body.price === 'number') override.price = body.price;
      if (typeof body.stock === 'number') override.stock = body.stock;
      if (typeof body.missing === 'boolean') override.missing = body.missing;
      if (typeof body.title === 'string') override.title = body.title;
      if (Array.isArray(body.warehouses)) override.warehouses = body.warehouses.map(String);
      if (typeof body.product_key === 'string') override.productKey = body.product_key;
      if (Array.isArray(body.variant_keys)) override.variantKeys = body.variant_keys.map(String);
      if (typeof body.json_keys === 'boolean') override.jsonKeys = body.json_keys;
      account.products.set(pid, override);
      return { body: { ok: true } };
    }
    case '/__control/points':
      if (typeof body.limit === 'number') account.pointsLimit = body.limit;
      if (typeof body.used === 'number') account.pointsUsed = body.used;
      return { body: { ok: true } };
    case '/__control/fail':
      account.failures.push({ mode: String(body.mode), times: Number(body.times ?? 1), delayMs: Number(body.delay_ms ?? 0) });
      return { body: { ok: true } };
    case '/__control/revoke-tokens':
      for (const [t, v] of accessTokens) if (v.apiKey === apiKey) accessTokens.delete(t);
      return { body: { ok: true } };
    case '/__control/requests':
      return {
        body: {
          count: account.requests.length,
          requests: account.requests,
          token_calls: account.tokenCalls,
          refresh_calls: account.refreshCalls,
          qps_violations: account.qpsViolations,
          points_used: account.pointsUsed,
          open_id: fakeHash(apiKey),
          webhook_sets: account.webhookSets,
          subscribed: [...account.subscribed].sort(),
          subscribe_calls: account.subscribeCalls,
        },
      };
    default:
      return { status: 404, body: { error: 'unknown control path' } };
  }
}

export async function startCjFake(): Promise<StartedFake> {
  const server = await startJsonServer((req) => {
    if (req.path.startsWith('/__control/')) return control(req);
    if (req.path.startsWith(PREFIX)) return api(req);
    return { status: 404, body: { error: 'not found' } };
  });
  return { bindings: { CJ_API_BASE: `${server.origin}${PREFIX}` }, stop: server.stop };
}

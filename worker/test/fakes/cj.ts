import { randomBytes } from 'node:crypto';
import type { StartedFake } from './index';
import { fakeHash, parseJson, startJsonServer, type FakeRequest, type FakeResponse } from './server';

/**
 * Fake CJ Dropshipping API 2.0 under /api2.0/v1: token issue and refresh (getAccessToken
 * at most once per 5 minutes per account), the CJ-Access-Token header, the
 * {code, result, message, data, requestId} envelope with CJ's error codes, and the
 * per-account request rate (1 request/s unless the account is registered with more).
 *
 * State is per account (api_key):
 *   POST /__control/accounts  {api_key, qps?, access_ttl_seconds?}   register (and reset)
 *   POST /__control/products  {api_key, pid, price?, stock?, missing?, title?}
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
}

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
export function fakeCjProduct(pid: string, override: ProductOverride = {}) {
  const h = fakeHash(pid);
  const base = override.price ?? Math.round((3 + (h % 3000) / 100) * 100) / 100;
  const variants = ['Black', 'White'].flatMap((color, ci) =>
    ['S', 'M'].map((size, si) => ({
      vid: `${pid}-V${ci}${si}`,
      pid,
      variantNameEn: `${color} ${size}`,
      variantSku: `CJ${pid.slice(-5)}${color[0]}${size}`,
      variantKey: `${color}-${size}`,
      variantSellPrice: Math.round((base + ci * 0.4 + si * 0.6) * 100) / 100,
      variantImage: `https://cf.cjdropshipping.com/fake/${pid}-${color}.jpg`,
      variantWeight: 120,
    })),
  );
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
      productKeyEn: 'Color-Size',
      sellPrice: `${variants[0].variantSellPrice} -- ${variants[variants.length - 1].variantSellPrice}`,
      variants,
    },
    variants,
    inventory: {
      inventories: [{ areaEn: 'China Warehouse', areaId: 1, countryCode: 'CN', totalInventoryNum: variants.length * (override.stock ?? 50) }],
      variantInventories: variants.map((v, i) => ({
        vid: v.vid,
        inventory: [
          { countryCode: 'CN', totalInventory: override.stock ?? 30 + i, cjInventory: override.stock ?? 30 + i, factoryInventory: 0 },
          { countryCode: 'US', totalInventory: override.stock === undefined ? 20 : 0, cjInventory: 0, factoryInventory: 0 },
        ],
      })),
    },
  };
}

function listV2(keyWord: string, page: number, size: number) {
  const total = 25 + (fakeHash(keyWord) % 40);
  const start = (page - 1) * size;
  const productList = Array.from({ length: Math.max(0, Math.min(size, total - start)) }, (_, i) => {
    const pid = `${1700000000000000000n + BigInt(fakeHash(`${keyWord}:${start + i}`))}`;
    const { product } = fakeCjProduct(pid);
    return { id: pid, nameEn: `${keyWord} CJ result ${start + i + 1}`, sku: product.productSku, bigImage: product.productImageSet[0], sellPrice: product.sellPrice, nowPrice: null, listedNum: 10 + i, warehouseInventoryNum: 500 };
  });
  return { pageSize: size, pageNumber: page, totalRecords: total, totalPages: Math.ceil(total / size), content: [{ productList, relatedCategoryList: [], keyWord }] };
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

  const pid = query.pid ?? '';
  const override = account.products.get(pid) ?? {};
  let out: FakeResponse;
  switch (path) {
    case '/product/listV2': {
      const page = Number(query.page ?? 1);
      const size = Number(query.size ?? 20);
      if (!query.keyWord || !(page >= 1 && page <= 1000) || !(size >= 1 && size <= 100)) out = fail(1600100, 'Param error');
      else out = ok(listV2(query.keyWord, page, size));
      break;
    }
    case '/product/query':
    case '/product/variant/query':
    case '/product/stock/getInventoryByPid': {
      if (!pid) out = fail(1600100, 'Param error');
      else if (override.missing) out = fail(1602001, 'Product not found');
      else {
        const p = fakeCjProduct(pid, override);
        out = ok(path === '/product/query' ? p.product : path === '/product/variant/query' ? p.variants : p.inventory);
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
      account.products.set(pid, override);
      return { body: { ok: true } };
    }
    case '/__control/fail':
      account.failures.push({ mode: String(body.mode), times: Number(body.times ?? 1), delayMs: Number(body.delay_ms ?? 0) });
      return { body: { ok: true } };
    case '/__control/revoke-tokens':
      for (const [t, v] of accessTokens) if (v.apiKey === apiKey) accessTokens.delete(t);
      return { body: { ok: true } };
    case '/__control/requests':
      return {
        body: { count: account.requests.length, requests: account.requests, token_calls: account.tokenCalls, refresh_calls: account.refreshCalls, qps_violations: account.qpsViolations },
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

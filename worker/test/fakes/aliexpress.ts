import { createHmac } from 'node:crypto';
import type { StartedFake } from './index';
import { fakeHash, parseJson, startJsonServer, type FakeRequest, type FakeResponse } from './server';

/**
 * Fake AliExpress Open Platform (DS) gateway: POST /sync, form-encoded, HMAC-SHA256
 * signed exactly as documented (params sorted by name, key+value concatenated, uppercase
 * hex; business methods signed without a path prefix). Answers the wrapped shape
 * (simplify=false) or the simplified one (simplify=true), and `error_response` on failure.
 *
 * State is per app (app_key), so parallel test files use their own apps:
 *   POST /__control/apps      {app_key, app_secret, access_token}   register (and reset) an app
 *   POST /__control/products  {app_key, product_id, price?, stock?, missing?, title?, priceless_skus?, currency?}
 *        priceless_skus: the first n SKUs come without offer_sale_price and sku_price (both are
 *        optional String fields of ae_item_sku_info_dto in the DS API's published response of
 *        aliexpress.ds.product.get); currency: the currency_code the SKUs and base info carry
 *        (the API answers in the requested target_currency, so a changed account setting
 *        changes it; the fake keeps the numbers, only the code changes)
 *   POST /__control/fail      {app_key, mode: rate_limit|server_error|garbage|delay|not_found, times?, delay_ms?}
 *   GET  /__control/requests?app_key=…   → {count, requests: [{method, params, at}]}
 */

interface ProductOverride {
  price?: number;
  pricelessSkus?: number;
  currency?: string;
  stock?: number;
  missing?: boolean;
  title?: string;
}

interface App {
  secret: string;
  accessToken: string;
  products: Map<string, ProductOverride>;
  failures: { mode: string; times: number; delayMs: number }[];
  requests: { method: string; params: Record<string, string>; at: number }[];
}

const apps = new Map<string, App>();
const requestId = () => Math.random().toString(36).slice(2, 14);

function sign(params: Record<string, string>, secret: string): string {
  const base = Object.keys(params)
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
  if ((params.access_token ?? params.session) !== app.accessToken) {
    return errorResponse('IllegalAccessToken', 'The specified access token is invalid or expired');
  }

  const failure = app.failures[0];
  if (failure) {
    if (--failure.times <= 0) app.failures.shift();
    if (failure.mode === 'rate_limit') return errorResponse('ApiCallLimit', 'App Call Limited', 'ISP', 'This ban will last for 1 more seconds');
    if (failure.mode === 'server_error') return { status: 503, raw: '<html>Service Unavailable</html>' };
    if (failure.mode === 'garbage') return { status: 200, raw: '<html>gateway</html>' };
    if (failure.mode === 'delay') return { ...answer(params, app), delayMs: failure.delayMs };
  }
  return answer(params, app);
}

function answer(params: Record<string, string>, app: App): FakeResponse {
  const simplified = params.simplify === 'true';
  if (params.method === 'aliexpress.ds.product.get') {
    if (!params.product_id || !params.ship_to_country) return errorResponse('MissingParameter', 'product_id and ship_to_country are required');
    const override = app.products.get(params.product_id) ?? {};
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
    apps.set(appKey, { secret: String(body.app_secret), accessToken: String(body.access_token), products: new Map(), failures: [], requests: [] });
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
      if (typeof body.priceless_skus === 'number') override.pricelessSkus = body.priceless_skus;
      if (typeof body.currency === 'string') override.currency = body.currency;
      app.products.set(id, override);
      return { body: { ok: true } };
    }
    case '/__control/fail':
      app.failures.push({ mode: String(body.mode), times: Number(body.times ?? 1), delayMs: Number(body.delay_ms ?? 0) });
      return { body: { ok: true } };
    case '/__control/requests':
      return { body: { count: app.requests.length, requests: app.requests } };
    default:
      return { status: 404, body: { error: 'unknown control path' } };
  }
}

export async function startAliExpressFake(): Promise<StartedFake> {
  const server = await startJsonServer((req) => {
    if (req.path.startsWith('/__control/')) return control(req);
    if (req.path === '/sync') return handleSync(req);
    return { status: 404, body: { error: 'not found' } };
  });
  return { bindings: { ALIEXPRESS_API_BASE: server.origin }, stop: server.stop };
}

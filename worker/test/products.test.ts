import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import app from '../app';
import { sha256Hex } from '../lib/encoding';
import { answer, api, rawCall, registerUser, userWithKey } from './helpers';
import { connectAliExpress, connectCj } from './supplier-helpers';

const search = (token: string, query: string) => rawCall(`/products/search?${query}`, { token });
const preview = (token: string, url: string) => answer(api({ token }).products.preview.$post({ json: { url } }));

/** Calls the app with some bindings changed (e.g. DEMO_CATALOGUE off, a short timeout). */
async function callWith(overrides: Partial<Env>, path: string, init: { token: string; body?: unknown }) {
  const ctx = createExecutionContext();
  const req = new Request(`http://sourcepilot.test/api/v1${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${init.token}`, 'Content-Type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const res = await app.fetch(req, { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return { status: res.status, json: (await res.json()) as any };
}

const PREVIEW_KEYS = ['currency', 'images', 'mode', 'order_count', 'price', 'rating', 'shipping_info', 'skus', 'source', 'source_product_id', 'source_url', 'supplier_name', 'title', 'variants'];
const ITEM_KEYS = ['currency', 'images', 'mode', 'order_count', 'price', 'rating', 'shipping_cost', 'shipping_days', 'source', 'source_product_id', 'source_url', 'supplier_name', 'title', 'variants_summary'];

describe('GET /products/search (demo catalogue)', () => {
  it('answers deterministic demo results with the real total and pages through them', async () => {
    const user = await registerUser();
    const first = await search(user.token, 'q=wireless%20earbuds&page_size=10');
    expect(first.status).toBe(200);
    expect(first.roundTrips).toBeLessThanOrEqual(2);
    expect(Object.keys(first.json).sort()).toEqual(['page', 'page_size', 'products', 'source', 'total']);
    expect(first.json).toMatchObject({ page: 1, page_size: 10, source: 'aliexpress' });
    expect(first.json.total).toBeGreaterThanOrEqual(15);
    expect(first.json.total).toBeLessThanOrEqual(30);
    expect(first.json.products).toHaveLength(10);
    const item = first.json.products[0];
    expect(Object.keys(item).sort()).toEqual(ITEM_KEYS);
    expect(item).toMatchObject({ mode: 'demo', source: 'aliexpress', currency: 'USD', variants_summary: [] });
    expect(item.title).toMatch(/Wireless Earbuds/);
    expect(item.price).toBeGreaterThan(0);
    expect(item.images[0]).toMatch(/^data:image\/svg\+xml/);
    expect(item.source_url).toBe(`https://www.aliexpress.com/item/${item.source_product_id}.html`);

    // Same query, same answer (another user too); page 2 continues without repeats.
    const again = await search((await registerUser()).token, 'q=wireless%20earbuds&page_size=10');
    expect(again.json).toEqual(first.json);
    const second = await search(user.token, 'q=wireless%20earbuds&page_size=10&page=2');
    const ids = new Set(first.json.products.map((p: any) => p.source_product_id));
    expect(second.json.products.length).toBeGreaterThan(0);
    expect(second.json.products.every((p: any) => !ids.has(p.source_product_id))).toBe(true);

    const lastPage = Math.ceil(first.json.total / 10);
    const last = await search(user.token, `q=wireless%20earbuds&page_size=10&page=${lastPage}`);
    expect(last.json.products).toHaveLength(first.json.total - (lastPage - 1) * 10);
    const beyond = await search(user.token, `q=wireless%20earbuds&page_size=10&page=${lastPage + 1}`);
    expect(beyond.json).toMatchObject({ products: [], total: first.json.total, page: lastPage + 1 });
  });

  it('accepts cjdropshipping as an alias and answers cjdropship; other sources get the contract’s 400', async () => {
    const user = await registerUser();
    const cj = await search(user.token, 'q=yoga%20mat&source=cjdropshipping');
    expect(cj.status).toBe(200);
    expect(cj.json.source).toBe('cjdropship');
    expect(cj.json.products.every((p: any) => p.source === 'cjdropship' && p.mode === 'demo')).toBe(true);
    const spocket = await search(user.token, 'q=yoga%20mat&source=spocket');
    expect(spocket.json.products[0]).toMatchObject({ source: 'spocket', mode: 'demo' });
    const manual = await search(user.token, 'q=anything&source=manual');
    expect(manual.json).toEqual({ products: [], total: 0, page: 1, page_size: 20, source: 'manual' });
    for (const bad of ['1688', 'amazon', 'AliExpress']) {
      const r = await search(user.token, `q=x&source=${bad}`);
      expect(r.status).toBe(400);
      expect(r.json).toEqual({ detail: `Invalid source '${bad}'. Valid sources: aliexpress, cjdropship, manual, spocket` });
    }
  });

  it('validates q, page and page_size with 422s, after authentication', async () => {
    const user = await registerUser();
    const cases: [string, string, string][] = [
      ['', 'q', 'missing'],
      ['q=', 'q', 'string_too_short'],
      ['q=%20%20', 'q', 'string_too_short'],
      [`q=${'a'.repeat(501)}`, 'q', 'string_too_long'],
      ['q=x&page=0', 'page', 'greater_than_equal'],
      ['q=x&page=abc', 'page', 'float_parsing'],
      ['q=x&page_size=0', 'page_size', 'greater_than_equal'],
      ['q=x&page_size=101', 'page_size', 'less_than_equal'],
    ];
    for (const [query, field, type] of cases) {
      const r = await search(user.token, query);
      expect(r.status, query).toBe(422);
      expect(r.json.detail[0]).toMatchObject({ type, loc: ['query', field] });
    }
    expect((await search(user.token, `q=${'a'.repeat(500)}&page_size=100`)).status).toBe(200);
    const anon = await rawCall('/products/search?page_size=0');
    expect(anon.status).toBe(401);
  });

  it('accepts an API key with the read scope', async () => {
    const keyed = await userWithKey(['read']);
    const r = await answer(api({ apiKey: keyed.apiKey }).products.search.$get({ query: { q: 'lamp' } }));
    expect(r.status).toBe(200);
    expect(r.json.products.length).toBeGreaterThan(0);
  });
});

describe('POST /products/preview (demo catalogue)', () => {
  it('returns the same body for the same URL, matching the search hit it came from', async () => {
    const user = await registerUser();
    const hit = (await search(user.token, 'q=smart%20watch&page_size=1')).json.products[0];
    const url = hit.source_url;
    const a = await preview(user.token, url);
    expect(a.status).toBe(200);
    expect(a.roundTrips).toBeLessThanOrEqual(2);
    expect(Object.keys(a.json).sort()).toEqual(PREVIEW_KEYS);
    expect(a.json).toMatchObject({ mode: 'demo', source: 'aliexpress', source_url: url, source_product_id: hit.source_product_id, title: hit.title, price: hit.price });
    expect(a.json.variants.length).toBeGreaterThan(0);
    expect(a.json.variants[0]).toEqual({ name: expect.any(String), options: expect.any(Array) });
    expect(a.json.shipping_info).toEqual({ cost: expect.any(Number), estimated_days: expect.any(Number) });
    const sku = a.json.skus[0];
    expect(sku).toEqual({ key: expect.stringMatching(/^demo-/), sku: expect.any(String), options: expect.any(Object), price: expect.any(Number), compare_at: expect.any(Number), stock: expect.any(Number), image: expect.toSatisfy((v: unknown) => v === null || typeof v === 'string') });
    const b = await preview(user.token, url);
    expect(b.json).toEqual(a.json);
  });

  it('answers CJ and Spocket URLs from the demo catalogue too', async () => {
    const user = await registerUser();
    const cj = await preview(user.token, 'https://cjdropshipping.com/product/led-strip-p-1392003123456789012.html');
    expect(cj.json).toMatchObject({ source: 'cjdropship', source_product_id: '1392003123456789012', mode: 'demo' });
    expect(cj.json.title).toMatch(/LED Strip Lights/);
    const sp = await preview(user.token, 'https://www.spocket.co/product/organic-cotton-tee');
    expect(sp.json).toMatchObject({ source: 'spocket', source_product_id: 'organic-cotton-tee', mode: 'demo' });
  });

  it('answers bad URLs with the contract’s 400s and bad bodies with 422', async () => {
    const user = await registerUser();
    const cases: [string, string][] = [
      ['ftp://www.aliexpress.com/item/1.html', 'Invalid URL: must start with http:// or https://'],
      ['www.aliexpress.com/item/1.html', 'Invalid URL: must start with http:// or https://'],
      ['https://detail.1688.com/offer/6543.html', 'Unsupported supplier URL'],
      ['https://example.com/item/1.html', 'Unsupported supplier URL'],
      ['https://www.aliexpress.com/category/100.html', 'Could not find a product id in the URL'],
    ];
    for (const [url, detail] of cases) {
      const r = await preview(user.token, url);
      expect(r.status, url).toBe(400);
      expect(r.json).toEqual({ detail });
    }
    const legacy = await rawCall('/products/preview', { token: user.token, body: { source_url: 'https://www.aliexpress.com/item/1.html' } });
    expect(legacy.status).toBe(422);
    expect(legacy.json.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'url'] });
    const long = await preview(user.token, `https://www.aliexpress.com/item/1.html?${'x'.repeat(2000)}`);
    expect(long.status).toBe(422);
    expect(long.json.detail[0]).toMatchObject({ type: 'string_too_long', loc: ['body', 'url'] });
    expect((await rawCall('/products/preview', { body: { url: 5 } })).status).toBe(401);
  });

  it('with DEMO_CATALOGUE off and no account asks for a supplier account; Spocket says it has no API', async () => {
    const user = await registerUser();
    const off = { DEMO_CATALOGUE: 'off' };
    const ae = await callWith(off, '/products/preview', { token: user.token, body: { url: 'https://www.aliexpress.com/item/1005001.html' } });
    expect(ae).toEqual({ status: 400, json: { detail: 'Connect a aliexpress supplier account first' } });
    const cj = await callWith(off, '/products/search?q=lamp&source=cjdropship', { token: user.token });
    expect(cj).toEqual({ status: 400, json: { detail: 'Connect a cjdropshipping supplier account first' } });
    const sp = await callWith(off, '/products/preview', { token: user.token, body: { url: 'https://spocket.co/product/abc' } });
    expect(sp.status).toBe(400);
    expect(sp.json.detail).toMatch(/^Spocket has no public API/);
  });
});

describe('live AliExpress (fake Open Platform)', () => {
  it('signs searches, normalises the wrapped shape and marks results live', async () => {
    const user = await registerUser();
    const ae = await connectAliExpress(user.id, { ship_to_country: 'DE', target_currency: 'EUR' });
    const r = await search(user.token, 'q=desk%20lamp&page=2&page_size=5');
    expect(r.status).toBe(200);
    // Auth, the supplier account, and the daily supplier-call cap (suppliers/quota.ts).
    expect(r.roundTrips).toBeLessThanOrEqual(3);
    expect(r.json.total).toBeGreaterThanOrEqual(20);
    expect(r.json.products).toHaveLength(5);
    expect(r.json.products[0]).toMatchObject({ mode: 'live', source: 'aliexpress', title: 'desk lamp result 6', rating: 4.6, order_count: 1000 });
    expect(r.json.products[0].source_url).toMatch(/^https:\/\/www\.aliexpress\.com\/item\/\d+\.html$/);
    expect(r.json.products[0].images[0]).toMatch(/^https:\/\/ae01\.alicdn\.com\//);
    const sent = (await ae.requests()).requests;
    expect(sent).toHaveLength(1);
    expect(sent[0].params).toMatchObject({
      method: 'aliexpress.ds.text.search',
      app_key: ae.app_key,
      sign_method: 'sha256',
      access_token: ae.access_token,
      keyWord: 'desk lamp',
      pageIndex: '2',
      pageSize: '5',
      countryCode: 'DE',
      currency: 'EUR',
    });
  });

  it('previews a product, caches it in KV for 24 h and answers the second preview without calling AliExpress', async () => {
    const user = await registerUser();
    const ae = await connectAliExpress(user.id);
    const url = 'https://www.aliexpress.com/item/1005006000000001.html';
    const first = await preview(user.token, url);
    expect(first.status).toBe(200);
    // A cache miss also admits the supplier call against the daily cap (suppliers/quota.ts).
    expect(first.roundTrips).toBeLessThanOrEqual(3);
    expect(first.json).toMatchObject({
      mode: 'live',
      source: 'aliexpress',
      source_product_id: '1005006000000001',
      source_url: url,
      title: 'Fake AliExpress Product 1005006000000001',
      supplier_name: expect.stringMatching(/^Fake Store/),
      rating: 4.7,
      currency: 'USD',
      shipping_info: null,
      variants: [
        { name: 'Color', options: ['Black', 'White'] },
        { name: 'Size', options: ['S', 'M', 'L'] },
      ],
    });
    expect(first.json.images).toEqual(['https://ae01.alicdn.com/kf/fake-1005006000000001-1.jpg', 'https://ae01.alicdn.com/kf/fake-1005006000000001-2.jpg']);
    expect(first.json.skus).toHaveLength(6);
    expect(first.json.skus[0]).toMatchObject({ key: '14:193#Black;5:100014064', options: { Color: 'Black', Size: 'S' }, image: expect.stringContaining('Black') });
    expect(first.json.skus[0].compare_at).toBeCloseTo(first.json.skus[0].price * 1.5, 1);
    expect(first.json.price).toBe(Math.min(...first.json.skus.map((s: any) => s.price)));
    const afterFirst = await ae.requests();
    expect(afterFirst.requests.map((r) => r.method)).toEqual(['aliexpress.ds.product.get']);
    expect(afterFirst.requests[0].params).toMatchObject({ product_id: '1005006000000001', ship_to_country: 'US', target_currency: 'USD', simplify: 'false' });

    // A price change at the supplier is not seen while the cached preview lives.
    await ae.control('products', { product_id: '1005006000000001', price: 99 });
    const second = await preview(user.token, 'https://m.aliexpress.com/item/1005006000000001.html');
    expect(second.status).toBe(200);
    expect((await ae.requests()).count).toBe(1);
    expect({ ...second.json, source_url: url }).toEqual(first.json);
    expect(second.json.source_url).toBe('https://m.aliexpress.com/item/1005006000000001.html');
  });

  it('keeps live and demo cache entries apart', async () => {
    const user = await registerUser();
    const url = 'https://www.aliexpress.com/item/1005006000000002.html';
    const demo = await preview(user.token, url);
    expect(demo.json.mode).toBe('demo');
    const ae = await connectAliExpress(user.id);
    const live = await preview(user.token, url);
    expect(live.json.mode).toBe('live');
    expect(live.json.title).toBe('Fake AliExpress Product 1005006000000002');
    expect((await ae.requests()).count).toBe(1);
  });

  it('normalises the simplified response shape the same way', async () => {
    const user = await registerUser();
    const ae = await connectAliExpress(user.id, { simplify: true });
    const r = await preview(user.token, 'https://www.aliexpress.com/item/1005006000000003.html');
    expect(r.status).toBe(200);
    expect((await ae.requests()).requests[0].params.simplify).toBe('true');
    expect(r.json.variants).toEqual([
      { name: 'Color', options: ['Black', 'White'] },
      { name: 'Size', options: ['S', 'M', 'L'] },
    ]);
    expect(r.json.skus).toHaveLength(6);
    const s = await search(user.token, 'q=mug&page_size=3');
    expect(s.json.products).toHaveLength(3);
  });

  it('maps AliExpress errors to readable 404/502 answers, never a 500', async () => {
    const user = await registerUser();
    const ae = await connectAliExpress(user.id);
    await ae.control('products', { product_id: '1005006000000004', missing: true });
    const missing = await preview(user.token, 'https://www.aliexpress.com/item/1005006000000004.html');
    expect(missing.status).toBe(404);
    expect(missing.json.detail).toMatch(/^AliExpress has no such product available/);

    await ae.control('fail', { mode: 'rate_limit' });
    const limited = await search(user.token, 'q=lamp');
    expect(limited.status).toBe(502);
    expect(limited.json.detail).toMatch(/AliExpress is busy or had a temporary error \(ApiCallLimit/);

    await ae.control('fail', { mode: 'server_error' });
    const down = await search(user.token, 'q=lamp');
    expect(down).toMatchObject({ status: 502, json: { detail: 'AliExpress is unavailable (HTTP 503)' } });

    await ae.control('fail', { mode: 'garbage' });
    const garbage = await search(user.token, 'q=lamp');
    expect(garbage).toMatchObject({ status: 502, json: { detail: 'AliExpress sent an unreadable response (HTTP 200)' } });
    // Failures are not cached: the product answers once AliExpress recovers.
    expect((await preview(user.token, 'https://www.aliexpress.com/item/1005006000000005.html')).status).toBe(200);
  });

  it('reports rejected credentials (bad signature or token) as a 502 naming the problem', async () => {
    const user = await registerUser();
    const ae = await connectAliExpress(user.id);
    // The fake now knows a different secret: every signature we send is wrong.
    await ae.control('apps', { app_secret: 'rotated-secret', access_token: ae.access_token });
    const r = await search(user.token, 'q=lamp');
    expect(r.status).toBe(502);
    expect(r.json.detail).toMatch(/AliExpress rejected the supplier account credentials \(IncompleteSignature/);
  });

  it('gives up after SUPPLIER_REQUEST_TIMEOUT_MS with a 502', async () => {
    const user = await registerUser();
    const ae = await connectAliExpress(user.id);
    await ae.control('fail', { mode: 'delay', delay_ms: 1500 });
    const r = await callWith({ SUPPLIER_REQUEST_TIMEOUT_MS: '300' }, '/products/preview', {
      token: user.token,
      body: { url: 'https://www.aliexpress.com/item/1005006000000006.html' },
    });
    expect(r).toEqual({ status: 502, json: { detail: 'AliExpress did not answer within 0.3 s' } });
  });

  it('ignores inactive accounts', async () => {
    const user = await registerUser();
    const ae = await connectAliExpress(user.id, {}, { isActive: false });
    const r = await search(user.token, 'q=lamp');
    expect(r.json.products[0].mode).toBe('demo');
    expect((await ae.requests()).count).toBe(0);
  });
});

describe('live CJ Dropshipping (fake API 2.0)', () => {
  it('gets a token once, caches it in KV and paces requests to the account’s rate', async () => {
    const user = await registerUser();
    const cj = await connectCj(user.id);
    const s = await search(user.token, 'q=phone%20case&source=cjdropshipping&page_size=4');
    expect(s.status).toBe(200);
    expect(s.json.source).toBe('cjdropship');
    expect(s.json.total).toBeGreaterThanOrEqual(25);
    expect(s.json.products).toHaveLength(4);
    expect(s.json.products[0]).toMatchObject({ mode: 'live', source: 'cjdropship', title: 'phone case CJ result 1', supplier_name: 'CJ Dropshipping' });
    const pid = s.json.products[0].source_product_id;

    // A merchant's click follows the search by more than the account's one-second budget.
    await new Promise((r) => setTimeout(r, 1000));
    const p = await preview(user.token, `https://cjdropshipping.com/product/phone-case-p-${pid}.html`);
    expect(p.status).toBe(200);
    expect(p.json).toMatchObject({
      mode: 'live',
      source: 'cjdropship',
      source_product_id: pid,
      title: `Fake CJ Product ${pid}`,
      variants: [
        { name: 'Color', options: ['Black', 'White'] },
        { name: 'Size', options: ['S', 'M'] },
      ],
    });
    expect(p.json.skus[0]).toMatchObject({ key: `${pid}-V00`, options: { Color: 'Black', Size: 'S' }, stock: 50 });
    expect(p.json.images).toHaveLength(2);

    const seen = await cj.requests();
    expect(seen.token_calls).toBe(1);
    expect(seen.qps_violations).toBe(0);
    expect(seen.requests.map((r) => r.path)).toEqual(['/product/listV2', '/product/query', '/product/variant/query', '/product/stock/getInventoryByPid']);
    // Requests of one invocation are at least a second apart (1 request/s by default).
    const gaps = seen.requests.slice(2).map((r, i) => r.at - seen.requests[i + 1].at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(950);

    // The cached preview makes no request at all.
    await preview(user.token, `https://www.cjdropshipping.com/product/x-p-${pid}.html`);
    expect((await cj.requests()).requests).toHaveLength(4);
  });

  it('renews a revoked token with the refresh token instead of asking for a new one', async () => {
    const user = await registerUser();
    const cj = await connectCj(user.id, { qps: 10 });
    expect((await search(user.token, 'q=mat&source=cjdropship')).status).toBe(200);
    await cj.control('revoke-tokens', {});
    const r = await search(user.token, 'q=mat&source=cjdropship&page=2');
    expect(r.status).toBe(200);
    const seen = await cj.requests();
    expect(seen.token_calls).toBe(1);
    expect(seen.refresh_calls).toBe(1);

    expect(seen.qps_violations).toBe(0);
  });

  it('does not ask CJ for a new token within 5 minutes of the last one, even when the cached token is lost', async () => {
    const user = await registerUser();
    const cj = await connectCj(user.id, { qps: 10 });
    expect((await search(user.token, 'q=mat&source=cjdropship')).status).toBe(200);
    await env.PREVIEW_CACHE.delete(`v1:cj-token:${(await sha256Hex(`cj:${cj.apiKey}`)).slice(0, 40)}`);
    const r = await search(user.token, 'q=mat&source=cjdropship&page=2');
    expect(r).toEqual({
      ...r,
      status: 502,
      json: { detail: 'CJ Dropshipping allows a new access token only once every 5 minutes; try again in a few minutes' },
    });
    expect((await cj.requests()).token_calls).toBe(1);
  });

  it('retries a request that collides with another invocation’s, after the pacing interval', async () => {
    const user = await registerUser();
    const cj = await connectCj(user.id);
    expect((await search(user.token, 'q=warm&source=cjdropship')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    const [a, b] = await Promise.all([search(user.token, 'q=lamp&source=cjdropship'), search(user.token, 'q=lamp&source=cjdropship&page=2')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const seen = await cj.requests();
    expect(seen.qps_violations).toBeGreaterThanOrEqual(1);
    expect(seen.token_calls).toBe(1);
  });

  it('shares one new token between invocations that start at the same moment', async () => {
    const user = await registerUser();
    const cj = await connectCj(user.id, { qps: 10 });
    const [a, b] = await Promise.all([search(user.token, 'q=cold&source=cjdropship'), search(user.token, 'q=cold&source=cjdropship&page=2')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    // Either the KV marker stopped the second call, or CJ refused it and the first token was shared.
    expect((await cj.requests()).token_calls).toBeLessThanOrEqual(2);
  });

  it('maps CJ errors: missing product 404, rate limits and outages 502', async () => {
    const user = await registerUser();
    const cj = await connectCj(user.id, { qps: 20 });
    await cj.control('products', { pid: 'GONE-1', missing: true });
    const gone = await preview(user.token, 'https://cjdropshipping.com/product-detail.html?pid=GONE-1');
    expect(gone.status).toBe(404);
    expect(gone.json.detail).toBe('CJ Dropshipping has no such product: Product not found');

    // Two retries inside the adapter absorb a brief throttle; a persistent one is a 502.
    await cj.control('fail', { mode: 'http_429', times: 3 });
    const throttled = await search(user.token, 'q=lamp&source=cjdropship');
    expect(throttled).toMatchObject({ status: 502, json: { detail: 'CJ Dropshipping is rate-limiting requests; try again in a moment' } });

    await cj.control('fail', { mode: 'rate_limit', times: 3 });
    const limited = await search(user.token, 'q=lamp&source=cjdropship');
    expect(limited.status).toBe(502);
    expect(limited.json.detail).toMatch(/^CJ Dropshipping is rate-limiting requests \(Call exceeded limit\)/);

    await cj.control('fail', { mode: 'server_error' });
    expect((await search(user.token, 'q=lamp&source=cjdropship')).json).toEqual({ detail: 'CJ Dropshipping is unavailable (HTTP 502)' });
  });

  it('reads accounts stored with the cjdropship platform spelling too', async () => {
    const user = await registerUser();
    const cj = await connectCj(user.id, { platform: 'cjdropship', qps: 10 });
    const r = await search(user.token, 'q=lamp&source=cjdropship');
    expect(r.json.products[0].mode).toBe('live');
    expect((await cj.requests()).count).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../shared/domain-errors';
import { jsonTooDeep, MAX_JSON_DEPTH, unacceptableInput } from '../lib/safe-text';
import { detectProductUrl } from '../shared/detect';
import { call, registerUser, userWithKey } from './helpers';

const item = () => `https://www.aliexpress.com/item/${Math.floor(1e15 + Math.random() * 9e15)}.html`;
const unstorable = { type: 'value_error', msg: 'Text must not contain NUL characters or unpaired surrogates' };

const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('text Postgres cannot store is a 422 naming where it is, on every route (issue 16)', () => {
  it('refuses NUL and unpaired surrogates in bodies the routes never checked (they were 500s)', async () => {
    const user = await userWithKey(['read', 'write'], 'enterprise');
    const cases: [string, string, unknown, (string | number)[]][] = [
      ['POST', '/imports', { product_url: `${item()}\u0000`, source: 'aliexpress' }, ['body', 'product_url']],
      ['POST', '/imports/bulk', { product_urls: [item(), `${item()}\ud800`], source: 'aliexpress' }, ['body', 'product_urls', 1]],
      ['POST', '/imports', { product_url: item(), source: 'aliexpress', config: { notes: { deep: ['ok', 'a\u0000'] } } }, ['body', 'config', 'notes', 'deep', 1]],
      ['POST', '/imports', { product_url: item(), source: 'aliexpress', config: { ['k\udc00']: 1 } }, ['body', 'config', 'k\udc00']],
      ['POST', '/price-watches', { product_url: `${item()}\ud800`, source: 'aliexpress' }, ['body', 'product_url']],
      ['POST', '/price-watches', { product_url: item(), source: 'ali\u0000express' }, ['body', 'source']],
      ['POST', '/api-keys', { name: 'a\u0000', scopes: ['read'] }, ['body', 'name']],
      ['POST', '/webhooks/product-scored', { product_url: item(), source: 'aliexpress', product_name: 'Lamp\u0000', score: 80, category: 'home' }, ['body', 'product_name']],
      ['POST', '/webhooks/product-scored', { product_url: item(), source: 'aliexpress', product_name: 'Lamp', score: 80, category: '\udfffhome' }, ['body', 'category']],
      ['PUT', '/alerts/settings', { webhook_url: 'https://hooks.example.com/a\u0000b', webhook_enabled: true }, ['body', 'webhook_url']],
    ];
    for (const [method, path, body, loc] of cases) {
      const r = await call(path, { method, token: user.token, body });
      expect(r.status, `${method} ${path} ${JSON.stringify(body)} → ${JSON.stringify(r.json)}`).toBe(422);
      expect(r.json.detail, `${method} ${path}`).toEqual([expect.objectContaining({ ...unstorable, loc })]);
    }
  });

  it('refuses them in query strings and path values too, and keeps the usual errors for everything else', async () => {
    const user = await userWithKey(['read', 'write'], 'enterprise');
    const q = await call('/products/search?q=lamp%00', { apiKey: user.apiKey });
    expect(q.status).toBe(422);
    expect(q.json.detail).toEqual([expect.objectContaining({ ...unstorable, loc: ['query', 'q'], input: 'lamp\u0000' })]);
    const extra = await call('/imports?%00=1', { token: user.token });
    expect(extra.json.detail).toEqual([expect.objectContaining({ ...unstorable, loc: ['query', '\u0000'] })]);
    const p = await call('/imports/%00', { token: user.token });
    expect(p.status).toBe(422);
    expect(p.json.detail[0].loc).toEqual(['path', 'job_id']);
    const long = await call('/imports', { token: user.token, body: { product_url: item(), source: 'aliexpress', config: { note: 'x'.repeat(100_001) } } });
    expect(long.status).toBe(422);
    expect(long.json.detail).toEqual([expect.objectContaining({ type: 'string_too_long', loc: ['body', 'config', 'note'], ctx: { max_length: 100_000 } })]);
    // Unauthenticated, a body the schema refuses is still a 401 (API.md §0.1 order of checks).
    expect((await call('/imports', { body: { product_url: `${item()}\u0000`, source: 'aliexpress' } })).status).toBe(401);
    // Ordinary text, emoji (paired surrogates) included, goes through.
    const ok = await call('/imports', { token: user.token, body: { product_url: item(), source: 'aliexpress', config: { note: 'Lampe 💡 "déco"' } } });
    expect(ok.status).toBe(201);
  });

  it('refuses a config nested 50,000 levels cheaply, before authentication and any database work', async () => {
    const user = await registerUser('deep');
    const raw = `{"product_url":"${item()}","source":"aliexpress","config":${nested(50_000)}}`;
    const started = Date.now();
    const r = await call('/imports', { token: user.token, rawBody: raw });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.status).toBe(422);
    expect(r.json.detail).toEqual([
      expect.objectContaining({ type: 'json_invalid', loc: ['body', 'config', ...Array(MAX_JSON_DEPTH - 1).fill('a')], ctx: { max_depth: MAX_JSON_DEPTH } }),
    ]);
    // No pool was opened (the header is missing) or none was used.
    expect(Number.isNaN(r.roundTrips) || r.roundTrips === 0).toBe(true);
    const anonymous = await call('/imports', { rawBody: '['.repeat(60_000) + ']'.repeat(60_000) });
    expect(anonymous.status).toBe(422);
    expect(anonymous.json.detail[0].loc).toEqual(['body', ...Array(MAX_JSON_DEPTH).fill(0)]);
    // Up to the limit is fine (the route then judges the value as usual).
    const atLimit = await call('/imports', { token: user.token, rawBody: `{"product_url":"${item()}","source":"aliexpress","config":{"x":${nested(MAX_JSON_DEPTH - 2)}}}` });
    expect(atLimit.status).toBe(201);
  });
});

describe('jsonTooDeep and unacceptableInput', () => {
  it('find the path to the first container past the limit, through keys with escapes and brackets inside strings', () => {
    expect(jsonTooDeep(nested(MAX_JSON_DEPTH), ['body'])).toBeNull();
    expect(jsonTooDeep(nested(MAX_JSON_DEPTH + 1), ['body'])?.loc).toEqual(['body', ...Array(MAX_JSON_DEPTH).fill('a')]);
    const tricky = `{"x":"[[[[{{{{","q\\"}":[1,2,${'['.repeat(MAX_JSON_DEPTH)}]]}`;
    expect(jsonTooDeep(tricky, [])?.loc).toEqual(['q"}', 2, ...Array(MAX_JSON_DEPTH - 2).fill(0)]);
    expect(jsonTooDeep('"' + '['.repeat(100) + '"', [])).toBeNull();
  });

  it('walk values without recursion and report keys, values and depth', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(unacceptableInput(deep, ['body'])?.loc).toEqual(['body', ...Array(MAX_JSON_DEPTH).fill(0)]);
    expect(unacceptableInput({ a: [{ ok: 'fine' }, { ['\u0000']: 1 }] }, ['query'])?.loc).toEqual(['query', 'a', 1, '\u0000']);
    expect(unacceptableInput({ a: 'pair 😀', b: 2, c: null }, ['body'])).toBeNull();
  });
});

describe('product URL detection with a broken percent-escape', () => {
  it('refuses the URL as invalid input (a 400: no product id) instead of throwing URIError', () => {
    for (const url of ['https://www.aliexpress.com/item/%E0%A4%A.html', 'https://cjdropshipping.com/x-p-%E0%A4%A.html', 'https://spocket.co/product/%E0%A4%A']) {
      let thrown: unknown;
      try {
        detectProductUrl(url);
      } catch (err) {
        thrown = err;
      }
      expect(thrown, url).toBeInstanceOf(InvalidInput);
    }
  });
});

import { describe, expect, it } from 'vitest';
import app from '../app';
import { UNDOCUMENTED } from '../routes/docs';
import { call } from './helpers';

/** Every route the app serves, as `METHOD /path/{param}` (middleware-only entries left out). */
function registeredRoutes(): string[] {
  const seen = new Set<string>();
  for (const r of app.routes) {
    if (r.method === 'ALL' || r.path.includes('*')) continue;
    const path = r.path.replace(/\/+$/, '').replace(/:([^/{?]+)/g, '{$1}');
    if (UNDOCUMENTED.some((x) => (typeof x === 'string' ? x === path : x.test(path)))) continue;
    seen.add(`${r.method} ${path}`);
  }
  return [...seen].sort();
}

const operations = (doc: any) =>
  Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
  );

describe('GET /openapi.json', () => {
  it('is public OpenAPI 3.1 and documents every registered route, and nothing else', async () => {
    const r = await call('/openapi.json');
    expect(r.status).toBe(200);
    expect(r.res.headers.get('Content-Type')).toMatch(/application\/json/);
    expect(r.json.openapi).toBe('3.1.0');
    expect(r.json.info.title).toBe('SourcePilot API');
    const documented = operations(r.json).map((o) => o.key).sort();
    const routes = registeredRoutes();
    expect(routes.length).toBeGreaterThan(50);
    expect(documented).toEqual(routes);
    // A new route describes itself where it is defined (routeDocs in worker/lib/openapi.ts): summary and success status.
    expect(operations(r.json).filter((o) => !o.op.summary).map((o) => o.key)).toEqual([]);
  });

  it('describes inputs from the routes’ own zod schemas', async () => {
    const doc = (await call('/openapi.json')).json;
    const create = doc.paths['/api/v1/imports'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['product_url', 'source']);
    expect(body.properties.product_url).toMatchObject({ type: 'string', minLength: 1, maxLength: 2000 });
    const bulk = doc.paths['/api/v1/imports/bulk'].post.requestBody.content['application/json'].schema;
    expect(bulk.properties.product_urls).toMatchObject({ type: 'array', minItems: 1, maxItems: 50 });
    const list = doc.paths['/api/v1/imports'].get.parameters;
    expect(list.map((p: any) => [p.in, p.name])).toEqual([
      ['query', 'skip'],
      ['query', 'limit'],
      ['query', 'store_id'],
      ['query', 'status'],
    ]);
    expect(list.find((p: any) => p.name === 'status').schema.enum).toEqual(['pending', 'running', 'completed', 'failed', 'cancelled']);
    const one = doc.paths['/api/v1/imports/{job_id}'].get.parameters;
    expect(one).toEqual([expect.objectContaining({ in: 'path', name: 'job_id', required: true, schema: expect.objectContaining({ format: 'uuid' }) })]);
    const search = doc.paths['/api/v1/products/search'].get.parameters;
    expect(search.find((p: any) => p.name === 'q')).toMatchObject({ required: true });
    const register = doc.paths['/api/v1/auth/register'].post.requestBody.content['application/json'].schema;
    expect(register.properties.password).toMatchObject({ minLength: 8 });
  });

  it('states each route’s security, success status and error answers', async () => {
    const doc = (await call('/openapi.json')).json;
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKeyAuth', 'bearerAuth', 'serviceKey']);
    const op = (method: string, path: string) => doc.paths[path][method];
    expect(op('get', '/api/v1/health').security).toEqual([]);
    expect(op('post', '/api/v1/auth/login').security).toEqual([]);
    expect(op('get', '/api/v1/billing/plans').security).toEqual([]);
    expect(op('get', '/api/v1/auth/me').security).toEqual([{ bearerAuth: [] }]);
    expect(op('post', '/api/v1/api-keys').security).toEqual([{ bearerAuth: [] }]);
    expect(op('post', '/api/v1/billing/checkout').security).toEqual([{ bearerAuth: [] }]);
    expect(op('get', '/api/v1/imports').security).toEqual([{ bearerAuth: [] }, { apiKeyAuth: [] }]);
    expect(op('get', '/api/v1/billing/current').security).toEqual([{ bearerAuth: [] }, { apiKeyAuth: [] }]);
    expect(op('post', '/api/v1/auth/provision').security).toEqual([{ serviceKey: [] }]);
    expect(op('get', '/api/v1/admin/metrics').security).toEqual([{ serviceKey: [] }]);

    const create = op('post', '/api/v1/imports');
    expect(create.summary).toBe('Import a product (queued)');
    expect(Object.keys(create.responses).sort()).toEqual(['201', '400', '401', '403', '404', '413', '422', '429']);
    expect(create.responses['404'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(create.responses['422'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ValidationError' });
    expect(Object.keys(op('delete', '/api/v1/api-keys/{key_id}').responses).sort()).toEqual(['204', '401', '404', '422']);
    expect(op('post', '/api/v1/price-watches/sync').responses['429']).toBeTruthy();
    expect(op('get', '/api/v1/products/search').responses['429']).toBeTruthy();
    expect(op('get', '/api/v1/imports').responses['429']).toBeUndefined();
    expect(Object.keys(op('get', '/api/v1/health').responses).sort()).toEqual(['200', '503']);
    expect(op('get', '/api/v1/health').summary).toBe('Service health');
    expect(op('post', '/api/v1/imports').tags).toEqual(['imports']);
    expect(op('get', '/api/v1/admin/metrics').tags).toEqual(['admin']);
    // The import list (#17): every route with its body.
    expect(op('put', '/api/v1/import-list/{item_id}').requestBody).toBeTruthy();
    expect(Object.keys(op('put', '/api/v1/import-list/{item_id}').responses)).toEqual(expect.arrayContaining(['200', '404', '409', '422']));
    expect(op('post', '/api/v1/import-list/push').responses['202'].content['application/json'].schema).toBeTruthy();
    expect(op('post', '/api/v1/import-list/reprice').responses['200'].content['application/json'].schema).toBeTruthy();
    expect(op('get', '/api/v1/import-list').parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['store_id', 'source', 'pushed', 'q']));
    expect(doc.tags.map((t: { name: string }) => t.name)).toEqual([
      'admin',
      'ai',
      'alerts',
      'api-keys',
      'auth',
      'billing',
      'connections',
      'health',
      'import-list',
      'imports',
      'price-watches',
      'products',
      'stats',
      'suppliers',
      'usage',
      'webhooks',
    ]);
    for (const { key, op: o } of operations(doc)) {
      expect(o.tags, key).toHaveLength(1);
      // Success is a 2xx, or the 302 of a browser redirect (Shopify's install callback).
      expect(Object.keys(o.responses).some((s) => /^(2\d\d|302)$/.test(s)), key).toBe(true);
    }
  });

  it('gives the main success answers a body schema', async () => {
    const doc = (await call('/openapi.json')).json;
    const successSchema = (key: string) => {
      const [method, path] = key.split(' ');
      const responses = doc.paths[path][method.toLowerCase()].responses;
      const status = Object.keys(responses).find((s) => s.startsWith('2'))!;
      return responses[status].content?.['application/json']?.schema;
    };
    const withBodies = [
      'POST /api/v1/auth/register',
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/refresh',
      'GET /api/v1/auth/me',
      'POST /api/v1/imports',
      'POST /api/v1/imports/bulk',
      'GET /api/v1/imports',
      'GET /api/v1/imports/{job_id}',
      'POST /api/v1/price-watches',
      'GET /api/v1/price-watches',
      'PUT /api/v1/price-watches/{watch_id}',
      'GET /api/v1/connections',
      'POST /api/v1/connections',
      'GET /api/v1/suppliers/accounts',
      'POST /api/v1/suppliers/accounts',
      'POST /api/v1/api-keys',
      'GET /api/v1/api-keys',
      'GET /api/v1/billing/current',
      'GET /api/v1/billing/plans',
      'GET /api/v1/usage',
      'GET /api/v1/stats',
    ];
    expect(withBodies.filter((key) => !successSchema(key))).toEqual([]);
    expect(successSchema('POST /api/v1/auth/login')).toMatchObject({
      type: 'object',
      required: ['access_token', 'refresh_token', 'token_type'],
    });
    const job = successSchema('GET /api/v1/imports/{job_id}');
    expect(job.properties.status.enum).toEqual(['pending', 'running', 'completed', 'failed', 'cancelled']);
    expect(successSchema('POST /api/v1/imports/bulk')).toMatchObject({ type: 'array' });
    expect(successSchema('GET /api/v1/price-watches').properties.items.items.required).toContain('recent_prices');
  });
});

describe('GET /docs', () => {
  it('serves the API reference page, public, with a nonce-based CSP for its scripts', async () => {
    const r = await call('/docs');
    expect(r.status).toBe(200);
    expect(r.res.headers.get('Content-Type')).toMatch(/text\/html/);
    const csp = r.res.headers.get('Content-Security-Policy')!;
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    const html = r.json as string;
    expect(html).toContain('<title>SourcePilot API reference</title>');
    expect(html).toContain('/api/v1/openapi.json');
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(html).toMatch(/src="https:\/\/cdn\.jsdelivr\.net\/npm\/@scalar\/api-reference@\d+\.\d+\.\d+\/dist\/browser\/standalone\.js"/);
    // The other security headers are the usual ones, and the nonce changes per request.
    expect(r.res.headers.get('X-Frame-Options')).toBe('DENY');
    const again = await call('/docs');
    expect(again.res.headers.get('Content-Security-Policy')).not.toBe(csp);
  });
});

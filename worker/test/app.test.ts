import { Hono } from 'hono';
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../env';
import { withDb as dbMiddleware } from '../middleware/request';
import { requireUser } from '../middleware/auth';
import { requestId } from 'hono/request-id';
import { errorHandler } from '../app';
import { answer, api, rawCall, userWithKey } from './helpers';

describe('routing and errors', () => {
  it('answers unknown routes with 404 {"detail":"Not Found"}', async () => {
    const r = await rawCall('/no/such/route');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ detail: 'Not Found' });
    expect(r.res.headers.get('X-Request-ID')).toBeTruthy();
  });

  it('answers a wrong method with 405 {"detail":"Method Not Allowed"}', async () => {
    const r = await rawCall('/auth/login', { method: 'GET' });
    expect(r.status).toBe(405);
    expect(r.json).toEqual({ detail: 'Method Not Allowed' });
    const patch = await rawCall('/auth/me', { method: 'PATCH', body: {} });
    expect(patch.status).toBe(405);
  });

  it('accepts a trailing slash', async () => {
    expect((await answer(api().health.$get())).status).toBe(200);
  });

  it('answers CORS preflight for the dashboard origin only', async () => {
    const ok = await rawCall('/auth/login', { method: 'OPTIONS', headers: { Origin: 'http://localhost:3109', 'Access-Control-Request-Method': 'POST' } });
    expect(ok.res.headers.get('Access-Control-Allow-Origin')).toBe('http://localhost:3109');
    expect(ok.res.headers.get('Access-Control-Allow-Credentials')).toBe('true');
    const evil = await rawCall('/auth/login', { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(evil.res.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('turns an unexpected error into a logged 500 with the request id and no stack', async () => {
    const probe = new Hono<AppEnv>().use(requestId({ headerName: 'X-Request-ID' }));
    probe.get('/boom', () => {
      throw new Error('secret internals');
    });
    probe.onError(errorHandler);
    const ctx = createExecutionContext();
    const res = await probe.fetch(new Request('http://x/boom', { headers: { 'X-Request-ID': 'req-500' } }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body).toEqual({ detail: 'Internal Server Error', request_id: 'req-500' });
    expect(JSON.stringify(body)).not.toContain('secret internals');
  });
});

describe('API key scopes', () => {
  const probe = new Hono<AppEnv>()
    .use(dbMiddleware)
    .use(requireUser)
    .get('/thing', (c) => c.json({ via: c.var.auth.via }))
    .post('/thing', (c) => c.json({ via: c.var.auth.via }));
  probe.onError(errorHandler);

  async function hit(method: string, key: string) {
    const ctx = createExecutionContext();
    const res = await probe.fetch(new Request('http://x/thing', { method, headers: { 'X-API-Key': key } }), env, ctx);
    await waitOnExecutionContext(ctx);
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  }

  it('lets a read key GET but not write', async () => {
    const keyed = await userWithKey(['read']);
    expect(await hit('GET', keyed.apiKey)).toEqual({ status: 200, body: { via: 'api_key' } });
    expect(await hit('POST', keyed.apiKey)).toEqual({ status: 403, body: { detail: "API key lacks the 'write' scope" } });
  });

  it('lets a write key write but not read when it lacks read', async () => {
    const keyed = await userWithKey(['write']);
    expect((await hit('POST', keyed.apiKey)).status).toBe(200);
    expect((await hit('GET', keyed.apiKey)).status).toBe(403);
  });
});

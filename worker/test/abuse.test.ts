import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { and, eq, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '../app';
import { importJobs, supplierCallUsage } from '../db/schema';
import { config, type AppEnv } from '../env';
import worker from '../index';
import { requireUser } from '../middleware/auth';
import { limitPerUser } from '../middleware/rate-limit';
import { withDb as dbMiddleware } from '../middleware/request';
import { secondsToUtcMidnight } from '../lib/time';
import { supplierQuotaDetail } from '../suppliers/quota';
import { answer, api, rawCall, registerUser, setPlan, startOfRateWindow, userWithKey, withDb } from './helpers';
import { connectAliExpress } from './supplier-helpers';

/**
 * Local rate limiters count in wall-clock windows (60 s, aligned to the minute). A test
 * that must see exactly `limit` admissions waits for a fresh window when the current one
 * is about to roll over, so the count can't reset halfway.
 */
async function freshWindow(needSeconds = 25) {
  const left = 60 - ((Date.now() / 1000) % 60);
  if (left < needSeconds) await new Promise((r) => setTimeout(r, left * 1000 + 250));
}

/** Sends `n` requests, `width` at a time, and returns their statuses in order. */
async function burst(n: number, send: (i: number) => Promise<{ status: number }>, width = 10) {
  const statuses: number[] = [];
  for (let i = 0; i < n; i += width) {
    const chunk = await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, j) => send(i + j)));
    statuses.push(...chunk.map((r) => r.status));
  }
  return statuses;
}

const demoUrl = () => `https://www.aliexpress.com/item/${Math.floor(1e15 + Math.random() * 9e15)}.html`;

describe('rate limits per user', () => {
  it('lets a user create 60 imports a minute, then answers 429 with Retry-After and creates nothing', async () => {
    await startOfRateWindow();
    await freshWindow();
    const user = await registerUser('limited');
    await setPlan(user.id, 'enterprise');
    // Malformed requests count too (the limiter runs before validation): 60 of them spend the minute.
    const spent = await burst(60, () => rawCall('/imports', { token: user.token, body: {} }));
    expect(spent.every((s) => s === 422)).toBe(true);
    const over = await answer(api({ token: user.token }).imports.$post({ json: { product_url: demoUrl(), source: 'aliexpress' } }));
    expect(over.status).toBe(429);
    expect(over.json).toEqual({ detail: 'Too many requests. Please try again later.' });
    expect(over.res.headers.get('Retry-After')).toBe('60');
    expect(over.res.headers.get('X-Request-ID')).toBeTruthy();
    expect(over.res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    const bulk = await answer(api({ token: user.token }).imports.bulk.$post({ json: { product_urls: [demoUrl()], source: 'aliexpress' } }));
    expect(bulk.status).toBe(429);
    const retry = await answer(api({ token: user.token }).imports[':job_id'].retry.$post({ param: { job_id: crypto.randomUUID() } }));
    expect(retry.status).toBe(429);
    const [{ n }] = await withDb((db) => db.select({ n: sql<number>`count(*)::int` }).from(importJobs).where(eq(importJobs.userId, user.id)));
    expect(n).toBe(0);
    // Reading is not limited, and another user is unaffected.
    expect((await answer(api({ token: user.token }).imports.$get({ query: {} }))).status).toBe(200);
    const other = await registerUser('unlimited');
    expect((await answer(api({ token: other.token }).imports.$post({ json: { product_url: demoUrl(), source: 'aliexpress' } }))).status).toBe(201);
  }, 90_000);

  it('limits catalogue search and preview to 120 a minute per user, API keys included', async () => {
    await startOfRateWindow();
    await freshWindow();
    const keyed = await userWithKey(['read', 'write']);
    const statuses = await burst(120, (i) =>
      i % 2 ? rawCall('/products/search', { apiKey: keyed.apiKey }) : rawCall('/products/preview', { token: keyed.token, body: {} }),
    );
    expect(statuses.every((s) => s === 422)).toBe(true);
    const over = await answer(api({ apiKey: keyed.apiKey }).products.search.$get({ query: { q: 'lamp' } }));
    expect(over.status).toBe(429);
    expect(over.res.headers.get('Retry-After')).toBe('60');
    expect((await answer(api({ token: keyed.token }).products.preview.$post({ json: { url: demoUrl() } }))).status).toBe(429);
  }, 90_000);

  it('limits the manual price sync to 10 a minute per user', async () => {
    await startOfRateWindow();
    await freshWindow();
    const user = await registerUser('sync');
    const statuses = await burst(10, () => answer(api({ token: user.token })['price-watches'].sync.$post()), 5);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const over = await answer(api({ token: user.token })['price-watches'].sync.$post());
    expect(over.status).toBe(429);
    expect(over.res.headers.get('Retry-After')).toBe('60');
  }, 60_000);

  it('limits store connection tests (each one calls the store) to 10 a minute per user', async () => {
    await startOfRateWindow();
    await freshWindow();
    const user = await registerUser('conn-test');
    // Malformed ids count too: the limiter runs before validation.
    const spent = await burst(10, () => rawCall('/connections/not-a-uuid/test', { token: user.token, method: 'POST' }), 5);
    expect(spent.every((s) => s === 422)).toBe(true);
    const over = await answer(api({ token: user.token }).connections[':conn_id'].test.$post({ param: { conn_id: crypto.randomUUID() } }));
    expect(over.status).toBe(429);
    expect(over.json).toEqual({ detail: 'Too many requests. Please try again later.' });
    expect(over.res.headers.get('Retry-After')).toBe('60');
    const other = await registerUser('conn-test-other');
    expect((await answer(api({ token: other.token }).connections[':conn_id'].test.$post({ param: { conn_id: crypto.randomUUID() } }))).status).toBe(404);
  }, 60_000);

  it('answers 401 before 429: an anonymous caller never spends anyone’s budget', async () => {
    const r = await answer(api().imports.$post({ json: { product_url: demoUrl(), source: 'aliexpress' } }));
    expect(r.status).toBe(401);
  });
});

describe('rate limit per client address', () => {
  // API_IP_LIMITER allows 300 a minute; the same middleware over a 10-a-minute binding
  // (SYNC_LIMITER standing in for it) shows the address budget shared across accounts.
  const probe = new Hono<AppEnv>().use(dbMiddleware).use(requireUser).post('/thing', limitPerUser('IMPORT_LIMITER'), (c) => c.json({ ok: true }));
  probe.onError(errorHandler);

  async function hit(token: string, ip: string) {
    const ctx = createExecutionContext();
    const res = await probe.fetch(
      new Request('http://x/thing', { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'CF-Connecting-IP': ip } }),
      { ...env, API_IP_LIMITER: env.SYNC_LIMITER },
      ctx,
    );
    return { status: res.status, retryAfter: res.headers.get('Retry-After') };
  }

  it('stops many accounts behind one address, and only that address', async () => {
    await startOfRateWindow();
    await freshWindow();
    const ip = `192.0.2.${Math.floor(Math.random() * 250)}-${crypto.randomUUID().slice(0, 8)}`;
    const users = await Promise.all([registerUser('ip-a'), registerUser('ip-b'), registerUser('ip-c')]);
    const statuses = await burst(10, (i) => hit(users[i % 3].token, ip), 5);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const over = await hit(users[0].token, ip);
    expect(over).toEqual({ status: 429, retryAfter: '60' });
    expect((await hit(users[1].token, `${ip}-elsewhere`)).status).toBe(200);
  }, 60_000);
});

describe('request body size', () => {
  it('refuses a body over 1 MiB with 413 before reading it, with the usual headers', async () => {
    const user = await registerUser('big');
    const huge = JSON.stringify({ product_url: 'x'.repeat(1024 * 1024), source: 'aliexpress' });
    const r = await rawCall('/imports', { token: user.token, rawBody: huge });
    expect(r.status).toBe(413);
    expect(r.json).toEqual({ detail: 'Request body too large' });
    expect(r.res.headers.get('X-Request-ID')).toBeTruthy();
    expect(r.res.headers.get('Content-Security-Policy')).toBe("default-src 'self'");
    // Without Content-Length (a streamed body) the limit still holds.
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 20) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const { SELF } = await import('cloudflare:test');
    const streamed = await SELF.fetch('http://sourcepilot.test/api/v1/products/preview', {
      method: 'POST',
      headers: { Authorization: `Bearer ${user.token}`, 'Content-Type': 'application/json' },
      body: stream,
      // @ts-expect-error workerd needs duplex for a streamed request body
      duplex: 'half',
    });
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toEqual({ detail: 'Request body too large' });
  });

  it('still takes a bulk import of 50 URLs of 2,000 characters', async () => {
    const user = await registerUser('bulk');
    await setPlan(user.id, 'enterprise');
    const urls = Array.from({ length: 50 }, (_, i) => `https://www.aliexpress.com/item/${1e15 + i}.html?${'q'.repeat(2000 - 50)}`.slice(0, 2000));
    expect(urls.every((u) => u.length === 2000)).toBe(true);
    const r = await answer(api({ token: user.token }).imports.bulk.$post({ json: { product_urls: urls, source: 'aliexpress' } }));
    expect(r.status).toBe(201);
    expect(r.json).toHaveLength(50);
  });
});

describe('daily supplier call cap', () => {
  const limit = config(env).supplierDailyCallLimit;
  const today = () => new Date().toISOString().slice(0, 10);
  const setUsed = (userId: string, calls: number) =>
    withDb((db) =>
      db
        .insert(supplierCallUsage)
        .values({ userId, day: today(), calls })
        .onConflictDoUpdate({ target: [supplierCallUsage.userId, supplierCallUsage.day], set: { calls } }),
    );
  const used = async (userId: string) =>
    (await withDb((db) => db.select().from(supplierCallUsage).where(and(eq(supplierCallUsage.userId, userId), eq(supplierCallUsage.day, today())))))[0]?.calls ?? 0;

  it('counts live searches and product fetches, not cache hits, and refuses past the cap with 429', async () => {
    const user = await registerUser('capped');
    const ae = await connectAliExpress(user.id);
    const url = 'https://www.aliexpress.com/item/1005006000000777.html';
    expect((await answer(api({ token: user.token }).products.preview.$post({ json: { url } }))).status).toBe(200);
    expect((await answer(api({ token: user.token }).products.search.$get({ query: { q: 'lamp' } }))).status).toBe(200);
    expect(await used(user.id)).toBe(2);
    // A cached preview reaches no supplier and costs nothing.
    expect((await answer(api({ token: user.token }).products.preview.$post({ json: { url } }))).status).toBe(200);
    expect(await used(user.id)).toBe(2);

    await setUsed(user.id, limit - 1);
    expect((await answer(api({ token: user.token }).products.search.$get({ query: { q: 'desk' } }))).status).toBe(200);
    const before = (await ae.requests()).count;
    const over = await answer(api({ token: user.token }).products.search.$get({ query: { q: 'chair' } }));
    expect(over.status).toBe(429);
    expect(over.json).toEqual({ detail: supplierQuotaDetail(limit) });
    const retryAfter = Number(over.res.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(secondsToUtcMidnight());
    expect((await answer(api({ token: user.token }).products.preview.$post({ json: { url: 'https://www.aliexpress.com/item/1005006000000778.html' } }))).status).toBe(429);
    expect((await ae.requests()).count).toBe(before);
    expect(await used(user.id)).toBe(limit);
    // What was already fetched still answers.
    expect((await answer(api({ token: user.token }).products.preview.$post({ json: { url } }))).status).toBe(200);
  });

  it('never lets concurrent calls pass the cap together', async () => {
    const user = await registerUser('race');
    await connectAliExpress(user.id);
    await setUsed(user.id, limit - 3);
    const statuses = await Promise.all(Array.from({ length: 8 }, (_, i) => answer(api({ token: user.token }).products.search.$get({ query: { q: `race${i}` } })).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    expect(await used(user.id)).toBe(limit);
  });

  it('fails an import job with the same message once the cap is spent', async () => {
    const user = await registerUser('capped-import');
    await connectAliExpress(user.id);
    await setUsed(user.id, limit);
    const created = await answer(api({ token: user.token }).imports.$post({ json: { product_url: 'https://www.aliexpress.com/item/1005006000000779.html', source: 'aliexpress' } }));
    expect(created.status).toBe(201);
    const batch = createMessageBatch('sourcepilot-imports', [{ id: `m-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body: { jobId: created.json.id } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toHaveLength(1);
    // The simulated queue may have delivered POST /imports' own message first: wait for whichever claimed it.
    let job = await answer(api({ token: user.token }).imports[':job_id'].$get({ param: { job_id: created.json.id } }));
    for (let i = 0; i < 50 && ['pending', 'running'].includes(job.json.status); i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = await answer(api({ token: user.token }).imports[':job_id'].$get({ param: { job_id: created.json.id } }));
    }
    expect(job.json).toMatchObject({ status: 'failed', error_message: supplierQuotaDetail(limit) });
  });

  it('leaves the demo catalogue uncounted', async () => {
    const user = await registerUser('demo');
    await setUsed(user.id, limit);
    expect((await answer(api({ token: user.token }).products.search.$get({ query: { q: 'lamp' } }))).status).toBe(200);
  });
});

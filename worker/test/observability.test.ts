import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppEnv } from '../env';
import worker from '../index';
import { describeError, errorDetails } from '../lib/log';
import { healthRoutes, runCheck } from '../routes/health';
import { answer, api, rawCall, registerUser, withDb } from './helpers';

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'X-XSS-Protection': '1; mode=block',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'Content-Security-Policy': "default-src 'self'",
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

function expectContractHeaders(res: Response) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name), name).toBe(value);
  expect(res.headers.get('X-Request-ID')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
}

/** JSON log lines the worker printed while `fn` ran. */
async function logsOf(fn: () => Promise<unknown>): Promise<Record<string, any>[]> {
  const lines: string[] = [];
  const capture = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  const spies = [vi.spyOn(console, 'log').mockImplementation(capture), vi.spyOn(console, 'warn').mockImplementation(capture), vi.spyOn(console, 'error').mockImplementation(capture)];
  try {
    await fn();
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return lines.flatMap((l) => {
    try {
      return [JSON.parse(l)];
    } catch {
      return [];
    }
  });
}

afterEach(() => vi.restoreAllMocks());

describe('contract headers on every kind of answer', () => {
  it('carries the security headers and a fresh request id on errors too', async () => {
    const user = await registerUser('headers');
    const answers = [
      await rawCall('/no/such/route'),
      await rawCall('/auth/login', { method: 'GET' }),
      await answer(api().imports.$get({ query: {} })),
      await rawCall('/imports', { token: user.token, body: { source: 'aliexpress' } }),
      await rawCall('/imports', { token: user.token, rawBody: '{"broken"' }),
      await answer(api({ token: user.token }).imports[':job_id'].$get({ param: { job_id: crypto.randomUUID() } })),
      await rawCall('/products/preview', { token: user.token, rawBody: JSON.stringify({ url: 'x'.repeat(1_100_000) }) }),
      await answer(api().health.$get()),
    ];
    expect(answers.map((a) => a.status)).toEqual([404, 405, 401, 422, 422, 404, 413, 200]);
    for (const a of answers) expectContractHeaders(a.res);
    const ids = new Set(answers.map((a) => a.res.headers.get('X-Request-ID')));
    expect(ids.size).toBe(answers.length);
  });

  it('echoes the caller’s X-Request-ID on an error', async () => {
    const r = await answer(api({ headers: { 'X-Request-ID': 'trace-4242' } }).imports.$get({ query: {} }));
    expect(r.status).toBe(401);
    expect(r.res.headers.get('X-Request-ID')).toBe('trace-4242');
  });
});

describe('access log', () => {
  it('writes one JSON line per request with request id, user, route pattern, status and duration', async () => {
    const user = await registerUser('logged');
    const id = crypto.randomUUID();
    const lines = await logsOf(() => answer(api({ token: user.token, headers: { 'X-Request-ID': `log-${id}` } }).imports[':job_id'].$get({ param: { job_id: id } })));
    const line = lines.find((l) => l.msg === 'request' && l.request_id === `log-${id}`);
    expect(line).toMatchObject({
      level: 'info',
      user_id: user.id,
      method: 'GET',
      route: '/api/v1/imports/:job_id',
      path: `/api/v1/imports/${id}`,
      status: 404,
    });
    expect(typeof line!.duration_ms).toBe('number');
    const anonymous = await logsOf(() => answer(api({ headers: { 'X-Request-ID': `anon-${id}` } }).imports.$get({ query: {} })));
    expect(anonymous.find((l) => l.request_id === `anon-${id}`)).toMatchObject({ user_id: null, status: 401 });
  });
});

describe('GET /health', () => {
  it('checks the database and reports it', async () => {
    const r = await answer(api().health.$get());
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ service: 'sourcepilot', status: 'ok', timestamp: expect.stringMatching(/\+00:00$/), checks: { database: 'ok' } });
  });

  it('answers 503 "degraded" when the database is unreachable, without saying why', async () => {
    const app = new Hono<AppEnv>().use(requestId({ headerName: 'X-Request-ID' })).route('/health', healthRoutes);
    const ctx = createExecutionContext();
    let res!: Response;
    const lines = await logsOf(async () => {
      // Port 9 (discard) on loopback: nothing listens, the database connection is refused.
      res = await app.fetch(new Request('http://x/health'), { ...env, DB_WS_PROXY: '127.0.0.1:9', DB_HTTP_ENDPOINT: 'http://127.0.0.1:9/sql', HEALTH_DB_TIMEOUT_MS: '1500' }, ctx);
      await waitOnExecutionContext(ctx);
    });
    expect(res.status).toBe(503);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ service: 'sourcepilot', status: 'degraded', timestamp: expect.any(String), checks: { database: 'unavailable' } });
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|postgres|refused/i);
    expect(lines.find((l) => l.msg === 'health check failed')).toMatchObject({ level: 'warn', check: 'database' });
  });

  it('gives up on a check that does not answer in time', async () => {
    const started = Date.now();
    const never = () => new Promise(() => undefined);
    expect(await runCheck('database', never, 200)).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await runCheck('database', async () => 1, 200)).toBe('ok');
  });
});

describe('queue logs', () => {
  it('logs one line per import batch with acks, retries and crashes', async () => {
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    const batch = createMessageBatch('sourcepilot-imports', [
      ...ids.map((jobId) => ({ id: `m-${jobId}`, timestamp: new Date(), attempts: 1, body: { jobId } })),
      { id: 'm-garbage', timestamp: new Date(), attempts: 1, body: { nope: true } },
    ]);
    const ctx = createExecutionContext();
    const lines = await logsOf(async () => {
      await worker.queue(batch, env, ctx);
      await getQueueResult(batch, ctx);
    });
    const summary = lines.find((l) => l.msg === 'import batch');
    expect(summary).toMatchObject({ level: 'info', queue: 'sourcepilot-imports', messages: 3, acked: 3, retried: 0, crashed: 0 });
    expect(summary!.statements).toBe(2);
    expect(typeof summary!.duration_ms).toBe('number');
  });

  it('retries only the message whose processing crashed, and says so', async () => {
    const jobId = crypto.randomUUID();
    const batch = createMessageBatch('sourcepilot-imports', [{ id: `m-${jobId}`, timestamp: new Date(), attempts: 2, body: { jobId } }]);
    const ctx = createExecutionContext();
    const lines = await logsOf(async () => {
      // No database behind this bridge address: the claim itself fails.
      await worker.queue(batch, { ...env, DB_WS_PROXY: '127.0.0.1:9' }, ctx);
    });
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual([`m-${jobId}`]);
    expect(lines.find((l) => l.msg === 'import message crashed')).toMatchObject({ level: 'error', attempt: 2 });
    expect(lines.find((l) => l.msg === 'import batch')).toMatchObject({ level: 'warn', messages: 1, crashed: 1 });
  });
});

describe('error redaction', () => {
  it("never logs a failed statement's parameters", async () => {
    const secret = `pbkdf2_sha256$600000$${crypto.randomUUID()}`;
    const err = await withDb((db) => db.execute(sql`SELECT * FROM no_such_table WHERE hash = ${secret}`)).catch((e: unknown) => e);
    expect(String(err)).toContain(secret);
    expect(describeError(err)).toMatch(/no_such_table/);
    expect(describeError(err)).not.toContain(secret);
    expect(JSON.stringify(errorDetails(err))).not.toContain(secret);
    expect(errorDetails(err)).toMatchObject({ code: '42P01' });
    const wrapped = new Error(`Failed query: SELECT $1\nparams: ${secret}`);
    expect(describeError(wrapped)).toBe('Error: Failed query: SELECT $1');
    expect(describeError('plain')).toBe('plain');
  });
});

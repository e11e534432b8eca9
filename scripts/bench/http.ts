/**
 * `npm run bench:http`: HTTP load against the local stack (wrangler dev + embedded
 * Postgres), with autocannon. For each route: requests/s and p50/p99 latency, beside
 * the floor (GET /__bench/floor: the same middleware, pool and driver running one
 * `select 1`, served only because this bench sets BENCH), and each route's ratio to it.
 *
 * Routes: GET /health (database check), GET /imports (an authenticated read of 20 jobs,
 * with a bearer token and with an API key),
 * POST /imports (an enterprise user, so no plan limit; the rate limits are raised in the
 * bench's own copy of wrangler.toml), POST /products/preview answered from the preview
 * cache (a live AliExpress account against the fake Open Platform, warmed once).
 *
 *   npm run bench:http
 *   BENCH_SECONDS=20 BENCH_CONNECTIONS=20 npm run bench:http
 *   BENCH_ROUTES="GET /imports" npm run bench:http   # the floor and the named routes only
 */
import autocannon from 'autocannon';
import { startAliExpressFake } from '../../worker/test/fakes/aliexpress';
import { api, benchUser, startBenchDb, startWorker } from './stack';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);

interface Target {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  token?: string;
  /** An X-API-Key instead of the bearer token. */
  apiKey?: string;
  body?: unknown;
  /** Round trips the route costs (from worker/test/round-trips.test.ts), for the table. */
  note: string;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(origin: string, t: Target, seconds: number): Promise<Figures> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (t.token) headers.Authorization = `Bearer ${t.token}`;
  if (t.apiKey) headers['X-API-Key'] = t.apiKey;
  const result = await autocannon({
    url: `${origin}/api/v1${t.path}`,
    method: t.method,
    headers,
    body: t.body === undefined ? undefined : JSON.stringify(t.body),
    connections: CONNECTIONS,
    duration: seconds,
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx };
}

async function main() {
  const db = await startBenchDb();
  const aliexpress = await startAliExpressFake();
  const worker = await startWorker({ db, label: 'http', vars: { ALIEXPRESS_API_BASE: aliexpress.bindings.ALIEXPRESS_API_BASE } });
  try {
    const origin = worker.origin;
    const reader = await benchUser(origin, db.db, 'enterprise', 'reader');
    await api(origin, '/imports/bulk', { token: reader.token, body: { product_urls: Array.from({ length: 20 }, (_, i) => `https://www.aliexpress.com/item/${1005007000000000 + i}.html`), source: 'aliexpress' }, expect: 201 });
    const writer = await benchUser(origin, db.db, 'enterprise', 'writer');
    const readerKey = await api<{ key: string }>(origin, '/api-keys', { token: reader.token, body: { name: 'bench', scopes: ['read'] }, expect: 201 });

    // A live supplier account, so previews are cached (demo products are computed, never cached).
    const live = await benchUser(origin, db.db, 'pro', 'live');
    const creds = { app_key: 'bench-http', app_secret: 'bench-secret', access_token: 'bench-token' };
    await fetch(`${aliexpress.bindings.ALIEXPRESS_API_BASE}/__control/apps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(creds) });
    await api(origin, '/suppliers/accounts', { token: live.token, body: { name: 'AliExpress', platform: 'aliexpress', credentials: creds }, expect: 201 });
    const previewUrl = 'https://www.aliexpress.com/item/1005006000000042.html';
    const warm = await api<{ mode: string }>(origin, '/products/preview', { token: live.token, body: { url: previewUrl } });
    if (warm.mode !== 'live') throw new Error('preview did not use the live account');

    const floor: Target = { name: 'floor: GET /__bench/floor', method: 'GET', path: '/__bench/floor', note: '1 (select 1)' };
    const targets: Target[] = [
      { name: 'GET /health', method: 'GET', path: '/health', note: '1' },
      { name: 'GET /imports', method: 'GET', path: '/imports', token: reader.token, note: '1' },
      { name: 'GET /imports (API key)', method: 'GET', path: '/imports', apiKey: readerKey.key, note: '1 (2 on first use)' },
      { name: 'POST /imports', method: 'POST', path: '/imports', token: writer.token, body: { product_url: 'https://www.aliexpress.com/item/1005007000000999.html', source: 'aliexpress' }, note: '2 + queue send' },
      { name: 'POST /products/preview (cache hit)', method: 'POST', path: '/products/preview', token: live.token, body: { url: previewUrl }, note: '1 + KV get' },
    ];

    console.log(`autocannon: ${CONNECTIONS} connections, ${SECONDS} s per route after ${WARMUP_SECONDS} s of warm-up, against wrangler dev on ${origin}`);
    const measured: { target: Target; f: Figures }[] = [];
    // BENCH_ROUTES=imports,health: only the routes whose name contains one of these (the floor always runs).
    const only = process.env.BENCH_ROUTES?.split(',').map((r) => r.trim()).filter(Boolean);
    const chosen = only?.length ? targets.filter((t) => only.some((r) => t.name.includes(r))) : targets;
    for (const t of [floor, ...chosen]) {
      if (WARMUP_SECONDS > 0) await load(origin, t, WARMUP_SECONDS);
      const f = await load(origin, t, SECONDS);
      measured.push({ target: t, f });
      console.log(`  ${t.name}: ${f.rps.toFixed(0)} req/s, p50 ${f.p50} ms, p99 ${f.p99} ms${f.non2xx || f.errors ? ` (${f.non2xx} non-2xx, ${f.errors} errors)` : ''}`);
    }
    const base = measured[0].f;
    const rows = measured.map(({ target, f }) => [
      target.name,
      target.note,
      f.rps.toFixed(0),
      `${f.p50}`,
      `${f.p99}`,
      `${(base.rps / f.rps).toFixed(2)}×`,
      `${(f.p50 / Math.max(base.p50, 1)).toFixed(2)}×`,
      f.non2xx || f.errors ? `${f.non2xx + f.errors}` : '0',
    ]);
    const head = ['route', 'db round trips', 'req/s', 'p50 ms', 'p99 ms', 'floor req/s ÷ req/s', 'p50 ÷ floor p50', 'failed'];
    console.log(`\n| ${head.join(' | ')} |\n|${head.map(() => ' --- ').join('|')}|`);
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    const failed = measured.filter(({ f }) => f.non2xx || f.errors);
    if (failed.length) {
      console.error(`\n✗ some requests failed: ${failed.map((m) => m.target.name).join(', ')} (see ${worker.logFile})`);
      process.exitCode = 1;
    }
  } finally {
    await worker.stop();
    await aliexpress.stop();
    await db.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

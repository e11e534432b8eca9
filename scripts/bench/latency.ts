/**
 * `npm run bench:latency`: database round trips per request, measured as time. The
 * worker–database link (the WebSocket bridge and the Neon HTTP endpoint alike) runs
 * through a relay that delays every byte by D ms each way; each route is timed serially,
 * alternately at D = 0 and at D, and (p50 at D − p50 at 0) / 2D is the number of serial round trips
 * the request waited for, beside its budget (DESIGN.md "Database access on the edge":
 * an authenticated read 1, a write at most 2, plus a tenth for noise).
 *
 *   npm run bench:latency
 *   BENCH_DELAY_MS=60 BENCH_SAMPLES=21 npm run bench:latency
 *   BENCH_ENFORCE=1 npm run bench:latency     # exit 1 when a route is over budget
 */
import { eq, inArray, sql } from 'drizzle-orm';
import { importJobs, users } from '../../worker/db/schema';
import { api, benchUser, delayedLink, quantile, startBenchDb, startWorker } from './stack';

const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 40);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 15);
const WARMUP = 2;
const BUDGET = { read: 1.2, write: 2.2 } as const;

interface Route {
  name: string;
  kind: keyof typeof BUDGET;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  /** Called per request, so a write can take fresh input (a new product URL, say). */
  body?: () => unknown;
  auth: 'token' | 'key' | 'none';
}

const aliUrl = () => `https://www.aliexpress.com/item/1005${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}.html`;

async function time(origin: string, route: Route, creds: { token: string; key: string }): Promise<number> {
  const headers: Record<string, string> = {};
  if (route.auth === 'token') headers.Authorization = `Bearer ${creds.token}`;
  if (route.auth === 'key') headers['X-API-Key'] = creds.key;
  const body = route.body?.();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const started = performance.now();
  const res = await fetch(`${origin}/api/v1${route.path}`, { method: route.method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const elapsed = performance.now() - started;
  if (res.status >= 400) throw new Error(`${route.method} ${route.path}: ${res.status} ${text.slice(0, 300)}`);
  return elapsed;
}

async function main() {
  const db = await startBenchDb();
  const bridge = new URL(`ws://${db.wsProxy}`);
  const wsLink = await delayedLink({ host: bridge.hostname, port: Number(bridge.port) });
  const endpoint = new URL(db.httpEndpoint);
  const httpLink = await delayedLink({ host: endpoint.hostname, port: Number(endpoint.port) });
  const links = [wsLink, httpLink];
  const worker = await startWorker({
    db: { ...db, wsProxy: wsLink.address, httpEndpoint: `http://${httpLink.address}${endpoint.pathname}` },
    label: 'latency',
  });
  try {
    const origin = worker.origin;
    const user = await benchUser(origin, db.db, 'enterprise', 'latency');
    const login = await db.db.select({ email: users.email }).from(users).where(eq(users.id, user.id));
    const key = await api<{ key: string }>(origin, '/api-keys', { token: user.token, body: { name: 'latency', scopes: ['read', 'write'] }, expect: 201 });
    const watch = await api<{ id: string }>(origin, '/price-watches', { token: user.token, body: { product_url: aliUrl(), source: 'aliexpress' }, expect: 201 });
    // Inserted directly, not through POST /imports, so no consumer work runs under the measurements.
    const [job] = await db.db.insert(importJobs).values({ userId: user.id, source: 'aliexpress', sourceUrl: aliUrl(), status: 'completed', progressPercent: 100 }).returning();
    const creds = { token: user.token, key: key.key };

    const routes: Route[] = [
      { name: 'GET /health', kind: 'read', method: 'GET', path: '/health', auth: 'none' },
      { name: 'GET /auth/me', kind: 'read', method: 'GET', path: '/auth/me', auth: 'token' },
      { name: 'GET /imports', kind: 'read', method: 'GET', path: '/imports', auth: 'token' },
      { name: 'GET /imports/{id}', kind: 'read', method: 'GET', path: `/imports/${job.id}`, auth: 'token' },
      { name: 'GET /price-watches', kind: 'read', method: 'GET', path: '/price-watches', auth: 'token' },
      { name: 'GET /price-watches/{id}/history', kind: 'read', method: 'GET', path: `/price-watches/${watch.id}/history`, auth: 'token' },
      { name: 'GET /connections', kind: 'read', method: 'GET', path: '/connections', auth: 'token' },
      { name: 'GET /suppliers/accounts', kind: 'read', method: 'GET', path: '/suppliers/accounts', auth: 'token' },
      { name: 'GET /billing/current', kind: 'read', method: 'GET', path: '/billing/current', auth: 'token' },
      { name: 'GET /stats', kind: 'read', method: 'GET', path: '/stats', auth: 'token' },
      { name: 'GET /usage', kind: 'read', method: 'GET', path: '/usage', auth: 'token' },
      { name: 'GET /usage (API key)', kind: 'read', method: 'GET', path: '/usage', auth: 'key' },
      { name: 'GET /imports (API key)', kind: 'read', method: 'GET', path: '/imports', auth: 'key' },
      { name: 'GET /api-keys', kind: 'read', method: 'GET', path: '/api-keys', auth: 'token' },
      { name: 'GET /alerts/settings', kind: 'read', method: 'GET', path: '/alerts/settings', auth: 'token' },
      { name: 'POST /auth/login', kind: 'write', method: 'POST', path: '/auth/login', body: () => ({ email: login[0].email, password: 'correct horse battery' }), auth: 'none' },
      { name: 'PUT /alerts/settings', kind: 'write', method: 'PUT', path: '/alerts/settings', body: () => ({ email: 'alerts@example.com', email_enabled: true }), auth: 'token' },
      { name: 'PUT /alerts/settings (API key)', kind: 'write', method: 'PUT', path: '/alerts/settings', body: () => ({ email: 'alerts@example.com', email_enabled: true }), auth: 'key' },
      { name: 'POST /products/preview', kind: 'write', method: 'POST', path: '/products/preview', body: () => ({ url: aliUrl() }), auth: 'token' },
      { name: 'PUT /price-watches/{id}', kind: 'write', method: 'PUT', path: `/price-watches/${watch.id}`, body: () => ({ threshold_percent: 12.5 }), auth: 'token' },
      { name: 'POST /price-watches', kind: 'write', method: 'POST', path: '/price-watches', body: () => ({ product_url: aliUrl(), source: 'aliexpress' }), auth: 'token' },
      { name: 'POST /imports', kind: 'write', method: 'POST', path: '/imports', body: () => ({ product_url: aliUrl(), source: 'aliexpress' }), auth: 'token' },
    ];

    /** Waits until the imports POST /imports queued are finished, so their consumer doesn't share the link with the next request. */
    const settle = async () => {
      for (let i = 0; i < 600; i++) {
        const [{ n }] = await db.db.select({ n: sql<number>`count(*)::int` }).from(importJobs).where(inArray(importJobs.status, ['pending', 'running']));
        if (n === 0) return;
        await new Promise((r) => setTimeout(r, 500));
      }
      throw new Error('queued imports did not finish');
    };

    // Samples at 0 and at D alternate, so both see the same load on the machine; the
    // request before a switch has been answered, so no exchange is in flight across it.
    const p50: Record<string, [number, number]> = {};
    for (const route of routes) {
      const samples: [number[], number[]] = [[], []];
      for (let i = 0; i < WARMUP + SAMPLES; i++) {
        for (const [j, delay] of [0, DELAY_MS].entries()) {
          for (const link of links) link.setDelay(delay);
          const ms = await time(origin, route, creds);
          if (i >= WARMUP) samples[j].push(ms);
          await settle();
        }
      }
      const [at0, atD] = samples.map((xs) => quantile(xs.sort((a, b) => a - b), 0.5));
      p50[route.name] = [at0, atD];
      console.log(`  ${route.name}: p50 ${at0.toFixed(1)} ms at 0, ${atD.toFixed(1)} ms at ${DELAY_MS}`);
    }
    for (const link of links) link.setDelay(0);

    const head = ['route', 'kind', `p50 at 0 ms`, `p50 at ${DELAY_MS} ms`, 'round trips', 'budget', ''];
    console.log(`\nWorker–database link delayed ${DELAY_MS} ms each way; ${SAMPLES} serial requests per route; round trips = (p50 at D − p50 at 0) / 2D.\n`);
    console.log(`| ${head.join(' | ')} |\n|${head.map(() => ' --- ').join('|')}|`);
    let over = 0;
    for (const route of routes) {
      const [at0, atD] = p50[route.name];
      const trips = (atD - at0) / (2 * DELAY_MS);
      const budget = BUDGET[route.kind];
      if (trips > budget) over++;
      console.log(`| ${route.name} | ${route.kind} | ${at0.toFixed(1)} | ${atD.toFixed(1)} | ${trips.toFixed(2)} | ≤ ${budget} | ${trips > budget ? '✗' : '✓'} |`);
    }
    console.log(`\n${over ? `✗ ${over} of ${routes.length} routes over budget` : `✓ every route within budget`}`);
    if (over && process.env.BENCH_ENFORCE) process.exitCode = 1;
  } finally {
    await worker.stop();
    for (const link of links) await link.stop();
    await db.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * `npm run bench:price-sync`: one full price sync at volume, measured.
 *
 * Seeds an in-memory embedded Postgres (PGlite, through the same Neon driver and bridge
 * as the worker) with N watches over M distinct supplier products spread across users,
 * all due; runs the cron's scheduling (claim pages → chunks) and then the queue
 * consumer's code on every chunk in turn, against the fake AliExpress DS API answering
 * each call after ~50 ms. The users have no supplier account, so their group is the one
 * the demo catalogue answers in the worker; here that group's adapter is the real
 * AliExpress adapter pointed at the slow fake, so every product lookup is an HTTP call
 * that can be counted. Prints supplier requests per distinct product (1.0 means each
 * product was fetched once however many watches share it), database statements per
 * chunk, and watches checked per second.
 *
 *   npm run bench:price-sync                                   # 10,000 watches over 2,000 products
 *   BENCH_WATCHES=20000 BENCH_PRODUCTS=5000 BENCH_LATENCY_MS=80 npm run bench:price-sync
 *   BENCH_WATCHES=100000 BENCH_CRON_ONLY=1 npm run bench:price-sync   # one cron run at 100,000 due watches
 */
import { neonConfig } from '@neondatabase/serverless';
import { sql } from 'drizzle-orm';
import ws from 'ws';
import { createDb } from '../../worker/db/client';
import { checkWatchIds, priceCheckDeps, type PriceEnv } from '../../worker/services/price-check';
import { schedulePriceChecks } from '../../worker/services/price-schedule';
import { AliExpressAdapter } from '../../worker/suppliers/aliexpress';
import { staticToken } from '../../worker/services/aliexpress-tokens';
import { startAliExpressFake } from '../../worker/test/fakes/aliexpress';
import { startLocalDb } from '../local-db';
import { applyMigrations } from '../migrate';

const WATCHES = Number(process.env.BENCH_WATCHES ?? 10_000);
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 2_000);
const USERS = Number(process.env.BENCH_USERS ?? 200);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const CRON_ONLY = ['1', 'true', 'on'].includes(process.env.BENCH_CRON_ONLY ?? '');

async function control(origin: string, path: string, body: unknown) {
  const res = await fetch(`${origin}/__control/${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`fake ${path}: ${res.status}`);
  return res.json() as Promise<any>;
}

/** A Queue that keeps what the cron sends, so the bench can run each message itself. */
function collectingQueue() {
  const messages: { watchIds: string[] }[] = [];
  let calls = 0;
  const queue = {
    async send(body: { watchIds: string[] }) {
      calls++;
      messages.push(body);
    },
    async sendBatch(batch: Iterable<{ body: { watchIds: string[] } }>) {
      calls++;
      for (const m of batch) messages.push(m.body);
    },
  };
  return { queue: queue as unknown as Queue, messages, calls: () => calls };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function main() {
  neonConfig.webSocketConstructor = ws;
  const local = await startLocalDb();
  const fake = await startAliExpressFake();
  try {
    await applyMigrations(local.databaseUrl, local.wsProxy);
    const origin = fake.bindings.ALIEXPRESS_API_BASE;
    const creds = { app_key: 'bench-app', app_secret: 'bench-secret', access_token: 'bench-token' };
    await control(origin, 'apps', creds);
    // Every call answers after LATENCY_MS (the failure queue holds one endless "delay" entry).
    await control(origin, 'fail', { app_key: creds.app_key, mode: 'delay', times: 1e12, delay_ms: LATENCY_MS });

    const env = {
      DATABASE_URL: local.databaseUrl,
      DB_WS_PROXY: local.wsProxy,
      ENCRYPTION_KEY: 'k1:3q2+7w5nqz0v1L4mY8c9xQm5bR2tV6uH0aJ3kD7fP1s=',
      DEMO_CATALOGUE: 'on',
      ALLOW_LOCAL_STORES: 'true',
      PRICE_SYNC_INTERVAL_MINUTES: '60',
      ALIEXPRESS_API_BASE: origin,
      CJ_API_BASE: origin,
      SUPPLIER_REQUEST_TIMEOUT_MS: '15000',
      SHOPIFY_API_VERSION: '2026-10',
      STORE_REQUEST_TIMEOUT_MS: '20000',
      PREVIEW_CACHE: undefined as unknown as KVNamespace,
    } satisfies PriceEnv;
    const { db, pool, roundTrips } = createDb(env);

    console.log(`Seeding ${WATCHES.toLocaleString('en')} due watches over ${PRODUCTS.toLocaleString('en')} products for ${USERS} users…`);
    await db.execute(sql`
      INSERT INTO users (email, plan) SELECT 'bench-' || g || '@example.com', 'enterprise' FROM generate_series(1, ${USERS}) g`);
    // Watch g follows product g % PRODUCTS for user g % USERS: several users share each product.
    await db.execute(sql`
      WITH u AS (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE email LIKE 'bench-%')
      INSERT INTO price_watches (user_id, source, source_product_id, product_url, threshold_percent, next_check_at)
      SELECT u.ids[1 + g % ${USERS}], 'aliexpress', (100500000000000 + g % ${PRODUCTS})::text,
             'https://www.aliexpress.com/item/' || (100500000000000 + g % ${PRODUCTS}) || '.html', 5,
             now() - (g % 3600) * interval '1 second'
      FROM u, generate_series(0, ${WATCHES - 1}) g`);
    await db.execute(sql`ANALYZE price_watches`);

    const slow = new AliExpressAdapter(origin, { appKey: creds.app_key, appSecret: creds.app_secret, tokens: staticToken(creds.access_token) }, { shipToCountry: 'US', targetCurrency: 'USD', targetLanguage: 'en', simplify: false }, 15_000);
    const deps = { ...priceCheckDeps(env), demo: () => slow };

    const q = collectingQueue();
    roundTrips.statements = 0;
    let started = performance.now();
    const scheduled = await schedulePriceChecks(env, db, q.queue, new Date());
    const scheduleMs = performance.now() - started;
    const scheduleStatements = roundTrips.statements!;
    if (CRON_ONLY) {
      const sizes = q.messages.map((m) => m.watchIds.length);
      console.log('');
      for (const [k, v] of [
        ['due watches / distinct products', `${WATCHES.toLocaleString('en')} / ${PRODUCTS.toLocaleString('en')} (${USERS} users)`],
        ['one cron run: watches claimed', scheduled.claimed.toLocaleString('en')],
        ['one cron run: claim statements (pages)', `${scheduleStatements} (${scheduled.pages})`],
        ['one cron run: queue messages / sendBatch calls', `${scheduled.messages} / ${scheduled.sendCalls}`],
        ['ids per message (max)', String(Math.max(...sizes))],
        ['one cron run: wall time', `${(scheduleMs / 1000).toFixed(2)} s`],
      ]) console.log(`  ${k.padEnd(52)} ${v}`);
      await pool.end();
      return;
    }

    const perChunk: { statements: number; ms: number; watches: number }[] = [];
    started = performance.now();
    for (const m of q.messages) {
      roundTrips.statements = 0;
      const t = performance.now();
      const r = await checkWatchIds(env, db, deps, m.watchIds);
      perChunk.push({ statements: roundTrips.statements!, ms: performance.now() - t, watches: r.checked });
      if (r.errors) throw new Error(`${r.errors} watches failed in a chunk`);
    }
    const syncMs = performance.now() - started;

    const log = await control(origin, `requests?app_key=${creds.app_key}`, undefined);
    const productCalls = (log.requests as { method: string }[]).filter((r) => r.method === 'aliexpress.ds.product.get').length;
    const { rows } = await db.execute<{ checked: number; points: number; distinct_products: number }>(sql`
      SELECT (SELECT count(*)::int FROM price_watches WHERE last_checked_at IS NOT NULL) AS checked,
             (SELECT count(*)::int FROM price_points) AS points,
             (SELECT count(DISTINCT source_product_id)::int FROM price_watches) AS distinct_products`);
    await pool.end();

    const statements = perChunk.map((c) => c.statements).sort((a, b) => a - b);
    const chunkMs = perChunk.map((c) => c.ms).sort((a, b) => a - b);
    const watched = perChunk.reduce((s, c) => s + c.watches, 0);
    const table: [string, string][] = [
      ['watches / distinct products', `${WATCHES.toLocaleString('en')} / ${rows[0].distinct_products.toLocaleString('en')} (${USERS} users)`],
      ['supplier latency per call', `${LATENCY_MS} ms`],
      ['cron: watches claimed / pages / statements', `${scheduled.claimed.toLocaleString('en')} / ${scheduled.pages} / ${scheduleStatements} in ${(scheduleMs / 1000).toFixed(2)} s`],
      ['cron: queue messages / sendBatch calls', `${scheduled.messages} / ${scheduled.sendCalls}`],
      ['supplier requests / distinct products', `${productCalls.toLocaleString('en')} / ${rows[0].distinct_products.toLocaleString('en')} = ${(productCalls / rows[0].distinct_products).toFixed(2)}`],
      ['database statements per chunk (min / median / max)', `${statements[0]} / ${quantile(statements, 0.5)} / ${statements[statements.length - 1]}`],
      ['chunk time (median / p95)', `${quantile(chunkMs, 0.5).toFixed(0)} ms / ${quantile(chunkMs, 0.95).toFixed(0)} ms`],
      ['watches checked / price points written', `${watched.toLocaleString('en')} / ${rows[0].points.toLocaleString('en')} (rows checked: ${rows[0].checked.toLocaleString('en')})`],
      ['consumer wall time, chunks in turn', `${(syncMs / 1000).toFixed(1)} s`],
      ['watches per second (one consumer)', `${Math.round(watched / (syncMs / 1000)).toLocaleString('en')}`],
    ];
    console.log('');
    for (const [k, v] of table) console.log(`  ${k.padEnd(52)} ${v}`);
  } finally {
    await fake.stop();
    await local.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

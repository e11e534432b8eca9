/**
 * `npm run bench:metrics`: times every key-metric query at production-like volume.
 *
 * Seeds an in-memory embedded Postgres (PGlite) with 1,000,000 import jobs and matching
 * users, subscriptions, store connections, price watches, price points, alerts and API
 * key usage, all with set-based INSERT … SELECT generate_series; then runs each metric's
 * SQL (the very fragments the worker sends) through the Neon driver over the local
 * bridge, prints the median wall time and Postgres' own execution time, and reads the
 * plan to confirm which indexes answer it.
 *
 *   npm run bench:metrics                 # 1,000,000 jobs in PGlite
 *   BENCH_JOBS=200000 npm run bench:metrics
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch npm run bench:metrics
 *                                         # a real PostgreSQL; the database must be empty
 */
import { Pool, neonConfig } from '@neondatabase/serverless';
import { sql, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/neon-serverless';
import ws from 'ws';
import type { Db } from '../../worker/db/client';
import * as schema from '../../worker/db/schema';
import { adminMetrics, apiKeysSql, conversionSql, importsSql, merchantStats, priceWatchSql, storesSql, type Window } from '../../worker/services/metrics';
import { startLocalDb } from '../local-db';
import { applyMigrations } from '../migrate';

const JOBS = Number(process.env.BENCH_JOBS ?? 1_000_000);
const USERS = 20_000;
const HEAVY_USER_JOBS = Math.round(JOBS / 20);
const RUNS = 5;
const DAY_MS = 86_400_000;

/**
 * Tables whose sequential scan for a 30-day window would mean a missing index at this
 * volume (over 366 days of data a year-long window reads nearly everything anyway).
 */
const BIG_TABLES = new Set(['import_jobs', 'price_points', 'price_alerts', 'api_key_usage']);

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const out = await fn();
  return [out, performance.now() - started];
}

async function seed(db: Db) {
  const step = async (label: string, q: SQL) => {
    const [, ms] = await timed(() => db.execute(q));
    console.log(`  ${label.padEnd(44)} ${(ms / 1000).toFixed(1).padStart(6)} s`);
  };
  console.log(`Seeding (set-based INSERT … SELECT generate_series):`);
  await step(`${USERS.toLocaleString('en')} users over the last 365 days`, sql`
    INSERT INTO users (email, created_at, updated_at)
    SELECT 'bench-' || g || '@example.com', now() - random() * interval '365 days', now()
    FROM generate_series(1, ${USERS}) g`);
  await step('one heavy merchant (Enterprise)', sql`
    INSERT INTO users (email, plan, created_at, updated_at) VALUES ('bench-heavy@example.com', 'enterprise', now() - interval '400 days', now())`);
  await step('subscriptions for 15% of users', sql`
    INSERT INTO subscriptions (user_id, stripe_subscription_id, stripe_price_id, plan, status, current_period_start, current_period_end, created_at, updated_at)
    SELECT id, 'sub_bench_' || n, 'price_bench', (ARRAY['pro', 'enterprise'])[1 + n % 2]::plantier,
           (ARRAY['active', 'active', 'trialing', 'canceled', 'past_due'])[1 + n % 5]::subscriptionstatus,
           created_at, created_at + interval '30 days', created_at + interval '1 hour', now()
    FROM (SELECT id, created_at, row_number() OVER () AS n FROM users WHERE email LIKE 'bench-%' AND random() < 0.15) u`);

  // Jobs in chunks so progress shows; each chunk is still one set-based statement.
  const chunk = 250_000;
  for (let done = 0; done < JOBS; done += chunk) {
    const n = Math.min(chunk, JOBS - done);
    await step(`import jobs ${(done + 1).toLocaleString('en')}–${(done + n).toLocaleString('en')}`, sql`
      WITH u AS (SELECT array_agg(id) AS ids, count(*)::int AS n FROM users WHERE email LIKE 'bench-%' AND email <> 'bench-heavy@example.com'),
      rows AS (
        SELECT u.ids[1 + (g % u.n)] AS user_id, now() - random() * interval '365 days' AS created_at, random() AS r, random() AS d
        FROM u, generate_series(1, ${n}) g
      )
      INSERT INTO import_jobs (user_id, source, source_url, status, progress_percent, attempts, started_at, finished_at, created_at, updated_at)
      SELECT user_id, 'aliexpress', 'https://www.aliexpress.com/item/1005' || (r * 1e9)::bigint || '.html',
             s.status::importjobstatus, CASE WHEN s.status = 'completed' THEN 100 ELSE 0 END, 1,
             CASE WHEN s.status <> 'pending' THEN created_at + interval '1 second' END,
             CASE WHEN s.status IN ('completed', 'failed', 'cancelled') THEN created_at + (2 + d * 178) * interval '1 second' END,
             created_at, created_at
      FROM rows, LATERAL (SELECT CASE WHEN r < 0.80 THEN 'completed' WHEN r < 0.90 THEN 'failed' WHEN r < 0.94 THEN 'cancelled'
                                      WHEN r < 0.97 THEN 'pending' ELSE 'running' END AS status) s`);
  }
  await step(`${HEAVY_USER_JOBS.toLocaleString('en')} jobs of the heavy merchant`, sql`
    INSERT INTO import_jobs (user_id, source, status, started_at, finished_at, created_at, updated_at)
    SELECT u.id, 'cjdropship', CASE WHEN g % 10 = 0 THEN 'failed' ELSE 'completed' END::importjobstatus,
           t + interval '1 second', t + (5 + g % 60) * interval '1 second', t, t
    FROM (SELECT id FROM users WHERE email = 'bench-heavy@example.com') u, generate_series(1, ${HEAVY_USER_JOBS}) g,
         LATERAL (SELECT now() - (g % 365) * interval '1 day' - (g % 86400) * interval '1 second' AS t) x`);
  await step('store connections (1–3 for 60% of users)', sql`
    INSERT INTO store_connections (user_id, store_name, platform, store_url, created_at, updated_at)
    SELECT u.id, 'Shop ' || k, 'shopify', 'https://bench-' || u.n || '-' || k || '.myshopify.com', u.created_at + k * interval '1 hour', now()
    FROM (SELECT id, created_at, row_number() OVER () AS n FROM users WHERE random() < 0.6) u,
         LATERAL generate_series(1, 1 + (u.n % 3)::int) k`);
  await step('30,000 price watches', sql`
    WITH u AS (SELECT array_agg(id) AS ids, count(*)::int AS n FROM users)
    INSERT INTO price_watches (user_id, source, source_product_id, is_active, next_check_at, created_at, updated_at)
    SELECT u.ids[1 + (g % u.n)], 'aliexpress', '1005' || g, g % 10 <> 0, now() + interval '1 hour',
           now() - random() * interval '365 days', now()
    FROM u, generate_series(1, 30000) g`);
  await step('600,000 price points (20 checks per watch)', sql`
    INSERT INTO price_points (watch_id, price, currency, stock, observed_at)
    SELECT w.id, round((10 + random() * 90)::numeric, 2), 'USD', 100, now() - random() * interval '365 days'
    FROM price_watches w, generate_series(1, 20) g`);
  await step('price alerts (6% of checks)', sql`
    INSERT INTO price_alerts (user_id, watch_id, kind, old_price, new_price, change_percent, created_at)
    SELECT w.user_id, w.id, CASE WHEN random() < 0.85 THEN 'price_change' ELSE 'out_of_stock' END, 10, 12, 20, p.observed_at
    FROM price_points p JOIN price_watches w ON w.id = p.watch_id WHERE random() < 0.06`);
  await step('2,000 API keys', sql`
    INSERT INTO api_keys (user_id, name, key_hash, key_prefix, last_used_at)
    SELECT id, 'bench', md5(id::text) || md5(email), 'so_live_bench', now() FROM users WHERE email LIKE 'bench-%' LIMIT 2000`);
  await step('API key usage (each key on ~half the days)', sql`
    INSERT INTO api_key_usage (key_id, day, requests)
    SELECT k.id, d::date, 1 + (random() * 500)::int
    FROM api_keys k, generate_series(current_date - 365, current_date, interval '1 day') d WHERE random() < 0.5`);
  await step('VACUUM ANALYZE', sql`VACUUM ANALYZE`);
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function walk(node: PlanNode, out: { indexes: Set<string>; seqScans: Set<string> }) {
  if (node['Index Name']) out.indexes.add(`${node['Node Type'] === 'Index Only Scan' ? 'index-only ' : ''}${node['Index Name']}`);
  if (node['Node Type'] === 'Seq Scan' && node['Relation Name']) out.seqScans.add(node['Relation Name']);
  for (const child of node.Plans ?? []) walk(child, out);
}

async function measure(db: Db, label: string, fragment: SQL, expectIndexes: boolean) {
  const query = sql`SELECT ${fragment} AS v`;
  await db.execute(query); // warm the cache once, as a live database would be
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push((await timed(() => db.execute(query)))[1]);
  times.sort((a, b) => a - b);
  const { rows } = await db.execute<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>(
    sql`EXPLAIN (ANALYZE, FORMAT JSON) SELECT ${fragment} AS v`,
  );
  const plan = rows[0]['QUERY PLAN'][0];
  const found = { indexes: new Set<string>(), seqScans: new Set<string>() };
  walk(plan.Plan, found);
  const bigSeq = expectIndexes ? [...found.seqScans].filter((t) => BIG_TABLES.has(t)) : [];
  console.log(
    `  ${label.padEnd(40)} ${times[Math.floor(RUNS / 2)].toFixed(1).padStart(8)} ms ${plan['Execution Time'].toFixed(1).padStart(8)} ms   ` +
      `${[...found.indexes].join(', ') || '—'}${found.seqScans.size ? `; seq scan: ${[...found.seqScans].join(', ')}` : ''}${bigSeq.length ? '  ⚠ no index' : ''}`,
  );
  return bigSeq.length === 0;
}

async function main() {
  const started = performance.now();
  const external = process.env.BENCH_DATABASE_URL;
  const local = await startLocalDb(external ? { databaseUrl: external } : {});
  console.log(`Database: ${external ? `PostgreSQL at ${new URL(external).host}${new URL(external).pathname}` : 'embedded PGlite, in memory'}\n`);
  try {
    await applyMigrations(local.databaseUrl, local.wsProxy);
    neonConfig.webSocketConstructor = ws;
    const pool = new Pool({ connectionString: local.databaseUrl, max: 1 });
    const db = drizzle({ client: pool, schema });
    try {
      const existing = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM users`);
      if (existing.rows[0].n > 0) throw new Error('BENCH_DATABASE_URL must name an empty scratch database: the benchmark fills it with a million rows');
      await seed(db);
      const { rows } = await db.execute<{ jobs: number; heavy: string }>(
        sql`SELECT (SELECT count(*)::int FROM import_jobs) AS jobs, (SELECT id FROM users WHERE email = 'bench-heavy@example.com') AS heavy`,
      );
      const { jobs, heavy } = rows[0];
      console.log(`\n${jobs.toLocaleString('en')} import jobs in the database.\n`);

      const now = Date.now();
      const startOfToday = Math.floor(now / DAY_MS) * DAY_MS;
      const windows: [string, Window][] = [
        ['30 days', { from: new Date(startOfToday - 29 * DAY_MS), to: new Date(now) }],
        ['366 days', { from: new Date(now - 366 * DAY_MS), to: new Date(now) }],
      ];
      let allIndexed = true;
      for (const [name, w] of windows) {
        console.log(`Window: ${name}              (median of ${RUNS} through the Neon driver · Postgres execution time · plan)`);
        allIndexed = (await measure(db, 'imports: volume, success rate, duration, daily', importsSql(w), name === '30 days')) && allIndexed;
        allIndexed = (await measure(db, 'price watches: active, checks, changes', priceWatchSql(w), name === '30 days')) && allIndexed;
        allIndexed = (await measure(db, 'plan conversion', conversionSql(w), name === '30 days')) && allIndexed;
        allIndexed = (await measure(db, 'API key usage', apiKeysSql(w), name === '30 days')) && allIndexed;
        allIndexed = (await measure(db, 'connected stores per user', storesSql(w), name === '30 days')) && allIndexed;
        allIndexed = (await measure(db, `merchant imports (${HEAVY_USER_JOBS.toLocaleString('en')} jobs)`, importsSql(w, heavy), name === '30 days')) && allIndexed;
        allIndexed = (await measure(db, 'merchant price watches', priceWatchSql(w, heavy), name === '30 days')) && allIndexed;
        const [, admin] = await timed(() => adminMetrics(db, w));
        const [, merchant] = await timed(() => merchantStats(db, heavy, w));
        console.log(`  ${'GET /admin/metrics statement (all eight)'.padEnd(40)} ${admin.toFixed(1).padStart(8)} ms`);
        console.log(`  ${'GET /stats statement (heavy merchant)'.padEnd(40)} ${merchant.toFixed(1).padStart(8)} ms\n`);
      }
      console.log(allIndexed ? 'Every metric query is answered through indexes on the large tables.' : 'Some metric query scans a large table sequentially (⚠ above).');
      console.log(`Total ${((performance.now() - started) / 1000).toFixed(0)} s.`);
      if (!allIndexed) process.exitCode = 1;
    } finally {
      await pool.end();
    }
  } finally {
    await local.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

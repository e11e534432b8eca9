/**
 * `npm run bench:pipeline`: import pipeline throughput end to end. For each (consumer
 * batch size, in-batch concurrency) pair, starts `wrangler dev` with that
 * `max_batch_size` and IMPORT_CONCURRENCY, queues N imports through POST /imports/bulk
 * for one enterprise user with a live AliExpress account and a Shopify store, and waits
 * until the real queue consumer (worker/jobs/queue.ts → services/import-pipeline.ts) has
 * finished every job: supplier fetch from the fake AliExpress Open Platform, pricing,
 * push to the fake Shopify Admin GraphQL API, both behind a proxy that answers after
 * 50 ms. Every product id is new, so every job misses the preview cache.
 *
 * Reports jobs/s (from the first bulk request to the last job finished), job latency
 * (created → finished) and the calls the fakes received. Local queues deliver one batch
 * at a time, so jobs/s here is what one consumer invocation sustains; Cloudflare runs up
 * to max_concurrency invocations in parallel on top of it.
 *
 *   npm run bench:pipeline
 *   BENCH_JOBS=500 BENCH_MATRIX="10x4,50x25" BENCH_LATENCY_MS=80 npm run bench:pipeline
 */
import { and, eq, sql } from 'drizzle-orm';
import { importJobs } from '../../worker/db/schema';
import { startAliExpressFake } from '../../worker/test/fakes/aliexpress';
import { startFakeShopify } from '../../worker/test/fakes/shopify';
import { api, benchUser, latencyProxy, quantile, startBenchDb, startWorker, type BenchDb } from './stack';

const JOBS = Number(process.env.BENCH_JOBS ?? 1000);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 900) * 1000;
/** `batch x concurrency` pairs. */
const MATRIX = (process.env.BENCH_MATRIX ?? '10x1,10x4,10x10,25x25,50x50,100x100')
  .split(',')
  .map((pair) => pair.trim().split('x').map(Number) as [number, number]);

interface RunResult {
  batch: number;
  concurrency: number;
  completed: number;
  failed: number;
  seconds: number;
  jobsPerSecond: number;
  /** Jobs/s between the 10th and the 90th percentile of finish times (start-up and tail left out). */
  steadyJobsPerSecond: number;
  /** From the first bulk request to the first job claimed by the consumer. */
  firstClaimSeconds: number;
  p50: number;
  p95: number;
  supplierCalls: number;
  storeCalls: number;
  firstError: string | null;
}

async function control(origin: string, path: string, body?: unknown) {
  const res = await fetch(`${origin}/__control/${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`fake control ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<any>;
}

async function run(db: BenchDb, fakes: { aliexpress: string; shopify: string }, batch: number, concurrency: number): Promise<RunResult> {
  const supplier = await latencyProxy(fakes.aliexpress, LATENCY_MS);
  const store = await latencyProxy(fakes.shopify, LATENCY_MS);
  const worker = await startWorker({ db, batchSize: batch, label: `pipeline-${batch}x${concurrency}`, vars: { IMPORT_CONCURRENCY: String(concurrency), ALIEXPRESS_API_BASE: supplier.origin } });
  try {
    const origin = worker.origin;
    const user = await benchUser(origin, db.db, 'enterprise', `pipe${batch}x${concurrency}`);
    const tag = `${batch}x${concurrency}-${crypto.randomUUID().slice(0, 6)}`;
    const creds = { app_key: `bench-${tag}`, app_secret: `secret-${tag}`, access_token: `token-${tag}` };
    await control(fakes.aliexpress, 'apps', creds);
    await api(origin, '/suppliers/accounts', { token: user.token, body: { name: 'AliExpress', platform: 'aliexpress', credentials: creds }, expect: 201 });
    const shop = await control(fakes.shopify, 'shops', { name: `Bench ${tag}` });
    await api(origin, '/connections', { token: user.token, body: { store_name: 'Bench shop', platform: 'shopify', store_url: store.origin, api_key: shop.token }, expect: 201 });

    const base = 1005008000000000 + Math.floor(Math.random() * 1e9) * 1000;
    const urls = Array.from({ length: JOBS }, (_, i) => `https://www.aliexpress.com/item/${base + i}.html`);
    const started = Date.now();
    for (let i = 0; i < urls.length; i += 50) {
      await api(origin, '/imports/bulk', { token: user.token, body: { product_urls: urls.slice(i, i + 50), source: 'aliexpress' }, expect: 201 });
    }
    const mine = eq(importJobs.userId, user.id);
    for (;;) {
      const [{ done }] = await db.db.select({ done: sql<number>`count(*) FILTER (WHERE status IN ('completed', 'failed'))::int` }).from(importJobs).where(mine);
      if (done >= JOBS) break;
      if (Date.now() - started > TIMEOUT_MS) throw new Error(`${batch}x${concurrency}: only ${done}/${JOBS} jobs finished in ${TIMEOUT_MS / 1000} s (see ${worker.logFile})`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const rows = await db.db
      .select({ status: importJobs.status, created: importJobs.createdAt, started: importJobs.startedAt, finished: importJobs.finishedAt, error: importJobs.errorMessage })
      .from(importJobs)
      .where(mine);
    const finishes = rows.map((r) => r.finished!.getTime()).sort((a, b) => a - b);
    const last = finishes[finishes.length - 1];
    const firstClaim = Math.min(...rows.map((r) => r.started?.getTime() ?? Infinity));
    const [t10, t90] = [quantile(finishes, 0.1), quantile(finishes, 0.9)];
    const latencies = rows.map((r) => r.finished!.getTime() - r.created.getTime()).sort((a, b) => a - b);
    const failed = rows.filter((r) => r.status === 'failed');
    const [{ n: stored }] = await db.db.select({ n: sql<number>`count(*)::int` }).from(importJobs).where(and(mine, sql`created_product_id IS NOT NULL`));
    if (stored + failed.length !== JOBS) throw new Error(`${batch}x${concurrency}: ${JOBS - stored - failed.length} jobs completed without a store product`);
    const seconds = (last - started) / 1000;
    return {
      batch,
      concurrency,
      completed: rows.length - failed.length,
      failed: failed.length,
      seconds,
      jobsPerSecond: JOBS / seconds,
      steadyJobsPerSecond: (0.8 * JOBS) / Math.max((t90 - t10) / 1000, 0.001),
      firstClaimSeconds: (firstClaim - started) / 1000,
      p50: quantile(latencies, 0.5) / 1000,
      p95: quantile(latencies, 0.95) / 1000,
      supplierCalls: (await control(fakes.aliexpress, `requests?app_key=${creds.app_key}`)).count,
      storeCalls: (await control(fakes.shopify, `shops/${shop.token}`)).requests.length,
      firstError: failed[0]?.error ?? null,
    };
  } finally {
    await worker.stop();
    await supplier.stop();
    await store.stop();
  }
}

async function main() {
  const db = await startBenchDb();
  const aliexpress = await startAliExpressFake();
  const shopify = await startFakeShopify();
  const fakes = { aliexpress: aliexpress.bindings.ALIEXPRESS_API_BASE, shopify: shopify.bindings.FAKE_SHOPIFY_URL };
  const results: RunResult[] = [];
  try {
    console.log(`${JOBS} imports per run; supplier and store answer after ${LATENCY_MS} ms; batch x concurrency: ${MATRIX.map(([b, c]) => `${b}x${c}`).join(', ')}`);
    for (const [batch, concurrency] of MATRIX) {
      const r = await run(db, fakes, batch, concurrency);
      results.push(r);
      console.log(
        `  batch ${batch}, concurrency ${concurrency}: ${r.jobsPerSecond.toFixed(1)} jobs/s overall (${r.seconds.toFixed(1)} s, first claim after ${r.firstClaimSeconds.toFixed(1)} s), ${r.steadyJobsPerSecond.toFixed(1)} jobs/s steady, job latency p50 ${r.p50.toFixed(1)} s / p95 ${r.p95.toFixed(1)} s, ` +
          `${r.failed} failed${r.firstError ? ` (${r.firstError})` : ''}; supplier calls ${r.supplierCalls}, store calls ${r.storeCalls}`,
      );
    }
  } finally {
    await shopify.stop();
    await aliexpress.stop();
    await db.end();
  }
  const head = ['max_batch_size', 'IMPORT_CONCURRENCY', 'jobs/s (steady)', 'jobs/s (overall)', `${JOBS} jobs in`, 'job latency p50 / p95', 'failed', 'supplier / store calls'];
  console.log(`\n| ${head.join(' | ')} |\n|${head.map(() => ' --- ').join('|')}|`);
  for (const r of results) {
    console.log(`| ${r.batch} | ${r.concurrency} | ${r.steadyJobsPerSecond.toFixed(1)} | ${r.jobsPerSecond.toFixed(1)} | ${r.seconds.toFixed(1)} s | ${r.p50.toFixed(1)} s / ${r.p95.toFixed(1)} s | ${r.failed} | ${r.supplierCalls} / ${r.storeCalls} |`);
  }
  if (results.some((r) => r.failed)) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

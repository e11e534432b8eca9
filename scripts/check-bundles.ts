/**
 * Bundle budgets, checked offline (part of `npm run build` and `npm run deploy:check`):
 *
 * - the worker, as `wrangler deploy --dry-run` bundles it for each deployed environment
 *   (which also validates staging's and production's configuration): ≤ 400 KiB gzipped;
 * - the dashboard's initial JavaScript, i.e. what web/dist/index.html loads before any
 *   route (the entry script and its modulepreloads): ≤ 200 KiB gzipped. Pages are lazy
 *   routes, so each one adds its own chunk only when visited; the largest is reported.
 *
 * Exits 1 past a budget. Run `npm run build` first (it does, then calls this).
 *
 *   tsx scripts/check-bundles.ts              # both environments, then the dashboard
 *   tsx scripts/check-bundles.ts --json       # the figures as JSON (for the README table)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KiB = 1024;
const WORKER_BUDGET_GZIP = 400 * KiB;
const INITIAL_JS_BUDGET_GZIP = 200 * KiB;
const ENVIRONMENTS = ['production', 'staging'];

const gz = (bytes: Buffer) => gzipSync(bytes).length;
const kib = (n: number) => `${(n / KiB).toFixed(1)} KiB`;

interface WorkerFigures {
  env: string;
  raw: number;
  gzip: number;
}

/** Bundles the worker like a deploy would (no network needed) and measures what would be uploaded. */
function dryRun(env: string): WorkerFigures {
  const outdir = join(ROOT, '.wrangler', 'deploy-check', env);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const run = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--env', env, '--outdir', outdir], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  if (run.status !== 0) {
    process.stderr.write(run.stdout + run.stderr);
    throw new Error(`wrangler deploy --dry-run --env ${env} failed`);
  }
  let raw = 0;
  let gzip = 0;
  for (const file of readdirSync(outdir)) {
    if (!/\.(m?js|wasm)$/.test(file)) continue;
    const bytes = readFileSync(join(outdir, file));
    raw += bytes.length;
    gzip += gz(bytes);
  }
  if (!raw) throw new Error(`wrangler wrote no module into ${relative(ROOT, outdir)}`);
  return { env, raw, gzip };
}

interface DashboardFigures {
  initial: { file: string; gzip: number }[];
  initialGzip: number;
  largestRoute: { file: string; gzip: number } | null;
  totalJsGzip: number;
}

/** The scripts index.html loads up front (entry + modulepreload), and the biggest lazy chunk. */
function dashboard(dist = join(ROOT, 'web', 'dist')): DashboardFigures {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const srcs = [
    ...[...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)].map((m) => m[1]),
    ...[...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]),
  ];
  if (!srcs.length) throw new Error('web/dist/index.html loads no module script');
  const initial = [...new Set(srcs)].map((src) => {
    const file = join(dist, src.replace(/^\//, ''));
    return { file: relative(dist, file), gzip: gz(readFileSync(file)) };
  });
  const assets = join(dist, 'assets');
  const all = readdirSync(assets)
    .filter((f) => f.endsWith('.js'))
    .map((f) => ({ file: `assets/${f}`, gzip: gz(readFileSync(join(assets, f))) }));
  const initialFiles = new Set(initial.map((i) => i.file));
  const lazy = all.filter((a) => !initialFiles.has(a.file)).sort((a, b) => b.gzip - a.gzip);
  return {
    initial,
    initialGzip: initial.reduce((n, i) => n + i.gzip, 0),
    largestRoute: lazy[0] ?? null,
    totalJsGzip: all.reduce((n, a) => n + a.gzip, 0),
  };
}

function main() {
  const json = process.argv.includes('--json');
  const failures: string[] = [];
  const workers = ENVIRONMENTS.map(dryRun);
  for (const w of workers) {
    if (w.gzip > WORKER_BUDGET_GZIP) failures.push(`worker (${w.env}) is ${kib(w.gzip)} gzipped, over the ${kib(WORKER_BUDGET_GZIP)} budget`);
  }
  const dist = join(ROOT, 'web', 'dist');
  if (!existsSync(join(dist, 'index.html'))) throw new Error('web/dist is missing: run `npm run build` (vite build) first');
  const web = dashboard(dist);
  if (web.initialGzip > INITIAL_JS_BUDGET_GZIP) failures.push(`dashboard initial JavaScript is ${kib(web.initialGzip)} gzipped, over the ${kib(INITIAL_JS_BUDGET_GZIP)} budget`);

  if (json) {
    console.log(JSON.stringify({ workers, web, budgets: { worker: WORKER_BUDGET_GZIP, initialJs: INITIAL_JS_BUDGET_GZIP } }, null, 2));
  } else {
    console.log('Bundle budgets (gzip)');
    for (const w of workers) console.log(`  worker, env ${w.env.padEnd(10)} ${kib(w.gzip).padStart(10)} gzipped (${kib(w.raw)} minified)   budget ${kib(WORKER_BUDGET_GZIP)}`);
    console.log(`  dashboard initial JS     ${kib(web.initialGzip).padStart(10)} gzipped (${web.initial.length} files)        budget ${kib(INITIAL_JS_BUDGET_GZIP)}`);
    for (const i of web.initial) console.log(`    ${i.file.padEnd(40)} ${kib(i.gzip).padStart(10)}`);
    if (web.largestRoute) console.log(`  largest lazy chunk       ${kib(web.largestRoute.gzip).padStart(10)} (${web.largestRoute.file}), loaded on its route only`);
    console.log(`  all dashboard JS         ${kib(web.totalJsGzip).padStart(10)}`);
  }
  if (failures.length) {
    for (const f of failures) console.error(`✗ ${f}`);
    process.exit(1);
  }
  if (!json) console.log('✓ within budget');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}


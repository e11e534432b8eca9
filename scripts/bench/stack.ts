/**
 * The local stack the HTTP and pipeline benchmarks run against: an in-memory embedded
 * Postgres behind the WebSocket bridge (as `npm run dev`, minus the dashboard) and
 * `wrangler dev` started from a generated copy of wrangler.toml's local environment,
 * with the rate limits raised so the load itself is never refused, the consumer's batch
 * size and the BENCH var (which serves the floor route) set. Nothing here is used in
 * production; the generated config lives under .wrangler/bench/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { neonConfig } from '@neondatabase/serverless';
import ws from 'ws';
import { createDb, type Db } from '../../worker/db/client';
import { startLocalDb, type LocalDb } from '../local-db';
import { applyMigrations } from '../migrate';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BENCH_DIR = join(ROOT, '.wrangler', 'bench');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface BenchDb extends LocalDb {
  db: Db;
  end(): Promise<void>;
}

/** The embedded database with migrations applied, and a drizzle handle for seeding and reading results. */
export async function startBenchDb(): Promise<BenchDb> {
  neonConfig.webSocketConstructor = ws;
  const local = await startLocalDb(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {});
  await applyMigrations(local.databaseUrl, local.wsProxy);
  const { db, pool } = createDb({ DATABASE_URL: local.databaseUrl, DB_WS_PROXY: local.wsProxy });
  return {
    ...local,
    db,
    end: async () => {
      await pool.end();
      await local.stop();
    },
  };
}

export interface WorkerOptions {
  db: LocalDb;
  /** `max_batch_size` of the imports consumer. */
  batchSize?: number;
  /** Extra vars (`--var`), e.g. IMPORT_CONCURRENCY or fake supplier bases. */
  vars?: Record<string, string>;
  label?: string;
}

export interface BenchWorker {
  origin: string;
  logFile: string;
  stop(): Promise<void>;
}

/** wrangler.toml's local environment for the bench: raised limits, the batch size, no staging/production. */
function benchConfig(batchSize: number): string {
  const full = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
  let local = full.slice(0, full.search(/^\[env\./m));
  local = local.replace(/^main = ".*"$/m, `main = "${join(ROOT, 'worker', 'index.ts')}"`);
  local = local.replace(/^name = ".*"$/m, 'name = "sourcepilot-bench"');
  local = local.replace(/simple = \{ limit = \d+, period = (\d+) \}/g, 'simple = { limit = 1000000, period = $1 }');
  const importsConsumer = /(\[\[queues\.consumers\]\]\nqueue = "sourcepilot-imports"\nmax_batch_size = )\d+/;
  if (!importsConsumer.test(local)) throw new Error('wrangler.toml: imports consumer block not found');
  return local.replace(importsConsumer, `$1${batchSize}`);
}

/** Starts the worker for the bench (Wrangler's local runtime) and waits until /health answers. */
export async function startWorker(opts: WorkerOptions): Promise<BenchWorker> {
  const label = opts.label ?? 'worker';
  const dir = join(BENCH_DIR, label);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Bundled once up front (minified, as deployed) and served with no_bundle: wrangler dev
  // then watches nothing that changes, so an edit under worker/ mid-run cannot reload the
  // worker and drop the batches in flight.
  const config = benchConfig(opts.batchSize ?? 10);
  writeFileSync(join(dir, 'build.toml'), config);
  const build = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--config', join(dir, 'build.toml'), '--outdir', join(dir, 'bundle')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  if (build.status !== 0) throw new Error(`bundling the worker failed:\n${build.stdout}${build.stderr}`);
  writeFileSync(join(dir, 'wrangler.toml'), config.replace(/^main = ".*"$/m, `main = "${join(dir, 'bundle', 'index.js')}"\nno_bundle = true`));
  const devVars = existsSync(join(ROOT, '.dev.vars')) ? join(ROOT, '.dev.vars') : join(ROOT, '.dev.vars.example');
  copyFileSync(devVars, join(dir, '.dev.vars'));
  const port = await freePort();
  const vars = { BENCH: 'on', DATABASE_URL: opts.db.databaseUrl, DB_WS_PROXY: opts.db.wsProxy, DB_HTTP_ENDPOINT: opts.db.httpEndpoint, ...opts.vars };
  const logFile = join(dir, 'wrangler.log');
  const log = createWriteStream(logFile);
  // Default: Wrangler's API with the DevTools inspector off (worker-process.ts says why);
  // BENCH_WRANGLER_CLI=1 runs `wrangler dev` (inspector on) as the figures before did.
  const args = process.env.BENCH_WRANGLER_CLI === '1'
    ? [
        'wrangler', 'dev',
        '--config', join(dir, 'wrangler.toml'),
        '--port', String(port),
        '--ip', '127.0.0.1',
        '--persist-to', join(dir, 'state'),
        '--log-level', process.env.BENCH_LOG_LEVEL ?? 'log',
        ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
      ]
    : ['tsx', join(ROOT, 'scripts', 'bench', 'worker-process.ts'), join(dir, 'wrangler.toml'), String(port), join(dir, 'state'), JSON.stringify(vars)];
  const child: ChildProcess = spawn('npx', args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}); see ${logFile}`);
    try {
      const res = await fetch(`${origin}/api/v1/health`);
      if (res.status === 200) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer /health within 90 s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { origin, logFile, stop };
}

/**
 * An HTTP proxy that answers after `latencyMs`, in front of a fake third-party server:
 * the network distance to a real supplier or store, for the pipeline benchmark.
 */
export async function latencyProxy(target: string, latencyMs: number): Promise<{ origin: string; stop(): Promise<void> }> {
  const to = new URL(target);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        const upstream = request(
          { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        upstream.on('error', () => {
          res.writeHead(502);
          res.end();
        });
        upstream.end(Buffer.concat(chunks));
      }, latencyMs);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}${to.pathname === '/' ? '' : to.pathname}`, stop: () => new Promise((r) => server.close(() => r())) };
}

export interface DelayedLink {
  /** 127.0.0.1:port to connect to instead of the target. */
  address: string;
  port: number;
  /** One-way delay in ms, applied to every byte in each direction from now on. */
  setDelay(ms: number): void;
  stop(): Promise<void>;
}

/**
 * A TCP relay that holds every chunk (and the close) for `delay` ms in each direction,
 * in order: the worker–database distance for the latency benchmark. Below HTTP and
 * WebSocket, so a WebSocket upgrade, a Postgres startup or an HTTP request costs the
 * round trips it costs on a real link. Connections are accepted at once: TCP and TLS
 * handshakes are not counted (a warm connection's case).
 */
export async function delayedLink(target: { host: string; port: number }): Promise<DelayedLink> {
  let delay = 0;
  const sockets = new Set<Socket>();
  const later = (fn: () => void) => (delay > 0 ? setTimeout(fn, delay) : setImmediate(fn));
  const pipe = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => later(() => to.destroyed || to.write(chunk)));
    from.on('end', () => later(() => to.end()));
    from.on('error', () => later(() => to.destroy()));
    from.on('close', () => sockets.delete(from));
  };
  const server = createNetServer((client) => {
    const upstream = connect({ host: target.host, port: target.port });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    port,
    setDelay: (ms) => {
      delay = ms;
    },
    stop: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** JSON call to the bench worker; throws on an unexpected status. */
export async function api<T = any>(origin: string, path: string, opts: { method?: string; token?: string; body?: unknown; expect?: number } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${origin}/api/v1${path}`, { method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'), headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  if (res.status !== (opts.expect ?? res.status) || res.status >= 400) throw new Error(`${opts.method ?? 'GET'} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** A registered user on the given plan, with its access token. */
export async function benchUser(origin: string, db: Db, plan: 'free' | 'pro' | 'enterprise', tag = 'bench') {
  const email = `${tag}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const pair = await api<{ access_token: string }>(origin, '/auth/register', { body: { email, password: 'correct horse battery' }, expect: 201 });
  const me = await api<{ id: string }>(origin, '/auth/me', { token: pair.access_token });
  const { users } = await import('../../worker/db/schema');
  const { eq } = await import('drizzle-orm');
  await db.update(users).set({ plan }).where(eq(users.id, me.id));
  return { id: me.id, token: pair.access_token };
}

export const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

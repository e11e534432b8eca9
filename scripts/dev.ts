/**
 * `npm run dev`: the whole local stack. Embedded Postgres (data under .data/, or the
 * server in DATABASE_URL) behind the WebSocket bridge and the Neon HTTP endpoint, migrations, `wrangler dev` on
 * 8109 with local KV/Queues/Cron, and the Vite dashboard on 3109 proxying /api.
 * Ctrl-C stops everything; the next start keeps the data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { startDemoStore } from './demo-store';
import { readDevVars, syncDevVars } from './dev-vars';
import { startLocalDb } from './local-db';
import { applyMigrations } from './migrate';

const API_PORT = Number(process.env.API_PORT ?? 8109);
const WEB_PORT = Number(process.env.WEB_PORT ?? 3109);
const DEMO_STORE_PORT = Number(process.env.DEMO_STORE_PORT ?? 8190);

const children: ChildProcess[] = [];
let stopping = false;

function run(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', ...env },
    detached: true,
  });
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`[dev] ${name} exited (${code}); stopping the stack`);
      void shutdown(1);
    }
  });
  children.push(child);
  return child;
}

let stopDb: (() => Promise<void>) | undefined;
let stopDemoStore: (() => Promise<void>) | undefined;

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  await stopDemoStore?.().catch(() => {});
  await stopDb?.();
  process.exit(code);
}

async function main() {
  const added = syncDevVars();
  if (added.length) console.log(`[dev] .dev.vars: added ${added.join(', ')} from .dev.vars.example`);
  mkdirSync('.data', { recursive: true });

  const external = process.env.DATABASE_URL;
  const db = await startLocalDb(external ? { databaseUrl: external } : { dataDir: '.data/pglite' });
  stopDb = db.stop;
  await applyMigrations(db.databaseUrl, db.wsProxy);
  console.log(`[dev] database ready (${external ? 'DATABASE_URL' : 'embedded, .data/pglite'}), migrations applied`);

  // The demo store: a local Shopify-compatible shop that knows the app of .dev.vars.
  // Without it (the port is taken, Shopify's schema cannot be fetched) the rest still runs.
  const secrets = readDevVars();
  let demoStore: string | null = null;
  try {
    const store = await startDemoStore({
      port: DEMO_STORE_PORT,
      clientId: secrets.SHOPIFY_API_KEY ?? '',
      clientSecret: secrets.SHOPIFY_API_SECRET ?? '',
      appUrl: `http://localhost:${WEB_PORT}/api/v1/connections/shopify/launch`,
    });
    demoStore = store.origin;
    stopDemoStore = store.stop;
  } catch (err) {
    console.warn(`[dev] the demo store did not start (${(err as Error).message}); everything else runs without it`);
  }
  const dashboard = `http://localhost:${WEB_PORT}`;

  run('wrangler', 'npx', [
    'wrangler', 'dev',
    '--port', String(API_PORT),
    '--ip', '127.0.0.1',
    '--persist-to', '.data/wrangler',
    '--var', `DATABASE_URL:${db.databaseUrl}`,
    '--var', `DB_WS_PROXY:${db.wsProxy}`,
    '--var', `DB_HTTP_ENDPOINT:${db.httpEndpoint}`,
    // Demo catalogue pictures are served by the worker itself; the demo store is labelled as such.
    '--var', `DEMO_IMAGES_ORIGIN:http://127.0.0.1:${API_PORT}`,
    '--var', `DEMO_STORE_URL:${demoStore ?? ''}`,
    // Where installs and Checkout send the browser back to: this run's dashboard.
    ...(WEB_PORT === 3109 ? [] : ['--var', `CORS_ORIGINS:${dashboard}`]),
    '--test-scheduled',
    // Browser e2e: point the worker at the fake AliExpress, and send callbacks to this dashboard.
    ...(process.env.ALIEXPRESS_API_BASE ? ['--var', `ALIEXPRESS_API_BASE:${process.env.ALIEXPRESS_API_BASE}`] : []),
    ...(process.env.CORS_ORIGINS ? ['--var', `CORS_ORIGINS:${process.env.CORS_ORIGINS}`] : []),
  ]);
  run('vite', 'npx', ['vite', '--config', 'web/vite.config.ts', '--port', String(WEB_PORT), '--strictPort'], {
    API_ORIGIN: `http://127.0.0.1:${API_PORT}`,
  });

  console.log(`
  SourcePilot is starting:
    Dashboard  ${dashboard}
    API        http://localhost:${API_PORT}/api/v1/health
    Demo store ${demoStore ? `${demoStore}  (connect it in Connections › Connect Shopify with this address; its products at ${demoStore}/products)` : 'not running (see the warning above)'}
  Press Ctrl-C to stop.
`);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch(async (err) => {
  console.error(err);
  await shutdown(1);
});

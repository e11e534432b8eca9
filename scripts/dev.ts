/**
 * `npm run dev`: the whole local stack. Embedded Postgres (data under .data/, or the
 * server in DATABASE_URL) behind the WebSocket bridge and the Neon HTTP endpoint, migrations, `wrangler dev` on
 * 8109 with local KV/Queues/Cron, and the Vite dashboard on 3109 proxying /api.
 * Ctrl-C stops everything; the next start keeps the data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { syncDevVars } from './dev-vars';
import { startLocalDb } from './local-db';
import { applyMigrations } from './migrate';

const API_PORT = Number(process.env.API_PORT ?? 8109);
const WEB_PORT = Number(process.env.WEB_PORT ?? 3109);

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

  run('wrangler', 'npx', [
    'wrangler', 'dev',
    '--port', String(API_PORT),
    '--ip', '127.0.0.1',
    '--persist-to', '.data/wrangler',
    '--var', `DATABASE_URL:${db.databaseUrl}`,
    '--var', `DB_WS_PROXY:${db.wsProxy}`,
    '--var', `DB_HTTP_ENDPOINT:${db.httpEndpoint}`,
    // Install and authorization callbacks send the browser back to the dashboard (the first CORS origin).
    ...(WEB_PORT !== 3109 ? ['--var', `CORS_ORIGINS:http://localhost:${WEB_PORT}`] : []),
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
    Dashboard  http://localhost:${WEB_PORT}
    API        http://localhost:${API_PORT}/api/v1/health
  Press Ctrl-C to stop.
`);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch(async (err) => {
  console.error(err);
  await shutdown(1);
});

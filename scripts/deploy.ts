/**
 * `npm run deploy` (production) and `npm run deploy:staging`: builds the dashboard for
 * the environment's API origin, checks the bundle budgets, deploys the worker, then the
 * dashboard to Cloudflare Pages. Needs a Cloudflare login (`wrangler login` or
 * CLOUDFLARE_API_TOKEN) and, once, the resources and secrets of the README's "Deploy".
 *
 *   VITE_API_ORIGIN=https://api.example.com npm run deploy
 *   VITE_API_ORIGIN=https://sourcepilot-staging.<account>.workers.dev npm run deploy:staging
 *
 * VITE_API_ORIGIN is the worker's public origin: the dashboard on Pages calls it across
 * origins, and the worker's CORS_ORIGINS (wrangler.toml) must list the Pages origin.
 * Migrations are not run here: apply them first with `npm run db:migrate`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Pages project and branch per worker environment (production = the project's production branch). */
const TARGETS: Record<string, { project: string; branch: string }> = {
  production: { project: 'sourcepilot', branch: 'main' },
  staging: { project: 'sourcepilot', branch: 'staging' },
};

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`\n✗ ${cmd} ${args[0] ?? ''} failed (exit ${r.status}); nothing after it ran.`);
    process.exit(r.status ?? 1);
  }
}

function main() {
  const envName = process.argv.includes('--env') ? process.argv[process.argv.indexOf('--env') + 1] : 'production';
  const target = TARGETS[envName];
  if (!target) throw new Error(`unknown environment "${envName}" (production or staging)`);
  const apiOrigin = process.env.VITE_API_ORIGIN?.replace(/\/+$/, '');
  if (!apiOrigin || !/^https:\/\//.test(apiOrigin)) {
    throw new Error('Set VITE_API_ORIGIN to the worker\'s https origin (e.g. https://sourcepilot-production.<account>.workers.dev or your API domain).');
  }
  run('npm', ['run', 'build'], { VITE_API_ORIGIN: apiOrigin });
  run('npx', ['wrangler', 'deploy', '--env', envName]);
  run('npx', ['wrangler', 'pages', 'deploy', 'web/dist', '--project-name', target.project, '--branch', target.branch]);
  console.log(`\n✓ ${envName}: worker deployed, dashboard on Pages (${target.project}, branch ${target.branch}) calling ${apiOrigin}/api/v1`);
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}

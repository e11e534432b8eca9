/**
 * Checks wrangler.toml's three environments against each other and against the code
 * (part of `npm run deploy:check`). Wrangler does not inherit vars or bindings into
 * `[env.*]`, so a binding added at the top level and forgotten in staging or production
 * would only fail once deployed. This fails first:
 *
 * - staging and production declare the same vars, KV namespaces, queue producers and
 *   consumers (each with a dead-letter queue), rate limiters (same limits), crons and
 *   observability as the local top level;
 * - every `env.NAME` the worker reads is a declared var or binding, a secret listed in
 *   .dev.vars.example, or one of the test/bench-only switches;
 * - production keeps the dev-only switches off;
 * - staging and production bill through Stripe (BILLING_MODE = "stripe"): mock billing
 *   gives plans away and accepts unsigned webhooks.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unstable_readConfig } from 'wrangler';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Read by the code but set only by the worker tests or the HTTP benchmark. */
const TEST_ONLY = new Set(['EXPOSE_DB_ROUND_TRIPS', 'BENCH']);

/** The parts of Wrangler's resolved configuration this check reads. */
interface Config {
  vars: Record<string, unknown>;
  kv_namespaces: { binding: string }[];
  queues: { producers?: { binding: string }[]; consumers?: { max_batch_size?: number; max_retries?: number; dead_letter_queue?: string }[] };
  ratelimits?: { name: string; simple: { limit: number; period: number } }[];
  triggers: { crons?: string[] };
  observability?: { enabled?: boolean };
  minify?: boolean;
}

const read = (env?: string) => unstable_readConfig({ config: join(ROOT, 'wrangler.toml'), env }, {}) as unknown as Config;

/** What has to match across environments, as comparable strings. */
function shape(c: Config) {
  return {
    vars: Object.keys(c.vars).sort(),
    kv: c.kv_namespaces.map((k) => k.binding).sort(),
    producers: c.queues.producers?.map((q) => q.binding).sort() ?? [],
    consumers: (c.queues.consumers ?? []).map((q) => `${q.max_batch_size}/${q.max_retries}/${q.dead_letter_queue ? 'dlq' : 'NO DLQ'}`).sort(),
    ratelimits: (c.ratelimits ?? []).map((r) => `${r.name}:${r.simple.limit}/${r.simple.period}`).sort(),
    crons: [...(c.triggers.crons ?? [])].sort(),
    observability: String(c.observability?.enabled ?? false),
    minify: String(c.minify ?? false),
  };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'test' ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function main() {
  const problems: string[] = [];
  const local = read();
  const base = shape(local);
  for (const env of ['staging', 'production']) {
    const got = shape(read(env));
    for (const key of Object.keys(base) as (keyof typeof base)[]) {
      const [a, b] = [JSON.stringify(base[key]), JSON.stringify(got[key])];
      if (a !== b) problems.push(`[env.${env}] ${key} differs from the top level:\n    top level: ${a}\n    ${env}: ${b}`);
    }
  }

  const secrets = new Set(
    readFileSync(join(ROOT, '.dev.vars.example'), 'utf8')
      .split('\n')
      .map((l) => /^([A-Z][A-Z0-9_]*)=/.exec(l)?.[1])
      .filter((n): n is string => !!n),
  );
  const declared = new Set([
    ...Object.keys(local.vars),
    ...local.kv_namespaces.map((k) => k.binding),
    ...(local.queues.producers ?? []).map((q) => q.binding),
    ...(local.ratelimits ?? []).map((r) => r.name),
  ]);
  const used = new Map<string, string>();
  for (const file of sourceFiles(join(ROOT, 'worker'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]+)\b/g)) used.set(m[1], file.slice(ROOT.length));
  }
  for (const [name, file] of used) {
    if (!declared.has(name) && !secrets.has(name) && !TEST_ONLY.has(name)) problems.push(`${file} reads env.${name}, which is neither a var or binding in wrangler.toml nor a secret in .dev.vars.example`);
  }

  const prod = read('production').vars as Record<string, string>;
  if (['1', 'true', 'on', 'yes'].includes(String(prod.DEMO_CATALOGUE).toLowerCase())) problems.push('production has DEMO_CATALOGUE on');
  if (String(prod.ALLOW_LOCAL_STORES).toLowerCase() === 'true') problems.push('production has ALLOW_LOCAL_STORES=true');
  for (const name of TEST_ONLY) if (name in prod) problems.push(`production sets the test-only ${name}`);
  for (const env of ['staging', 'production']) {
    const mode = String((read(env).vars as Record<string, string>).BILLING_MODE ?? '').trim().toLowerCase();
    if (mode !== 'stripe') problems.push(`${env} has BILLING_MODE=${JSON.stringify(mode)}; it must be "stripe" (mock billing grants plans for free and accepts unsigned webhooks)`);
  }

  if (problems.length) {
    for (const p of problems) console.error(`✗ ${p}`);
    process.exit(1);
  }
  console.log(
    `✓ wrangler.toml: local, staging and production declare the same ${base.vars.length} vars, ${base.kv.length} KV, ${base.producers.length} queue producers, ` +
      `${base.consumers.length} consumers with dead-letter queues, ${base.ratelimits.length} rate limiters and ${base.crons.length} crons; ` +
      `all ${used.size} env names the worker reads are declared`,
  );
}

main();

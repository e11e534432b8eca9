import { appendFileSync, copyFileSync, existsSync, readFileSync } from 'node:fs';

const names = (text: string) => new Set([...text.matchAll(/^\s*([A-Z][A-Z0-9_]*)\s*=/gm)].map((m) => m[1]));

/**
 * Makes `.dev.vars` (development-only secrets, git-ignored) hold every secret that
 * `.dev.vars.example` names: created from the example on first use, and a secret added
 * to the example later is appended with its example value, so an older checkout's
 * `.dev.vars` keeps working. Values already there are never changed. Returns the names added.
 */
export function syncDevVars(): string[] {
  if (!existsSync('.dev.vars')) {
    copyFileSync('.dev.vars.example', '.dev.vars');
    return [...names(readFileSync('.dev.vars', 'utf8'))];
  }
  const example = readFileSync('.dev.vars.example', 'utf8');
  const have = names(readFileSync('.dev.vars', 'utf8'));
  const missing = example.split('\n').filter((line) => {
    const m = /^\s*([A-Z][A-Z0-9_]*)\s*=/.exec(line);
    return m !== null && !have.has(m[1]);
  });
  if (missing.length) appendFileSync('.dev.vars', `\n# added from .dev.vars.example\n${missing.join('\n')}\n`);
  return missing.map((line) => line.split('=')[0].trim());
}

/** The values in `.dev.vars` (after syncDevVars), for local processes that share a secret with the worker. */
export function readDevVars(): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync('.dev.vars')) return out;
  for (const line of readFileSync('.dev.vars', 'utf8').split('\n')) {
    const m = /^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
  }
  return out;
}

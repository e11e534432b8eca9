import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHOPIFY_SCOPE_NAMES } from '../../../worker/shared/shopify-scopes';

/** Every dashboard source file (tests aside) under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

// The dashboard cannot import worker code into its bundle, so the setup text names the
// scopes itself; this keeps it equal to what the worker requests and checks.
describe('the Shopify setup text in the dashboard', () => {
  it('names exactly the scopes the worker requests', () => {
    const named = new Map<string, Set<string>>();
    for (const file of sources(join(__dirname, '..'))) {
      const scopes = readFileSync(file, 'utf8').match(/\b(?:read|write)_(?!write\b)[a-z_]+\b/g);
      if (scopes) named.set(file, new Set(scopes));
    }
    expect(named.size, 'some page must tell merchants which scopes to grant').toBeGreaterThan(0);
    for (const [file, scopes] of named) expect([...scopes].sort(), file).toEqual([...SHOPIFY_SCOPE_NAMES].sort());
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The worker/web boundary (README, Layout): the dashboard may import from `worker/` only
 * the browser-safe `worker/shared/` folder and, as a type, the client's `AppType` from
 * `worker/app`. `worker/shared/` in turn imports only itself and packages, so whatever
 * the dashboard pulls in stays browser-safe. The browser tests in `web/e2e/` run the
 * whole stack and may also start the worker tests' fake servers (`worker/test/fakes/`).
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED = 'worker/shared/';
const FAKES = 'worker/test/fakes';

/**
 * Known crossings still to be removed, as `file → target`. Each must still exist, so an
 * entry is deleted as soon as its import is.
 */
const PENDING: Record<string, string> = {};

interface Import {
  file: string;
  /** Repository-relative path without extension, or the bare specifier of a package. */
  target: string;
  /** `import type { AppType } from …` and nothing else. */
  appTypeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sourceFiles(path);
    return /\.(ts|tsx|mts)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: Import[] = [];
  const add = (specifier: string, appTypeOnly = false) => {
    const target = specifier.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), specifier)).replace(/\.(ts|tsx)$/, '') : specifier;
    found.push({ file, target, appTypeOnly });
  };
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = ts.isImportDeclaration(node) ? node.importClause : undefined;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const appTypeOnly =
        !!clause && !clause.name && !!named && named.length > 0 && named.every((e) => (clause.isTypeOnly || e.isTypeOnly) && e.name.text === 'AppType' && !e.propertyName);
      add(node.moduleSpecifier.text, appTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      add(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const isPending = (i: Import) => PENDING[i.file] === i.target;
const crossing = (i: Import) => `${i.file} → ${i.target}`;

const webImports = [...sourceFiles('web/src'), ...sourceFiles('web/e2e'), 'web/vite.config.ts'].flatMap(importsOf);
const e2eHarness = (i: Import) => i.file.startsWith('web/e2e/') && (i.target === FAKES || i.target.startsWith(`${FAKES}/`));
const sharedImports = sourceFiles('worker/shared').flatMap(importsOf);

describe('the worker/web boundary', () => {
  it('lets web/ import from worker/ only worker/shared and the AppType client type (and e2e the fakes)', () => {
    const bad = webImports.filter((i) => i.target.startsWith('worker/') && !i.target.startsWith(SHARED) && !(i.target === 'worker/app' && i.appTypeOnly) && !e2eHarness(i));
    expect(bad.filter((i) => !isPending(i)).map(crossing)).toEqual([]);
  });

  it('keeps worker/shared free of other worker code', () => {
    const bad = sharedImports.filter((i) => i.target.startsWith('worker/') && !i.target.startsWith(SHARED));
    expect(bad.filter((i) => !isPending(i)).map(crossing)).toEqual([]);
  });

  it('has no pending crossing that is already gone', () => {
    const present = new Set([...webImports, ...sharedImports].filter(isPending).map(crossing));
    expect(Object.entries(PENDING).map(([file, target]) => `${file} → ${target}`).filter((c) => !present.has(c))).toEqual([]);
  });

  it('sees the imports it checks', () => {
    expect(webImports.some((i) => i.target === 'worker/app' && i.appTypeOnly)).toBe(true);
    expect(webImports.some((i) => i.target.startsWith(SHARED))).toBe(true);
  });
});

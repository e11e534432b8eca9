/**
 * What the e2e runner (run.ts) shares with the spec files next to it (`*.spec.ts`): the
 * check registry, assertions, screenshots and a browser. A spec registers its checks with
 * `test()` when run.ts imports it; they run after run.ts's own, in file-name order.
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const SHOTS = join(HERE, 'screenshots');
export const BASE_URL = (process.env.E2E_BASE_URL ?? 'http://localhost:3109').replace(/\/+$/, '');
/**
 * Where the fake AliExpress Open Platform listens during e2e runs: the stack must be
 * started with ALIEXPRESS_API_BASE set to it (run.ts does so for its own stack).
 */
export const AE_FAKE_URL = (process.env.E2E_ALIEXPRESS_URL ?? 'http://127.0.0.1:8299').replace(/\/+$/, '');
export const STEP_TIMEOUT_MS = 15_000;
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export interface Check {
  name: string;
  run: () => Promise<void>;
}

export const checks: Check[] = [];
export const test = (name: string, run: () => Promise<void>) => {
  checks.push({ name, run });
};

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Overlays (dialogs, menus) are shot at viewport size once their open animation has finished. */
export async function shot(page: Page, name: string, { overlay = false } = {}) {
  if (overlay) await page.waitForTimeout(400);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: !overlay });
}

export function slug(name: string) {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Uncaught errors and console errors of every page; the last check asserts there are none. */
export const pageErrors: string[] = [];

/** The page the runner shoots when a check fails (specs point it at their own page). */
export const failurePage: { current: Page | null } = { current: null };

let browser: Browser | null = null;

export function setBrowser(b: Browser) {
  browser = b;
}

/** Records a page's uncaught errors and console errors into `pageErrors`. */
export function watchErrors(context: BrowserContext) {
  context.on('page', (p) => {
    p.on('pageerror', (err) => pageErrors.push(`${p.url()}: ${err.message}`));
    // Chromium logs every 4xx as a console error; the tests provoke those on purpose.
    p.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) pageErrors.push(`${p.url()}: console: ${msg.text()}`);
    });
  });
}

/** A fresh browser context (its own cookies and storage, so its own signed-in user). */
export async function newContext(viewport = DESKTOP): Promise<BrowserContext> {
  if (!browser) throw new Error('the browser is not started yet');
  const context = await browser.newContext({ viewport, locale: 'en-US' });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  watchErrors(context);
  return context;
}

export async function heading(p: Page, name: string) {
  await p.getByRole('heading', { name, level: 1 }).waitFor({ state: 'visible' });
}

export async function atPath(p: Page, path: string) {
  await p.waitForURL((url) => url.pathname === path);
}

export const uniqueEmail = (prefix = 'e2e') => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;

/** Registers a new account through the register page and waits for the dashboard. */
export async function registerThroughUi(p: Page, email: string, password: string) {
  await p.goto(`${BASE_URL}/register`);
  await heading(p, 'Create your account');
  await p.getByLabel('Email').fill(email);
  await p.getByLabel('Password', { exact: true }).fill(password);
  await p.getByLabel('Confirm password').fill(password);
  await p.getByRole('button', { name: 'Create account' }).click();
  await atPath(p, '/');
  await heading(p, 'Dashboard');
}

/** Calls the API from the page, as its signed-in user (the access token the dashboard keeps). */
export async function apiAs<T = any>(p: Page, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  return p.evaluate(
    async ({ method, path, body }) => {
      const res = await fetch(`/api/v1${path}`, {
        method,
        headers: { Authorization: `Bearer ${localStorage.getItem('sourcepilot.access_token')}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    },
    { method, path, body },
  );
}

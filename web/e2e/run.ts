/**
 * Browser tests of the dashboard against the real local stack, in Debian's Chromium.
 *
 *   npm run test:e2e                      starts `npm run dev` (API 8109, dashboard 3109) and stops it after
 *   E2E_BASE_URL=http://host:port npm run test:e2e    uses a stack that is already running
 *   E2E_GREP=imports npm run test:e2e      runs only the checks whose name matches (and the console check)
 *
 * Screenshots land in web/e2e/screenshots/. The last line is "N passed, M failed".
 * Spec files beside this one (`*.spec.ts`) add their checks through ./harness.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  AE_FAKE_URL,
  BASE_URL,
  DESKTOP,
  HERE,
  PHONE,
  SHOTS,
  STEP_TIMEOUT_MS,
  assert,
  atPath,
  checks,
  failurePage,
  heading,
  pageErrors,
  setBrowser,
  shot,
  slug,
  test,
  watchErrors,
} from './harness';

const ROOT = join(HERE, '..', '..');
const STACK_LOG = join(SHOTS, 'stack.log');
const OWN_STACK = !process.env.E2E_BASE_URL;
const STARTUP_TIMEOUT_MS = 180_000;

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// ---- the local stack ------------------------------------------------------

let stack: ChildProcess | null = null;

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function startStack(): Promise<void> {
  if (await answers(BASE_URL)) {
    throw new Error(`${BASE_URL} is already in use. Stop the running stack, or set E2E_BASE_URL=${BASE_URL} to test it.`);
  }
  const log = createWriteStream(STACK_LOG);
  // Its own process group, so the whole stack can be stopped with one signal.
  stack = spawn('npm', ['run', 'dev'], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ALIEXPRESS_API_BASE: AE_FAKE_URL } });
  stack.stdout?.pipe(log);
  stack.stderr?.pipe(log);
  console.log(`Starting the local stack (npm run dev); log: ${STACK_LOG}`);
}

async function waitForStack(): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (stack && stack.exitCode !== null) throw new Error(`npm run dev exited with code ${stack.exitCode}; see ${STACK_LOG}`);
    if ((await answers(BASE_URL)) && (await answers(`${BASE_URL}/api/v1/health`))) return;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error(`${BASE_URL} did not answer within ${STARTUP_TIMEOUT_MS / 1000} s; see ${STACK_LOG}`);
}

async function stopStack(): Promise<void> {
  const child = stack;
  if (!child?.pid || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // The group is already gone.
    }
  };
  signal('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 30_000))]);
  if (timedOut) signal('SIGKILL');
  // dev.ts stops wrangler and vite in their own groups; wait until the ports are free.
  for (let i = 0; i < 30 && (await answers(BASE_URL)); i++) await new Promise((r) => setTimeout(r, 500));
}

// ---- scenarios ------------------------------------------------------------

const email = `e2e-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
const password = 'correct-horse-battery';
let context: BrowserContext;
let page: Page;

async function fillLogin(p: Page, pw: string) {
  await p.getByLabel('Email').fill(email);
  await p.getByLabel('Password').fill(pw);
  await p.getByRole('button', { name: 'Sign in' }).click();
}

test('register a new account and land on the dashboard', async () => {
  await page.goto(`${BASE_URL}/register`);
  await heading(page, 'Create your account');
  await shot(page, '01-register');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await atPath(page, '/');
  await heading(page, 'Dashboard');
  const account = page.getByRole('group', { name: 'Signed in account' });
  await account.getByText(email).waitFor();
  await account.getByText('Free plan').waitFor();
  const imports = page.getByRole('region', { name: 'Imports this month' });
  await imports.getByText('of 10').waitFor();
  assert((await imports.textContent())?.includes('0'), 'the imports card shows no usage count');
  await page.getByRole('region', { name: 'Price watches' }).getByText('of 25').waitFor();
  await page.getByRole('region', { name: 'Connected stores' }).getByRole('link', { name: 'Connect a store' }).waitFor();
  await shot(page, '02-dashboard-desktop');
});

test('the sidebar reaches every page', async () => {
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const [label, path, title] of [
    ['Imports', '/imports', 'Imports'],
    ['Products', '/products', 'Products'],
    ['Suppliers', '/suppliers', 'Suppliers'],
    ['Connections', '/connections', 'Connections'],
    ['Price Watch', '/price-watch', 'Price Watch'],
    ['Billing', '/billing', 'Billing'],
    ['API Keys', '/api-keys', 'API Keys'],
    ['Settings', '/settings', 'Settings'],
    ['Dashboard', '/', 'Dashboard'],
  ] as const) {
    await nav.getByRole('link', { name: label, exact: true }).click();
    await atPath(page, path);
    await heading(page, title);
    if (path === '/imports') await shot(page, '03-imports');
  }
});

test('settings show the account', async () => {
  await page.goto(`${BASE_URL}/settings`);
  await heading(page, 'Settings');
  await page.getByText(email, { exact: true }).first().waitFor();
  await page.getByRole('button', { name: 'Send reset email' }).click();
  await page.getByRole('status').getByText('If an account exists, a reset email has been sent.').waitFor();
  await shot(page, '04-settings');
});

test('a free plan sees the plan requirement when creating an API key', async () => {
  await page.goto(`${BASE_URL}/api-keys`);
  await heading(page, 'API Keys');
  await page.getByText('No API keys yet').waitFor();
  await shot(page, '05-api-keys-empty');
  await page.getByRole('button', { name: 'Create API key' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill('Inventory sync');
  await dialog.getByRole('button', { name: 'Create key' }).click();
  const alert = dialog.getByRole('alert');
  await alert.getByText('API access requires the Pro or Enterprise plan').waitFor();
  const upgrade = alert.getByRole('link', { name: /upgrade/i });
  assert((await upgrade.getAttribute('href')) === '/billing', 'the plan message does not link to /billing');
  await shot(page, '06-api-key-free-plan', { overlay: true });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
});

test('an expired access token is refreshed without signing out', async () => {
  await page.evaluate(() => localStorage.setItem('sourcepilot.access_token', 'expired-or-tampered'));
  await page.goto(`${BASE_URL}/settings`);
  await heading(page, 'Settings');
  await page.getByText(email, { exact: true }).first().waitFor();
  const token = await page.evaluate(() => localStorage.getItem('sourcepilot.access_token'));
  assert(token && token !== 'expired-or-tampered', 'the access token was not replaced by a refresh');
});

test('on a phone the navigation folds into a menu', async () => {
  const phone = await context.newPage();
  try {
    await phone.setViewportSize(PHONE);
    await phone.goto(`${BASE_URL}/`);
    await heading(phone, 'Dashboard');
    assert(!(await phone.getByRole('navigation', { name: 'Main' }).isVisible()), 'the sidebar is still visible on a phone');
    await shot(phone, '07-dashboard-phone');
    await phone.getByRole('button', { name: 'Open navigation menu' }).click();
    await phone.getByRole('menuitem', { name: 'API Keys' }).waitFor();
    await shot(phone, '08-phone-menu', { overlay: true });
    await phone.getByRole('menuitem', { name: 'API Keys' }).click();
    await atPath(phone, '/api-keys');
    await heading(phone, 'API Keys');
    await shot(phone, '09-api-keys-phone');
  } finally {
    await phone.close();
  }
});

test('log out returns to the sign-in page', async () => {
  await page.goto(`${BASE_URL}/`);
  await heading(page, 'Dashboard');
  await page.getByRole('button', { name: 'Log out' }).click();
  await atPath(page, '/login');
  await heading(page, 'Sign in');
  const tokens = await page.evaluate(() => [localStorage.getItem('sourcepilot.access_token'), localStorage.getItem('sourcepilot.refresh_token')]);
  assert(tokens.every((t) => t === null), 'tokens are still stored after logging out');
});

test('log in goes to the dashboard', async () => {
  await fillLogin(page, password);
  await atPath(page, '/');
  await heading(page, 'Dashboard');
  await page.getByRole('group', { name: 'Signed in account' }).getByText(email).waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await atPath(page, '/login');
});

test('a wrong password shows a clear message', async () => {
  await page.goto(`${BASE_URL}/login`);
  await fillLogin(page, 'not-the-password');
  await page.getByRole('alert').getByText('Invalid email or password').waitFor();
  assert(new URL(page.url()).pathname === '/login', 'left the login page after a wrong password');
  await shot(page, '10-login-wrong-password');
});

test('signed out, a protected page redirects to login and back after signing in', async () => {
  await page.goto(`${BASE_URL}/api-keys`);
  await atPath(page, '/login');
  await heading(page, 'Sign in');
  await shot(page, '11-login-redirect');
  await fillLogin(page, password);
  await atPath(page, '/api-keys');
  await heading(page, 'API Keys');
});

test('an unknown address shows the not-found page', async () => {
  await page.goto(`${BASE_URL}/no/such/page`);
  await heading(page, 'Page not found');
  await shot(page, '12-not-found');
  await page.getByRole('link', { name: 'Go to the dashboard' }).click();
  await atPath(page, '/');
  await heading(page, 'Dashboard');
});

/** The spec files beside this runner register their checks when imported. */
async function loadSpecs() {
  for (const file of readdirSync(HERE).filter((f) => f.endsWith('.spec.ts')).sort()) {
    await import(pathToFileURL(join(HERE, file)).href);
  }
}

// Registered after the specs are loaded, so it runs last.
const noBrowserErrors = () =>
  test('no uncaught errors or console errors in the browser', async () => {
    assert(pageErrors.length === 0, `uncaught errors:\n  ${pageErrors.join('\n  ')}`);
  });

// ---- main -----------------------------------------------------------------

async function main(): Promise<number> {
  mkdirSync(SHOTS, { recursive: true });
  let passed = 0;
  let failed = 0;
  let browser: Browser | null = null;
  try {
    if (OWN_STACK) await startStack();
    await waitForStack();
    console.log(`Testing ${BASE_URL}`);
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    setBrowser(browser);
    context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    watchErrors(context);
    page = await context.newPage();
    await loadSpecs();
    noBrowserErrors();
    const grep = process.env.E2E_GREP ? new RegExp(process.env.E2E_GREP, 'i') : null;
    const selected = grep ? checks.filter((c, i) => grep.test(c.name) || i === checks.length - 1) : checks;

    for (const check of selected) {
      failurePage.current = page;
      const started = Date.now();
      try {
        await check.run();
        passed++;
        console.log(`  ✓ ${check.name} (${Date.now() - started} ms)`);
      } catch (err) {
        failed++;
        console.log(`  ✗ ${check.name}\n      ${err instanceof Error ? err.message.split('\n').join('\n      ') : String(err)}`);
        await shot(failurePage.current ?? page, `failed-${slug(check.name)}`).catch(() => {});
      }
    }
  } catch (err) {
    failed++;
    console.error(`  ✗ setup: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await browser?.close().catch(() => {});
    await stopStack();
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    void stopStack().finally(() => process.exit(130));
  });
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    console.error(err);
    await stopStack();
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);

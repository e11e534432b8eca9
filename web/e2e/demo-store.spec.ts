/**
 * The demo store of `npm run dev` (scripts/demo-store.ts) end to end: a new merchant
 * opens SourcePilot from the demo store (as from a Shopify admin), approves its install
 * screen, attaches the store to the account they are signed in to, imports a demo
 * product, and sees it, with its pictures served by the worker, on the store's products
 * page. E2E_DEMO_STORE_URL points at a demo store on another port (DEMO_STORE_PORT).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { BASE_URL, assert, failurePage, heading, newContext, registerThroughUi, shot, test, uniqueEmail } from './harness';

const DEMO_STORE = (process.env.E2E_DEMO_STORE_URL ?? 'http://127.0.0.1:8190').replace(/\/+$/, '');
const PASSWORD = 'correct-horse-battery';
let context: BrowserContext;
let page: Page;

test('demo store: install SourcePilot from the demo store and attach it to the signed-in account', async () => {
  context = await newContext();
  page = await context.newPage();
  failurePage.current = page;
  await registerThroughUi(page, uniqueEmail('e2e-demo-store'), PASSWORD);

  await page.goto(`${DEMO_STORE}/`);
  await page.getByRole('heading', { name: 'SourcePilot Demo Store', level: 1 }).waitFor();
  await shot(page, 'demo-store-01-home');
  // "Open SourcePilot": Shopify's signed app URL → SourcePilot → the store's install screen.
  await page.getByRole('link', { name: 'Open SourcePilot' }).first().click();
  await page.getByRole('heading', { name: 'Install SourcePilot' }).waitFor();
  assert(page.url().startsWith(`${DEMO_STORE}/admin/oauth/authorize?`), `not on the install screen: ${page.url()}`);
  for (const scope of ['write_products', 'read_locations', 'write_inventory']) await page.getByText(scope, { exact: true }).waitFor();
  await shot(page, 'demo-store-02-install-screen');
  await page.getByRole('button', { name: 'Install' }).click();

  await heading(page, 'Connect your Shopify store');
  assert(new URL(page.url()).pathname === '/shopify/welcome', `not on the welcome page: ${page.url()}`);
  await shot(page, 'demo-store-03-welcome');
  await page.getByRole('button', { name: 'Add the store to my account' }).click();

  await page.waitForURL((url) => url.pathname === '/connections');
  await heading(page, 'Connections');
  const card = page.getByRole('article').filter({ hasText: 'Demo store' });
  await card.waitFor();
  await shot(page, 'demo-store-04-connected');
});

test('demo store: a demo import reaches the store with its pictures', async () => {
  await page.goto(`${BASE_URL}/products`);
  await heading(page, 'Products');
  await page.getByLabel('Search products').fill('wireless earbuds');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('button', { name: /^Preview / }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Import product' }).waitFor();
  const title = (await dialog.getByRole('heading').first().textContent())?.trim() ?? '';
  await dialog.getByRole('button', { name: 'Import product' }).click();
  const outcome = dialog.getByRole('status').filter({ hasText: 'Import started' }).or(dialog.getByRole('alert'));
  await outcome.first().waitFor();
  const text = (await outcome.first().textContent()) ?? '';
  assert(text.includes('Import started'), `the import did not start: ${text}`);
  await shot(page, 'demo-store-05-import-started', { overlay: true });

  // The queue pushes it; the store's products page lists what it received.
  const store = await context.newPage();
  const deadline = Date.now() + 60_000;
  for (;;) {
    await store.goto(`${DEMO_STORE}/products`);
    if ((await store.locator('article').count()) > 0) break;
    assert(Date.now() < deadline, 'the product did not reach the demo store within 60 s');
    await store.waitForTimeout(1_000);
  }
  const product = store.locator('article').first();
  const storeTitle = (await product.getByRole('heading').textContent())?.trim() ?? '';
  assert(!title || storeTitle.includes(title.slice(0, 20)) || title.includes(storeTitle.slice(0, 20)), `the store shows "${storeTitle}", the import was "${title}"`);
  const pictures = product.locator('.pics img');
  assert((await pictures.count()) >= 3, 'the product reached the store without its pictures');
  await store.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.pics img')].every((img) => img.complete && img.naturalWidth > 0));
  const src = (await pictures.first().getAttribute('src')) ?? '';
  assert(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/demo\/images\/[a-z0-9-]+-\d+-(\d|swatch)\.svg$/.test(src), `unexpected picture URL ${src}`);
  assert((await product.locator('tbody tr').count()) >= 2, 'the variants did not arrive');
  await shot(store, 'demo-store-06-products');
  await store.close();
  await context.close();
});

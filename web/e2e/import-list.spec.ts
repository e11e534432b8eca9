/**
 * The import list (#17) against the real stack: a product kept for review (a manual
 * import with a "Ships From" axis), edited in the dashboard (title, drop "Ships From"),
 * pushed to a fake Shopify started here (the worker tests' fake, as imports.spec.ts does),
 * and the edited product arrives in the shop.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { StartedFake } from '../../worker/test/fakes';
import { startFakeShopify } from '../../worker/test/fakes/shopify';
import { apiAs, BASE_URL, PHONE, assert, failurePage, heading, newContext, registerThroughUi, shot, test, uniqueEmail } from './harness';

const PASSWORD = 'correct-horse-battery';
const PUSH_TIMEOUT_MS = 60_000;
const swatch = (color: string) => `data:image/svg+xml,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" width="80" height="80"><rect width="80" height="80" fill="${color}"/></svg>`)}`;

const PRODUCT = {
  title: 'Insulated Travel Mug 450ml',
  price: 4,
  description: '<p>Keeps coffee hot for 6 hours.</p><script>track()</script>',
  images: [swatch('#c0392b'), swatch('#2e86de')],
  variants: [
    { sku: 'MUG-RED-CN', options: { Color: 'Red', 'Ships From': 'China' }, price: 4, stock: 120 },
    { sku: 'MUG-RED-US', options: { Color: 'Red', 'Ships From': 'United States' }, price: 6.5, stock: 30 },
    { sku: 'MUG-BLUE-CN', options: { Color: 'Blue', 'Ships From': 'China' }, price: 4.2, stock: 0 },
    { sku: 'MUG-BLUE-US', options: { Color: 'Blue', 'Ships From': 'United States' }, price: 7, stock: 12 },
  ],
};

let context: BrowserContext;
let page: Page;
let shopifyFake: StartedFake | null = null;
let shopOrigin = '';
let shopToken = '';

const apiCall = <T>(method: string, path: string, body?: unknown) => apiAs<T>(page, method, path, body);

test('import list: a new account sees the empty list and, without an AI gateway, no AI call on Products', async () => {
  context = await newContext();
  page = await context.newPage();
  failurePage.current = page;
  await registerThroughUi(page, uniqueEmail('e2e-list'), PASSWORD);
  await page.goto(`${BASE_URL}/import-list`);
  await heading(page, 'Import list');
  await page.getByRole('heading', { name: 'Your import list is empty' }).waitFor();
  await shot(page, 'import-list-01-empty');

  const aiCalls: number[] = [];
  page.on('response', (r) => {
    if (r.url().includes('/api/v1/ai/')) aiCalls.push(r.status());
  });
  await page.goto(`${BASE_URL}/products`);
  await heading(page, 'Products');
  await page.getByRole('heading', { name: 'Search a supplier catalogue' }).waitFor();
  await page.waitForTimeout(500);
  assert(aiCalls.length === 0, `the Products page still called /ai/* (${aiCalls.join(', ')})`);
});

test('import list: edit the title, drop "Ships From", push to the store and see the edited product arrive', async () => {
  shopifyFake = await startFakeShopify();
  shopOrigin = shopifyFake.bindings.FAKE_SHOPIFY_URL;
  shopToken = ((await (await fetch(`${shopOrigin}/__control/shops`, { method: 'POST', body: JSON.stringify({ name: 'Demo Mugs' }) })).json()) as { token: string }).token;
  const conn = await apiCall<{ id: string }>('POST', '/connections', { store_name: 'Demo Mugs', platform: 'shopify', store_url: shopOrigin, api_key: shopToken });
  assert(conn.status === 201, `connecting the fake shop answered ${conn.status}`);
  const created = await apiCall<{ id: string }>('POST', '/imports', { product_url: 'manual://travel-mug', source: 'manual', config: { product: PRODUCT, markup_percent: 100, review: true } });
  assert(created.status === 201, `the review import answered ${created.status}`);

  await page.goto(`${BASE_URL}/import-list`);
  await heading(page, 'Import list');
  const row = page.locator('tr[data-item-id]').filter({ hasText: PRODUCT.title });
  await row.waitFor({ timeout: PUSH_TIMEOUT_MS });
  await row.locator('[data-status="draft"]').waitFor();
  assert((await row.textContent())?.includes('Demo Mugs'), 'the row does not name the target store');
  await shot(page, 'import-list-02-list');

  await row.getByRole('button', { name: PRODUCT.title }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit import list item' });
  await dialog.getByLabel('Title').fill('Red or Blue Travel Mug');
  await dialog.getByRole('tab', { name: /Variants/ }).click();
  await dialog.getByLabel('Margin of Red / China').waitFor();
  await shot(page, 'import-list-03-variants', { overlay: true });
  await dialog.getByRole('tab', { name: /Options/ }).click();
  await dialog.getByRole('button', { name: 'Drop Ships From' }).click();
  await shot(page, 'import-list-04-options', { overlay: true });
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await dialog.getByText(/Version 2 · edited: options, title/).waitFor();
  await dialog.getByRole('tab', { name: /Variants \(2\)/ }).click();
  await dialog.getByText('Kept over 1 other supplier variant').first().waitFor();
  await dialog.getByRole('button', { name: 'Push to store' }).click();
  await dialog.getByText(/Push queued/).waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });

  // The row now carries the edited title.
  const edited = page.locator('tr[data-item-id]').filter({ hasText: 'Red or Blue Travel Mug' });
  await edited.locator('[data-status="pushed"]').waitFor({ timeout: PUSH_TIMEOUT_MS });
  await shot(page, 'import-list-05-pushed');
  const products = (await (await fetch(`${shopOrigin}/__control/shops/${shopToken}/products`)).json()) as {
    title: string;
    options: { name: string }[];
    variants: { sku: string }[];
    descriptionHtml?: string;
  }[];
  assert(products.length === 1, `the fake shop holds ${products.length} products`);
  assert(products[0].title === 'Red or Blue Travel Mug', `the shop got the title "${products[0].title}"`);
  const options = products[0].options.map((o) => o.name);
  assert(options.length === 1 && options[0] === 'Color', `the shop got the options ${JSON.stringify(options)}`);
  const skus = products[0].variants.map((v) => v.sku).sort();
  // Red: both warehouses in stock → the cheaper (China); Blue: China is out of stock → United States.
  assert(JSON.stringify(skus) === JSON.stringify(['MUG-BLUE-US', 'MUG-RED-CN']), `the shop got the variants ${JSON.stringify(skus)}`);
});

test('import list: on a phone items are cards', async () => {
  const phone = await context.newPage();
  failurePage.current = phone;
  try {
    await phone.setViewportSize(PHONE);
    await phone.goto(`${BASE_URL}/import-list`);
    await heading(phone, 'Import list');
    await phone.locator('[data-item-id]').first().waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 0, `the page scrolls sideways on a phone (${overflow}px)`);
    await shot(phone, 'import-list-06-phone');
  } finally {
    await phone.close();
  }
});

test('import list: clean up the browser context and the fake shop', async () => {
  await context.close();
  await shopifyFake?.stop();
});

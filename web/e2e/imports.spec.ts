/**
 * The Imports page against the real stack: the queue consumer runs every job (the demo
 * catalogue answers AliExpress links; with no store connected a job completes as a draft).
 */
import type { BrowserContext, Locator, Page } from 'playwright-core';
import type { StartedFake } from '../../worker/test/fakes';
import { startFakeShopify } from '../../worker/test/fakes/shopify';
import { apiAs, BASE_URL, PHONE, assert, failurePage, heading, newContext, registerThroughUi, shot, test, uniqueEmail } from './harness';

const PASSWORD = 'correct-horse-battery';
/** A job goes through the queue in about a second; allow for a busy machine. */
const JOB_TIMEOUT_MS = 60_000;
const demoUrl = (id: string) => `https://www.aliexpress.com/item/${id}.html`;
const FIRST = demoUrl('1005001234567890');
const BULK = [demoUrl('1005002345678901'), demoUrl('1005003456789012'), demoUrl('1005004567890123')];
const UNSUPPORTED = 'https://example.com/item/1.html';

let context: BrowserContext;
let page: Page;

async function openImports() {
  failurePage.current = page;
  await page.goto(`${BASE_URL}/imports`);
  await heading(page, 'Imports');
}

/** The table row (desktop) of the newest job with this product URL. */
function rowFor(url: string): Locator {
  const short = url.replace(/^https?:\/\/(www\.)?/, '');
  return page.locator('tr[data-job-id]').filter({ hasText: short }).first();
}

async function waitForStatus(row: Locator, status: string, timeout = JOB_TIMEOUT_MS) {
  await row.and(page.locator(`[data-status="${status}"]`)).waitFor({ timeout });
}

async function summaryValue(label: string): Promise<string> {
  const card = page.getByRole('group', { name: 'Import summary' }).getByRole('button', { name: new RegExp(`^${label}:`) });
  return ((await card.getAttribute('aria-label')) ?? '').split(': ')[1] ?? '';
}

async function waitForSummary(label: string, value: string) {
  const card = page.getByRole('group', { name: 'Import summary' }).getByRole('button', { name: `${label}: ${value}`, exact: true });
  await card.waitFor({ timeout: JOB_TIMEOUT_MS });
}

test('imports: a new account sees the empty state and imports one product to a draft', async () => {
  context = await newContext();
  page = await context.newPage();
  failurePage.current = page;
  await registerThroughUi(page, uniqueEmail('e2e-imports'), PASSWORD);
  await openImports();
  await page.getByRole('heading', { name: 'No imports yet' }).waitFor();
  await shot(page, 'imports-01-empty');

  await page.getByRole('button', { name: 'New import' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New import' });
  await dialog.getByLabel('Product URL').fill(FIRST);
  await dialog.getByText('AliExpress product 1005001234567890').waitFor();
  // No store connected: the import is kept as a draft.
  await dialog.getByText('No store connected: the product is kept here as a draft.').waitFor();
  await dialog.getByLabel('Markup (%)').fill('40');
  await dialog.getByLabel('Compare-at price (% above price)').fill('33');
  const example = dialog.getByRole('status', { name: 'Price example' });
  await example.getByText('$14.99').waitFor();
  const text = (await example.textContent()) ?? '';
  assert(text.includes('$10.00') && text.includes('$19.99'), `unexpected price example: ${text}`);
  await dialog.getByLabel('Tags').fill('e2e, watches');
  await shot(page, 'imports-02-new-import-dialog', { overlay: true });
  await dialog.getByRole('button', { name: 'Import product' }).click();
  await dialog.waitFor({ state: 'hidden' });

  const row = rowFor(FIRST);
  await row.waitFor();
  await waitForStatus(row, 'completed');
  assert((await row.textContent())?.includes('Draft · no store'), 'a completed job without a store does not say it is a draft');
  await waitForSummary('Completed', '1');
  assert((await summaryValue('Total')) === '1', 'the Total card does not count the import');
  await shot(page, 'imports-03-completed');

  // The details: priced product, variants and the whole history.
  await row.getByRole('link').click();
  const details = page.getByRole('dialog');
  await details.getByRole('table', { name: 'Variants' }).waitFor();
  const history = details.getByRole('list', { name: 'History' });
  for (const action of ['Created', 'Started', 'Completed']) await history.getByText(action, { exact: true }).waitFor();
  await details.getByText('Kept as a draft (no store).').waitFor();
  const tags = await details.getByText('watches', { exact: true }).count();
  assert(tags > 0, 'the tags of the pricing rule are not on the product');
  const firstPrice = await details.getByRole('table', { name: 'Variants' }).locator('tbody tr').first().textContent();
  assert(firstPrice && /\$\d+\.99/.test(firstPrice), `variant prices do not end in .99: ${firstPrice}`);
  assert(new URL(page.url()).searchParams.get('job'), 'the open job is not in the address');
  await shot(page, 'imports-04-job-details', { overlay: true });
  await details.getByRole('button', { name: 'Close' }).click();
  await details.waitFor({ state: 'hidden' });
});

test('imports: a bulk import flags bad lines and imports three products', async () => {
  await openImports();
  await page.getByRole('button', { name: 'Bulk import' }).click();
  const dialog = page.getByRole('dialog', { name: 'Bulk import' });
  await dialog.getByLabel('Product URLs').fill([...BULK, 'not a link', '', BULK[0]].join('\n'));
  const counts = dialog.getByTestId('bulk-counts');
  await counts.getByText('5 of 50 links').waitFor();
  await counts.getByText('3 ready').waitFor();
  await counts.getByText('2 to fix').waitFor();
  const flagged = dialog.getByRole('list', { name: 'Flagged lines' });
  await flagged.getByText('Line 4:').waitFor();
  await flagged.getByText('Duplicate of line 1').waitFor();
  await shot(page, 'imports-05-bulk-flagged', { overlay: true });

  await dialog.getByRole('button', { name: 'Import products' }).click();
  await dialog.getByRole('alert').getByText('Fix or remove the flagged lines first.').waitFor();
  await dialog.getByRole('button', { name: 'Remove flagged lines' }).click();
  await counts.getByText('3 of 50 links').waitFor();
  await dialog.getByRole('button', { name: 'Import 3 products' }).click();
  await dialog.waitFor({ state: 'hidden' });

  for (const url of BULK) await rowFor(url).waitFor();
  for (const url of BULK) await waitForStatus(rowFor(url), 'completed');
  await waitForSummary('Total', '4');
  await waitForSummary('Completed', '4');
  await shot(page, 'imports-06-bulk-completed');
});

test('imports: cancel is offered only while a job waits or runs', async () => {
  await openImports();
  const url = demoUrl('1005005678901234');
  await page.getByRole('button', { name: 'New import' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New import' });
  await dialog.getByLabel('Product URL').fill(url);
  await dialog.getByRole('button', { name: 'Import product' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const row = rowFor(url);
  await row.waitFor();

  // The queue may finish the job before the click lands; both outcomes must leave a consistent row.
  const cancel = row.getByRole('button', { name: /^Cancel import/ });
  if (await cancel.isVisible()) await cancel.click().catch(() => {});
  await row.and(page.locator('[data-status="cancelled"], [data-status="completed"]')).waitFor({ timeout: JOB_TIMEOUT_MS });
  const status = await row.getAttribute('data-status');
  assert((await cancel.count()) === 0, `a ${status} job still offers Cancel`);
  const retry = row.getByRole('button', { name: /^Retry import/ });
  if (status === 'cancelled') {
    console.log('      (caught the job before it finished: cancelled it)');
    await retry.waitFor();
    await shot(page, 'imports-07-cancelled');
    await retry.click();
    await waitForStatus(row, 'completed');
  } else {
    console.log('      (the queue finished the job before the click: no cancel possible)');
  }
  assert((await retry.count()) === 0, 'a completed job offers Retry');
});

test('imports: a failed job shows why, and retry runs it again', async () => {
  await openImports();
  await page.getByRole('button', { name: 'New import' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New import' });
  await dialog.getByLabel('Product URL').fill(UNSUPPORTED);
  await dialog.getByText(/Unsupported supplier URL: this import will probably fail/).waitFor();
  await dialog.getByRole('button', { name: 'Import product' }).click();
  await dialog.waitFor({ state: 'hidden' });

  const row = rowFor(UNSUPPORTED);
  await waitForStatus(row, 'failed');
  await waitForSummary('Failed', '1');
  const retry = row.getByRole('button', { name: /^Retry import/ });
  await retry.waitFor();
  assert((await row.getByRole('button', { name: /^Cancel import/ }).count()) === 0, 'a failed job offers Cancel');
  await shot(page, 'imports-08-failed');

  await row.getByRole('link').click();
  const details = page.getByRole('dialog');
  await details.getByRole('alert').getByText('Unsupported supplier URL').waitFor();
  const history = details.getByRole('list', { name: 'History' });
  await history.getByText('Failed', { exact: true }).waitFor();
  await shot(page, 'imports-09-failed-details', { overlay: true });

  // Retry from the details: back to the queue, and (the URL being what it is) failed again.
  await details.getByRole('button', { name: /^Retry import/ }).click();
  await history.getByText('Retried', { exact: true }).waitFor({ timeout: JOB_TIMEOUT_MS });
  await history.locator('li[data-action="failed"]').nth(1).waitFor({ timeout: JOB_TIMEOUT_MS });
  await details.getByRole('button', { name: 'Close' }).click();
  await details.waitFor({ state: 'hidden' });
  await waitForStatus(row, 'failed');
});

test('imports: status cards filter the list and the filter is a link', async () => {
  await openImports();
  await waitForSummary('Failed', '1');
  await page.getByRole('group', { name: 'Import summary' }).getByRole('button', { name: /^Failed:/ }).click();
  await page.waitForURL((u) => u.searchParams.get('status') === 'failed');
  await page.getByText('Showing 1–1 of 1').waitFor();
  const statuses = await page.locator('tr[data-job-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
  assert(statuses.length === 1 && statuses[0] === 'failed', `the failed filter shows ${statuses.join(', ')}`);
  await page.reload();
  await heading(page, 'Imports');
  await page.getByText('Showing 1–1 of 1').waitFor();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.waitForURL((u) => !u.searchParams.has('status'));
});

test('imports: over the plan limit the dialog offers an upgrade', async () => {
  await openImports();
  await page.getByRole('button', { name: 'Bulk import' }).click();
  const dialog = page.getByRole('dialog', { name: 'Bulk import' });
  // Six imports so far on a free plan of ten: ten more do not fit, and none is created.
  const urls = Array.from({ length: 10 }, (_, i) => demoUrl(`10050099${String(i).padStart(8, '0')}`));
  await dialog.getByLabel('Product URLs').fill(urls.join('\n'));
  await dialog.getByRole('button', { name: 'Import 10 products' }).click();
  const alert = dialog.getByRole('alert');
  await alert.getByText('Import limit reached for free plan. Upgrade your plan for more imports.').waitFor();
  const upgrade = alert.getByRole('link', { name: 'Upgrade your plan' });
  assert((await upgrade.getAttribute('href')) === '/billing', 'the plan limit does not link to /billing');
  await shot(page, 'imports-10-plan-limit', { overlay: true });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert((await summaryValue('Total')) === '6', 'a refused bulk import still created jobs');
});

/** A dialog on a phone must not be wider than the screen. */
async function assertFitsPhone(dialog: Locator, what: string) {
  const box = await dialog.boundingBox();
  assert(box && box.x >= 0 && box.x + box.width <= PHONE.width, `${what} is wider than the phone (${JSON.stringify(box)})`);
}

/** Calls the API from the page with the signed-in user's token, as the dashboard does. */
const apiCall = <T>(method: string, path: string, body?: unknown) => apiAs<T>(page, method, path, body);

let shopifyFake: StartedFake | null = null;

test('imports: with a store connected the product lands there, with a link to it', async () => {
  // The fake Shopify of the worker tests, on 127.0.0.1 (the dev stack allows local stores).
  shopifyFake = await startFakeShopify();
  const origin = shopifyFake.bindings.FAKE_SHOPIFY_URL;
  const shop = (await (await fetch(`${origin}/__control/shops`, { method: 'POST', body: JSON.stringify({ name: 'Linen & Co' }) })).json()) as { token: string };
  await openImports();
  const created = await apiCall<{ id: string }>('POST', '/connections', { store_name: 'Linen & Co', platform: 'shopify', store_url: origin, api_key: shop.token });
  assert(created.status === 201, `connecting the fake shop answered ${created.status}`);
  await openImports();

  const url = demoUrl('1005006789012345');
  await page.getByRole('button', { name: 'New import' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New import' });
  await dialog.getByLabel('Product URL').fill(url);
  const target = dialog.getByRole('combobox', { name: 'Target store' });
  await target.getByText('Linen & Co (default)').waitFor();
  await dialog.getByText('Pushed to Linen & Co (shopify).').waitFor();
  await dialog.getByRole('button', { name: 'Import product' }).click();
  await dialog.waitFor({ state: 'hidden' });

  const row = rowFor(url);
  await waitForStatus(row, 'completed');
  assert((await row.textContent())?.includes('Linen & Co'), 'the row does not name the target store');
  const products = (await (await fetch(`${origin}/__control/shops/${shop.token}/products`)).json()) as { title: string; variants: { price: string }[] }[];
  assert(products.length === 1, `the fake shop holds ${products.length} products`);
  assert(products[0].variants.every((v) => v.price.endsWith('.99')), 'the shop did not receive .99 prices');

  // Only stores' jobs: the filter by store shows this one.
  await page.getByRole('combobox', { name: 'Filter by store' }).click();
  await page.getByRole('option', { name: 'Linen & Co' }).click();
  await page.waitForURL((u) => u.searchParams.has('store'));
  await page.getByText('Showing 1–1 of 1').waitFor();

  await row.getByRole('link').click();
  const details = page.getByRole('dialog');
  const link = details.getByRole('link', { name: /View in Linen & Co/ });
  await link.waitFor();
  assert((await link.getAttribute('href'))?.startsWith(`${origin}/admin/products/`), 'the store link does not point at the store product');
  await details.getByRole('list', { name: 'History' }).getByText(/Store product gid:\/\/shopify\/Product\//).waitFor();
  await shot(page, 'imports-14-pushed-to-store', { overlay: true });
  await details.getByRole('button', { name: 'Close' }).click();
  await details.waitFor({ state: 'hidden' });
  await page.getByRole('button', { name: 'Clear filters' }).click();
});

test('imports: on a phone jobs are cards and details still open', async () => {
  const phone = await context.newPage();
  failurePage.current = phone;
  try {
    await phone.setViewportSize(PHONE);
    await phone.goto(`${BASE_URL}/imports`);
    await heading(phone, 'Imports');
    const cards = phone.getByRole('list', { name: 'Imports' });
    await cards.locator('li[data-job-id]').first().waitFor();
    assert(!(await phone.locator('.jobs-table').isVisible()), 'the phone layout still shows the table');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 0, `the page scrolls sideways on a phone (${overflow}px)`);
    await shot(phone, 'imports-11-phone');
    await cards.locator('li[data-status="completed"]').first().getByRole('link').click();
    const details = phone.getByRole('dialog');
    await details.getByRole('list', { name: 'History' }).waitFor();
    await assertFitsPhone(details, 'the job details');
    await shot(phone, 'imports-12-phone-details', { overlay: true });
    await details.getByRole('button', { name: 'Close' }).click();
    await details.waitFor({ state: 'hidden' });

    await phone.getByRole('button', { name: 'Bulk import' }).click();
    const bulk = phone.getByRole('dialog', { name: 'Bulk import' });
    await bulk.getByLabel('Product URLs').fill(`${BULK[0]}\nhttps://example.com/a/very/long/path/that/does/not/wrap/anywhere/at/all/item/1.html`);
    await bulk.getByRole('list', { name: 'Flagged lines' }).waitFor();
    await assertFitsPhone(bulk, 'the bulk import dialog');
    await shot(phone, 'imports-13-phone-bulk', { overlay: true });
  } finally {
    await phone.close();
  }
});

test('imports: clean up the browser context and the fake shop', async () => {
  await context.close();
  await shopifyFake?.stop();
});

/**
 * The Products page against the real stack: the local stack has no supplier accounts,
 * so the demo catalogue answers (and says so); no AI gateway is configured, so the
 * ideas panel stays hidden.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { BASE_URL, PHONE, assert, failurePage, heading, newContext, registerThroughUi, shot, test, uniqueEmail } from './harness';

const PASSWORD = 'correct-horse-battery';
let context: BrowserContext;
let page: Page;

const resultsLine = (p: Page) => p.getByRole('status').filter({ hasText: /products? for “/ });
const cardTitles = async (p: Page) => (await p.getByRole('button', { name: /^Preview / }).all()).length;

test('products: search the demo catalogue and page through the results', async () => {
  context = await newContext();
  page = await context.newPage();
  failurePage.current = page;
  await registerThroughUi(page, uniqueEmail('e2e-products'), PASSWORD);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Products', exact: true }).click();
  await heading(page, 'Products');
  await page.getByRole('heading', { name: 'Search a supplier catalogue' }).waitFor();
  await shot(page, 'products-01-empty');

  await page.getByLabel('Search products').fill('wireless earbuds');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await resultsLine(page).waitFor();
  const line = (await resultsLine(page).textContent()) ?? '';
  const total = Number(line.replace(/[^0-9].*$/s, ''));
  assert(total >= 15 && total <= 30, `unexpected demo total in "${line}"`);
  await page.getByText('These results come from the demo catalogue').waitFor();
  assert((await cardTitles(page)) === 12, 'the first page does not show 12 products');
  const firstPageTitle = await page.getByRole('button', { name: /^Preview / }).first().getAttribute('aria-label');
  await page.getByText(`Page 1 of ${Math.ceil(total / 12)}`).waitFor();
  await shot(page, 'products-02-results');

  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText(`Page 2 of ${Math.ceil(total / 12)}`).waitFor();
  await page.waitForURL((url) => url.searchParams.get('page') === '2');
  // The pager moves at once; the cards change when page 2 has arrived.
  await page.waitForFunction(
    (previous) => document.querySelector('button[aria-label^="Preview "]')?.getAttribute('aria-label') !== previous,
    firstPageTitle,
    { timeout: 10_000 },
  );
  const secondPageTitle = await page.getByRole('button', { name: /^Preview / }).first().getAttribute('aria-label');
  assert(secondPageTitle !== firstPageTitle || (await cardTitles(page)) !== 12, 'page 2 shows page 1 again');
  await page.getByRole('button', { name: 'Previous' }).click();
  await page.getByText(`Page 1 of ${Math.ceil(total / 12)}`).waitFor();

  // No AI gateway on the local stack: the ideas panel is not shown at all.
  assert(!(await page.getByRole('region', { name: 'Sourcing ideas' }).isVisible()), 'the AI ideas panel shows without a gateway');
});

test('products: preview a result and send it to import', async () => {
  await page.getByRole('button', { name: /^Preview / }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Import product' }).waitFor();
  await dialog.getByRole('table').waitFor();
  await dialog.getByText('Demo catalogue').first().waitFor();
  assert((await dialog.getByRole('group', { name: 'Images' }).getByRole('button').count()) >= 3, 'the gallery has fewer than 3 images');
  await dialog.getByRole('button', { name: 'Show image 2' }).click();
  await shot(page, 'products-03-preview', { overlay: true });

  await dialog.getByLabel('Markup %').fill('80');
  await dialog.getByText(/Selling price from about \$\d+\.99/).waitFor();
  await dialog.getByRole('button', { name: 'Import product' }).click();
  // Either the job was created, or the API said why not; both must be shown.
  const outcome = dialog.getByRole('status').filter({ hasText: 'Import started' }).or(dialog.getByRole('alert'));
  await outcome.first().waitFor();
  const text = (await outcome.first().textContent()) ?? '';
  assert(text.includes('Import started'), `the import did not start: ${text}`);
  await shot(page, 'products-04-import-started', { overlay: true });
  await dialog.getByRole('link', { name: 'Follow it in Imports' }).click();
  await heading(page, 'Imports');
});

test('products: a pasted URL from an unsupported site gets the API’s message', async () => {
  await page.goto(`${BASE_URL}/products`);
  await heading(page, 'Products');
  await page.getByLabel('Preview a product URL').fill('https://detail.1688.com/offer/123456.html');
  await page.getByRole('button', { name: 'Preview', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('Unsupported supplier URL').waitFor();
  await shot(page, 'products-05-unsupported-url', { overlay: true });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });

  await page.getByLabel('Preview a product URL').fill('https://www.aliexpress.com/item/1005006123456789.html');
  await page.getByRole('button', { name: 'Preview', exact: true }).click();
  await dialog.getByRole('button', { name: 'Import product' }).waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
});

test('products: on a phone the results stack two to a row and the preview fits', async () => {
  const phone = await context.newPage();
  failurePage.current = phone;
  try {
    await phone.setViewportSize(PHONE);
    await phone.goto(`${BASE_URL}/products?q=yoga%20mat&source=cjdropship&page=1`);
    await heading(phone, 'Products');
    await resultsLine(phone).waitFor();
    await phone.getByText('on CJ Dropshipping').first().waitFor();
    const cards = phone.getByRole('button', { name: /^Preview / });
    const [a, b] = [await cards.nth(0).boundingBox(), await cards.nth(1).boundingBox()];
    assert(a && b && Math.abs(a.y - b.y) < 2 && b.x > a.x, 'the first two cards are not side by side');
    assert(a.x + b.width * 2 <= PHONE.width, 'cards overflow the phone width');
    await shot(phone, 'products-06-phone');
    await cards.first().click();
    await phone.getByRole('dialog').getByRole('button', { name: 'Import product' }).waitFor();
    await shot(phone, 'products-07-phone-preview', { overlay: true });
  } finally {
    await phone.close();
    failurePage.current = page;
  }
});

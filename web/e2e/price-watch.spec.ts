/**
 * The Price Watch page against the real stack. The local stack answers supplier links
 * from the demo catalogue; to see a price move without waiting for its six-hour window,
 * the dev-only `POST /api/v1/price-watches/{id}/demo-advance` moves the product on.
 */
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { BASE_URL, PHONE, assert, failurePage, heading, newContext, registerThroughUi, shot, test, uniqueEmail } from './harness';

const PASSWORD = 'correct-horse-battery';
const PRODUCT_ID = `1005${String(Date.now()).slice(-12).padStart(12, '0')}`;
const PRODUCT_URL = `https://www.aliexpress.com/item/${PRODUCT_ID}.html`;
const TITLE = `AliExpress · ${PRODUCT_ID}`;
/** A sync of a few demo watches takes well under a second; allow for a busy machine. */
const SYNC_TIMEOUT_MS = 30_000;

let context: BrowserContext;
let page: Page;
let email = '';

async function openPriceWatch(p = page) {
  failurePage.current = p;
  await p.goto(`${BASE_URL}/price-watch`);
  await heading(p, 'Price Watch');
}

const row = (p: Page = page): Locator => p.locator('tr[data-watch-id]').filter({ hasText: PRODUCT_ID }).first();

/** Calls the API as the signed-in user (for the dev-only demo control and arranging imports). */
async function apiCall<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const token = localStorage.getItem('sourcepilot.access_token');
      const res = await fetch(`/api/v1${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: res.status === 204 ? null : await res.json() };
    },
    { method, path, body },
  ) as Promise<{ status: number; json: T }>;
}

async function syncNow(expect: RegExp) {
  await page.getByRole('button', { name: 'Sync now' }).click();
  const outcome = page.getByRole('status', { name: 'Sync result' });
  await outcome.getByText(expect).waitFor({ timeout: SYNC_TIMEOUT_MS });
}

test('price watch: an empty account adds a watch by link and the first sync records its price', async () => {
  context = await newContext();
  page = await context.newPage();
  email = uniqueEmail('e2e-price');
  await registerThroughUi(page, email, PASSWORD);
  await openPriceWatch();
  await page.getByRole('heading', { name: 'No price watches yet' }).waitFor();
  await shot(page, 'price-watch-01-empty');

  await page.getByRole('button', { name: 'Watch your first product' }).click();
  const dialog = page.getByRole('dialog', { name: 'Watch a supplier price' });
  await dialog.getByLabel('Product URL').fill('https://example.com/not-a-product');
  await dialog.getByText('Unsupported supplier URL: this link can be saved but not checked.').waitFor();
  await dialog.getByLabel('Product URL').fill(PRODUCT_URL);
  await dialog.getByRole('status').getByText(`AliExpress product ${PRODUCT_ID}`).waitFor();
  assert((await dialog.getByLabel('Alert threshold (%)').inputValue()) === '10', 'the threshold does not default to 10 %');
  await shot(page, 'price-watch-02-add-dialog', { overlay: true });
  await dialog.getByRole('button', { name: 'Start watching' }).click();
  await dialog.getByText(`Watching ${TITLE}.`, { exact: false }).waitFor();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.waitFor({ state: 'hidden' });

  await row().getByText('Not checked yet').waitFor();
  await syncNow(/^Checked 1 watch: 0 changed, 0 errors\.$/);
  await row().getByText('Watching', { exact: true }).waitFor();
  const current = await row().locator('td').nth(2).textContent();
  assert(current && /\$\d+\.\d\d/.test(current), `no current price after the sync: ${current}`);
  await page.getByRole('group', { name: 'Price watch summary' }).getByRole('group', { name: 'Watched: 1' }).waitFor();
  await shot(page, 'price-watch-03-first-sync');
});

test('price watch: a supplier price move shows as a coloured change, a sparkline and an alert', async () => {
  await openPriceWatch();
  // Alerts by email: without an email service in the local stack they are listed on the page only.
  const settings = page.locator('form').filter({ has: page.getByLabel('Email address') });
  assert((await settings.getByLabel('Email address').inputValue()) === email, 'the alert email is not prefilled with the account email');
  await settings.getByRole('switch').first().click();
  await settings.getByRole('button', { name: 'Save alert settings' }).click();
  await settings.getByRole('status').getByText('Saved').waitFor();

  const id = await row().getAttribute('data-watch-id');
  assert(id, 'the row has no watch id');
  const moved = await apiCall<{ shift: number }>('POST', `/price-watches/${id}/demo-advance`);
  assert(moved.status === 200, `the demo control answered ${moved.status}`);

  await syncNow(/^Checked 1 watch: 1 changed, 0 errors\.$/);
  await row().getByText('Changed', { exact: true }).waitFor();
  const change = await row().locator('td[data-change]').getAttribute('data-change');
  assert(change && Math.abs(Number(change)) >= 10, `the change column shows ${change}`);
  const changeColor = await row().locator('td[data-change] span').first().evaluate((el) => getComputedStyle(el).color);
  assert(changeColor !== 'rgb(0, 0, 0)', 'the change is not coloured');
  await row().getByRole('img', { name: /^Last 2 prices, from \$/ }).waitFor();
  const alerts = page.getByRole('list', { name: 'Recent alerts' });
  await alerts.getByText(new RegExp(`^Price (up|down) `)).first().waitFor();
  await alerts.getByText(TITLE).waitFor();
  await shot(page, 'price-watch-04-change-and-alert');
});

test('price watch: details show the history chart; edit, pause, resume and delete', async () => {
  await openPriceWatch();
  await row().getByRole('button', { name: TITLE, exact: true }).click();
  const details = page.getByRole('dialog', { name: TITLE });
  // The chart library loads only now, in its own chunk.
  await details.locator('.price-chart canvas').waitFor();
  assert((await details.locator('.price-chart').getAttribute('data-points')) === '2', 'the chart does not show both readings');
  await details.getByText('Show the last 2 readings as a table').click();
  assert((await details.locator('details tbody tr').count()) === 2, 'the history table does not list both readings');
  assert(new URL(page.url()).searchParams.get('watch'), 'the open watch is not in the address');
  await shot(page, 'price-watch-05-details', { overlay: true });

  await details.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit watch' });
  await edit.getByLabel('Alert threshold (%)').fill('5');
  await edit.getByRole('button', { name: 'Save' }).click();
  await edit.waitFor({ state: 'hidden' });
  await details.getByText('5 %', { exact: true }).waitFor();
  await details.getByRole('button', { name: 'Close' }).click();
  await details.waitFor({ state: 'hidden' });

  await row().getByRole('button', { name: `Actions for ${TITLE}` }).click();
  await page.getByRole('menuitem', { name: 'Pause' }).click();
  await row().getByText('Paused', { exact: true }).waitFor();
  await page.getByRole('group', { name: 'Price watch summary' }).getByRole('group', { name: 'Watched: 0' }).waitFor();
  await row().getByRole('button', { name: `Actions for ${TITLE}` }).click();
  await page.getByRole('menuitem', { name: 'Resume' }).click();
  await row().getByText('Changed', { exact: true }).waitFor();

  await row().getByRole('button', { name: `Actions for ${TITLE}` }).click();
  await page.getByRole('menuitem', { name: 'Delete…' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete this watch?' });
  await shot(page, 'price-watch-06-delete-confirm', { overlay: true });
  await confirm.getByRole('button', { name: 'Delete watch' }).click();
  await page.getByRole('heading', { name: 'No price watches yet' }).waitFor();
});

test('price watch: a watch from a completed import, and a webhook secret shown once', async () => {
  await openPriceWatch();
  const created = await apiCall<{ id: string }>('POST', '/imports', { product_url: PRODUCT_URL, source: 'aliexpress' });
  assert(created.status === 201, `the import was refused: ${created.status}`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = await apiCall<{ status: string }>('GET', `/imports/${created.json.id}`);
    if (job.json.status === 'completed') break;
    assert(Date.now() < deadline && ['pending', 'running'].includes(job.json.status), `the import ended ${job.json.status}`);
    await page.waitForTimeout(500);
  }
  await page.getByRole('button', { name: 'Watch your first product' }).click();
  const dialog = page.getByRole('dialog', { name: 'Watch a supplier price' });
  await dialog.getByRole('radio', { name: 'From an import' }).click();
  await dialog.getByRole('combobox', { name: 'Completed import' }).click();
  await page.getByRole('option').first().click();
  await dialog.getByRole('button', { name: 'Start watching' }).click();
  await dialog.getByText(`Watching ${TITLE}.`, { exact: false }).waitFor();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await row().waitFor();

  const settings = page.locator('form').filter({ has: page.getByLabel('Webhook URL') });
  await settings.getByLabel('Webhook URL').fill('http://127.0.0.1:9/sourcepilot-hook');
  await settings.getByRole('switch').nth(1).click();
  await settings.getByRole('button', { name: 'Save alert settings' }).click();
  const secret = settings.getByRole('textbox', { name: 'Webhook signing secret' });
  await secret.waitFor();
  const value = await secret.inputValue();
  assert(/^whsec_[A-Za-z0-9_-]{43}$/.test(value), `unexpected secret: ${value}`);
  await shot(page, 'price-watch-07-webhook-secret');
  await page.reload();
  await heading(page, 'Price Watch');
  await page.getByText(`Signed with the secret ending ${value.slice(-4)}.`).waitFor();
  assert((await page.getByRole('textbox', { name: 'Webhook signing secret' }).count()) === 0, 'the secret is shown again after a reload');
});

test('price watch: on a phone the watches are cards', async () => {
  const phone = await context.newPage();
  failurePage.current = phone;
  try {
    await phone.setViewportSize(PHONE);
    await openPriceWatch(phone);
    const card = phone.getByRole('list', { name: 'Price watches' }).locator('li').filter({ hasText: PRODUCT_ID });
    await card.waitFor();
    assert(!(await phone.locator('table.watch-table').isVisible()), 'the table is still shown on a phone');
    await shot(phone, 'price-watch-08-phone');
  } finally {
    await phone.close();
  }
});

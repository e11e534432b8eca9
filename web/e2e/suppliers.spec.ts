/**
 * The Suppliers page against the real stack: connect AliExpress (credentials shown only
 * masked), CJ and Spocket accounts, a duplicate refused, deactivate, edit, delete.
 */
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { startAliExpressFake } from '../../worker/test/fakes/aliexpress';
import { AE_FAKE_URL, BASE_URL, PHONE, assert, failurePage, heading, newContext, registerThroughUi, shot, test, uniqueEmail } from './harness';

const PASSWORD = 'correct-horse-battery';
const ALI = { app_key: '503012', app_secret: 'ali-secret-4f9a2c', access_token: 'ali-token-tokN9zZ' };

let context: BrowserContext;
let page: Page;

const card = (name: string): Locator => page.getByRole('article', { name, exact: true });

async function openSuppliers() {
  await page.goto(`${BASE_URL}/suppliers`);
  await heading(page, 'Suppliers');
}

async function openConnectDialog() {
  await page.getByRole('button', { name: /^Connect (your first supplier|a supplier)$/ }).first().click();
  return page.getByRole('dialog', { name: 'Connect a supplier' });
}

test('suppliers: empty state, connect AliExpress with masked credentials and ship-to settings', async () => {
  context = await newContext();
  page = await context.newPage();
  failurePage.current = page;
  await registerThroughUi(page, uniqueEmail('e2e-suppliers'), PASSWORD);
  await openSuppliers();
  await page.getByRole('heading', { name: 'No supplier accounts yet' }).waitFor();
  await shot(page, 'suppliers-01-empty');

  const dialog = await openConnectDialog();
  await dialog.getByRole('radio', { name: 'AliExpress' }).click();
  await dialog.getByLabel('Account name').fill('Main AliExpress');
  await dialog.getByLabel('App key').fill(ALI.app_key);
  await dialog.getByLabel('App secret').fill(ALI.app_secret);
  await dialog.getByLabel('Access token').fill(ALI.access_token);
  await dialog.getByLabel('Ship to').click();
  await page.getByRole('option', { name: 'Germany (DE)' }).click();
  await dialog.getByLabel('Currency').click();
  await page.getByRole('option', { name: /\(EUR\)$/ }).click();
  await shot(page, 'suppliers-02-connect-dialog', { overlay: true });
  await dialog.getByRole('button', { name: 'Connect supplier' }).click();
  await dialog.waitFor({ state: 'hidden' });

  const ali = card('Main AliExpress');
  await ali.getByText('••••9a2c').waitFor();
  await ali.getByText('••••N9zZ').waitFor();
  await ali.getByText('Germany · prices in EUR').waitFor();
  const text = (await page.locator('body').textContent()) ?? '';
  assert(!text.includes(ALI.app_secret) && !text.includes(ALI.access_token), 'a secret is shown on the page');
  await shot(page, 'suppliers-03-aliexpress');
});

test('suppliers: Spocket needs no credentials; a duplicate name is refused', async () => {
  let dialog = await openConnectDialog();
  await dialog.getByRole('radio', { name: 'Spocket' }).click();
  await dialog.getByText('Spocket has no public API').waitFor();
  assert((await dialog.getByLabel('API key').count()) === 0, 'Spocket asks for an API key');
  await dialog.getByLabel('Account name').fill('Spocket');
  await dialog.getByRole('button', { name: 'Connect supplier' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await card('Spocket').getByText('No credentials needed').waitFor();

  dialog = await openConnectDialog();
  await dialog.getByRole('radio', { name: 'AliExpress' }).click();
  await dialog.getByLabel('Account name').fill('Main AliExpress');
  await dialog.getByLabel('App key').fill('1');
  await dialog.getByLabel('App secret').fill('2');
  await dialog.getByLabel('Access token').fill('3');
  await dialog.getByRole('button', { name: 'Connect supplier' }).click();
  await dialog.getByRole('alert').getByText("Supplier account with name 'Main AliExpress' and platform 'aliexpress' already exists.").waitFor();
  await shot(page, 'suppliers-04-duplicate', { overlay: true });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
});

test('suppliers: connect CJ, deactivate, rename, and delete after confirmation', async () => {
  const dialog = await openConnectDialog();
  await dialog.getByRole('radio', { name: 'CJ Dropshipping' }).click();
  await dialog.getByLabel('Account name').fill('CJ');
  await dialog.getByLabel('API key').fill('CJ4412@api@c0ffee1234');
  await dialog.getByRole('button', { name: 'Connect supplier' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const cj = card('CJ');
  await cj.getByText('••••1234').waitFor();
  await cj.getByText('CJ Dropshipping', { exact: true }).waitFor();

  await cj.getByRole('switch', { name: 'Use CJ' }).click();
  await cj.getByText('Inactive').waitFor();
  await openSuppliers();
  await card('CJ').getByText('Inactive').waitFor();

  await card('CJ').getByRole('button', { name: 'Edit CJ' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit “CJ”' });
  assert((await edit.getByLabel('API key').getAttribute('placeholder')) === 'Saved: ••••1234', 'the edit form does not show the saved hint');
  await edit.getByLabel('Account name').fill('CJ backup');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await edit.waitFor({ state: 'hidden' });
  await card('CJ backup').getByText('••••1234').waitFor();
  await shot(page, 'suppliers-05-list');

  await card('CJ backup').getByRole('button', { name: 'Delete CJ backup' }).click();
  const confirm = page.getByRole('alertdialog');
  await confirm.getByRole('button', { name: 'Delete account' }).click();
  await confirm.waitFor({ state: 'hidden' });
  await card('CJ backup').waitFor({ state: 'detached' });
  const names = await page.getByRole('article').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
  // Ordered by platform, then name.
  assert(names.join() === 'Main AliExpress,Spocket', `unexpected accounts: ${names.join(', ')}`);
});

test('suppliers: link AliExpress through its consent screen and come back connected', async () => {
  const fake = await startAliExpressFake(Number(new URL(AE_FAKE_URL).port));
  try {
    // SourcePilot's dev app (.dev.vars.example), known to the fake.
    const registered = await fetch(`${AE_FAKE_URL}/__control/apps`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ app_key: 'sourcepilot-dev-ae-app', app_secret: 'sourcepilot-dev-ae-secret', ensure: true }),
    });
    assert(registered.ok, 'the fake AliExpress did not register the app');
    await openSuppliers();
    await page.getByRole('button', { name: 'Connect AliExpress' }).first().click();
    await page.waitForURL(/\/oauth\/authorize\?/);
    assert(page.url().startsWith(`${AE_FAKE_URL}/oauth/authorize`), `the stack sent the browser to ${page.url()}; start it with ALIEXPRESS_API_BASE=${AE_FAKE_URL}`);
    await page.getByRole('heading', { name: 'Authorize SourcePilot' }).waitFor();
    await shot(page, 'suppliers-07-aliexpress-consent');
    await page.getByRole('link', { name: 'Approve' }).click();
    await page.waitForURL(/\/suppliers\?connected=/);
    await page.getByRole('status').getByText("AliExpress account 'AliExpress' connected").waitFor();
    const linked = card('AliExpress');
    await linked.getByText('Linked', { exact: true }).waitFor();
    await linked.getByText('Token renews').waitFor();
    await linked.getByText('Reconnect by').waitFor();
    const text = (await page.locator('body').textContent()) ?? '';
    assert(!/ae-access-|ae-refresh-/.test(text), 'a token is shown on the page');
    await shot(page, 'suppliers-08-aliexpress-linked');
  } finally {
    await fake.stop();
  }
});

test('suppliers: on a phone the cards stack without sideways scrolling', async () => {
  const phone = await context.newPage();
  try {
    await phone.setViewportSize(PHONE);
    failurePage.current = phone;
    await phone.goto(`${BASE_URL}/suppliers`);
    await heading(phone, 'Suppliers');
    await phone.getByRole('article', { name: 'Main AliExpress' }).waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 1, `the page scrolls sideways by ${overflow}px on a phone`);
    await shot(phone, 'suppliers-06-phone');
  } finally {
    await phone.close();
    failurePage.current = page;
    await context.close();
  }
});

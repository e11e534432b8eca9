/**
 * The Connections page against the real stack, with the fake Shopify and WooCommerce
 * servers of the worker tests started here on 127.0.0.1 (the dev stack runs with
 * ALLOW_LOCAL_STORES=true, so the worker may call them): connect, test, make default,
 * edit, disconnect, and the default store passing to the oldest one left.
 */
import type { BrowserContext, Locator, Page } from 'playwright-core';
import type { StartedFake } from '../../worker/test/fakes';
import { startFakeShopify } from '../../worker/test/fakes/shopify';
import { startFakeWooCommerce } from '../../worker/test/fakes/woocommerce';
import { BASE_URL, PHONE, assert, failurePage, heading, newContext, registerThroughUi, shot, test, uniqueEmail } from './harness';

const PASSWORD = 'correct-horse-battery';

let context: BrowserContext;
let page: Page;
let shopifyFake: StartedFake | null = null;
let wooFake: StartedFake | null = null;
let shopify: { url: string; token: string; name: string };
let woo: { url: string; key: string; secret: string; name: string };

async function control<T>(url: string, method = 'POST', body: unknown = {}): Promise<T> {
  const res = await fetch(url, { method, headers: { 'Content-Type': 'application/json' }, body: method === 'GET' ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

const card = (name: string): Locator => page.getByRole('article', { name, exact: true });

async function openConnections() {
  await page.goto(`${BASE_URL}/connections`);
  await heading(page, 'Connections');
}

async function connectStore(opts: { platform: 'Shopify' | 'WooCommerce'; name: string; url: string; token?: string; key?: string; secret?: string }) {
  // The empty state offers its own button; once a store exists the header has one.
  await page.getByRole('button', { name: /^Connect (your first store|a store)$/ }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Connect a store' });
  await dialog.getByRole('radio', { name: opts.platform }).click();
  await dialog.getByLabel('Store name').fill(opts.name);
  await dialog.getByLabel('Store URL').fill(opts.url);
  if (opts.token) await dialog.getByLabel('Admin API access token').fill(opts.token);
  if (opts.key) await dialog.getByLabel('Consumer key').fill(opts.key);
  if (opts.secret) await dialog.getByLabel('Consumer secret').fill(opts.secret);
  await dialog.getByRole('button', { name: 'Connect store' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await card(opts.name).waitFor();
}

async function defaultStores(): Promise<string[]> {
  await page.locator('article[data-default="true"]').first().waitFor();
  return page.locator('article[data-default="true"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
}

test('connections: empty state, connect a Shopify store and test it', async () => {
  shopifyFake = await startFakeShopify();
  wooFake = await startFakeWooCommerce();
  const shop = await control<{ token: string; name: string }>(`${shopifyFake.bindings.FAKE_SHOPIFY_URL}/__control/shops`, 'POST', { name: 'Linen & Co' });
  shopify = { url: shopifyFake.bindings.FAKE_SHOPIFY_URL, token: shop.token, name: shop.name };
  const store = await control<{ consumer_key: string; consumer_secret: string; name: string }>(`${wooFake.bindings.FAKE_WOOCOMMERCE_URL}/__control/stores`, 'POST', { name: 'Mug Heaven' });
  woo = { url: wooFake.bindings.FAKE_WOOCOMMERCE_URL, key: store.consumer_key, secret: store.consumer_secret, name: store.name };

  context = await newContext();
  page = await context.newPage();
  failurePage.current = page;
  await registerThroughUi(page, uniqueEmail('e2e-connections'), PASSWORD);
  await openConnections();
  await page.getByRole('heading', { name: 'No stores connected yet' }).waitFor();
  await shot(page, 'connections-01-empty');

  await page.getByRole('button', { name: 'Connect your first store' }).click();
  const dialog = page.getByRole('dialog', { name: 'Connect a store' });
  await dialog.getByRole('radio', { name: 'Shopify' }).click();
  await dialog.getByText('Your permanent myshopify.com address, not a custom domain.').waitFor();
  await shot(page, 'connections-02-connect-dialog', { overlay: true });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });

  await connectStore({ platform: 'Shopify', name: 'Main shop', url: shopify.url, token: shopify.token });
  const main = card('Main shop');
  await main.getByText('Default').waitFor();
  await main.getByText('Shopify', { exact: true }).waitFor();
  await main.getByRole('button', { name: 'Test connection to Main shop' }).click();
  await main.getByRole('status').getByText('Connected to Linen & Co.').waitFor();
  await shot(page, 'connections-03-tested');
});

test('connections: a URL outside the platform rules is refused with the rule', async () => {
  await openConnections();
  await page.getByRole('button', { name: 'Connect a store', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Connect a store' });
  await dialog.getByRole('radio', { name: 'Shopify' }).click();
  await dialog.getByLabel('Store name').fill('Custom domain');
  await dialog.getByLabel('Store URL').fill('https://linen-and-co.com');
  await dialog.getByLabel('Admin API access token').fill('shpat_123');
  await dialog.getByRole('button', { name: 'Connect store' }).click();
  await dialog.getByRole('alert').getByText(/Shopify store URL must be https:\/\/<shop>\.myshopify\.com/).waitFor();
  await shot(page, 'connections-04-url-rule', { overlay: true });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
});

test('connections: connect WooCommerce, make it the default, edit it', async () => {
  await connectStore({ platform: 'WooCommerce', name: 'Mugs', url: woo.url, key: woo.key, secret: woo.secret });
  const mugs = card('Mugs');
  await mugs.getByText('WooCommerce', { exact: true }).waitFor();
  await mugs.getByRole('button', { name: 'Test connection to Mugs' }).click();
  await mugs.getByRole('status').getByText('Connected to Mug Heaven.').waitFor();
  assert((await defaultStores()).join() === 'Main shop', 'the first store is not the only default');

  await mugs.getByRole('button', { name: 'Make Mugs the default' }).click();
  await page.locator('article[data-default="true"][aria-label="Mugs"]').waitFor();
  assert((await defaultStores()).join() === 'Mugs', 'making Mugs the default left another default');
  // Default first in the list.
  const order = await page.getByRole('article').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
  assert(order[0] === 'Mugs', `the default store is not listed first: ${order.join(', ')}`);

  await mugs.getByRole('button', { name: 'Edit Mugs' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit “Mugs”' });
  await dialog.getByLabel('Store name').fill('Mug Heaven store');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await card('Mug Heaven store').waitFor();
  await shot(page, 'connections-05-two-stores');
});

test('connections: disconnecting the default promotes the oldest remaining store', async () => {
  // A second connection to the same fake shop, under another exact URL.
  await connectStore({ platform: 'Shopify', name: 'Outlet', url: `${shopify.url}/`, token: shopify.token });
  assert((await defaultStores()).join() === 'Mug Heaven store', 'a later store took the default');
  await card('Mug Heaven store').getByRole('button', { name: 'Disconnect Mug Heaven store' }).click();
  const confirm = page.getByRole('alertdialog');
  await confirm.getByText('Your oldest other store becomes the default.').waitFor();
  await shot(page, 'connections-06-disconnect-confirm', { overlay: true });
  await confirm.getByRole('button', { name: 'Disconnect' }).click();
  await confirm.waitFor({ state: 'hidden' });
  await card('Mug Heaven store').waitFor({ state: 'detached' });
  await page.locator('article[data-default="true"][aria-label="Main shop"]').waitFor();
  assert((await defaultStores()).join() === 'Main shop', 'the oldest remaining store was not promoted');
  await shot(page, 'connections-07-promoted');
});

test('connections: a revoked token shows Shopify’s own message; the dashboard counts the stores', async () => {
  await control(`${shopify.url}/__control/shops/${shopify.token}`, 'DELETE');
  await openConnections();
  const main = card('Main shop');
  await main.getByRole('button', { name: 'Test connection to Main shop' }).click();
  await main.getByRole('status').getByText(/Shopify rejected the access token: \[API\] Invalid API key or access token/).waitFor();
  await shot(page, 'connections-08-test-failed');

  await page.goto(`${BASE_URL}/`);
  await heading(page, 'Dashboard');
  const kpi = page.getByRole('region', { name: 'Connected stores' });
  await kpi.getByText('Default: Main shop').waitFor();
  assert((await kpi.textContent())?.includes('2'), 'the dashboard does not count 2 stores');
  await kpi.getByRole('link', { name: 'Manage stores' }).waitFor();
  await shot(page, 'connections-10-dashboard-count');
});

test('connections: on a phone the cards stack and stay usable', async () => {
  const phone = await context.newPage();
  try {
    await phone.setViewportSize(PHONE);
    failurePage.current = phone;
    await phone.goto(`${BASE_URL}/connections`);
    await heading(phone, 'Connections');
    await phone.getByRole('article', { name: 'Main shop' }).getByRole('button', { name: 'Test connection to Main shop' }).waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 1, `the page scrolls sideways by ${overflow}px on a phone`);
    await shot(phone, 'connections-09-phone');
  } finally {
    await phone.close();
    failurePage.current = page;
  }
});

/** An import into `storeId` through the API with the page's session; waits until the job is done. */
async function importInto(p: Page, storeId: string, productUrl: string): Promise<string> {
  return p.evaluate(
    async ({ storeId, productUrl }) => {
      const token = localStorage.getItem('sourcepilot.access_token');
      const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
      const created = (await (await fetch("/api/v1/imports", { method: "POST", headers, body: JSON.stringify({ product_url: productUrl, source: "aliexpress", store_id: storeId }) })).json()) as { id: string };
      for (let i = 0; i < 150; i++) {
        const job = (await (await fetch(`/api/v1/imports/${created.id}`, { headers })).json()) as { status: string; error_message: string | null };
        if (job.status === 'completed' || job.status === 'failed') return `${job.status} ${job.error_message ?? ''}`;
        await new Promise((r) => setTimeout(r, 200));
      }
      return 'timeout';
    },
    { storeId, productUrl },
  );
}

test('connections: a merchant with no token connects Shopify and WooCommerce through their own screens, and imports reach both', async () => {
  const shopifyUrl = shopifyFake!.bindings.FAKE_SHOPIFY_URL;
  const wooUrl = wooFake!.bindings.FAKE_WOOCOMMERCE_URL;
  // The fake Shopify knows the dev app (.dev.vars.example); the newest shop is the one the install screen offers first.
  await control(`${shopifyUrl}/__control/apps`, 'POST', { client_id: 'sourcepilot-dev-client-id', client_secret: 'sourcepilot-dev-client-secret' });
  const shop = await control<{ token: string; name: string }>(`${shopifyUrl}/__control/shops`, 'POST', { name: 'Fresh Install Shop' });

  const fresh = await newContext();
  const p = await fresh.newPage();
  failurePage.current = p;
  try {
    await registerThroughUi(p, uniqueEmail('e2e-one-click'), PASSWORD);
    await p.goto(`${BASE_URL}/connections`);
    await heading(p, 'Connections');

    // Shopify: shop name → Shopify's install screen → back connected.
    await p.getByRole('button', { name: 'Connect Shopify' }).click();
    const dialog = p.getByRole('dialog', { name: 'Connect Shopify' });
    await dialog.getByLabel('Shop name').fill(shopifyUrl);
    await shot(p, 'connections-11-connect-shopify', { overlay: true });
    await dialog.getByRole('button', { name: 'Go to Shopify' }).click();
    await p.getByRole('heading', { name: 'Install SourcePilot' }).waitFor();
    assert((await p.getByRole('combobox').inputValue()) === shop.token, 'the install screen does not offer the newest shop first');
    await shot(p, 'connections-12-shopify-install-screen');
    await p.getByRole('button', { name: 'Install' }).click();
    await heading(p, 'Connections');
    await p.getByRole('status').filter({ hasText: 'Store connected.' }).waitFor();
    assert(!new URL(p.url()).search, 'the outcome stays in the URL');
    const shopifyCard = p.getByRole('article').filter({ hasText: 'Shopify app' });
    await shopifyCard.getByText('Connected', { exact: true }).waitFor();
    await shopifyCard.getByLabel('Granted access').waitFor();
    await shot(p, 'connections-13-shopify-connected');
    const shopifyId = await shopifyCard.getAttribute('data-connection-id');

    // WooCommerce: store URL → WordPress's approve screen → keys to our callback → back.
    await p.getByRole('button', { name: 'Connect WooCommerce' }).click();
    const wooDialog = p.getByRole('dialog', { name: 'Connect WooCommerce' });
    await wooDialog.getByLabel('Store URL').fill(wooUrl);
    await wooDialog.getByRole('button', { name: 'Go to WooCommerce' }).click();
    await p.getByRole('heading', { name: 'SourcePilot would like to connect to your store' }).waitFor();
    await p.getByLabel('Store name').fill('Approved Woo Store');
    await shot(p, 'connections-14-woo-approve-screen');
    await p.getByRole('button', { name: 'Approve' }).click();
    await heading(p, 'Connections');
    await p.getByRole('status').filter({ hasText: 'WooCommerce store connected.' }).waitFor();
    const wooCard = p.getByRole('article').filter({ hasText: 'REST API keys' });
    await wooCard.getByText('Connected', { exact: true }).waitFor();
    await shot(p, 'connections-15-both-connected');
    const wooId = await wooCard.getAttribute('data-connection-id');
    const userId = new URL(p.url()).searchParams.get('user_id');
    assert(!userId, 'WooCommerce\'s user_id stays in the URL');

    // An import reaches each store.
    const item = () => `https://www.aliexpress.com/item/${Math.floor(1e15 + Math.random() * 9e15)}.html`;
    const intoShopify = await importInto(p, shopifyId!, item());
    assert(intoShopify.startsWith('completed'), `the Shopify import ended ${intoShopify}`);
    const shopProducts = await control<unknown[]>(`${shopifyUrl}/__control/shops/${shop.token}/products`, 'GET');
    assert(shopProducts.length === 1, `the Shopify shop has ${shopProducts.length} products`);
    const intoWoo = await importInto(p, wooId!, item());
    assert(intoWoo.startsWith('completed'), `the WooCommerce import ended ${intoWoo}`);

    // On a phone the page with both stores stays usable.
    await p.setViewportSize(PHONE);
    await p.reload();
    await heading(p, 'Connections');
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 1, `the page scrolls sideways by ${overflow}px on a phone`);
    await shot(p, 'connections-16-phone-one-click');
  } finally {
    await fresh.close();
    failurePage.current = page;
  }
});

test('connections: stop the fake stores', async () => {
  await context?.close();
  await Promise.all([shopifyFake?.stop(), wooFake?.stop()]);
});

/**
 * The API reference: linked from the API Keys page, served by the worker at
 * /api/v1/docs (through the dev server's /api/ proxy, as a deployed dashboard reaches it
 * through VITE_API_ORIGIN), public, and describing every route of /api/v1/openapi.json.
 * The page's script comes from the CDN, which this machine cannot reach, so the page is
 * checked as the browser receives it (HTML, CSP nonce) rather than rendered.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { assert, atPath, BASE_URL, failurePage, heading, newContext, PHONE, registerThroughUi, shot, test, uniqueEmail } from './harness';

let context: BrowserContext;
let page: Page;

test('api docs: the API Keys page links to the API reference', async () => {
  context = await newContext();
  page = await context.newPage();
  failurePage.current = page;
  await registerThroughUi(page, uniqueEmail('docs'), 'correct-horse-battery');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API Keys', exact: true }).click();
  await atPath(page, '/api-keys');
  await heading(page, 'API Keys');
  const link = page.getByRole('link', { name: 'API reference' });
  await link.waitFor();
  assert((await link.getAttribute('href')) === '/api/v1/docs', `the API reference link points at ${await link.getAttribute('href')}`);
  assert((await link.getAttribute('target')) === '_blank', 'the API reference does not open in a new tab');
  await shot(page, 'api-docs-link');
});

test('api docs: the reference page and the OpenAPI document are public', async () => {
  // No token: both are public (API.md §6).
  const docs = await context.request.get(`${BASE_URL}/api/v1/docs`);
  assert(docs.status() === 200, `/api/v1/docs answered ${docs.status()}`);
  const html = await docs.text();
  assert(html.includes('<title>SourcePilot API reference</title>'), 'the reference page has no title');
  const csp = docs.headers()['content-security-policy'] ?? '';
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  assert(nonce, `the reference page's CSP has no script nonce: ${csp}`);
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  assert(scripts.length > 0 && scripts.every((s) => s.includes(`nonce="${nonce}"`)), 'a script on the reference page lacks the CSP nonce');

  const spec = await context.request.get(`${BASE_URL}/api/v1/openapi.json`);
  assert(spec.status() === 200, `/api/v1/openapi.json answered ${spec.status()}`);
  const doc = await spec.json();
  assert(doc.openapi === '3.1.0', `openapi is ${doc.openapi}`);
  const paths = Object.keys(doc.paths);
  for (const p of ['/api/v1/imports', '/api/v1/imports/bulk', '/api/v1/products/preview', '/api/v1/price-watches/sync', '/api/v1/api-keys']) {
    assert(paths.includes(p), `the OpenAPI document lacks ${p}`);
  }
});

test('api docs: the link is reachable on a phone', async () => {
  const phone = await newContext(PHONE);
  const p = await phone.newPage();
  failurePage.current = p;
  await registerThroughUi(p, uniqueEmail('docs-phone'), 'correct-horse-battery');
  await p.goto(`${BASE_URL}/api-keys`);
  await heading(p, 'API Keys');
  const link = p.getByRole('link', { name: 'API reference' });
  await link.waitFor();
  const box = await link.boundingBox();
  assert(box && box.x >= 0 && box.x + box.width <= PHONE.width, 'the API reference link does not fit a phone screen');
  await shot(p, 'api-docs-link-phone');
  await phone.close();
  await context.close();
});

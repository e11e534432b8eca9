/**
 * Dashboard home import statistics against the real stack: success rate, average import
 * time and the 30-day chart (uPlot, lazy-loaded) follow the jobs the queue really runs.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { apiAs, assert, BASE_URL, failurePage, heading, newContext, PHONE, registerThroughUi, shot, test, uniqueEmail } from './harness';

const PASSWORD = 'correct-horse-battery';
const JOB_TIMEOUT_MS = 60_000;
const demoUrl = (id: string) => `https://www.aliexpress.com/item/${id}.html`;
const UNSUPPORTED = 'https://example.com/item/1.html';

let context: BrowserContext;
let page: Page;

/** Calls the API from the page with the signed-in user's token, as the dashboard does. */
const apiCall = apiAs;

const regionText = async (p: Page, name: string) => ((await p.getByRole('region', { name }).textContent()) ?? '').replace(/\s+/g, ' ');

test('dashboard stats: a new account sees empty import statistics', async () => {
  context = await newContext();
  page = await context.newPage();
  failurePage.current = page;
  await registerThroughUi(page, uniqueEmail('e2e-stats'), PASSWORD);
  await page.getByRole('heading', { name: 'Imports in the last 30 days', level: 2 }).waitFor();
  const rate = page.getByRole('region', { name: 'Import success rate' });
  await rate.getByText('No finished imports yet.').waitFor();
  assert((await regionText(page, 'Import success rate')).includes('—'), 'the success rate is not a dash');
  assert((await regionText(page, 'Average import time')).includes('Shown once an import completes.'), 'the average time has no empty note');
  const chart = page.getByRole('region', { name: 'Imports per day' });
  await chart.getByText(/No imports in the last 30 days/).waitFor();
  assert((await chart.getByRole('link', { name: 'Import products' }).getAttribute('href')) === '/imports', 'the empty chart does not link to /imports');
  await shot(page, 'metrics-01-empty');
});

test('dashboard stats: finished imports show their success rate, time and a bar for today', async () => {
  failurePage.current = page;
  const bulk = await apiCall(page, 'POST', '/imports/bulk', {
    product_urls: [demoUrl('1005007000000001'), demoUrl('1005007000000002'), demoUrl('1005007000000003')],
    source: 'aliexpress',
  });
  assert(bulk.status === 201, `bulk import answered ${bulk.status}: ${JSON.stringify(bulk.json)}`);
  const failing = await apiCall(page, 'POST', '/imports', { product_url: UNSUPPORTED, source: 'aliexpress' });
  assert(failing.status === 201, `the failing import answered ${failing.status}: ${JSON.stringify(failing.json)}`);

  const deadline = Date.now() + JOB_TIMEOUT_MS;
  let stats: any;
  for (;;) {
    stats = (await apiCall(page, 'GET', '/stats')).json;
    const s = stats.imports.by_status;
    if (s.completed === 3 && s.failed === 1) break;
    assert(Date.now() < deadline, `the jobs did not finish: ${JSON.stringify(s)}`);
    await page.waitForTimeout(500);
  }
  assert(stats.imports.success_rate === 0.75, `success_rate ${stats.imports.success_rate}`);
  assert(stats.imports.average_duration_seconds > 0, 'no average duration');
  const today = stats.daily.at(-1);
  assert(stats.daily.length === 30 && today.total === 4 && today.completed === 3 && today.failed === 1, `today is ${JSON.stringify(today)}`);

  await page.reload();
  await heading(page, 'Dashboard');
  const rate = page.getByRole('region', { name: 'Import success rate' });
  await rate.getByText('3 of 4 finished imports completed.').waitFor();
  assert((await regionText(page, 'Import success rate')).includes('75%'), 'the success rate card does not show 75%');
  const time = await regionText(page, 'Average import time');
  assert(/sec|min/.test(time) && !time.includes('—'), `the average time card shows "${time}"`);

  const chart = page.getByRole('region', { name: 'Imports per day' });
  const label = (await chart.getByRole('img').getAttribute('aria-label')) ?? '';
  assert(label.includes('4 in total, 3 completed, 1 failed, 0 cancelled, 0 in progress'), `the chart summary is "${label}"`);
  const over = chart.locator('.u-over');
  await over.waitFor();
  const box = (await over.boundingBox())!;
  // Today's bar is the last of 30 slots: its middle, near the bottom, must be painted.
  const painted = await chart.locator('canvas').evaluate((canvas: HTMLCanvasElement, at) => {
    const ctx = canvas.getContext('2d')!;
    const scale = canvas.width / canvas.getBoundingClientRect().width;
    const r = canvas.getBoundingClientRect();
    const [x, y] = [(at.x - r.left) * scale, (at.y - r.top) * scale];
    return ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data[3] > 0;
  }, { x: box.x + box.width - box.width / 60, y: box.y + box.height - 4 });
  assert(painted, "today's bar is not drawn");
  await page.mouse.move(box.x + box.width - box.width / 60, box.y + box.height / 2);
  await chart.getByText(/: 4 imports \(3 completed, 1 failed\)$/).waitFor();
  await shot(page, 'metrics-02-desktop');
});

test('dashboard stats: on a phone the cards stack and the chart fits the screen', async () => {
  const phone = await context.newPage();
  failurePage.current = phone;
  try {
    await phone.setViewportSize(PHONE);
    await phone.goto(`${BASE_URL}/`);
    await heading(phone, 'Dashboard');
    const chart = phone.getByRole('region', { name: 'Imports per day' });
    await chart.locator('canvas').waitFor();
    const card = (await chart.boundingBox())!;
    const canvas = (await chart.locator('canvas').boundingBox())!;
    assert(card.x >= 0 && card.x + card.width <= PHONE.width, `the chart card is wider than the phone (${JSON.stringify(card)})`);
    assert(canvas.x + canvas.width <= card.x + card.width, `the chart overflows its card (${JSON.stringify(canvas)})`);
    const rate = (await phone.getByRole('region', { name: 'Import success rate' }).boundingBox())!;
    assert(rate.y + rate.height <= card.y, 'the cards do not stack above the chart on a phone');
    await chart.scrollIntoViewIfNeeded();
    await shot(phone, 'metrics-03-phone');
  } finally {
    await phone.close();
  }
});

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { PriceAlert, PriceWatch } from '../api/price-watch';
import { mockApi, renderApp, signIn, USER } from '../test/utils';

let seq = 0;
function watch(overrides: Partial<PriceWatch> = {}): PriceWatch {
  seq++;
  const pid = `10050000000${String(seq).padStart(5, '0')}`;
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    user_id: USER.id,
    product_url: `https://www.aliexpress.com/item/${pid}.html`,
    source: 'aliexpress',
    threshold_percent: 10,
    connection_id: null,
    store_id: null,
    is_active: true,
    paused_reason: null,
    source_product_id: pid,
    source_url: null,
    last_price: null,
    current_price: null,
    price_changed: false,
    last_checked_at: null,
    created_at: '2025-05-02T09:30:00.000Z',
    updated_at: '2025-05-02T09:30:00.000Z',
    currency: 'USD',
    last_stock: null,
    last_error: null,
    change_percent: null,
    auto_reprice: false,
    import_job_id: null,
    next_check_at: '2025-05-02T10:30:00.000Z',
    recent_prices: [],
    ...overrides,
  };
}

const SETTINGS = {
  email: null,
  email_enabled: false,
  webhook_url: null,
  webhook_enabled: false,
  webhook_secret_hint: null,
  email_delivery_available: true,
  email_verified: false,
  email_confirmation_sent_at: null,
  updated_at: null,
};

const base = (watches: () => PriceWatch[], alerts: PriceAlert[] = []) => ({
  'GET /api/v1/auth/me': [200, USER] as [number, unknown],
  'GET /api/v1/connections': [200, { items: [] }] as [number, unknown],
  'GET /api/v1/price-watches': () => [200, { items: watches(), total: watches().length }] as [number, unknown],
  'GET /api/v1/alerts': [200, { items: alerts }] as [number, unknown],
  'GET /api/v1/alerts/settings': [200, SETTINGS] as [number, unknown],
});

const SLOW = { timeout: 5_000 };

describe('Price Watch page', { timeout: 30_000 }, () => {
  it('shows the empty state with a way to add the first watch', async () => {
    signIn();
    mockApi(base(() => []));
    renderApp('/price-watch');
    expect(await screen.findByRole('heading', { name: 'No price watches yet' }, SLOW)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Watch your first product' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Sync now' })).toBeNull();
    expect(await screen.findByText(/No alerts yet/, {}, SLOW)).toBeTruthy();
  });

  it('says so when the watches cannot be loaded', async () => {
    signIn();
    mockApi({ ...base(() => []), 'GET /api/v1/price-watches': [503, { detail: 'Service Unavailable' }] });
    renderApp('/price-watch');
    const alert = await screen.findByText('Could not load your price watches', {}, { timeout: 10_000 });
    expect(alert).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('summarises the watches and shows prices, coloured change and a sparkline per row', async () => {
    signIn();
    const up = watch({ last_price: 10, current_price: 11.2, change_percent: 12, price_changed: true, last_checked_at: new Date().toISOString(), recent_prices: [10, 10, 11.2] });
    const broken = watch({ source_product_id: null, product_url: 'https://example.com/x', last_error: "This watch can't be checked: Unsupported supplier URL." });
    const paused = watch({ is_active: false, current_price: 5, last_price: 5.5, change_percent: -9.09, last_checked_at: '2025-05-01T00:00:00.000Z', recent_prices: [5.5, 5] });
    mockApi(base(() => [up, broken, paused]));
    renderApp('/price-watch');
    const summary = await screen.findByRole('group', { name: 'Price watch summary' }, SLOW);
    await waitFor(() => expect(within(summary).getByRole('group', { name: 'Watched: 2' })).toBeTruthy(), SLOW);
    expect(within(summary).getByRole('group', { name: 'Changed: 1' })).toBeTruthy();
    expect(within(summary).getByRole('group', { name: 'Errors: 1' })).toBeTruthy();

    const row = document.querySelector(`tr[data-watch-id="${up.id}"]`) as HTMLElement;
    expect(row.textContent).toContain('$10.00');
    expect(row.textContent).toContain('$11.20');
    expect(row.textContent).toContain('+12 %');
    expect(within(row).getByText('Changed')).toBeTruthy();
    expect(within(row).getByRole('img', { name: 'Last 3 prices, from $10.00 to $11.20' })).toBeTruthy();
    expect(row.querySelector('.sparkline-up')).toBeTruthy();

    const brokenRow = document.querySelector(`tr[data-watch-id="${broken.id}"]`) as HTMLElement;
    expect(within(brokenRow).getByText('Needs attention')).toBeTruthy();
    expect(brokenRow.textContent).toContain('Unsupported supplier URL');
    const pausedRow = document.querySelector(`tr[data-watch-id="${paused.id}"]`) as HTMLElement;
    expect(within(pausedRow).getByText('Paused')).toBeTruthy();
    expect(pausedRow.querySelector('.sparkline-down')).toBeTruthy();
    expect(screen.queryByRole('status', { name: 'Watches paused by your plan' })).toBeNull();
  });

  it('says when the alert address is not confirmed and sends the link again', async () => {
    signIn();
    const pending = { ...SETTINGS, email: 'alerts@shop.test', email_enabled: true, email_confirmation_sent_at: new Date(Date.now() - 3_600_000).toISOString() };
    const { requests } = mockApi({
      ...base(() => []),
      'GET /api/v1/alerts/settings': [200, pending],
      'POST /api/v1/alerts/settings/confirm-email': [200, { ...pending, email_confirmation_sent_at: new Date().toISOString(), email_confirmation: 'sent' }],
    });
    renderApp('/price-watch');
    const notice = await screen.findByRole('status', { name: 'Alert address not confirmed' }, SLOW);
    expect(notice.textContent).toContain('alerts@shop.test is not confirmed yet, so no alert is emailed there.');
    await userEvent.click(within(notice).getByRole('button', { name: 'Send the link again' }));
    await waitFor(() => expect(requests.some((r) => r.method === 'POST' && r.path === '/api/v1/alerts/settings/confirm-email')).toBe(true));
    expect(await within(notice).findByText('Sent.')).toBeTruthy();
  });

  it('says which watches a plan change paused and how they come back', async () => {
    signIn();
    const kept = watch();
    const overLimit = watch({ is_active: false, paused_reason: 'plan_limit' });
    mockApi(base(() => [kept, overLimit]));
    renderApp('/price-watch');
    const notice = await screen.findByRole('status', { name: 'Watches paused by your plan' }, SLOW);
    expect(notice.textContent).toContain('1 watch is paused because your');
    expect(notice.textContent).toContain('resume automatically, oldest first');
    const row = document.querySelector(`tr[data-watch-id="${overLimit.id}"]`) as HTMLElement;
    expect(within(row).getByText('Paused · plan limit')).toBeTruthy();
  });

  it('syncs now and reports what was checked and queued', async () => {
    signIn();
    const w = watch();
    const { requests } = mockApi({
      ...base(() => [w]),
      'POST /api/v1/price-watches/sync': [200, { total_checked: 100, total_changed: 1, total_errors: 0, queued: 3 }],
    });
    renderApp('/price-watch');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Sync now' }, SLOW));
    const result = await screen.findByRole('status', { name: 'Sync result' }, SLOW);
    expect(result.textContent).toBe('Checked 100 watches: 1 changed, 0 errors. 3 more watches are being checked in the background.');
    // The list is read again after the sync.
    await waitFor(() => expect(requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/price-watches').length).toBeGreaterThan(1), SLOW);
  });

  it('adds a watch from a link with the detected supplier, and explains the plan limit', async () => {
    signIn();
    const watches: PriceWatch[] = [];
    let refuse = false;
    const { requests } = mockApi({
      ...base(() => watches),
      'POST /api/v1/price-watches': (req) => {
        if (refuse) return [403, { detail: 'Price watch limit reached for free plan. Upgrade your plan for more price watches.' }];
        const body = req.body as { product_url: string };
        const created = watch({ product_url: body.product_url, source_product_id: '1005001234567890' });
        watches.push(created);
        const { recent_prices: _r, ...out } = created;
        return [201, out];
      },
    });
    renderApp('/price-watch');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Watch your first product' }, SLOW));
    const dialog = await screen.findByRole('dialog', { name: 'Watch a supplier price' }, SLOW);
    await user.click(within(dialog).getByLabelText('Product URL'));
    await user.paste('https://www.aliexpress.com/item/1005001234567890.html');
    expect(within(dialog).getByText('AliExpress product 1005001234567890')).toBeTruthy();
    const threshold = within(dialog).getByLabelText('Alert threshold (%)');
    await user.clear(threshold);
    await user.type(threshold, '1000');
    await user.click(within(dialog).getByRole('button', { name: 'Start watching' }));
    expect(await within(dialog).findByText('The threshold can be at most 999.99 %.')).toBeTruthy();
    await user.clear(threshold);
    await user.type(threshold, '7.5');
    await user.click(within(dialog).getByRole('button', { name: 'Start watching' }));
    expect(await within(dialog).findByText(/Watching/, {}, SLOW)).toBeTruthy();
    expect(requests.find((r) => r.method === 'POST')!.body).toEqual({
      product_url: 'https://www.aliexpress.com/item/1005001234567890.html',
      source: 'aliexpress',
      threshold_percent: 7.5,
      connection_id: null,
    });
    await user.click(within(dialog).getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(document.querySelector('tr[data-watch-id]')).toBeTruthy(), SLOW);

    refuse = true;
    await user.click(screen.getByRole('button', { name: 'Add watch' }));
    const again = await screen.findByRole('dialog', { name: 'Watch a supplier price' }, SLOW);
    await user.click(within(again).getByLabelText('Product URL'));
    await user.paste('https://www.aliexpress.com/item/1005009999999999.html');
    await user.click(within(again).getByRole('button', { name: 'Start watching' }));
    const limit = await within(again).findByRole('alert', {}, SLOW);
    expect(limit.textContent).toContain('Price watch limit reached for free plan.');
    expect(within(limit).getByRole('link', { name: 'Upgrade your plan' }).getAttribute('href')).toBe('/billing');
  });

  it('saves alert settings and shows a new webhook secret once', async () => {
    signIn();
    const { requests } = mockApi({
      ...base(() => []),
      'PUT /api/v1/alerts/settings': (req) => {
        const body = req.body as { webhook_url: string | null };
        return [200, { ...SETTINGS, ...(req.body as object), webhook_secret_hint: '••••WXYZ', webhook_secret: body.webhook_url ? 'whsec_abcdefghijklmnopqrstuvwxyz0123456789ABCWXYZ' : null }];
      },
    });
    renderApp('/price-watch');
    const user = userEvent.setup();
    const email = await screen.findByLabelText('Email address', {}, SLOW);
    expect((email as HTMLInputElement).value).toBe(USER.email);
    await user.click(screen.getByLabelText('Webhook URL'));
    await user.paste('https://hooks.example.com/sp');
    await user.click(screen.getAllByRole('switch')[1]);
    await user.click(screen.getByRole('button', { name: 'Save alert settings' }));
    const secret = await screen.findByRole('textbox', { name: 'Webhook signing secret' }, SLOW);
    expect((secret as HTMLInputElement).value).toBe('whsec_abcdefghijklmnopqrstuvwxyz0123456789ABCWXYZ');
    expect(requests.find((r) => r.method === 'PUT')!.body).toEqual({
      email: USER.email,
      email_enabled: false,
      webhook_url: 'https://hooks.example.com/sp',
      webhook_enabled: true,
    });
    expect(screen.getByText('Signed with the secret ending WXYZ.')).toBeTruthy();
  });
});

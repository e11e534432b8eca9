import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ImportJob } from '../api/imports';
import { mockApi, renderApp, signIn, USER, type MockRequest } from '../test/utils';

const STORE = {
  id: '0a0a0a0a-1111-4222-8333-444444444444',
  user_id: USER.id,
  store_name: 'Acme Shopify',
  platform: 'shopify',
  store_url: 'https://acme.myshopify.com',
  is_default: true,
  created_at: '2025-05-01T08:00:00Z',
  updated_at: '2025-05-01T08:00:00Z',
};

let seq = 0;
function job(overrides: Partial<ImportJob> = {}): ImportJob {
  seq++;
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    user_id: USER.id,
    store_id: null,
    source: 'aliexpress',
    product_url: `https://www.aliexpress.com/item/100500${seq}.html`,
    source_product_id: null,
    status: 'pending',
    product_data: null,
    config: null,
    error_message: null,
    created_product_id: null,
    progress_percent: 0,
    created_at: '2025-05-02T09:30:00.000Z',
    updated_at: '2025-05-02T09:30:00.000Z',
    started_at: null,
    finished_at: null,
    ...overrides,
  };
}

/** GET /imports as the worker answers it: filters, paging and the total before paging. */
function listOf(jobs: () => ImportJob[]) {
  return (req: MockRequest): [number, unknown] => {
    const q = req.url.searchParams;
    const status = q.get('status');
    const matching = jobs().filter((j) => !status || j.status === status);
    const skip = Number(q.get('skip') ?? 0);
    const limit = Number(q.get('limit') ?? 20);
    return [200, { items: matching.slice(skip, skip + limit), total: matching.length }];
  };
}

const listCalls = (requests: MockRequest[]) => requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/imports' && r.url.searchParams.get('limit') !== '1');

// jsdom renders Radix dialogs slowly on a busy machine: generous waits, no flaky timeouts.
const SLOW = { timeout: 5_000 };

describe('Imports page', { timeout: 30_000 }, () => {
  it('explains what to do when there are no imports, even without the connections API', async () => {
    signIn();
    mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/imports': listOf(() => []),
    });
    renderApp('/imports');
    expect(await screen.findByRole('heading', { name: 'No imports yet' }, SLOW)).toBeTruthy();
    const buttons = screen.getAllByRole('button', { name: 'New import' });
    expect(buttons).toHaveLength(2);

    const user = userEvent.setup();
    await user.click(buttons[1]);
    const dialog = await screen.findByRole('dialog', { name: 'New import' }, SLOW);
    // GET /connections answered 404 here: no stores, so the product stays a draft.
    expect(await within(dialog).findByText('No store connected: the product is kept here as a draft.', {}, SLOW)).toBeTruthy();
  });

  it('polls while a job runs, shows its progress, and stops once it has finished', async () => {
    signIn();
    let calls = 0;
    const running = job({ status: 'running', progress_percent: 40, started_at: '2025-05-02T09:30:01.000Z' });
    const done = {
      ...running,
      status: 'completed' as const,
      progress_percent: 100,
      finished_at: '2025-05-02T09:30:03.500Z',
      product_data: { title: 'Wireless Earbuds Pro', images: ['data:image/gif;base64,R0lGODlhAQABAAAAACw='], price: 19.99, currency: 'USD' },
    };
    const { requests } = mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/connections': [200, { items: [] }],
      'GET /api/v1/imports': (req) => {
        if (req.url.searchParams.get('limit') !== '1') calls++;
        return listOf(() => [calls >= 2 ? done : running])(req);
      },
    });
    renderApp('/imports');

    const bar = await screen.findByRole('progressbar', { name: 'Import progress 40%' }, SLOW);
    expect(bar.closest('tr')!.textContent).toContain('Running');
    expect(bar.closest('tr')!.textContent).toContain('—');
    expect(within(bar.closest('tr')!).getByRole('button', { name: /^Cancel import/ })).toBeTruthy();

    const title = await screen.findByText('Wireless Earbuds Pro', {}, { timeout: 8_000 });
    const row = title.closest('tr')!;
    expect(row.textContent).toContain('Completed');
    expect(row.textContent).toContain('2.5s');
    expect(row.querySelector('img.job-thumb')?.getAttribute('src')).toContain('data:image/gif');
    expect(within(row).queryByRole('button', { name: /Cancel|Retry/ })).toBeNull();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Completed: 1' })).toBeTruthy(), SLOW);

    const settled = listCalls(requests).length;
    await new Promise((r) => setTimeout(r, 2_000));
    expect(listCalls(requests).length).toBe(settled);
  });

  it('counts jobs per status in parallel and filters by a card', async () => {
    signIn();
    const jobs = [job({ status: 'failed', error_message: 'Unsupported supplier URL' }), job({ status: 'completed' }), job({ status: 'completed' })];
    const { requests } = mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/connections': [200, { items: [] }],
      'GET /api/v1/imports': listOf(() => jobs),
    });
    const { router } = renderApp('/imports');
    const summary = await screen.findByRole('group', { name: 'Import summary' }, SLOW);
    await waitFor(() => expect(within(summary).getByRole('button', { name: 'Total: 3' })).toBeTruthy(), SLOW);
    expect(within(summary).getByRole('button', { name: 'Completed: 2' })).toBeTruthy();
    expect(within(summary).getByRole('button', { name: 'Failed: 1' })).toBeTruthy();
    const countRequests = requests.filter((r) => r.url.searchParams.get('limit') === '1');
    expect(countRequests.map((r) => r.url.searchParams.get('status')).sort()).toEqual(
      [null, 'cancelled', 'completed', 'failed', 'pending', 'running'].sort(),
    );

    const user = userEvent.setup();
    await user.click(within(summary).getByRole('button', { name: 'Failed: 1' }));
    await waitFor(() => expect(router.state.location.search).toBe('?status=failed'));
    await waitFor(() => expect(screen.getByText('Showing 1–1 of 1')).toBeTruthy(), SLOW);
    expect(listCalls(requests).at(-1)!.url.searchParams.get('status')).toBe('failed');
    const rows = screen.getAllByRole('row').filter((r) => r.hasAttribute('data-job-id'));
    expect(rows.map((r) => r.getAttribute('data-status'))).toEqual(['failed']);
    expect(within(rows[0]).getByRole('button', { name: /^Retry import/ })).toBeTruthy();
  });

  it('cancels a pending job and retries a failed one', async () => {
    signIn();
    const pending = job();
    const failed = job({ status: 'failed', error_message: 'Unsupported supplier URL' });
    const { requests } = mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/connections': [200, { items: [] }],
      'GET /api/v1/imports': listOf(() => [pending, failed]),
      [`POST /api/v1/imports/${pending.id}/cancel`]: () => {
        pending.status = 'cancelled';
        return [200, pending];
      },
      [`POST /api/v1/imports/${failed.id}/retry`]: [400, { detail: "Cannot retry job in 'pending' status. Only failed or cancelled jobs can be retried." }],
    });
    renderApp('/imports');
    const user = userEvent.setup();

    await user.click(await screen.findByRole('button', { name: `Cancel import of ${pending.product_url}` }, SLOW));
    expect(await screen.findByRole('button', { name: `Retry import of ${pending.product_url}` }, SLOW)).toBeTruthy();
    expect(requests.some((r) => r.method === 'POST' && r.path.endsWith(`${pending.id}/cancel`))).toBe(true);

    await user.click(screen.getByRole('button', { name: `Retry import of ${failed.product_url}` }));
    expect((await screen.findByRole('alert', {}, SLOW)).textContent).toContain("Cannot retry job in 'pending' status.");
  });

  it('sends a new import to the default store with the pricing rule', async () => {
    signIn();
    const jobs: ImportJob[] = [];
    const { requests } = mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/connections': [200, { items: [STORE] }],
      'GET /api/v1/imports': listOf(() => jobs),
      'POST /api/v1/imports': (req) => {
        const body = req.body as { product_url: string; source: ImportJob['source']; store_id: string };
        const created = job({ product_url: body.product_url, source: body.source, store_id: body.store_id });
        jobs.unshift(created);
        return [201, created];
      },
    });
    renderApp('/imports');
    const user = userEvent.setup();
    await user.click((await screen.findAllByRole('button', { name: 'New import' }, SLOW))[0]);
    const dialog = await screen.findByRole('dialog', { name: 'New import' }, SLOW);
    await user.click(within(dialog).getByLabelText('Product URL'));
    await user.paste('https://cjdropshipping.com/product/led-lamp-p-1234ABCD.html');
    // Detected from the link: the supplier select follows it.
    expect(within(dialog).getByText('CJ Dropshipping product 1234ABCD')).toBeTruthy();
    expect(within(dialog).getByRole('combobox', { name: 'Supplier' }).textContent).toBe('CJ Dropshipping');
    await waitFor(() => expect(within(dialog).getByRole('combobox', { name: 'Target store' }).textContent).toBe('Acme Shopify (default)'), SLOW);
    await user.type(within(dialog).getByLabelText('Tags'), 'lamps, home');
    await user.click(within(dialog).getByRole('switch'));
    await user.click(within(dialog).getByRole('button', { name: 'Import product' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull(), SLOW);
    const post = requests.find((r) => r.method === 'POST')!;
    expect(post.body).toEqual({
      product_url: 'https://cjdropshipping.com/product/led-lamp-p-1234ABCD.html',
      source: 'cjdropship',
      store_id: STORE.id,
      config: { markup_percent: 50, round_to: 0.99, tags: ['lamps', 'home'], publish: true },
    });
    const row = (await screen.findByText('cjdropshipping.com/product/led-lamp-p-1234ABCD.html', {}, SLOW)).closest('tr')!;
    expect(row.textContent).toContain('Acme Shopify');
    expect(row.textContent).toContain('Pending');
  });

  it('shows the plan limit with a link to upgrade', async () => {
    signIn();
    mockApi({
      'GET /api/v1/auth/me': [200, { ...USER, plan: 'free' }],
      'GET /api/v1/connections': [200, { items: [] }],
      'GET /api/v1/imports': listOf(() => []),
      'POST /api/v1/imports': [403, { detail: 'Import limit reached for free plan. Upgrade your plan for more imports.' }],
    });
    renderApp('/imports');
    const user = userEvent.setup();
    await user.click((await screen.findAllByRole('button', { name: 'New import' }, SLOW))[0]);
    const dialog = await screen.findByRole('dialog', { name: 'New import' }, SLOW);
    await user.click(within(dialog).getByLabelText('Product URL'));
    await user.paste('https://www.aliexpress.com/item/1005001234567890.html');
    await user.click(within(dialog).getByRole('button', { name: 'Import product' }));
    const alert = await within(dialog).findByRole('alert', {}, SLOW);
    expect(alert.textContent).toContain('Import limit reached for free plan. Upgrade your plan for more imports.');
    expect(within(alert).getByRole('link', { name: 'Upgrade your plan' }).getAttribute('href')).toBe('/billing');
  });

  it('counts and flags bulk lines before anything is sent', async () => {
    signIn();
    const { requests } = mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/connections': [200, { items: [] }],
      'GET /api/v1/imports': listOf(() => []),
      'POST /api/v1/imports/bulk': (req) => {
        const { product_urls } = req.body as { product_urls: string[] };
        return [201, product_urls.map((u) => job({ product_url: u }))];
      },
    });
    renderApp('/imports');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Bulk import' }, SLOW));
    const dialog = await screen.findByRole('dialog', { name: 'Bulk import' }, SLOW);
    const textarea = within(dialog).getByLabelText('Product URLs');
    const good = ['https://www.aliexpress.com/item/1005001.html', 'https://m.aliexpress.com/item/1005002.html'];
    await user.click(textarea);
    await user.paste([good[0], 'https://example.com/item/1.html', '', good[1], good[0]].join('\n'));

    const counts = within(dialog).getByTestId('bulk-counts');
    expect(counts.textContent).toContain('4 of 50 links');
    expect(counts.textContent).toContain('2 ready');
    expect(counts.textContent).toContain('2 to fix');
    const flagged = within(dialog).getByRole('list', { name: 'Flagged lines' });
    expect(flagged.textContent).toContain('Line 2: Unsupported supplier URL');
    expect(flagged.textContent).toContain('Line 5: Duplicate of line 1');
    expect(textarea.getAttribute('aria-invalid')).toBe('true');

    await user.click(within(dialog).getByRole('button', { name: 'Import products' }));
    expect(within(dialog).getByRole('alert').textContent).toContain('Fix or remove the flagged lines first.');
    expect(requests.some((r) => r.method === 'POST')).toBe(false);

    await user.click(within(dialog).getByRole('button', { name: 'Remove flagged lines' }));
    expect((textarea as HTMLTextAreaElement).value).toBe(`${good[0]}\n\n${good[1]}`);
    expect(counts.textContent).toContain('2 of 50 links');
    await user.click(within(dialog).getByRole('button', { name: 'Import 2 products' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull(), SLOW);
    const post = requests.find((r) => r.method === 'POST')!;
    expect(post.body).toEqual({ product_urls: good, source: 'aliexpress', store_id: null, config: { markup_percent: 50, round_to: 0.99, publish: false } });
  });

  it('flags more than 50 links', async () => {
    signIn();
    mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/connections': [200, { items: [] }],
      'GET /api/v1/imports': listOf(() => []),
    });
    renderApp('/imports');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Bulk import' }, SLOW));
    const dialog = await screen.findByRole('dialog', { name: 'Bulk import' }, SLOW);
    await user.click(within(dialog).getByLabelText('Product URLs'));
    await user.paste(Array.from({ length: 52 }, (_, i) => `https://www.aliexpress.com/item/${1005000000 + i}.html`).join('\n'));
    const counts = within(dialog).getByTestId('bulk-counts');
    expect(counts.textContent).toContain('52 of 50 links');
    expect(counts.textContent).toContain('50 ready');
    expect(within(dialog).getByRole('list', { name: 'Flagged lines' }).textContent).toContain('Line 51: Over the 50-link limit');
  });

  it('offers a retry when the list cannot be loaded', async () => {
    signIn();
    let fail = true;
    mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/connections': [200, { items: [] }],
      'GET /api/v1/imports': (req) => (fail ? [503, { detail: 'Service Unavailable' }] : listOf(() => [job({ status: 'completed' })])(req)),
    });
    renderApp('/imports');
    const alert = await screen.findByRole('alert', {}, { timeout: 5000 });
    expect(alert.textContent).toContain('Could not load your imports');
    fail = false;
    await userEvent.setup().click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Showing 1–1 of 1', {}, SLOW)).toBeTruthy();
  });
});

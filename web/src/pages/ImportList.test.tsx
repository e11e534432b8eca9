import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ImportListItem } from '../api/import-list';
import { mockApi, renderApp, signIn, USAGE, USER } from '../test/utils';

// The lazy page loads slowly on a busy machine.
configure({ asyncUtilTimeout: 10_000 });
vi.setConfig({ testTimeout: 40_000 });

const ID = '11111111-2222-4333-8444-555555555555';
const JOB = '99999999-2222-4333-8444-555555555555';
const STORE = '77777777-2222-4333-8444-555555555555';

const variant = (key: string, color: string, from: string, cost: number, price: number) => ({
  key,
  sku: key,
  options: { Color: color, 'Ships From': from },
  cost,
  price,
  compare_at: null,
  stock: 10,
  image: null,
  selected: true,
  manual_price: false,
  merged_keys: [],
  margin: { amount: price - cost, percent: Math.round(((price - cost) / price) * 1000) / 10 },
});

function item(over: Partial<ImportListItem> = {}): ImportListItem {
  return {
    id: ID,
    user_id: USER.id,
    import_job_id: JOB,
    store_id: null,
    source: 'manual',
    source_product_id: 'm-1',
    source_url: null,
    title: 'Travel Mug',
    status: 'draft',
    error_message: null,
    version: 1,
    edited_fields: [],
    product: {
      title: 'Travel Mug',
      description_html: '<p>Mug</p>',
      images: ['https://img.example/1.jpg'],
      supplier_images: ['https://img.example/1.jpg', 'https://img.example/2.jpg'],
      options: [
        { name: 'Color', values: ['Red'] },
        { name: 'Ships From', values: ['China', 'Spain'] },
      ],
      dropped_options: [],
      variants: [variant('A', 'Red', 'China', 4, 8), variant('B', 'Red', 'Spain', 5, 10)],
      price: 8,
      cost: 4,
      currency: 'USD',
      tags: [],
      product_type: null,
      vendor: null,
      published: false,
      pricing: { markup_percent: 100 },
      source: 'manual',
      source_product_id: 'm-1',
      source_url: null,
      supplier_name: null,
      shipping: null,
      mode: 'live',
    },
    checks: [
      { platform: 'shopify', ok: true, problems: [] },
      { platform: 'woocommerce', ok: true, problems: [] },
    ],
    pushed: false,
    pushed_at: null,
    pushed_store_id: null,
    store_product_id: null,
    supplier_changed: false,
    supplier_changed_at: null,
    created_at: '2025-05-01T10:00:00Z',
    updated_at: '2025-05-01T10:00:00Z',
    ...over,
  } as ImportListItem;
}

const base = {
  'GET /api/v1/auth/me': [200, USER] as [number, unknown],
  'GET /api/v1/usage': [200, USAGE] as [number, unknown],
  'GET /api/v1/connections': [200, { items: [{ id: STORE, store_name: 'Demo shop', platform: 'shopify', is_default: true }] }] as [number, unknown],
  'GET /api/v1/import-list/settings': [200, { review_by_default: false }] as [number, unknown],
};

describe('Import list', () => {
  it('shows the empty state', async () => {
    signIn();
    mockApi({ ...base, 'GET /api/v1/import-list': [200, { items: [], total: 0, skip: 0, limit: 50 }] });
    renderApp('/import-list');
    expect(await screen.findByRole('heading', { name: 'Your import list is empty' })).toBeTruthy();
  });

  it('shows the error state with a retry', async () => {
    signIn();
    mockApi({ ...base, 'GET /api/v1/import-list': [500, { detail: 'Internal server error' }] });
    renderApp('/import-list');
    expect(await screen.findByText('Could not load the import list')).toBeTruthy();
    expect(screen.getByRole('button', { name: /Try again/ })).toBeTruthy();
  });

  it('edits the title and drops "Ships From" with one PUT naming the version, then pushes', async () => {
    signIn();
    let current = item();
    const { requests } = mockApi({
      ...base,
      'GET /api/v1/import-list': () => [200, { items: [current], total: 1, skip: 0, limit: 50 }],
      [`GET /api/v1/import-list/${ID}`]: () => [200, current],
      [`PUT /api/v1/import-list/${ID}`]: () => {
        current = item({ version: 2, title: 'Red mug', edited_fields: ['options', 'title'] });
        return [200, current];
      },
      [`POST /api/v1/import-list/${ID}/push`]: [202, { id: JOB }],
    });
    const user = userEvent.setup();
    renderApp('/import-list');
    const row = await screen.findByRole('row', { name: /Travel Mug/ });
    expect(within(row).getByText('Not pushed')).toBeTruthy();
    await user.click(within(row).getByRole('button', { name: 'Travel Mug' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit import list item' });
    const title = within(dialog).getByLabelText('Title');
    await user.clear(title);
    await user.type(title, 'Red mug');
    await user.click(within(dialog).getByRole('tab', { name: /Variants/ }));
    // The live margin follows the typed price.
    const price = within(dialog).getByLabelText('Price of Red / China');
    await user.clear(price);
    await user.type(price, '12');
    expect(within(dialog).getByLabelText('Margin of Red / China').textContent).toContain('$8.00');
    await user.clear(price);
    await user.type(price, '8');
    await user.click(within(dialog).getByRole('tab', { name: /Options/ }));
    await user.click(within(dialog).getByRole('button', { name: /Drop Ships From/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(requests.some((r) => r.method === 'PUT')).toBe(true));
    const put = requests.find((r) => r.method === 'PUT')!;
    expect(put.body).toEqual({ version: 1, title: 'Red mug', drop_options: [{ name: 'Ships From' }] });
    const push = await within(dialog).findByRole('button', { name: 'Push to store' });
    await waitFor(() => expect((push as HTMLButtonElement).disabled).toBe(false));
    await user.click(push);
    await waitFor(() => expect(requests.some((r) => r.path === `/api/v1/import-list/${ID}/push`)).toBe(true));
    expect(await within(dialog).findByText(/Push queued/)).toBeTruthy();
  });

  it('says so when another tab changed the item (409) and shows the current version', async () => {
    signIn();
    // Another tab saved version 3 after this one read version 1.
    let current = item();
    mockApi({
      ...base,
      'GET /api/v1/import-list': () => [200, { items: [current], total: 1, skip: 0, limit: 50 }],
      [`GET /api/v1/import-list/${ID}`]: () => [200, current],
      [`PUT /api/v1/import-list/${ID}`]: () => {
        current = item({ version: 3, title: 'Other tab title' });
        current.product = { ...current.product, title: 'Other tab title' };
        return [409, { detail: 'This item was changed elsewhere.', current }];
      },
    });
    const user = userEvent.setup();
    renderApp('/import-list');
    await user.click(await screen.findByRole('button', { name: 'Travel Mug' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit import list item' });
    await user.type(within(dialog).getByLabelText('Title'), '!');
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    expect(await within(dialog).findByText(/changed elsewhere/)).toBeTruthy();
    await waitFor(() => expect((within(dialog).getByLabelText('Title') as HTMLInputElement).value).toBe('Other tab title'));
    expect(within(dialog).getByText(/Version 3/)).toBeTruthy();
  });

  it('previews a bulk re-price before writing anything', async () => {
    signIn();
    const { requests } = mockApi({
      ...base,
      'GET /api/v1/import-list': [200, { items: [item()], total: 1, skip: 0, limit: 50 }],
      'POST /api/v1/import-list/reprice': (req) => [
        200,
        {
          dry_run: (req.body as { dry_run: boolean }).dry_run,
          conflicts: [],
          items: [{ item_id: ID, title: 'Travel Mug', currency: 'USD', variants: [{ key: 'A', options: { Color: 'Red' }, cost: 4, old_price: 8, new_price: 6.99, old_margin: { amount: 4, percent: 50 }, new_margin: { amount: 2.99, percent: 42.8 } }] }],
        },
      ],
    });
    const user = userEvent.setup();
    renderApp('/import-list');
    await user.click(await screen.findByRole('checkbox', { name: 'Select Travel Mug' }));
    await user.click(screen.getByRole('button', { name: 'Re-price…' }));
    const dialog = await screen.findByRole('dialog', { name: /Re-price 1 item/ });
    await user.click(within(dialog).getByRole('button', { name: 'Preview' }));
    await within(dialog).findByText('$6.99');
    expect(dialog.textContent).toContain('$8.00 → $6.99');
    expect(requests.filter((r) => r.path.endsWith('/reprice')).map((r) => (r.body as { dry_run: boolean }).dry_run)).toEqual([true]);
    await user.click(within(dialog).getByRole('button', { name: 'Apply new prices' }));
    await waitFor(() => expect(requests.filter((r) => r.path.endsWith('/reprice')).map((r) => (r.body as { dry_run: boolean }).dry_run)).toEqual([true, false]));
  });
});

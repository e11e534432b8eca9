import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mockApi, renderApp, signIn, USER, type MockRequest } from '../test/utils';

interface Row {
  id: string;
  user_id: string;
  store_name: string;
  platform: string;
  store_url: string;
  is_default: boolean;
  created_at: string;
  updated_at: string;
}

/** A tiny in-memory /connections with the contract's default-store rules. */
function connectionStore(initial: Partial<Row>[] = []) {
  let n = 0;
  const rows: Row[] = initial.map((r) => ({
    id: `00000000-0000-4000-8000-00000000000${++n}`,
    user_id: USER.id,
    store_name: 'Store',
    platform: 'shopify',
    store_url: `https://s${n}.myshopify.com`,
    is_default: false,
    created_at: `2025-05-0${n}T10:00:00Z`,
    updated_at: `2025-05-0${n}T10:00:00Z`,
    ...r,
  }));
  const sorted = () => [...rows].sort((a, b) => Number(b.is_default) - Number(a.is_default) || a.store_name.localeCompare(b.store_name));
  const idOf = (req: MockRequest) => req.path.split('/')[4];
  return {
    rows,
    handlers: {
      'GET /api/v1/auth/me': [200, USER] as [number, unknown],
      'GET /api/v1/connections': () => [200, { items: sorted() }] as [number, unknown],
      'POST /api/v1/connections': (req: MockRequest) => {
        const body = req.body as Row & { api_key: string };
        const row: Row = { ...body, id: `00000000-0000-4000-8000-00000000009${++n}`, user_id: USER.id, is_default: rows.length === 0, created_at: '2025-06-01T10:00:00Z', updated_at: '2025-06-01T10:00:00Z' };
        delete (row as Partial<typeof body>).api_key;
        rows.push(row);
        return [201, row] as [number, unknown];
      },
    } as Record<string, unknown>,
    idOf,
  };
}

describe('Connections', () => {
  it('shows the empty state and connects a WooCommerce store with its key and secret in api_key', async () => {
    signIn();
    const store = connectionStore();
    const { requests } = mockApi(store.handlers as never);
    const user = userEvent.setup();
    renderApp('/connections');

    expect(await screen.findByText('No stores connected yet', {}, { timeout: 5000 })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Connect your first store' }));
    const dialog = await screen.findByRole('dialog', { name: 'Connect a store' });
    await user.click(within(dialog).getByRole('radio', { name: 'WooCommerce' }));
    await user.click(within(dialog).getByLabelText('Store name'));
    await user.paste('Mugs');
    await user.click(within(dialog).getByLabelText('Store URL'));
    await user.paste('https://mugs.example.com');
    await user.click(within(dialog).getByLabelText('Consumer key'));
    await user.paste('ck_abc');
    await user.click(within(dialog).getByRole('button', { name: 'Connect store' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('Enter the consumer key and the consumer secret.');
    await user.click(within(dialog).getByLabelText('Consumer secret'));
    await user.paste('cs_def');
    await user.click(within(dialog).getByRole('button', { name: 'Connect store' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const card = await screen.findByRole('article', { name: 'Mugs' });
    expect(card.textContent).toContain('Default');
    expect(card.textContent).toContain('WooCommerce');
    const post = requests.find((r) => r.method === 'POST')!;
    expect(post.body).toEqual({ store_name: 'Mugs', platform: 'woocommerce', store_url: 'https://mugs.example.com', api_key: 'ck_abc:cs_def' });
  }, 20_000);

  it('shows the API’s URL rule when it refuses the address', async () => {
    signIn();
    const store = connectionStore();
    mockApi({
      ...(store.handlers as Record<string, never>),
      'POST /api/v1/connections': [
        422,
        { detail: [{ type: 'value_error', loc: ['body', 'store_url'], msg: 'Shopify store URL must be https://<shop>.myshopify.com', input: 'https://shop.com' }] },
      ],
    });
    const user = userEvent.setup();
    renderApp('/connections');
    await user.click(await screen.findByRole('button', { name: 'Connect your first store' }, { timeout: 5000 }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('radio', { name: 'Shopify' }));
    await user.click(within(dialog).getByLabelText('Store name'));
    await user.paste('Shop');
    await user.click(within(dialog).getByLabelText('Store URL'));
    await user.paste('https://shop.com');
    await user.click(within(dialog).getByLabelText('Admin API access token'));
    await user.paste('shpat_x');
    await user.click(within(dialog).getByRole('button', { name: 'Connect store' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Store url: Shopify store URL must be https://<shop>.myshopify.com.');
  }, 20_000);

  it('tests a connection and shows the shop name or the store’s error', async () => {
    signIn();
    const store = connectionStore([{ store_name: 'Main', is_default: true }]);
    let ok = true;
    mockApi({
      ...(store.handlers as Record<string, never>),
      [`POST /api/v1/connections/${store.rows[0].id}/test`]: () => [200, ok ? { ok: true, shop_name: 'Main Street Shop', detail: null } : { ok: false, shop_name: null, detail: 'Shopify rejected the access token' }],
    });
    const user = userEvent.setup();
    renderApp('/connections');
    const card = await screen.findByRole('article', { name: 'Main' }, { timeout: 5000 });
    await user.click(within(card).getByRole('button', { name: 'Test connection to Main' }));
    expect((await within(card).findByRole('status')).textContent).toBe('Connected to Main Street Shop.');
    ok = false;
    await user.click(within(card).getByRole('button', { name: 'Test connection to Main' }));
    await waitFor(() => expect(within(card).getByRole('status').textContent).toBe('Shopify rejected the access token'));
  });

  it('disconnecting the default after confirmation shows the promoted store as default', async () => {
    signIn();
    const store = connectionStore([
      { store_name: 'Alpha', is_default: true },
      { store_name: 'Beta' },
    ]);
    mockApi({
      ...(store.handlers as Record<string, never>),
      [`DELETE /api/v1/connections/${store.rows[0].id}`]: () => {
        store.rows.splice(0, 1);
        store.rows[0].is_default = true;
        return [204];
      },
    });
    const user = userEvent.setup();
    renderApp('/connections');
    const alpha = await screen.findByRole('article', { name: 'Alpha' }, { timeout: 5000 });
    expect(within(await screen.findByRole('article', { name: 'Beta' })).queryByText('Default')).toBeNull();
    await user.click(within(alpha).getByRole('button', { name: 'Disconnect Alpha' }));
    const confirm = await screen.findByRole('alertdialog');
    expect(confirm.textContent).toContain('Your oldest other store becomes the default.');
    await user.click(within(confirm).getByRole('button', { name: 'Disconnect' }));
    await waitFor(() => expect(screen.queryByRole('article', { name: 'Alpha' })).toBeNull());
    expect(within(screen.getByRole('article', { name: 'Beta' })).getByText('Default')).toBeTruthy();
  });
});

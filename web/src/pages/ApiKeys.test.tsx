import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mockApi, renderApp, signIn, USER, type MockRequest } from '../test/utils';

const RAW_KEY = 'so_live_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdefg';

function keyStore() {
  const keys: Record<string, unknown>[] = [];
  return {
    keys,
    list: () => [200, keys] as [number, unknown],
    create: (req: MockRequest) => {
      const { name, scopes } = req.body as { name: string; scopes: string[] };
      keys.unshift({
        id: '11111111-2222-4333-8444-555555555555',
        name,
        key_prefix: RAW_KEY.slice(0, 12),
        scopes,
        is_active: true,
        last_used_at: null,
        created_at: '2025-05-02T09:30:00+00:00',
      });
      return [201, { id: '11111111-2222-4333-8444-555555555555', name, key: RAW_KEY, key_prefix: RAW_KEY.slice(0, 12), scopes }] as [number, unknown];
    },
  };
}

describe('API Keys', () => {
  it('shows a new key once, with a copy button and a warning', async () => {
    signIn();
    const store = keyStore();
    const { requests } = mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/api-keys': store.list,
      'POST /api/v1/api-keys': store.create,
    });
    const user = userEvent.setup();
    renderApp('/api-keys');

    expect(await screen.findByText('No API keys yet')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Create API key' }));
    const form = await screen.findByRole('dialog');
    await user.type(within(form).getByLabelText('Name'), 'Inventory sync');
    await user.click(within(form).getByRole('checkbox', { name: /Write/ }));
    await user.click(within(form).getByRole('button', { name: 'Create key' }));

    const dialog = await screen.findByRole('dialog', { name: 'API key created' });
    const field = within(dialog).getByLabelText('Your new API key') as HTMLInputElement;
    expect(field.value).toBe(RAW_KEY);
    expect(dialog.textContent).toContain("You won't be able to see it again.");
    const post = requests.find((r) => r.method === 'POST')!;
    expect(post.body).toEqual({ name: 'Inventory sync', scopes: ['read', 'write'] });
    expect(post.headers.get('Authorization')).toBe('Bearer access-1');

    await user.click(within(dialog).getByRole('button', { name: 'Copy' }));
    expect(await navigator.clipboard.readText()).toBe(RAW_KEY);
    expect(within(dialog).getByRole('button', { name: 'Copied' })).toBeTruthy();

    await user.click(within(dialog).getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    // The list shows only the prefix; the raw key is gone for good.
    const row = (await screen.findByText('Inventory sync')).closest('tr')!;
    expect(row.textContent).toContain('so_live_AbCd…');
    expect(row.textContent).toContain('Active');
    expect(document.body.textContent).not.toContain(RAW_KEY);

    await user.click(screen.getByRole('button', { name: 'Create API key' }));
    const again = await screen.findByRole('dialog');
    expect(within(again).queryByLabelText('Your new API key')).toBeNull();
    expect(within(again).getByRole('button', { name: 'Create key' })).toBeTruthy();
  });

  it('explains the plan requirement with a link to billing on a free plan', async () => {
    signIn();
    mockApi({
      'GET /api/v1/auth/me': [200, { ...USER, plan: 'free' }],
      'GET /api/v1/api-keys': [200, []],
      'POST /api/v1/api-keys': [403, { detail: 'API access requires the Pro or Enterprise plan' }],
    });
    const user = userEvent.setup();
    renderApp('/api-keys');

    await user.click(await screen.findByRole('button', { name: 'Create API key' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('Name'), 'My script');
    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));

    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('API access requires the Pro or Enterprise plan');
    expect(within(alert).getByRole('link', { name: /upgrade/i }).getAttribute('href')).toBe('/billing');
  });

  it('revokes a key after confirmation and keeps it listed as Revoked', async () => {
    signIn();
    let active = true;
    const key = () => ({
      id: '11111111-2222-4333-8444-555555555555',
      name: 'Old script',
      key_prefix: 'so_live_Zz12',
      scopes: ['read'],
      is_active: active,
      last_used_at: '2025-05-01T08:00:00+00:00',
      created_at: '2025-04-01T08:00:00+00:00',
    });
    mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/api-keys': () => [200, [key()]],
      'DELETE /api/v1/api-keys/11111111-2222-4333-8444-555555555555': () => {
        active = false;
        return [204];
      },
    });
    const user = userEvent.setup();
    renderApp('/api-keys');

    await user.click(await screen.findByRole('button', { name: 'Revoke Old script' }));
    const confirm = await screen.findByRole('alertdialog');
    expect(confirm.textContent).toContain('so_live_Zz12…');
    await user.click(within(confirm).getByRole('button', { name: 'Revoke key' }));

    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    const row = screen.getByText('Old script').closest('tr')!;
    expect(row.textContent).toContain('Revoked');
    expect(within(row).queryByRole('button', { name: /Revoke/ })).toBeNull();
  });

  it('offers a retry when the list fails to load', async () => {
    signIn();
    let fail = true;
    mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/api-keys': () => (fail ? [404, { detail: 'Not Found' }] : [200, []]),
    });
    const user = userEvent.setup();
    renderApp('/api-keys');

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load your API keys');
    fail = false;
    await user.click(within(alert).getByRole('button', { name: /Try again/ }));
    expect(await screen.findByText('No API keys yet')).toBeTruthy();
  });
});

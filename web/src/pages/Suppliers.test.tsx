import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { mockApi, renderApp, signIn, USER, type MockRequest } from '../test/utils';

const ACCOUNT = {
  id: '11111111-1111-4111-8111-111111111111',
  user_id: USER.id,
  name: 'Main AliExpress',
  platform: 'aliexpress',
  credentials: { app_key: '••••3012', app_secret: '••••9a2c', access_token: '••••N9zZ' },
  settings: { ship_to_country: 'DE', target_currency: 'EUR' },
  is_active: true,
  last_synced_at: null,
  auth_type: 'pasted',
  status: 'connected',
  status_detail: null,
  token_expires_at: null,
  refresh_token_expires_at: null,
  created_at: '2025-05-01T10:00:00Z',
  updated_at: '2025-05-01T10:00:00Z',
};

describe('Suppliers', () => {
  it('connects an AliExpress account with its three credentials and ship-to settings', async () => {
    signIn();
    const items: unknown[] = [];
    const { requests } = mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/suppliers/accounts': () => [200, { items }],
      'POST /api/v1/suppliers/accounts': (req: MockRequest) => {
        items.push({ ...ACCOUNT, name: (req.body as { name: string }).name, settings: { ship_to_country: 'US', target_currency: 'USD' } });
        return [201, items[0]];
      },
    });
    const user = userEvent.setup();
    renderApp('/suppliers');

    await user.click(await screen.findByRole('button', { name: 'Connect your first supplier' }, { timeout: 5000 }));
    const dialog = await screen.findByRole('dialog', { name: 'Connect a supplier' });
    await user.click(within(dialog).getByRole('radio', { name: 'AliExpress' }));
    await user.click(within(dialog).getByLabelText('Account name'));
    await user.paste('Main AliExpress');
    await user.click(within(dialog).getByLabelText('App key'));
    await user.paste('503012');
    await user.click(within(dialog).getByRole('button', { name: 'Connect supplier' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('Enter app key, app secret, access token.');
    await user.click(within(dialog).getByLabelText('App secret'));
    await user.paste('sec-9a2c');
    await user.click(within(dialog).getByLabelText('Access token'));
    await user.paste('tokN9zZ');
    await user.click(within(dialog).getByRole('button', { name: 'Connect supplier' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const post = requests.find((r) => r.method === 'POST')!;
    expect(post.body).toEqual({
      name: 'Main AliExpress',
      platform: 'aliexpress',
      credentials: { app_key: '503012', app_secret: 'sec-9a2c', access_token: 'tokN9zZ' },
      settings: { ship_to_country: 'US', target_currency: 'USD' },
    });
    const card = await screen.findByRole('article', { name: 'Main AliExpress' });
    expect(card.textContent).toContain('••••9a2c');
    expect(document.body.textContent).not.toContain('sec-9a2c');
  }, 20_000);

  it('explains Spocket instead of asking for credentials', async () => {
    signIn();
    const { requests } = mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/suppliers/accounts': [200, { items: [] }],
      'POST /api/v1/suppliers/accounts': [201, { ...ACCOUNT, platform: 'spocket', credentials: null, settings: null }],
    });
    const user = userEvent.setup();
    renderApp('/suppliers');
    await user.click(await screen.findByRole('button', { name: 'Connect your first supplier' }, { timeout: 5000 }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('radio', { name: 'Spocket' }));
    expect(dialog.textContent).toContain('Spocket has no public API');
    expect(within(dialog).queryByLabelText('API key')).toBeNull();
    await user.click(within(dialog).getByLabelText('Account name'));
    await user.paste('Spocket');
    await user.click(within(dialog).getByRole('button', { name: 'Connect supplier' }));
    await waitFor(() => expect(requests.some((r) => r.method === 'POST')).toBe(true));
    expect(requests.find((r) => r.method === 'POST')!.body).toEqual({ name: 'Spocket', platform: 'spocket', credentials: null, settings: null });
  });

  it('deactivates, edits without touching saved credentials, and deletes after confirmation', async () => {
    signIn();
    let account: typeof ACCOUNT | null = { ...ACCOUNT };
    const { requests } = mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/suppliers/accounts': () => [200, { items: account ? [account] : [] }],
      [`PUT /api/v1/suppliers/accounts/${ACCOUNT.id}`]: (req: MockRequest) => {
        account = { ...account!, ...(req.body as object) };
        return [200, account];
      },
      [`DELETE /api/v1/suppliers/accounts/${ACCOUNT.id}`]: () => {
        account = null;
        return [204];
      },
    });
    const user = userEvent.setup();
    renderApp('/suppliers');
    const card = await screen.findByRole('article', { name: 'Main AliExpress' }, { timeout: 5000 });
    expect(card.textContent).toContain('Germany');
    await user.click(within(card).getByRole('switch', { name: 'Use Main AliExpress' }));
    await waitFor(() => expect(within(screen.getByRole('article', { name: 'Main AliExpress' })).getByText('Inactive')).toBeTruthy());
    expect(requests.find((r) => r.method === 'PUT')!.body).toEqual({ is_active: false });

    await user.click(within(screen.getByRole('article')).getByRole('button', { name: 'Edit Main AliExpress' }));
    const dialog = await screen.findByRole('dialog');
    expect((within(dialog).getByLabelText('App secret') as HTMLInputElement).placeholder).toBe('Saved: ••••9a2c');
    const name = within(dialog).getByLabelText('Account name');
    await user.clear(name);
    await user.type(name, 'Ali (EU)');
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(requests.filter((r) => r.method === 'PUT')[1].body).toEqual({ name: 'Ali (EU)', settings: { ship_to_country: 'DE', target_currency: 'EUR' } });

    await user.click(await screen.findByRole('button', { name: 'Delete Ali (EU)' }));
    await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Delete account' }));
    expect(await screen.findByText('No supplier accounts yet')).toBeTruthy();
  }, 20_000);

  it('links AliExpress through the authorize URL, shows the outcome and asks to reconnect a refused account', async () => {
    signIn();
    const linked = {
      ...ACCOUNT,
      id: '22222222-2222-4222-8222-222222222222',
      name: 'Linked shop',
      credentials: { access_token: '••••ab12', refresh_token: '••••cd34' },
      auth_type: 'oauth',
      status: 'needs_reauth',
      status_detail: "AliExpress no longer accepts SourcePilot’s authorization of supplier account 'Linked shop'; reconnect it on the Suppliers page",
      token_expires_at: '2026-12-07T10:00:00Z',
      refresh_token_expires_at: '2026-12-08T10:00:00Z',
    };
    const { requests } = mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/suppliers/accounts': [200, { items: [linked] }],
      'POST /api/v1/suppliers/accounts/aliexpress/authorize': [200, { authorize_url: 'https://api-sg.aliexpress.com/oauth/authorize?state=x' }],
    });
    const assign = vi.fn();
    const original = window.location;
    Object.defineProperty(window, 'location', { configurable: true, value: { ...original, assign } });
    try {
      const user = userEvent.setup();
      renderApp(`/suppliers?connected=${linked.id}`);
      const card = await screen.findByRole('article', { name: 'Linked shop' }, { timeout: 5000 });
      expect((await screen.findByRole('status')).textContent).toContain("AliExpress account 'Linked shop' connected");
      expect(within(card).getByText('Needs reconnect')).toBeTruthy();
      expect(card.textContent).toContain('reconnect it on the Suppliers page');
      await user.click(within(card).getByRole('button', { name: 'Reconnect' }));
      await waitFor(() => expect(assign).toHaveBeenCalledWith('https://api-sg.aliexpress.com/oauth/authorize?state=x'));
      expect(requests.find((r) => r.method === 'POST')!.body).toEqual({ name: 'Linked shop' });
    } finally {
      Object.defineProperty(window, 'location', { configurable: true, value: original });
    }
  }, 20_000);

  it('explains a declined authorization', async () => {
    signIn();
    mockApi({ 'GET /api/v1/auth/me': [200, USER], 'GET /api/v1/suppliers/accounts': [200, { items: [] }] });
    renderApp('/suppliers?error=access_denied');
    expect((await screen.findByRole('alert', {}, { timeout: 5000 })).textContent).toContain('You declined the authorization on AliExpress');
    expect(await screen.findByRole('button', { name: 'Connect AliExpress' })).toBeTruthy();
  }, 20_000);
});

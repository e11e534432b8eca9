import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mockApi, renderApp, signIn, USAGE, USER } from '../test/utils';

const CODE = 'ab'.repeat(24);
const CONN = '00000000-0000-4000-8000-000000000001';
const welcome = `/shopify/welcome?install=${CODE}&shop=demo-shop.myshopify.com`;
const SHELL: Record<string, [number, unknown]> = { 'GET /api/v1/auth/me': [200, USER], 'GET /api/v1/usage': [200, USAGE], 'GET /api/v1/connections': [200, { items: [] }] };

describe('ShopifyWelcome', () => {
  it('signed out: creates the store’s own account with the one-time code and signs in', async () => {
    const { requests } = mockApi({
      ...SHELL,
      [`POST /api/v1/connections/shopify/pending/${CODE}/account`]: [200, { access_token: 'shop-access', refresh_token: 'shop-refresh', token_type: 'bearer', connection_id: CONN, account_created: true }],
    });
    const user = userEvent.setup();
    const { router } = renderApp(welcome);
    expect(await screen.findByText('demo-shop.myshopify.com')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Add the store to my account' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Continue with a new account for this store' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/connections'));
    expect(router.state.location.search).toBe(`?connected=${CONN}`);
    expect(localStorage.getItem('sourcepilot.access_token')).toBe('shop-access');
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([`/api/v1/connections/shopify/pending/${CODE}/account`]);
  });

  it('signed in: attaches the store to the account', async () => {
    signIn();
    const { requests } = mockApi({ ...SHELL, [`POST /api/v1/connections/shopify/pending/${CODE}/attach`]: [200, { connection_id: CONN }] });
    const user = userEvent.setup();
    const { router } = renderApp(welcome);
    await user.click(await screen.findByRole('button', { name: 'Add the store to my account' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/connections'));
    const attach = requests.find((r) => r.method === 'POST')!;
    expect(attach.path).toBe(`/api/v1/connections/shopify/pending/${CODE}/attach`);
    expect(attach.headers.get('Authorization')).toBe('Bearer access-1');
  });

  it('shows why Shopify’s request was refused', async () => {
    mockApi({});
    renderApp('/shopify/welcome?error=invalid_hmac');
    expect((await screen.findByRole('alert')).textContent).toContain('signature did not match');
  });
});

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { browser } from '../api/stores';
import { mockApi, renderApp, signIn, USER, type MockRequest } from '../test/utils';

const ID = '00000000-0000-4000-8000-000000000001';

const row = (over: Record<string, unknown> = {}) => ({
  id: ID,
  user_id: USER.id,
  store_name: 'linen-co',
  platform: 'shopify',
  store_url: 'https://linen-co.myshopify.com',
  is_default: true,
  auth_type: 'oauth',
  status: 'connected',
  scopes: ['write_products', 'read_locations', 'write_inventory'],
  status_detail: null,
  created_at: '2026-12-01T10:00:00Z',
  updated_at: '2026-12-01T10:00:00Z',
  ...over,
});

afterEach(() => vi.restoreAllMocks());

describe('Connections: connecting through the store’s own screen', () => {
  it('Connect Shopify sends the shop name to install and the browser to Shopify’s authorize URL', async () => {
    signIn();
    const go = vi.spyOn(browser, 'go').mockImplementation(() => {});
    const { requests } = mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/connections': [200, { items: [] }],
      'POST /api/v1/connections/shopify/install': [200, { authorize_url: 'https://linen-co.myshopify.com/admin/oauth/authorize?client_id=x' }],
    });
    const user = userEvent.setup();
    renderApp('/connections');
    await user.click(await screen.findByRole('button', { name: 'Connect Shopify' }, { timeout: 5000 }));
    const dialog = await screen.findByRole('dialog', { name: 'Connect Shopify' });
    await user.click(within(dialog).getByRole('button', { name: 'Go to Shopify' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('Enter the shop name.');
    await user.click(within(dialog).getByLabelText('Shop name'));
    await user.paste('linen-co');
    await user.click(within(dialog).getByRole('button', { name: 'Go to Shopify' }));
    await waitFor(() => expect(go).toHaveBeenCalledWith('https://linen-co.myshopify.com/admin/oauth/authorize?client_id=x'));
    expect(requests.find((r: MockRequest) => r.path.endsWith('/shopify/install'))!.body).toEqual({ shop: 'linen-co' });
  }, 20_000);

  it('Connect WooCommerce shows the API’s refusal of the address', async () => {
    signIn();
    mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/connections': [200, { items: [] }],
      'POST /api/v1/connections/woocommerce/authorize': [422, { detail: [{ type: 'value_error', loc: ['body', 'store_url'], msg: 'WooCommerce store URL must use https://', input: 'http://x' }] }],
    });
    const user = userEvent.setup();
    renderApp('/connections');
    await user.click(await screen.findByRole('button', { name: 'Connect WooCommerce' }, { timeout: 5000 }));
    const dialog = await screen.findByRole('dialog', { name: 'Connect WooCommerce' });
    await user.click(within(dialog).getByLabelText('Store URL'));
    await user.paste('http://x');
    await user.click(within(dialog).getByRole('button', { name: 'Go to WooCommerce' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('WooCommerce store URL must use https://');
  }, 20_000);

  it('shows the outcome of the redirect and removes it from the URL', async () => {
    signIn();
    mockApi({ 'GET /api/v1/auth/me': [200, USER], 'GET /api/v1/connections': [200, { items: [row()] }] });
    const { router } = renderApp(`/connections?connected=${ID}`);
    expect((await screen.findByRole('status', {}, { timeout: 5000 })).textContent).toContain('Store connected.');
    await waitFor(() => expect(router.state.location.search).toBe(''));
    const card = await screen.findByRole('article', { name: 'linen-co' });
    expect(card.textContent).toContain('Connected');
    expect(within(card).getByLabelText('Granted access').textContent).toBe('Access: write_products, read_locations, write_inventory');
  });

  it('explains each error code', async () => {
    signIn();
    mockApi({ 'GET /api/v1/auth/me': [200, USER], 'GET /api/v1/connections': [200, { items: [] }] });
    renderApp('/connections?error=invalid_state');
    expect((await screen.findByRole('alert', {}, { timeout: 5000 })).textContent).toContain('already used, expired, or was started by someone else');
  });

  it('a store that needs reconnecting says why and Reconnect runs the install again', async () => {
    signIn();
    const go = vi.spyOn(browser, 'go').mockImplementation(() => {});
    const { requests } = mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/connections': [200, { items: [row({ status: 'needs_reauth', status_detail: 'The store no longer accepts SourcePilot’s authorization' }), row({ id: '00000000-0000-4000-8000-000000000002', store_name: 'Mugs', platform: 'woocommerce', store_url: 'https://mugs.example.com', auth_type: 'keys', status: 'uninstalled', scopes: null, is_default: false })] }],
      'POST /api/v1/connections/shopify/install': [200, { authorize_url: 'https://linen-co.myshopify.com/admin/oauth/authorize' }],
      'POST /api/v1/connections/woocommerce/authorize': [200, { authorize_url: 'https://mugs.example.com/wc-auth/v1/authorize' }],
    });
    const user = userEvent.setup();
    renderApp('/connections');
    const card = await screen.findByRole('article', { name: 'linen-co' }, { timeout: 5000 });
    expect(card.textContent).toContain('Needs reconnect');
    expect(card.textContent).toContain('no longer accepts');
    await user.click(within(card).getByRole('button', { name: 'Reconnect linen-co' }));
    await waitFor(() => expect(go).toHaveBeenCalledWith('https://linen-co.myshopify.com/admin/oauth/authorize'));
    expect(requests.find((r: MockRequest) => r.path.endsWith('/shopify/install'))!.body).toEqual({ shop: 'https://linen-co.myshopify.com' });

    const woo = screen.getByRole('article', { name: 'Mugs' });
    expect(woo.textContent).toContain('Uninstalled');
    await user.click(within(woo).getByRole('button', { name: 'Reconnect Mugs' }));
    await waitFor(() => expect(go).toHaveBeenCalledWith('https://mugs.example.com/wc-auth/v1/authorize'));
  }, 20_000);

  it('connects through the merchant’s own Shopify app with its client id and secret', async () => {
    signIn();
    const { requests } = mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/connections': [200, { items: [] }],
      'POST /api/v1/connections': [201, row({ auth_type: 'client_credentials' })],
    });
    const user = userEvent.setup();
    renderApp('/connections');
    await user.click(await screen.findByRole('button', { name: 'Connect your first store' }, { timeout: 5000 }));
    const dialog = await screen.findByRole('dialog', { name: 'Connect a store' });
    await user.click(within(dialog).getByRole('radio', { name: 'Shopify' }));
    await user.click(within(dialog).getByRole('radio', { name: /Dev Dashboard/ }));
    await user.click(within(dialog).getByLabelText('Store name'));
    await user.paste('Own');
    await user.click(within(dialog).getByLabelText('Store URL'));
    await user.paste('https://own.myshopify.com');
    await user.click(within(dialog).getByLabelText('Client id'));
    await user.paste('abc');
    await user.click(within(dialog).getByLabelText('Client secret'));
    await user.paste('shpss_def');
    await user.click(within(dialog).getByRole('button', { name: 'Connect store' }));
    await waitFor(() => expect(requests.find((r: MockRequest) => r.method === 'POST')?.body).toEqual({ store_name: 'Own', platform: 'shopify', store_url: 'https://own.myshopify.com', client_id: 'abc', client_secret: 'shpss_def' }));
  }, 20_000);
});

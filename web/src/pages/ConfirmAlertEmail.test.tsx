import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockApi, renderApp } from '../test/utils';

const SLOW = { timeout: 5_000 };

describe('Confirm alert email page', () => {
  it('posts the token from the link and says the address is confirmed, signed out too', async () => {
    const { requests } = mockApi({ 'POST /api/v1/alerts/email/confirm': [200, { email: 'alerts@shop.test', email_verified: true }] });
    renderApp('/confirm-alert-email?token=tok_abcdefghijklmnopqrstuvwxyz');
    expect(await screen.findByRole('heading', { name: 'Address confirmed' }, SLOW)).toBeTruthy();
    expect(screen.getByText('Price and stock alerts will be emailed to alerts@shop.test.')).toBeTruthy();
    const post = requests.find((r) => r.path === '/api/v1/alerts/email/confirm');
    expect(post?.body).toEqual({ token: 'tok_abcdefghijklmnopqrstuvwxyz' });
    expect(screen.getByRole('link', { name: 'Go to Price Watch' })).toBeTruthy();
  });

  it('explains a used or expired link', async () => {
    const detail = 'This confirmation link is invalid, was already used, or has expired; send a new one from Price Watch › Alerts';
    mockApi({ 'POST /api/v1/alerts/email/confirm': [400, { detail }] });
    renderApp('/confirm-alert-email?token=tok_abcdefghijklmnopqrstuvwxyz');
    expect(await screen.findByRole('heading', { name: 'This link does not work' }, SLOW)).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe(detail);
  });

  it('says so when the link has no token, without calling the API', async () => {
    const { requests } = mockApi({});
    renderApp('/confirm-alert-email');
    expect(await screen.findByRole('heading', { name: 'This link does not work' }, SLOW)).toBeTruthy();
    expect(requests.filter((r) => r.path.startsWith('/api/v1/alerts'))).toHaveLength(0);
  });
});

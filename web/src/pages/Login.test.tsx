import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mockApi, renderApp, USAGE, USER } from '../test/utils';

const TOKENS = { access_token: 'access-new', refresh_token: 'refresh-new', token_type: 'bearer' };

describe('Login', () => {
  it("shows the API's error when the password is wrong", async () => {
    const { requests } = mockApi({ 'POST /api/v1/auth/login': [401, { detail: 'Invalid email or password' }] });
    const user = userEvent.setup();
    renderApp('/login');

    await user.type(await screen.findByLabelText('Email'), 'merchant@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect((await screen.findByRole('alert')).textContent).toContain('Invalid email or password');
    expect(requests).toHaveLength(1);
    expect(requests[0].body).toEqual({ email: 'merchant@example.com', password: 'wrong-password' });
    // A failed login is an answer, not an expired session: no refresh attempt, no token.
    expect(requests[0].headers.get('Authorization')).toBeNull();
    expect(localStorage.getItem('sourcepilot.access_token')).toBeNull();
  });

  it('asks for both fields before calling the API', async () => {
    const { requests } = mockApi({});
    const user = userEvent.setup();
    renderApp('/login');

    await user.click(await screen.findByRole('button', { name: 'Sign in' }));

    expect((await screen.findByRole('alert')).textContent).toContain('Enter your email and password.');
    expect(requests).toHaveLength(0);
  });

  it('returns a redirected visitor to the page they asked for', async () => {
    mockApi({
      'POST /api/v1/auth/login': [200, TOKENS],
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/usage': [200, USAGE],
      'GET /api/v1/api-keys': [200, []],
    });
    const user = userEvent.setup();
    const { router } = renderApp('/api-keys');

    await user.type(await screen.findByLabelText('Email'), 'merchant@example.com');
    expect(router.state.location.pathname).toBe('/login');
    await user.type(screen.getByLabelText('Password'), 'correct-horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'API Keys', level: 1 })).toBeTruthy();
    expect(router.state.location.pathname).toBe('/api-keys');
    expect(localStorage.getItem('sourcepilot.access_token')).toBe('access-new');
    expect(localStorage.getItem('sourcepilot.refresh_token')).toBe('refresh-new');
  });
});

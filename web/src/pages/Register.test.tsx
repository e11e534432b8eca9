import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mockApi, renderApp, USAGE, USER } from '../test/utils';

async function fill(email: string, password: string, confirm: string) {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('Email'), email);
  await user.type(screen.getByLabelText('Password'), password);
  await user.type(screen.getByLabelText('Confirm password'), confirm);
  await user.click(screen.getByRole('button', { name: 'Create account' }));
}

describe('Register', () => {
  it('catches a password confirmation mismatch without calling the API', async () => {
    const { requests } = mockApi({});
    renderApp('/register');

    await fill('new@example.com', 'long-enough-1', 'long-enough-2');

    const confirm = screen.getByLabelText('Confirm password');
    expect(await screen.findByText('Passwords do not match.')).toBeTruthy();
    expect(confirm.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(confirm.getAttribute('aria-describedby')!)?.textContent).toBe('Passwords do not match.');
    expect(requests).toHaveLength(0);
  });

  it('requires at least 8 characters', async () => {
    const { requests } = mockApi({});
    renderApp('/register');

    await fill('new@example.com', 'short', 'short');

    expect(await screen.findByText('Use at least 8 characters.')).toBeTruthy();
    expect(requests).toHaveLength(0);
  });

  it('shows the conflict when the email is taken', async () => {
    mockApi({ 'POST /api/v1/auth/register': [409, { detail: 'A user with this email already exists' }] });
    renderApp('/register');

    await fill('taken@example.com', 'long-enough-1', 'long-enough-1');

    expect((await screen.findByRole('alert')).textContent).toContain('A user with this email already exists');
    expect(localStorage.getItem('sourcepilot.access_token')).toBeNull();
  });

  it('signs the new user in and opens the dashboard', async () => {
    const { requests } = mockApi({
      'POST /api/v1/auth/register': [201, { access_token: 'a', refresh_token: 'r', token_type: 'bearer' }],
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/usage': [200, USAGE],
    });
    const { router } = renderApp('/register');

    await fill('new@example.com', 'long-enough-1', 'long-enough-1');

    expect(await screen.findByRole('heading', { name: 'Dashboard', level: 1 })).toBeTruthy();
    expect(router.state.location.pathname).toBe('/');
    expect(requests[0].body).toEqual({ email: 'new@example.com', password: 'long-enough-1' });
    expect(localStorage.getItem('sourcepilot.access_token')).toBe('a');
  });
});

import { describe, expect, it } from 'vitest';
import { mockApi, signIn, USER } from '../test/utils';
import { api, unwrap } from './client';
import { ApiError } from './errors';

describe('API client sessions', () => {
  it('refreshes an expired access token once and retries the call', async () => {
    signIn();
    const { requests } = mockApi({
      'GET /api/v1/auth/me': (req) =>
        req.headers.get('Authorization') === 'Bearer access-2' ? [200, USER] : [401, { detail: 'Invalid or expired token' }],
      'POST /api/v1/auth/refresh': (req) =>
        (req.body as { refresh_token: string }).refresh_token === 'refresh-1'
          ? [200, { access_token: 'access-2', refresh_token: 'refresh-2', token_type: 'bearer' }]
          : [401, { detail: 'Invalid or expired refresh token' }],
    });

    await expect(unwrap(api.auth.me.$get())).resolves.toEqual(USER);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/auth/me', 'POST /api/v1/auth/refresh', 'GET /api/v1/auth/me']);
    expect(localStorage.getItem('sourcepilot.access_token')).toBe('access-2');
    expect(localStorage.getItem('sourcepilot.refresh_token')).toBe('refresh-2');
  });

  it('shares one refresh between parallel calls', async () => {
    signIn();
    const { requests } = mockApi({
      'GET /api/v1/auth/me': (req) => (req.headers.get('Authorization') === 'Bearer access-2' ? [200, USER] : [401, { detail: 'Invalid or expired token' }]),
      'POST /api/v1/auth/refresh': [200, { access_token: 'access-2', refresh_token: 'refresh-2', token_type: 'bearer' }],
    });

    await Promise.all([unwrap(api.auth.me.$get()), unwrap(api.auth.me.$get())]);
    expect(requests.filter((r) => r.path === '/api/v1/auth/refresh')).toHaveLength(1);
  });

  it('ends the session when the refresh token is refused', async () => {
    signIn();
    mockApi({
      'GET /api/v1/auth/me': [401, { detail: 'Invalid or expired token' }],
      'POST /api/v1/auth/refresh': [401, { detail: 'Invalid or expired refresh token' }],
    });

    const error = await unwrap(api.auth.me.$get()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(localStorage.getItem('sourcepilot.access_token')).toBeNull();
    expect(localStorage.getItem('sourcepilot.refresh_token')).toBeNull();
  });

  it('keeps the session when the server is down during a refresh', async () => {
    signIn();
    mockApi({
      'GET /api/v1/auth/me': [401, { detail: 'Invalid or expired token' }],
      'POST /api/v1/auth/refresh': [503, { detail: 'Service Unavailable' }],
    });

    await expect(unwrap(api.auth.me.$get())).rejects.toBeInstanceOf(ApiError);
    expect(localStorage.getItem('sourcepilot.refresh_token')).toBe('refresh-1');
  });
});

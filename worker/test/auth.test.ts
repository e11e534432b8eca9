import { describe, expect, it } from 'vitest';
import { call, uniqueEmail } from './helpers';

describe('POST /auth/register', () => {
  it('creates a free active user and returns a token pair', async () => {
    const email = uniqueEmail();
    const { status, json } = await call('/auth/register', { body: { email, password: 'longenough' } });
    expect(status).toBe(201);
    expect(json.token_type).toBe('bearer');
    const me = await call('/auth/me', { token: json.access_token });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ email, is_active: true, plan: 'free' });
    expect(me.roundTrips).toBeLessThanOrEqual(2);
  });
});

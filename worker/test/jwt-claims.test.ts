import { env } from 'cloudflare:workers';
import { SignJWT, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifyToken } from '../lib/jwt';
import { call, registerUser } from './helpers';

const secret = () => new TextEncoder().encode(env.JWT_SECRET_KEY);

/** A correctly signed HS256 token with exactly the given claims. */
const signed = (claims: JWTPayload) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret());

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

describe('JWT claims (API.md §1.1: exactly sub, exp and type)', () => {
  it('refuses a correctly signed token without exp: jose alone would accept it forever', async () => {
    const user = await registerUser('noexp');
    const access = await signed({ sub: user.id, type: 'access' });
    const refresh = await signed({ sub: user.id, type: 'refresh' });
    expect(await verifyToken(env.JWT_SECRET_KEY, access, 'access')).toEqual({ ok: false });
    expect((await call('/auth/me', { token: access })).json).toEqual({ detail: 'Invalid or expired token' });
    expect((await call('/imports', { token: access })).status).toBe(401);
    const r = await call('/auth/refresh', { body: { refresh_token: refresh } });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ detail: 'Invalid or expired refresh token' });
  });

  it('refuses a token without type, or with exp or type of the wrong kind', async () => {
    const user = await registerUser('notype');
    for (const claims of [
      { sub: user.id, exp: inAnHour() },
      { sub: user.id, exp: inAnHour(), type: ['access'] },
      { sub: user.id, exp: String(inAnHour()), type: 'access' },
    ]) {
      const token = await signed(claims as JWTPayload);
      expect(await verifyToken(env.JWT_SECRET_KEY, token, 'access'), JSON.stringify(claims)).toEqual({ ok: false });
      expect((await call('/auth/me', { token })).json, JSON.stringify(claims)).toEqual({ detail: 'Invalid or expired token' });
    }
  });

  it('refuses a token without sub with the contract detail, and accepts one with all three claims', async () => {
    const user = await registerUser('claims');
    const noSub = await signed({ exp: inAnHour(), type: 'access' });
    expect(await verifyToken(env.JWT_SECRET_KEY, noSub, 'access')).toEqual({ ok: true, sub: undefined });
    expect((await call('/auth/me', { token: noSub })).json).toEqual({ detail: 'Invalid token payload' });
    const emptySub = await signed({ sub: '', exp: inAnHour(), type: 'access' });
    expect((await call('/auth/me', { token: emptySub })).json).toEqual({ detail: 'Invalid token payload' });
    const good = await signed({ sub: user.id, exp: inAnHour(), type: 'access' });
    expect(await verifyToken(env.JWT_SECRET_KEY, good, 'access')).toEqual({ ok: true, sub: user.id });
    expect((await call('/auth/me', { token: good })).status).toBe(200);
  });
});

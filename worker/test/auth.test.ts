import { eq } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { apiKeys, priceWatches, priceWatchQuota, users } from '../db/schema';
import { sha256Hex } from '../lib/encoding';
import { answer, api, rawCall, registerUser, startOfRateWindow, uniqueEmail, userWithKey, withDb } from './helpers';
import { aliUrl } from './price-helpers';

const secret = () => new TextEncoder().encode(env.JWT_SECRET_KEY);

describe('POST /auth/register', () => {
  it('creates a free, active user, stores a PBKDF2 hash and returns a token pair', async () => {
    const email = uniqueEmail();
    const { status, json } = await answer(api().auth.register.$post({ json: { email, password: 'longenough' } }));
    expect(status).toBe(201);
    expect(Object.keys(json).sort()).toEqual(['access_token', 'refresh_token', 'token_type']);
    expect(json.token_type).toBe('bearer');
    const me = await answer(api({ token: json.access_token }).auth.me.$get());
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ email, is_active: true, plan: 'free' });
    expect(me.json.created_at).toMatch(/Z$/);
    const [row] = await withDb((db) => db.select().from(users).where(eq(users.email, email)));
    expect(row.hashedPassword).toMatch(/^pbkdf2_sha256\$100000\$/);
    expect(row.hashedPassword).not.toContain('longenough');
  });

  it('signs tokens with exactly sub, exp and type', async () => {
    const { json } = await answer(api().auth.register.$post({ json: { email: uniqueEmail(), password: 'longenough' } }));
    const claims = JSON.parse(atob(json.access_token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    expect(Object.keys(claims).sort()).toEqual(['exp', 'sub', 'type']);
    expect(claims.type).toBe('access');
    expect(claims.exp - Date.now() / 1000).toBeGreaterThan(14 * 60);
    expect(claims.exp - Date.now() / 1000).toBeLessThanOrEqual(15 * 60);
  });

  it('refuses a taken email with 409', async () => {
    const user = await registerUser();
    const { status, json } = await answer(api().auth.register.$post({ json: { email: user.email, password: 'another-pass' } }));
    expect(status).toBe(409);
    expect(json).toEqual({ detail: 'A user with this email already exists' });
  });

  it('lower-cases the domain only; the local part stays case-sensitive', async () => {
    const local = `Mixed.${crypto.randomUUID().slice(0, 8)}`;
    const reg = await answer(api().auth.register.$post({ json: { email: `${local}@EXAMPLE.Com`, password: 'longenough' } }));
    expect(reg.status).toBe(201);
    const me = await answer(api({ token: reg.json.access_token }).auth.me.$get());
    expect(me.json.email).toBe(`${local}@example.com`);
    expect((await answer(api().auth.login.$post({ json: { email: `${local}@Example.COM`, password: 'longenough' } }))).status).toBe(200);
    expect((await answer(api().auth.login.$post({ json: { email: `${local.toLowerCase()}@example.com`, password: 'longenough' } }))).status).toBe(401);
  });

  it('answers 422 in the contract shape for a short password, a bad email and missing fields', async () => {
    const short = await answer(api().auth.register.$post({ json: { email: uniqueEmail(), password: 'short' } }));
    expect(short.status).toBe(422);
    expect(short.json.detail).toEqual([
      { type: 'string_too_short', loc: ['body', 'password'], msg: 'String should have at least 8 characters', input: 'short', ctx: { min_length: 8 } },
    ]);

    const bad = await answer(api().auth.register.$post({ json: { email: 'not-an-email', password: 'longenough' } }));
    expect(bad.status).toBe(422);
    expect(bad.json.detail[0]).toMatchObject({ loc: ['body', 'email'], input: 'not-an-email' });

    const missing = await rawCall('/auth/register', { body: {} });
    expect(missing.status).toBe(422);
    expect(missing.json.detail.map((d: { loc: string[]; type: string }) => [d.loc.join('.'), d.type])).toEqual([
      ['body.email', 'missing'],
      ['body.password', 'missing'],
    ]);
    expect(missing.json.detail[0].msg).toBe('Field required');

    const wrongType = await rawCall('/auth/register', { body: { email: uniqueEmail(), password: 12345678 } });
    expect(wrongType.status).toBe(422);
    expect(wrongType.json.detail[0]).toMatchObject({ type: 'string_type', loc: ['body', 'password'] });
  });

  it('answers 422 json_invalid for a malformed body and for an empty one', async () => {
    const broken = await rawCall('/auth/register', { rawBody: '{"email": ' });
    expect(broken.status).toBe(422);
    expect(broken.json.detail[0]).toMatchObject({ type: 'json_invalid', loc: ['body', 0] });

    const empty = await rawCall('/auth/register', { rawBody: '' });
    expect(empty.status).toBe(422);
    expect(Array.isArray(empty.json.detail)).toBe(true);

    const array = await rawCall('/auth/register', { rawBody: '[1,2]' });
    expect(array.status).toBe(422);
  });
});

describe('POST /auth/login', () => {
  it('returns a token pair for the right password', async () => {
    const user = await registerUser();
    const { status, json } = await answer(api().auth.login.$post({ json: { email: user.email, password: user.password } }));
    expect(status).toBe(200);
    expect(json.token_type).toBe('bearer');
    expect((await answer(api({ token: json.access_token }).auth.me.$get())).json.id).toBe(user.id);
  });

  it('gives the same 401 for a wrong password, an unknown email and an inactive user', async () => {
    const user = await registerUser();
    const wrong = await answer(api().auth.login.$post({ json: { email: user.email, password: 'wrong-password' } }));
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ detail: 'Invalid email or password' });

    const unknown = await answer(api().auth.login.$post({ json: { email: uniqueEmail('nobody'), password: 'whatever1' } }));
    expect(unknown.json).toEqual({ detail: 'Invalid email or password' });

    await withDb((db) => db.update(users).set({ isActive: false }).where(eq(users.id, user.id)));
    const inactive = await answer(api().auth.login.$post({ json: { email: user.email, password: user.password } }));
    expect(inactive.status).toBe(401);
    expect(inactive.json).toEqual({ detail: 'Invalid email or password' });
  });

  it('verifies a legacy bcrypt hash and rehashes it with PBKDF2', async () => {
    const user = await registerUser();
    // bcrypt ($2b$, cost 4) of "legacy-password", as the earlier service stored them.
    const bcryptjs = await import('bcryptjs');
    const legacy = await bcryptjs.default.hash('legacy-password', 4);
    await withDb((db) => db.update(users).set({ hashedPassword: legacy.replace(/^\$2a\$/, '$2b$') }).where(eq(users.id, user.id)));
    const ok = await answer(api().auth.login.$post({ json: { email: user.email, password: 'legacy-password' } }));
    expect(ok.status).toBe(200);
    const [row] = await withDb((db) => db.select().from(users).where(eq(users.id, user.id)));
    expect(row.hashedPassword).toMatch(/^pbkdf2_sha256\$/);
    expect((await answer(api().auth.login.$post({ json: { email: user.email, password: 'legacy-password' } }))).status).toBe(200);
  });

  it('rate-limits repeated attempts for one email with 429 and Retry-After', { timeout: 45_000 }, async () => {
    await startOfRateWindow();
    const user = await registerUser();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 7; i++) {
      const r = await answer(api().auth.login.$post({ json: { email: user.email, password: 'wrong-password' } }));
      statuses.push(r.status);
      if (r.status === 429) {
        retryAfter = r.res.headers.get('Retry-After');
        expect(r.json.detail).toMatch(/Too many requests/);
      }
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
    expect(retryAfter).toBe('60');
  });

  it('rate-limits one address across many emails', { timeout: 45_000 }, async () => {
    await startOfRateWindow();
    const ip = '203.0.113.77';
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) {
      const r = await answer(api({ headers: { 'CF-Connecting-IP': ip } }).auth.login.$post({ json: { email: uniqueEmail('spray'), password: 'whatever1' } }));
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('POST /auth/refresh', () => {
  it('issues a new pair and keeps the old refresh token valid', async () => {
    const user = await registerUser();
    const first = await answer(api().auth.refresh.$post({ json: { refresh_token: user.refresh } }));
    expect(first.status).toBe(200);
    expect(first.json.token_type).toBe('bearer');
    expect((await answer(api({ token: first.json.access_token }).auth.me.$get())).json.id).toBe(user.id);
    expect((await answer(api().auth.refresh.$post({ json: { refresh_token: user.refresh } }))).status).toBe(200);
  });

  it('refuses an access token, garbage and an expired token', async () => {
    const user = await registerUser();
    for (const refresh_token of [user.token, 'garbage']) {
      const r = await answer(api().auth.refresh.$post({ json: { refresh_token } }));
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ detail: 'Invalid or expired refresh token' });
    }
    const expired = await new SignJWT({ type: 'refresh' }).setProtectedHeader({ alg: 'HS256' }).setSubject(user.id).setExpirationTime(Math.floor(Date.now() / 1000) - 10).sign(secret());
    expect((await answer(api().auth.refresh.$post({ json: { refresh_token: expired } }))).json.detail).toBe('Invalid or expired refresh token');
  });

  it('answers "User not found" for a deleted or inactive user', async () => {
    const user = await registerUser();
    await withDb((db) => db.update(users).set({ isActive: false }).where(eq(users.id, user.id)));
    const r = await answer(api().auth.refresh.$post({ json: { refresh_token: user.refresh } }));
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ detail: 'User not found' });
  });
});

describe('GET /auth/me', () => {
  it('needs a bearer token and says why it refuses', async () => {
    const user = await registerUser();
    const none = await answer(api().auth.me.$get());
    expect(none.status).toBe(401);
    expect(none.json).toEqual({ detail: 'Not authenticated' });
    expect(none.res.headers.get('WWW-Authenticate')).toBe('Bearer');

    const basic = await answer(api({ headers: { Authorization: 'Basic abc' } }).auth.me.$get());
    expect(basic.json).toEqual({ detail: 'Not authenticated' });

    const empty = await answer(api({ headers: { Authorization: 'Bearer ' } }).auth.me.$get());
    expect(empty.json).toEqual({ detail: 'Not authenticated' });

    const lower = await answer(api({ headers: { Authorization: `bearer ${user.token}` } }).auth.me.$get());
    expect(lower.status).toBe(200);

    const refreshAsAccess = await answer(api({ token: user.refresh }).auth.me.$get());
    expect(refreshAsAccess.json).toEqual({ detail: 'Invalid or expired token' });

    const expired = await new SignJWT({ type: 'access' }).setProtectedHeader({ alg: 'HS256' }).setSubject(user.id).setExpirationTime(Math.floor(Date.now() / 1000) - 5).sign(secret());
    expect((await answer(api({ token: expired }).auth.me.$get())).json).toEqual({ detail: 'Invalid or expired token' });

    const forged = await new SignJWT({ type: 'access' }).setProtectedHeader({ alg: 'HS256' }).setSubject(user.id).setExpirationTime('15m').sign(new TextEncoder().encode('not-the-secret'));
    expect((await answer(api({ token: forged }).auth.me.$get())).json).toEqual({ detail: 'Invalid or expired token' });

    const noSub = await new SignJWT({ type: 'access' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('15m').sign(secret());
    expect((await answer(api({ token: noSub }).auth.me.$get())).json).toEqual({ detail: 'Invalid token payload' });

    const ghost = await new SignJWT({ type: 'access' }).setProtectedHeader({ alg: 'HS256' }).setSubject(crypto.randomUUID()).setExpirationTime('15m').sign(secret());
    expect((await answer(api({ token: ghost }).auth.me.$get())).json).toEqual({ detail: 'User not found or inactive' });

    const notUuid = await new SignJWT({ type: 'access' }).setProtectedHeader({ alg: 'HS256' }).setSubject('42').setExpirationTime('15m').sign(secret());
    expect((await answer(api({ token: notUuid }).auth.me.$get())).json).toEqual({ detail: 'User not found or inactive' });
  });

  it('ignores X-API-Key (JWT-only route)', async () => {
    const keyed = await userWithKey();
    const r = await answer(api({ apiKey: keyed.apiKey }).auth.me.$get());
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ detail: 'Not authenticated' });
  });

  it('costs one database round trip', async () => {
    const user = await registerUser();
    expect((await answer(api({ token: user.token }).auth.me.$get())).roundTrips).toBe(1);
  });
});

describe('POST /auth/forgot-password', () => {
  it('always answers the same message', async () => {
    const user = await registerUser();
    for (const email of [user.email, 'nobody@example.com', 'not even an email']) {
      const r = await answer(api().auth['forgot-password'].$post({ query: { email: `${encodeURIComponent(email)}` } }));
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ message: 'If an account exists, a reset email has been sent.' });
    }
  });

  it('needs the email query parameter', async () => {
    const r = await rawCall('/auth/forgot-password', { method: 'POST' });
    expect(r.status).toBe(422);
    expect(r.json.detail[0]).toMatchObject({ type: 'missing', loc: ['query', 'email'] });
  });
});

describe('POST /auth/provision', () => {
  const service = () => ({ 'X-Service-Key': env.PLATFORM_SERVICE_KEY });

  it('requires the platform service key; a user token or API key gets 403', async () => {
    const body = { email: uniqueEmail('prov'), external_platform_id: 'plat-1' };
    const keyed = await userWithKey();
    for (const opts of [{}, { token: keyed.token }, { apiKey: keyed.apiKey }, { headers: { 'X-Service-Key': 'wrong' } }]) {
      const r = await rawCall('/auth/provision', { body, ...opts });
      expect(r.status).toBe(403);
      expect(r.json).toEqual({ detail: 'Provisioning requires the platform service key' });
    }
  });

  it('creates a user with a read/write key, then finds it again by platform id and never downgrades', async () => {
    const email = uniqueEmail('prov');
    const platformId = `plat-${crypto.randomUUID()}`;
    const first = await answer(api({ headers: service() }).auth.provision.$post({ json: { email, plan: 'pro', external_platform_id: platformId, external_store_id: 'store-1' } }));
    expect(first.status).toBe(201);
    expect(Object.keys(first.json).sort()).toEqual(['api_key', 'user_id']);
    expect(first.json.api_key).toMatch(/^so_live_[A-Za-z0-9_-]{43}$/);
    // Find, create, mint the key: one statement (issue 18).
    expect(first.roundTrips).toBe(1);

    const usage = await answer(api({ apiKey: first.json.api_key }).usage.$get());
    expect(usage.status).toBe(200);
    expect(usage.json.plan).toBe('pro');

    const again = await answer(api({ headers: service() }).auth.provision.$post({ json: { email: uniqueEmail('other'), plan: 'free', external_platform_id: platformId, external_store_id: '' } }));
    expect(again.status).toBe(201);
    expect(again.json.user_id).toBe(first.json.user_id);
    expect(again.json.api_key).not.toBe(first.json.api_key);
    expect(again.roundTrips).toBe(1);

    const [row] = await withDb((db) => db.select().from(users).where(eq(users.id, first.json.user_id)));
    expect(row).toMatchObject({ email, plan: 'pro', externalPlatformId: platformId, externalStoreId: 'store-1' });
    const keys = await withDb((db) => db.select().from(apiKeys).where(eq(apiKeys.userId, first.json.user_id)));
    expect(keys).toHaveLength(2);
    for (const k of keys) {
      expect(k.scopes).toEqual(['read', 'write']);
      expect(k.name).toBe(`Platform Integration (${platformId.slice(0, 8)})`);
    }
  });

  it('links an existing account by email and upgrades its plan; its password is left alone', async () => {
    const user = await registerUser();
    const r = await answer(api({ headers: service() }).auth.provision.$post({ json: { email: user.email, password: 'not-their-password', plan: 'enterprise', external_platform_id: `plat-link-${crypto.randomUUID()}` } }));
    expect(r.json.user_id).toBe(user.id);
    expect(r.roundTrips).toBe(1);
    const me = await answer(api({ token: user.token }).auth.me.$get());
    expect(me.json.plan).toBe('enterprise');
    expect((await answer(api().auth.login.$post({ json: { email: user.email, password: user.password } }))).status).toBe(200);
    expect((await answer(api().auth.login.$post({ json: { email: user.email, password: 'not-their-password' } }))).status).toBe(401);
  });

  it('creates the user with the password given', async () => {
    const email = uniqueEmail('prov-pw');
    const r = await answer(api({ headers: service() }).auth.provision.$post({ json: { email, password: 'platform chosen', external_platform_id: `plat-${crypto.randomUUID()}` } }));
    expect(r.status).toBe(201);
    const login = await answer(api().auth.login.$post({ json: { email, password: 'platform chosen' } }));
    expect(login.status).toBe(200);
    expect((await answer(api({ token: login.json.access_token }).auth.me.$get())).json).toMatchObject({ id: r.json.user_id, plan: 'free' });
  });

  it('an upgrade resumes the watches a smaller plan paused, in the same statement', async () => {
    const user = await registerUser();
    // Free allows 25 active watches: 25 active, then 2 the plan paused.
    const base = Date.now() - 86_400_000;
    await withDb((db) =>
      db.insert(priceWatches).values(
        Array.from({ length: 27 }, (_, i) => ({
          userId: user.id,
          source: 'aliexpress',
          productUrl: aliUrl(),
          createdAt: new Date(base + i * 60_000),
          ...(i >= 25 ? { isActive: false, pausedReason: 'plan_limit' } : {}),
        })),
      ),
    );
    const active = async () => (await withDb((db) => db.select().from(priceWatches).where(eq(priceWatches.userId, user.id)))).filter((w) => w.isActive).length;
    // A free provision changes no plan and touches no watch.
    expect((await answer(api({ headers: service() }).auth.provision.$post({ json: { email: user.email, plan: 'free', external_platform_id: `plat-${crypto.randomUUID()}` } }))).status).toBe(201);
    expect(await active()).toBe(25);
    const r = await answer(api({ headers: service() }).auth.provision.$post({ json: { email: user.email, plan: 'pro', external_platform_id: `plat-${crypto.randomUUID()}` } }));
    expect(r.status).toBe(201);
    expect(r.roundTrips).toBe(1);
    expect(await active()).toBe(27);
    const [quota] = await withDb((db) => db.select().from(priceWatchQuota).where(eq(priceWatchQuota.userId, user.id)));
    expect(quota.active).toBe(27);
  });

  it('concurrent provisions of one new email make one user, each with its own key', async () => {
    const email = uniqueEmail('prov-race');
    const platformId = `plat-${crypto.randomUUID()}`;
    const answers = await Promise.all(Array.from({ length: 4 }, () => answer(api({ headers: service() }).auth.provision.$post({ json: { email, plan: 'pro', external_platform_id: platformId } }))));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.json.user_id)).size).toBe(1);
    expect(await withDb((db) => db.select({ id: users.id }).from(users).where(eq(users.email, email)))).toHaveLength(1);
    const keys = await withDb((db) => db.select().from(apiKeys).where(eq(apiKeys.userId, answers[0].json.user_id)));
    expect(keys.map((k) => k.keyHash).sort()).toEqual((await Promise.all(answers.map((a) => sha256Hex(a.json.api_key)))).sort());
  });

  it('validates the body after the service key', async () => {
    const bad = await rawCall('/auth/provision', { headers: service(), body: { email: uniqueEmail(), plan: 'gold', external_platform_id: 'x' } });
    expect(bad.status).toBe(422);
    expect(bad.json.detail[0]).toMatchObject({ type: 'enum', loc: ['body', 'plan'] });
    const missing = await rawCall('/auth/provision', { headers: service(), body: { email: uniqueEmail() } });
    expect(missing.json.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'external_platform_id'] });
  });
});

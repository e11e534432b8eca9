import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { supplierAccounts } from '../db/schema';
import { decryptJson, supplierCredentials } from '../lib/secrets';
import { completeAliExpressAuthorize } from '../services/aliexpress-oauth';
import { refreshDueAliExpressTokens, sendReauthAlerts, AliExpressTokens } from '../services/aliexpress-tokens';
import { Refused } from '../shared/domain-errors';
import { supplierFor } from '../suppliers/resolve';
import { SupplierError } from '../suppliers/types';
import { confirmAlertAddress } from './alert-helpers';
import { pausedAfterFirstStatement } from './db-interleave';
import { call, registerUser, withDb, type TestUser } from './helpers';
import { approveAliExpress, ensureAliExpressApp, fakeControl } from './supplier-helpers';

/**
 * Linking AliExpress through SourcePilot's app (API.md §8.4) against the fake Open
 * Platform (worker/test/fakes/aliexpress.ts): authorize, code exchange with the signed
 * system API, refresh before expiry and after an expired-token answer, one refresh at a
 * time, re-authorization marked and alerted once.
 */

const app = env as unknown as { ALIEXPRESS_APP_KEY: string; ALIEXPRESS_APP_SECRET: string; CORS_ORIGINS: string; ALIEXPRESS_API_BASE: string; EMAIL_API_URL: string };
const dashboard = app.CORS_ORIGINS.split(',')[0];
const fake = (path: string, body?: Record<string, unknown>) =>
  body === undefined ? fakeControl(app.ALIEXPRESS_API_BASE, `${path}?app_key=${app.ALIEXPRESS_APP_KEY}`) : fakeControl(app.ALIEXPRESS_API_BASE, path, { app_key: app.ALIEXPRESS_APP_KEY, ...body });
const requests = async (since = 0) => ((await fake('requests')).requests as { method: string; params: Record<string, string>; at: number }[]).slice(since);
const requestCount = async () => (await fake('requests')).count as number;
const oauth = (settings: Record<string, unknown>) => fake('oauth', { access_seconds: 86_400, refresh_seconds: 172_800, refuse_refresh: false, refresh_delay_ms: 0, ...settings });

beforeAll(() => ensureAliExpressApp());

async function authorize(user: TestUser, body?: Record<string, unknown>) {
  const r = await call('/suppliers/accounts/aliexpress/authorize', { method: 'POST', token: user.token, body });
  expect(r.status).toBe(200);
  return new URL(r.json.authorize_url as string);
}

/** The merchant approves on the fake's consent screen (checking it is one); answers where AliExpress sends the browser. */
async function approve(authorizeUrl: URL, yes = true) {
  expect(await (await fetch(authorizeUrl)).text()).toContain('Authorize SourcePilot');
  return approveAliExpress(authorizeUrl, yes);
}

/** Our public callback; answers where it sends the browser (not followed). */
async function callback(url: URL) {
  const res = await SELF.fetch(url.toString(), { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('Location')!);
}

async function link(user: TestUser, body?: Record<string, unknown>) {
  const back = await callback(await approve(await authorize(user, body)));
  expect(`${back.origin}${back.pathname}`).toBe(`${dashboard}/suppliers`);
  const id = back.searchParams.get('connected');
  expect(id, back.toString()).toMatch(/^[0-9a-f-]{36}$/);
  return id!;
}

const row = async (id: string) => (await withDb((db) => db.select().from(supplierAccounts).where(eq(supplierAccounts.id, id))))[0];
const productId = () => `1005${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
const getProduct = (user: TestUser, id = productId()) => withDb(async (db) => (await supplierFor(env, db, user.id, 'aliexpress')).getProduct(id));

describe('AliExpress seller authorization', () => {
  it('links an account: authorize URL, signed code exchange, tokens stored encrypted, calls use them', async () => {
    await oauth({});
    const user = await registerUser();
    const url = await authorize(user, { name: 'My AliExpress' });
    expect(`${url.origin}${url.pathname}`).toBe(`${new URL(app.ALIEXPRESS_API_BASE).origin}/oauth/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      force_auth: 'true',
      client_id: app.ALIEXPRESS_APP_KEY,
      redirect_uri: 'http://sourcepilot.test/api/v1/suppliers/accounts/aliexpress/callback',
      state: expect.stringMatching(/^[0-9a-f]{48}$/),
    });
    const before = await requestCount();
    const redirect = await approve(url);
    const back = await callback(redirect);
    const id = back.searchParams.get('connected')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // The fake accepted the signature (it answers IncompleteSignature otherwise): one code exchange.
    expect((await requests(before)).map((r) => r.method)).toEqual(['/auth/token/create']);

    const list = await call('/suppliers/accounts', { token: user.token });
    const account = list.json.items.find((a: { id: string }) => a.id === id);
    expect(account).toMatchObject({ name: 'My AliExpress', platform: 'aliexpress', auth_type: 'oauth', status: 'connected', status_detail: null, is_active: true });
    expect(new Date(account.token_expires_at).getTime() - Date.now()).toBeGreaterThan(86_000_000);
    expect(new Date(account.refresh_token_expires_at).getTime() - Date.now()).toBeGreaterThan(172_000_000);
    expect(Object.values(account.credentials).every((v) => String(v).startsWith('••••'))).toBe(true);
    const stored = await row(id);
    expect(stored.credentials).not.toContain('ae-access-');
    expect(await decryptJson<Record<string, string>>(env.ENCRYPTION_KEY, stored.credentials!, supplierCredentials(stored))).toMatchObject({ access_token: expect.stringMatching(/^ae-access-/), refresh_token: expect.stringMatching(/^ae-refresh-/) });

    // Live calls go out with SourcePilot's app key and the stored token.
    const n = await requestCount();
    const product = await getProduct(user);
    expect(product.mode).toBe('live');
    const sent = await requests(n);
    expect(sent.map((r) => r.method)).toEqual(['aliexpress.ds.product.get']);
    expect(sent[0].params.app_key).toBe(app.ALIEXPRESS_APP_KEY);

    // The state is single use: replaying the redirect is refused before any token call.
    const replay = await callback(redirect);
    expect(replay.searchParams.get('error')).toBe('invalid_state');

    // Linking again under the same name renews the same account.
    expect(await link(user, { name: 'My AliExpress' })).toBe(id);
    expect((await row(id)).tokenVersion).toBe(stored.tokenVersion + 1);
  });

  it('refuses a forged state, a declined consent, and answers 422 for a bad name', async () => {
    const user = await registerUser();
    const forged = new URL('http://sourcepilot.test/api/v1/suppliers/accounts/aliexpress/callback?code=x&state=deadbeef');
    expect((await callback(forged)).searchParams.get('error')).toBe('invalid_state');
    const declined = await callback(await approve(await authorize(user), false));
    expect(declined.searchParams.get('error')).toBe('access_denied');
    const bad = await call('/suppliers/accounts/aliexpress/authorize', { method: 'POST', token: user.token, body: { name: '' } });
    expect(bad.status).toBe(422);
    const anon = await call('/suppliers/accounts/aliexpress/authorize', { method: 'POST', body: {} });
    expect(anon.status).toBe(401);
  });

  it('refreshes an access token about to expire before the call, so no call fails', async () => {
    await oauth({ access_seconds: 120 });
    const user = await registerUser();
    const id = await link(user);
    const before = await row(id);
    const n = await requestCount();
    await getProduct(user);
    expect((await requests(n)).map((r) => r.method)).toEqual(['/auth/token/refresh', 'aliexpress.ds.product.get']);
    const after = await row(id);
    expect(after.tokenVersion).toBe(before.tokenVersion + 1);
    expect(after.tokenExpiresAt!.getTime()).toBeGreaterThan(before.tokenExpiresAt!.getTime());
    // The refresh token's deadline is the authorization's, not moved by a refresh (INTEGRATIONS §3d).
    expect(Math.abs(after.refreshTokenExpiresAt!.getTime() - before.refreshTokenExpiresAt!.getTime())).toBeLessThan(2000);
    // The rotated refresh token was stored: the next refresh works.
    await oauth({ access_seconds: 120 });
    const m = await requestCount();
    await getProduct(user);
    expect((await requests(m)).map((r) => r.method)).toEqual(['/auth/token/refresh', 'aliexpress.ds.product.get']);
    expect((await row(id)).status).toBe('connected');
  });

  it('refreshes after an expired-token answer and retries the call once', async () => {
    await oauth({});
    const user = await registerUser();
    const id = await link(user);
    await fake('expire', {});
    const n = await requestCount();
    const product = await getProduct(user);
    expect(product.variants.length).toBeGreaterThan(0);
    expect((await requests(n)).map((r) => r.method)).toEqual(['aliexpress.ds.product.get', '/auth/token/refresh', 'aliexpress.ds.product.get']);
    expect((await row(id)).status).toBe('connected');
  });

  it('two consumers refreshing one account at once make one refresh and share its token', async () => {
    await oauth({ refresh_delay_ms: 400 });
    const user = await registerUser();
    const id = await link(user);
    const r = await row(id);
    const n = await requestCount();
    const tokens = await withDb(async (db) => {
      const held = { token: 'stale', version: r.tokenVersion, expiresAt: Date.now() + 1000 };
      const a = new AliExpressTokens(db, env, id, r.userId, r.name, { ...held });
      const b = new AliExpressTokens(db, env, id, r.userId, r.name, { ...held });
      return Promise.all([a.current(), b.current()]);
    });
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[0]).toMatch(/^ae-access-/);
    expect((await requests(n)).filter((q) => q.method === '/auth/token/refresh')).toHaveLength(1);
    expect((await row(id)).tokenVersion).toBe(r.tokenVersion + 1);
    await oauth({});
  });

  it('a refused refresh marks the account needs_reauth, alerts the merchant once, and calls say to reconnect', async () => {
    await oauth({});
    const user = await registerUser();
    const address = `ae-reauth-${crypto.randomUUID().slice(0, 8)}@example.com`;
    expect((await call('/alerts/settings', { method: 'PUT', token: user.token, body: { email: address, email_enabled: true } })).status).toBe(200);
    await confirmAlertAddress(address);
    const id = await link(user, { name: 'Refused shop' });
    await oauth({ refuse_refresh: true });
    await fake('expire', {});

    const failed = await getProduct(user).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(SupplierError);
    expect((failed as SupplierError).message).toMatch(/reconnect it on the Suppliers page/);
    const marked = await row(id);
    expect(marked.status).toBe('needs_reauth');
    expect(marked.statusDetail).toMatch(/Refused shop/);

    // The cron and further calls do not alert again.
    await withDb((db) => refreshDueAliExpressTokens(db, env));
    await withDb((db) => sendReauthAlerts(db, env));
    const again = await getProduct(user).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(Refused);
    expect((again as Refused).message).toMatch(/reconnect it on the Suppliers page/);
    const mail = await fetch(`${new URL(app.EMAIL_API_URL).origin}/__control/emails?to=${encodeURIComponent(address)}`).then((r) => r.json() as Promise<{ emails: { subject: string; text: string }[] }>);
    expect(mail.emails).toHaveLength(1);
    expect(mail.emails[0].subject).toContain('Refused shop');

    const list = await call('/suppliers/accounts', { token: user.token });
    expect(list.json.items.find((a: { id: string }) => a.id === id)).toMatchObject({ status: 'needs_reauth', status_detail: expect.stringMatching(/reconnect/) });

    // Pasting the merchant's own app credentials over it is possible too: a pasted, connected account again.
    const pasted = await call(`/suppliers/accounts/${id}`, { method: 'PUT', token: user.token, body: { credentials: { app_key: 'own', app_secret: 'own-secret', access_token: 'own-token' } } });
    expect(pasted.json).toMatchObject({ auth_type: 'pasted', status: 'connected', status_detail: null, token_expires_at: null });

    // Reconnecting through the app restores the link.
    await oauth({});
    expect(await link(user, { name: 'Refused shop' })).toBe(id);
    expect(await row(id)).toMatchObject({ status: 'connected', authType: 'oauth', reauthAlertedAt: null });
    expect((await getProduct(user)).mode).toBe('live');
  });

  it('the cron refreshes tokens that expire within hours, and warns once days before the authorization ends', async () => {
    await oauth({ access_seconds: 3600, refresh_seconds: 86_400 });
    const user = await registerUser();
    const address = `ae-warn-${crypto.randomUUID().slice(0, 8)}@example.com`;
    await call('/alerts/settings', { method: 'PUT', token: user.token, body: { email: address, email_enabled: true } });
    await confirmAlertAddress(address);
    const id = await link(user, { name: 'Soon ending' });
    const before = await row(id);
    await withDb((db) => refreshDueAliExpressTokens(db, env));
    await withDb((db) => refreshDueAliExpressTokens(db, env));
    const after = await row(id);
    expect(after.tokenVersion).toBeGreaterThan(before.tokenVersion);
    expect(after.status).toBe('connected');
    const mail = await fetch(`${new URL(app.EMAIL_API_URL).origin}/__control/emails?to=${encodeURIComponent(address)}`).then((r) => r.json() as Promise<{ emails: { subject: string; text: string }[] }>);
    expect(mail.emails).toHaveLength(1);
    expect(mail.emails[0].text).toMatch(/ends on \d{4}-\d{2}-\d{2}/);
    await oauth({});
  });
});

describe('the callback’s database round trips (issue 18)', () => {
  const accountsOf = (userId: string) => withDb((db) => db.select().from(supplierAccounts).where(eq(supplierAccounts.userId, userId)));
  const opened = (stored: { id: string; userId: string; credentials: string | null }) => decryptJson<Record<string, string>>(env.ENCRYPTION_KEY, stored.credentials!, supplierCredentials(stored));

  /** The state is consumed and the account's id read in one statement; the credentials, bound to that id, are written in the next. */
  it('costs two: a first link and a renewal', async () => {
    await oauth({});
    const user = await registerUser();
    const first = await SELF.fetch((await approve(await authorize(user))).toString(), { redirect: 'manual' });
    expect(first.headers.get('X-DB-Round-Trips')).toBe('2');
    const again = await SELF.fetch((await approve(await authorize(user))).toString(), { redirect: 'manual' });
    expect(again.headers.get('X-DB-Round-Trips')).toBe('2');
    expect(new URL(again.headers.get('Location')!).searchParams.get('connected')).toBe(new URL(first.headers.get('Location')!).searchParams.get('connected'));
  });

  it('two links of one account name racing: the one that loses the insert stores its tokens on the winner’s row, bound to its id', async () => {
    await oauth({});
    const user = await registerUser();
    const a = await approve(await authorize(user, { name: 'Raced' }));
    const b = await approve(await authorize(user, { name: 'Raced' }));
    // A consumes its state and finds no account; B then completes whole; A exchanges its code and writes.
    let bId = '';
    let bToken = '';
    const raced = await pausedAfterFirstStatement(
      (db) => completeAliExpressAuthorize(db, env, a.searchParams),
      async () => {
        bId = (await callback(b)).searchParams.get('connected')!;
        bToken = (await opened(await row(bId))).access_token;
      },
    );
    expect(raced.result).toEqual({ ok: true, accountId: bId });
    // Its new row lost the insert; one more statement stores the credentials on B's row.
    expect(raced.roundTrips).toBe(3);
    const all = await accountsOf(user.id);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: bId, name: 'Raced', tokenVersion: 2, status: 'connected' });
    const creds = await opened(all[0]);
    expect(creds.access_token).toMatch(/^ae-access-/);
    expect(creds.access_token).not.toBe(bToken);
  });

  it('an account renamed during the token exchange keeps its name and tokens; the link creates the named account anew', async () => {
    await oauth({});
    const user = await registerUser();
    const oldId = await link(user);
    const before = await row(oldId);
    const again = await approve(await authorize(user));
    // The state's statement read oldId under the default name; the merchant renames it before the write.
    const raced = await pausedAfterFirstStatement(
      (db) => completeAliExpressAuthorize(db, env, again.searchParams),
      async () => expect((await call(`/suppliers/accounts/${oldId}`, { method: 'PUT', token: user.token, body: { name: 'Old one' } })).status).toBe(200),
    );
    expect(raced.result.ok).toBe(true);
    const newId = (raced.result as { accountId: string }).accountId;
    expect(newId).not.toBe(oldId);
    expect(await row(oldId)).toMatchObject({ name: 'Old one', tokenVersion: before.tokenVersion, credentials: before.credentials });
    const created = await row(newId);
    expect(created).toMatchObject({ name: 'AliExpress', tokenVersion: 1, userId: user.id });
    expect((await opened(created)).access_token).toMatch(/^ae-access-/);
  });
});

import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq, like } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { shopifyOauthStates, shopifyPendingInstalls, shopifyShopAccounts, storeConnections, users } from '../db/schema';
import { toHex } from '../lib/encoding';
import { claimPendingInstall } from '../services/shopify-oauth';
import { pausedAfterFirstStatement } from './db-interleave';
import { call, openConnectionSecret, registerUser, withDb } from './helpers';
import { signedShopifyDelivery } from './shopify-webhook-support';
import { fakeShopifyShop, pendingShopifyInstall, registerFakeShopifyApp } from './store-fakes';

/**
 * Installs that start in Shopify (API.md §8.1, INTEGRATIONS.md §4c): Shopify opens the
 * app URL with shop, host, timestamp and its hmac; SourcePilot verifies them and goes to
 * the authorize screen at once; after the callback the merchant gives the install to the
 * shop's own account (created once) or attaches it to an account they sign in to.
 */
const app = env as unknown as { SHOPIFY_API_KEY: string; SHOPIFY_API_SECRET: string; FAKE_SHOPIFY_URL: string; CORS_ORIGINS: string };
const DASHBOARD = app.CORS_ORIGINS.split(',')[0].trim();

beforeAll(async () => {
  await registerFakeShopifyApp(app.SHOPIFY_API_KEY, app.SHOPIFY_API_SECRET);
  // The fake's shops share one origin: start without a previous run's account for it.
  await withDb((db) => db.delete(shopifyShopAccounts).where(eq(shopifyShopAccounts.shopOrigin, app.FAKE_SHOPIFY_URL)));
});

async function hmacHex(secret: string, message: string) {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return toHex(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(message)));
}

/** The app URL as Shopify opens it: the parameters sorted and signed with the app's secret. */
async function appUrl(params: Record<string, string>, secret = app.SHOPIFY_API_SECRET) {
  const sorted = new URLSearchParams(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1)));
  const url = new URL('https://api.test/api/v1/connections/shopify/launch');
  url.search = sorted.toString();
  url.searchParams.set('hmac', await hmacHex(secret, sorted.toString()));
  return url.toString();
}

const launchParams = (overrides: Record<string, string> = {}) => ({
  host: btoa('admin.shopify.com/store/fake'),
  shop: app.FAKE_SHOPIFY_URL,
  timestamp: String(Math.floor(Date.now() / 1000)),
  ...overrides,
});

const location = (res: Response) => new URL(res.headers.get('Location') ?? 'about:blank');

/** Launch → authorize → approve → callback; answers the welcome page URL. */
async function installFromShopify(shop: Awaited<ReturnType<typeof fakeShopifyShop>>) {
  const launched = await SELF.fetch(await appUrl(launchParams()), { redirect: 'manual' });
  expect(launched.status).toBe(302);
  const authorize = location(launched);
  expect(authorize.origin + authorize.pathname).toBe(`${app.FAKE_SHOPIFY_URL}/admin/oauth/authorize`);
  expect(authorize.searchParams.get('client_id')).toBe(app.SHOPIFY_API_KEY);
  const [state] = await withDb((db) => db.select().from(shopifyOauthStates).where(eq(shopifyOauthStates.state, authorize.searchParams.get('state')!)));
  expect(state).toMatchObject({ userId: null, shopOrigin: app.FAKE_SHOPIFY_URL });
  const back = await SELF.fetch((await shop.approve(authorize.toString())).toString(), { redirect: 'manual' });
  expect(back.status).toBe(302);
  const welcome = location(back);
  expect(welcome.origin + welcome.pathname).toBe(`${DASHBOARD}/shopify/welcome`);
  expect(welcome.searchParams.get('install')).toMatch(/^[0-9a-f]{48}$/);
  expect(welcome.searchParams.get('shop')).toBe(new URL(app.FAKE_SHOPIFY_URL).host);
  return welcome.searchParams.get('install')!;
}

describe('install from Shopify (the app URL)', () => {
  it('refuses a bad hmac, a stale timestamp, a non-Shopify shop and missing parameters, before any state exists', async () => {
    const before = (await withDb((db) => db.select().from(shopifyOauthStates))).length;
    const refused = async (url: string) => {
      const res = await SELF.fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const to = location(res);
      expect(to.origin + to.pathname).toBe(`${DASHBOARD}/shopify/welcome`);
      return to.searchParams.get('error');
    };
    expect(await refused(await appUrl(launchParams(), 'not-the-secret'))).toBe('invalid_hmac');
    const tampered = new URL(await appUrl(launchParams()));
    tampered.searchParams.set('shop', 'other-shop.myshopify.com');
    expect(await refused(tampered.toString())).toBe('invalid_hmac');
    expect(await refused(await appUrl(launchParams({ timestamp: String(Math.floor(Date.now() / 1000) - 11 * 60) })))).toBe('stale_request');
    expect(await refused(await appUrl(launchParams({ shop: 'evil.example.com' })))).toBe('invalid_shop');
    expect(await refused(await appUrl(launchParams({ shop: 'https://attacker.test' })))).toBe('invalid_shop');
    expect(await refused('https://api.test/api/v1/connections/shopify/launch?shop=x.myshopify.com')).toBe('invalid_request');
    expect((await withDb((db) => db.select().from(shopifyOauthStates))).length).toBe(before);
  });

  it('gives the install to a new account for the shop, signed in, and to the same account on a repeated install; each code works once', async () => {
    const shop = await fakeShopifyShop();
    const code = await installFromShopify(shop);
    const claimed = await call(`/connections/shopify/pending/${code}/account`, { method: 'POST' });
    expect(claimed.status).toBe(200);
    // account_created is true unless a parallel test file's install from Shopify made the fake origin's account first.
    expect(claimed.json).toMatchObject({ token_type: 'bearer', account_created: expect.any(Boolean) });
    const me = await call('/auth/me', { token: claimed.json.access_token });
    expect(me.status).toBe(200);
    const conns = await call('/connections', { token: claimed.json.access_token });
    expect(conns.json.items).toHaveLength(1);
    expect(conns.json.items[0]).toMatchObject({ id: claimed.json.connection_id, platform: 'shopify', store_url: app.FAKE_SHOPIFY_URL, auth_type: 'oauth', status: 'connected' });

    // The code was used: a replay (or a second tab) finds nothing, and nothing is created.
    const again = await call(`/connections/shopify/pending/${code}/account`, { method: 'POST' });
    expect(again.status).toBe(404);
    expect(again.json.detail).toMatch(/expired or was already used/);

    // Opening the app from Shopify again: the same account, the same connection with new tokens.
    // Other test files register users meanwhile: count only accounts made for shops.
    const shopAccounts = async () => (await withDb((db) => db.select({ id: users.id }).from(users).where(like(users.email, '%@shops.sourcepilot.invalid')))).length;
    const usersBefore = await shopAccounts();
    const second = await call(`/connections/shopify/pending/${await installFromShopify(shop)}/account`, { method: 'POST' });
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ connection_id: claimed.json.connection_id, account_created: false });
    expect((await call('/auth/me', { token: second.json.access_token })).json.id).toBe(me.json.id);
    expect(await shopAccounts()).toBe(usersBefore);
    expect(await withDb((db) => db.select().from(storeConnections).where(eq(storeConnections.userId, me.json.id)))).toHaveLength(1);
  });

  it('attaches the install to an account the merchant signs in to, once', async () => {
    const shop = await fakeShopifyShop();
    const user = await registerUser('attach');
    const code = await installFromShopify(shop);
    // Without a session the attach is refused and the install stays pending.
    expect((await call(`/connections/shopify/pending/${code}/attach`, { method: 'POST' })).status).toBe(401);
    const attached = await call(`/connections/shopify/pending/${code}/attach`, { method: 'POST', token: user.token });
    expect(attached.status).toBe(200);
    const conns = (await call('/connections', { token: user.token })).json.items;
    expect(conns).toEqual([expect.objectContaining({ id: attached.json.connection_id, store_url: app.FAKE_SHOPIFY_URL, auth_type: 'oauth', status: 'connected' })]);
    expect((await call(`/connections/shopify/pending/${code}/attach`, { method: 'POST', token: user.token })).status).toBe(404);
    expect((await call(`/connections/shopify/pending/${code}/account`, { method: 'POST' })).status).toBe(404);
    // The pending row is gone; the tokens were only ever stored encrypted.
    expect(await withDb((db) => db.select().from(shopifyPendingInstalls))).not.toContainEqual(expect.objectContaining({ tokens: expect.stringContaining('shpat_') }));
  });

  it('attaches in two round trips, again onto the same connection; a deactivated account’s attach takes nothing (issue 18)', async () => {
    const shop = await fakeShopifyShop();
    const user = await registerUser('attach-rt');
    const first = await call(`/connections/shopify/pending/${await installFromShopify(shop)}/attach`, { method: 'POST', token: user.token });
    expect(first.status).toBe(200);
    expect(first.roundTrips).toBe(2);
    // The connection read in the statement that takes the code: the same row, tokens bound to it again.
    const again = await call(`/connections/shopify/pending/${await installFromShopify(shop)}/attach`, { method: 'POST', token: user.token });
    expect(again).toMatchObject({ status: 200, json: { connection_id: first.json.connection_id }, roundTrips: 2 });
    const [row] = await withDb((db) => db.select().from(storeConnections).where(eq(storeConnections.id, first.json.connection_id)));
    expect(row.tokenVersion).toBe(2);
    expect(await openConnectionSecret(row, row.apiKey!)).toMatch(/^shpat_/);

    // The user check rides with that statement: a deactivated account's attach rolls it back whole.
    const code = await installFromShopify(shop);
    await withDb((db) => db.update(users).set({ isActive: false }).where(eq(users.id, user.id)));
    expect((await call(`/connections/shopify/pending/${code}/attach`, { method: 'POST', token: user.token })).status).toBe(401);
    const other = await registerUser('attach-after');
    expect((await call(`/connections/shopify/pending/${code}/attach`, { method: 'POST', token: other.token })).status).toBe(200);
  });

  it('refuses a malformed code with 422 and an unknown one with 404', async () => {
    expect((await call('/connections/shopify/pending/not-a-code/account', { method: 'POST' })).status).toBe(422);
    expect((await call(`/connections/shopify/pending/${'ab'.repeat(24)}/account`, { method: 'POST' })).status).toBe(404);
  });

  it('app/uninstalled drops installs still waiting for an account; shop/redact also forgets which account was the shop’s', async () => {
    const shop = `shop-${crypto.randomUUID().slice(0, 8)}.myshopify.com`;
    const origin = `https://${shop}`;
    const user = await registerUser('redact-tie');
    const pend = (hash: string) => withDb((db) => db.insert(shopifyPendingInstalls).values({ codeHash: hash, shopOrigin: origin, tokens: 'v1.sealed' }));
    const pendingRows = () => withDb((db) => db.select().from(shopifyPendingInstalls).where(eq(shopifyPendingInstalls.shopOrigin, origin)));
    const deliver = async (topic: string) => {
      const d = await signedShopifyDelivery({ topic, shop, body: { shop_domain: shop } });
      const r = await call('/webhooks/shopify', { rawBody: d.rawBody, headers: d.headers });
      expect(r.status).toBe(200);
    };
    await pend('a'.repeat(64));
    await withDb((db) => db.insert(shopifyShopAccounts).values({ shopOrigin: origin, userId: user.id }));
    await deliver('app/uninstalled');
    expect(await pendingRows()).toEqual([]);
    await pend('b'.repeat(64));
    await deliver('shop/redact');
    expect(await pendingRows()).toEqual([]);
    expect(await withDb((db) => db.select().from(shopifyShopAccounts).where(eq(shopifyShopAccounts.shopOrigin, origin)))).toEqual([]);
  });
});

const claim = (code: string) => call(`/connections/shopify/pending/${code}/account`, { method: 'POST' });
const freshShop = () => `https://race-${crypto.randomUUID().slice(0, 8)}.myshopify.com`;
const connectionsOf = (userId: string) => withDb((db) => db.select().from(storeConnections).where(eq(storeConnections.userId, userId)));
const shopAccountsOf = (origin: string) => withDb((db) => db.select().from(shopifyShopAccounts).where(eq(shopifyShopAccounts.shopOrigin, origin)));
/** The accounts made for a shop (their address starts with `shopify-<host>-`). */
const madeFor = (origin: string) => withDb((db) => db.select({ id: users.id, email: users.email }).from(users).where(like(users.email, `shopify-${new URL(origin).host}-%`)));

describe('claiming an install from Shopify: round trips and races (issue 18)', () => {
  it('costs two round trips for a new shop account and for the same account again; the account’s address names the shop', async () => {
    const origin = freshShop();
    const first = await pendingShopifyInstall(origin);
    const created = await claim(first.code);
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ account_created: true, token_type: 'bearer' });
    expect(created.roundTrips).toBe(2);
    const me = await call('/auth/me', { token: created.json.access_token });
    // As URL.host gives it, lower case, anything else as '-' (also for a loopback origin with a port, below).
    expect(me.json.email).toMatch(new RegExp(`^shopify-${new URL(origin).host.replace(/\./g, '\\.')}-[0-9a-f]{8}@shops\\.sourcepilot\\.invalid$`));
    const [row] = await connectionsOf(me.json.id);
    expect(row).toMatchObject({ id: created.json.connection_id, storeUrl: origin, tokenVersion: 1, isDefault: true });
    expect(await openConnectionSecret(row, row.apiKey!)).toBe(first.token.accessToken);

    const second = await pendingShopifyInstall(origin);
    const again = await claim(second.code);
    expect(again.json).toMatchObject({ account_created: false, connection_id: created.json.connection_id });
    expect(again.roundTrips).toBe(2);
    const [updated] = await connectionsOf(me.json.id);
    expect(updated.tokenVersion).toBe(2);
    expect(await openConnectionSecret(updated, updated.apiKey!)).toBe(second.token.accessToken);

    const local = 'http://127.0.0.1:1';
    await withDb((db) => db.delete(shopifyShopAccounts).where(eq(shopifyShopAccounts.shopOrigin, local)));
    const loopback = await claim((await pendingShopifyInstall(local)).code);
    expect((await call('/auth/me', { token: loopback.json.access_token })).json.email).toMatch(/^shopify-127\.0\.0\.1-1-[0-9a-f]{8}@shops\.sourcepilot\.invalid$/);
  });

  it('two claims of one new shop interleaved: one account, one connection, the tokens bound to it', async () => {
    const origin = freshShop();
    const [a, b] = [await pendingShopifyInstall(origin), await pendingShopifyInstall(origin)];
    // A takes its code and creates the shop's account (no connection yet); B then claims whole,
    // finds that account and creates the connection; A's new row loses the insert to B's.
    let bAnswer: Awaited<ReturnType<typeof claim>> | null = null;
    const raced = await pausedAfterFirstStatement(
      (db) => claimPendingInstall(db, env.ENCRYPTION_KEY, a.code),
      async () => (bAnswer = await claim(b.code)),
    );
    expect(bAnswer!.status).toBe(200);
    expect(bAnswer!.json).toMatchObject({ account_created: false });
    expect(raced.result).toEqual({ userId: raced.result.userId, connectionId: bAnswer!.json.connection_id, created: true });
    expect(raced.roundTrips).toBe(3);
    expect((await call('/auth/me', { token: bAnswer!.json.access_token })).json.id).toBe(raced.result.userId);
    expect(await madeFor(origin)).toEqual([expect.objectContaining({ id: raced.result.userId })]);
    const conns = await connectionsOf(raced.result.userId);
    expect(conns).toHaveLength(1);
    expect(conns[0]).toMatchObject({ tokenVersion: 2, isDefault: true });
    // A wrote last: its token, sealed for B's row.
    expect(await openConnectionSecret(conns[0], conns[0].apiKey!)).toBe(a.token.accessToken);
    expect(await openConnectionSecret(conns[0], conns[0].refreshToken!, 'refresh_token')).toBe(a.token.refreshToken);
  });

  it('many claims of one new shop at once (truly concurrent on PostgreSQL): one account kept, one connection, every answer the same', async () => {
    const origin = freshShop();
    const pending = await Promise.all(Array.from({ length: 5 }, () => pendingShopifyInstall(origin)));
    const answers = await Promise.all(pending.map((p) => claim(p.code)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const ids = await Promise.all(answers.map(async (r) => (await call('/auth/me', { token: r.json.access_token })).json.id));
    expect(new Set(ids).size).toBe(1);
    expect(answers.filter((r) => r.json.account_created)).toHaveLength(1);
    expect(new Set(answers.map((r) => r.json.connection_id)).size).toBe(1);
    // Accounts created by claims that lost the shop's tie are gone again.
    expect(await madeFor(origin)).toEqual([expect.objectContaining({ id: ids[0] })]);
    expect(await shopAccountsOf(origin)).toEqual([expect.objectContaining({ userId: ids[0] })]);
    const conns = await connectionsOf(ids[0]);
    expect(conns).toHaveLength(1);
    expect(conns[0]).toMatchObject({ id: answers[0].json.connection_id, tokenVersion: 5, isDefault: true });
    expect(pending.map((p) => p.token.accessToken)).toContain(await openConnectionSecret(conns[0], conns[0].apiKey!));
  });
});

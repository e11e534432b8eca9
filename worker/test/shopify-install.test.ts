import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { storeConnections } from '../db/schema';
import { completeInstall, type ShopifyAppEnv } from '../services/shopify-oauth';
import { connectorFor } from '../stores';
import { SHOPIFY_SCOPE_NAMES } from '../shared/shopify-scopes';
import { pausedAfterFirstStatement } from './db-interleave';
import { call, openConnectionSecret, registerUser, type TestUser, withDb } from './helpers';
import { fakeShopifyShop, registerFakeShopifyApp } from './store-fakes';

const app = env as unknown as { SHOPIFY_API_KEY: string; SHOPIFY_API_SECRET: string; CORS_ORIGINS: string };
const dashboard = app.CORS_ORIGINS.split(',')[0];

beforeAll(() => registerFakeShopifyApp(app.SHOPIFY_API_KEY, app.SHOPIFY_API_SECRET));

async function install(user: TestUser, shop: string) {
  const r = await call('/connections/shopify/install', { token: user.token, body: { shop } });
  expect(r.status).toBe(200);
  return r.json.authorize_url as string;
}

/** Follows Shopify's redirect to our callback; answers where the callback sends the browser (not followed). */
async function callback(url: URL) {
  const res = await SELF.fetch(url.toString(), { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('Location')!);
}

const rows = (userId: string) => withDb((db) => db.select().from(storeConnections).where(eq(storeConnections.userId, userId)));

describe('Shopify app install', () => {
  it('sends the merchant to the shop’s authorize screen with our scopes, then stores an expiring token on one connection', async () => {
    const shop = await fakeShopifyShop('Linen & Co');
    const user = await registerUser();
    const authorize = new URL(await install(user, shop.storeUrl));
    expect(authorize.origin + authorize.pathname).toBe(`${shop.storeUrl}/admin/oauth/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toEqual({
      client_id: app.SHOPIFY_API_KEY,
      scope: SHOPIFY_SCOPE_NAMES.join(','),
      redirect_uri: 'http://sourcepilot.test/api/v1/connections/shopify/callback',
      state: expect.stringMatching(/^[0-9a-f]{48}$/),
    });

    const back = await callback(await shop.approve(authorize.toString()));
    const id = back.searchParams.get('connected');
    expect(`${back.origin}${back.pathname}`).toBe(`${dashboard}/connections`);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const list = await call('/connections', { token: user.token });
    expect(list.json.items).toEqual([
      expect.objectContaining({ id, platform: 'shopify', store_url: shop.storeUrl, store_name: expect.any(String), is_default: true, auth_type: 'oauth', status: 'connected', scopes: [...SHOPIFY_SCOPE_NAMES], status_detail: null }),
    ]);
    const [row] = await rows(user.id);
    expect(row.tokenExpiresAt!.getTime() - Date.now()).toBeGreaterThan(3500_000);
    expect(row.refreshTokenExpiresAt!.getTime() - Date.now()).toBeGreaterThan(80 * 24 * 3600_000);
    expect(await openConnectionSecret(row, row.refreshToken!, 'refresh_token')).toMatch(/^shprt_/);
    expect(row.apiKey).not.toMatch(/shpat_/);

    expect((await call(`/connections/${id}/test`, { method: 'POST', token: user.token })).json).toEqual({ ok: true, shop_name: 'Linen & Co', detail: null });
    const pushed = await (await connectorFor(env, row)).upsertProduct({
      supplierKey: 'aliexpress:oauth-1',
      title: 'Linen Shirt',
      descriptionHtml: '',
      images: [],
      options: [{ name: 'Size', values: ['M'] }],
      variants: [{ supplierKey: 'oauth-1-M', sku: null, options: { Size: 'M' }, price: 20, compareAt: null, stock: 3, image: null }],
      tags: [],
      published: true,
      currency: 'USD',
    });
    expect(pushed.created).toBe(true);
    expect((await shop.products())[0].variants[0].inventory).toBe(3);

    // Installing again replaces the tokens of the same connection; the old token stops working.
    const again = await callback(await shop.approve(await install(user, shop.storeUrl)));
    expect(again.searchParams.get('connected')).toBe(id);
    const [updated] = await rows(user.id);
    expect(updated.tokenVersion).toBe(row.tokenVersion + 1);
    expect((await rows(user.id)).length).toBe(1);
    const stale = await (await connectorFor(env, row)).testConnection();
    expect(stale.detail).toMatch(/^Shopify rejected the access token/);
    expect((await (await connectorFor(env, updated)).testConnection()).ok).toBe(true);
  });

  it('records the scopes the merchant granted, and Test connection names the missing one', async () => {
    const shop = await fakeShopifyShop('Partial');
    const user = await registerUser();
    const back = await callback(await shop.approve(await install(user, shop.storeUrl), { scopes: ['write_products', 'read_products', 'write_inventory'] }));
    const id = back.searchParams.get('connected');
    const [row] = await rows(user.id);
    expect(row.scopes).toEqual(['write_products', 'write_inventory']);
    const test = await call(`/connections/${id}/test`, { method: 'POST', token: user.token });
    expect(test.json).toMatchObject({ ok: false, detail: expect.stringContaining('read_locations (to find the location that stock is counted at)') });
  });

  it('refuses a forged signature, a stale timestamp, a shop that is not Shopify, and unknown, replayed or foreign state; nothing is stored', async () => {
    const shop = await fakeShopifyShop();
    const user = await registerUser();
    const authorize = await install(user, shop.storeUrl);
    const genuine = await shop.approve(authorize);

    const forged = new URL(genuine);
    forged.searchParams.set('code', 'attacker-code');
    expect((await callback(forged)).search).toBe('?error=invalid_hmac');
    const unsigned = new URL(genuine);
    unsigned.searchParams.delete('hmac');
    expect((await callback(unsigned)).search).toBe('?error=invalid_request');
    const stale = await shop.approve(authorize, { overrides: { timestamp: String(Math.floor(Date.now() / 1000) - 3600) } });
    expect((await callback(stale)).search).toBe('?error=stale_request');
    const elsewhere = await shop.approve(authorize, { overrides: { shop: 'evil.example.com' } });
    expect((await callback(elsewhere)).search).toBe('?error=invalid_shop');
    const unknown = await shop.approve(authorize, { overrides: { state: 'f'.repeat(48) } });
    expect((await callback(unknown)).search).toBe('?error=invalid_state');
    // A state issued for another shop is foreign here.
    const other = new URL(await install(user, 'https://other-shop.myshopify.com'));
    const foreign = await shop.approve(authorize, { overrides: { state: other.searchParams.get('state')! } });
    expect((await callback(foreign)).search).toBe('?error=invalid_state');
    expect(await rows(user.id)).toEqual([]);

    // None of those used up the state: the genuine redirect still works, once.
    expect((await callback(genuine)).searchParams.get('connected')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await callback(genuine)).search).toBe('?error=invalid_state');
    expect(await rows(user.id)).toHaveLength(1);
  });

  it('takes a shop name, domain or URL and refuses anything else with 422', async () => {
    const user = await registerUser();
    for (const shop of ['my-store', 'my-store.myshopify.com', 'https://my-store.myshopify.com', 'https://my-store.myshopify.com/']) {
      expect(new URL(await install(user, shop)).origin).toBe('https://my-store.myshopify.com');
    }
    for (const shop of ['evil.example.com', 'https://my-store.myshopify.com/admin', 'http://my-store.myshopify.com', 'my store', 'http://10.0.0.5:8080']) {
      const r = await call('/connections/shopify/install', { token: user.token, body: { shop } });
      expect(r.status, shop).toBe(422);
      expect(r.json.detail[0]).toMatchObject({ loc: ['body', 'shop'], type: 'value_error' });
    }
    expect((await call('/connections/shopify/install', { body: { shop: 'my-store' } })).status).toBe(401);
  });
});

describe('the callback’s database round trips (issue 18)', () => {
  /** The state is consumed and the connection's id read in one statement; the tokens, bound to that id, are written in the next. */
  it('costs two: a first install and a reinstall', async () => {
    const shop = await fakeShopifyShop();
    const user = await registerUser();
    const first = await SELF.fetch((await shop.approve(await install(user, shop.storeUrl))).toString(), { redirect: 'manual' });
    expect(first.headers.get('X-DB-Round-Trips')).toBe('2');
    const again = await SELF.fetch((await shop.approve(await install(user, shop.storeUrl))).toString(), { redirect: 'manual' });
    expect(again.headers.get('X-DB-Round-Trips')).toBe('2');
    expect(new URL(again.headers.get('Location')!).searchParams.get('connected')).toBe(new URL(first.headers.get('Location')!).searchParams.get('connected'));
  });

  it('two installs of one shop racing: the one that loses the insert stores its tokens on the winner’s row, bound to its id', async () => {
    const shop = await fakeShopifyShop();
    const user = await registerUser();
    const a = await shop.approve(await install(user, shop.storeUrl));
    const b = await shop.approve(await install(user, shop.storeUrl));
    // A consumes its state and finds no connection; B then completes whole; A exchanges its code and writes.
    let bId: string | null = null;
    const raced = await pausedAfterFirstStatement(
      (db) => completeInstall(db, env as unknown as ShopifyAppEnv, a.searchParams),
      async () => (bId = (await callback(b)).searchParams.get('connected')),
    );
    expect(bId).toMatch(/^[0-9a-f-]{36}$/);
    expect(raced.result).toEqual({ ok: true, connectionId: bId });
    // Its new row lost the insert; one more statement stores the tokens on B's row.
    expect(raced.roundTrips).toBe(3);
    const all = await rows(user.id);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: bId, tokenVersion: 2, isDefault: true, status: 'connected' });
    // A's exchange came last, so its token is the shop's live one, and it opens under the row's binding.
    expect(await openConnectionSecret(all[0], all[0].apiKey!)).toMatch(/^shpat_/);
    expect(await openConnectionSecret(all[0], all[0].refreshToken!, 'refresh_token')).toMatch(/^shprt_/);
    expect((await (await connectorFor(env, all[0])).testConnection()).ok).toBe(true);
  });

  it('a connection deleted during the token exchange is not brought back under its old id', async () => {
    const shop = await fakeShopifyShop();
    const user = await registerUser();
    const oldId = (await callback(await shop.approve(await install(user, shop.storeUrl)))).searchParams.get('connected')!;
    const again = await shop.approve(await install(user, shop.storeUrl));
    // The state's statement read oldId; the merchant disconnects the store before the write.
    const raced = await pausedAfterFirstStatement(
      (db) => completeInstall(db, env as unknown as ShopifyAppEnv, again.searchParams),
      async () => expect((await call(`/connections/${oldId}`, { method: 'DELETE', token: user.token })).status).toBe(204),
    );
    expect(raced.result.ok).toBe(true);
    const all = await rows(user.id);
    expect(all).toHaveLength(1);
    expect(all[0].id).not.toBe(oldId);
    expect(raced.result).toEqual({ ok: true, connectionId: all[0].id });
    expect(all[0]).toMatchObject({ tokenVersion: 1, isDefault: true });
    expect(await openConnectionSecret(all[0], all[0].apiKey!)).toMatch(/^shpat_/);
  });
});

describe('the fake Shopify’s expiring tokens (what the refresh code will face)', () => {
  async function tokenGrant(body: Record<string, string>) {
    const res = await fetch(`${(env as unknown as { FAKE_SHOPIFY_URL: string }).FAKE_SHOPIFY_URL}/admin/oauth/access_token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: app.SHOPIFY_API_KEY, client_secret: app.SHOPIFY_API_SECRET, ...body }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  }
  const works = async (storeUrl: string, token: string) =>
    (await fetch(`${storeUrl}/admin/api/${env.SHOPIFY_API_VERSION}/graphql.json`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': token }, body: JSON.stringify({ query: '{ shop { name } }' }) })).status === 200;

  it('rotates refresh tokens, revokes the previous access token on every issue, and expires tokens', async () => {
    const shop = await fakeShopifyShop();
    const user = await registerUser();
    await callback(await shop.approve(await install(user, shop.storeUrl)));
    const [row] = await rows(user.id);
    const a1 = await openConnectionSecret(row, row.apiKey!);
    const r1 = await openConnectionSecret(row, row.refreshToken!, 'refresh_token');
    expect(await works(shop.storeUrl, a1)).toBe(true);

    const second = await tokenGrant({ grant_type: 'refresh_token', refresh_token: r1 });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ access_token: expect.stringMatching(/^shpat_/), refresh_token: expect.stringMatching(/^shprt_/), expires_in: 3600, scope: SHOPIFY_SCOPE_NAMES.join(',') });
    expect(await works(shop.storeUrl, a1)).toBe(false);
    expect(await works(shop.storeUrl, second.body.access_token)).toBe(true);

    // The old refresh token may be retried until its replacement is used...
    const retried = await tokenGrant({ grant_type: 'refresh_token', refresh_token: r1 });
    expect(retried.status).toBe(200);
    expect(await works(shop.storeUrl, second.body.access_token)).toBe(false);
    const third = await tokenGrant({ grant_type: 'refresh_token', refresh_token: retried.body.refresh_token });
    expect(third.status).toBe(200);
    // ...then it is gone.
    expect(await tokenGrant({ grant_type: 'refresh_token', refresh_token: r1 })).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'The refresh token is invalid, expired or revoked' } });
    expect((await tokenGrant({ grant_type: 'refresh_token', refresh_token: r1, client_secret: 'wrong' })).status).toBe(401);

    await shop.expire();
    expect(await works(shop.storeUrl, third.body.access_token)).toBe(false);
    // A custom app's token never expires.
    expect(await works(shop.storeUrl, shop.token)).toBe(true);
  });
});

describe('a connection that needs reconnecting', () => {
  it('is never called: Test connection (and every import, through connectorFor) says to reconnect', async () => {
    const shop = await fakeShopifyShop();
    const user = await registerUser();
    const id = (await callback(await shop.approve(await install(user, shop.storeUrl)))).searchParams.get('connected')!;
    for (const [status, detail] of [
      ['needs_reauth', 'The store no longer accepts SourcePilot’s authorization; reconnect it on the Connections page'],
      ['uninstalled', 'SourcePilot was uninstalled from this store; reconnect it on the Connections page to import or reprice again'],
    ]) {
      await withDb((db) => db.update(storeConnections).set({ status }).where(eq(storeConnections.id, id)));
      const before = (await shop.requests()).length;
      expect((await call(`/connections/${id}/test`, { method: 'POST', token: user.token })).json).toEqual({ ok: false, shop_name: null, detail });
      expect((await shop.requests()).length).toBe(before);
    }
  });
});

import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { importJobs, storeConnections } from '../db/schema';
import worker from '../index';
import { CLIENT_CREDENTIALS_REFUSED } from '../services/shopify-tokens';
import { SHOPIFY_SCOPE_NAMES } from '../shared/shopify-scopes';
import { call, openConnectionSecret, registerUser, setPlan, type TestUser, withDb } from './helpers';
import { fakeShopifyShop, slowFakeShopifyRefresh } from './store-fakes';

/**
 * A merchant's own Dev Dashboard app (API.md §8.1, INTEGRATIONS.md §4c): SourcePilot
 * gets its tokens by the client credentials grant (86399 s, no refresh token) and asks
 * again before they expire, one renewal per connection at a time.
 */
afterEach(() => slowFakeShopifyRefresh(0));

const aliUrl = () => `https://www.aliexpress.com/item/${Math.floor(1e15 + Math.random() * 9e15)}.html`;
const connection = async (id: string) => (await withDb((db) => db.select().from(storeConnections).where(eq(storeConnections.id, id))))[0];

async function connected() {
  const user = await registerUser();
  await setPlan(user.id, 'pro');
  const shop = await fakeShopifyShop();
  const app = await shop.ownApp();
  const created = await call('/connections', { token: user.token, body: { store_name: 'Own app', platform: 'shopify', store_url: shop.storeUrl, client_id: app.clientId, client_secret: app.clientSecret } });
  expect(created.status).toBe(201);
  return { user, shop, app, id: created.json.id as string, created: created.json };
}

async function deliver(user: TestUser, connectionId: string) {
  const [row] = await withDb((db) => db.insert(importJobs).values({ userId: user.id, storeId: connectionId, source: 'aliexpress', sourceUrl: aliUrl() }).returning({ id: importJobs.id }));
  const batch = createMessageBatch('sourcepilot-imports', [{ id: `m-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body: { jobId: row.id } }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  await getQueueResult(batch, ctx);
  return (await call(`/imports/${row.id}`, { token: user.token })).json;
}

describe('Shopify through the merchant’s own app (client credentials)', () => {
  it('obtains a token at once, keeps the secret encrypted, and imports reach the store', async () => {
    const { user, shop, app, id, created } = await connected();
    expect(created).toMatchObject({ platform: 'shopify', auth_type: 'client_credentials', status: 'connected', scopes: expect.arrayContaining(['write_products']) });
    expect(JSON.stringify(created)).not.toContain(app.clientSecret);
    const row = await connection(id);
    expect(row.clientId).toBe(app.clientId);
    expect(row.clientSecret).not.toContain(app.clientSecret);
    expect(await openConnectionSecret(row, row.clientSecret!, 'client_secret')).toBe(app.clientSecret);
    expect(row.tokenExpiresAt!.getTime() - Date.now()).toBeGreaterThan(86_000_000);
    expect(row.refreshToken).toBeNull();

    expect((await call(`/connections/${id}/test`, { method: 'POST', token: user.token })).json).toMatchObject({ ok: true, shop_name: shop.name });
    expect((await deliver(user, id)).status).toBe('completed');
    expect(await shop.products()).toHaveLength(1);
  });

  it('renews before expiry with the client credentials grant, once for many concurrent imports, never calling with a revoked token', async () => {
    const { user, shop, id } = await connected();
    const before = await connection(id);
    // The fake counts client credentials grants as refreshes: the first one made the connection.
    expect((await shop.auth()).refreshes).toBe(1);
    await slowFakeShopifyRefresh(300);
    // A minute left, on the shop and in the row: every consumer must renew before calling.
    await shop.expire(60_000);
    await withDb((db) => db.update(storeConnections).set({ tokenExpiresAt: new Date(Date.now() + 60_000) }).where(eq(storeConnections.id, id)));
    const jobs = await Promise.all(Array.from({ length: 8 }, () => deliver(user, id)));
    expect(jobs.map((j) => j.status)).toEqual(Array(8).fill('completed'));
    expect(await shop.auth()).toMatchObject({ refreshes: 2, maxConcurrentRefreshes: 1, revokedTokenCalls: 0 });
    const after = await connection(id);
    expect(after.tokenVersion).toBe(before.tokenVersion + 1);
    expect(after.tokenExpiresAt!.getTime() - Date.now()).toBeGreaterThan(86_000_000);
  });

  it('a secret Shopify no longer accepts marks the connection needs_reauth with a message to enter it again', async () => {
    const { user, shop, id } = await connected();
    await withDb(async (db) => {
      const { connectionSecret, encryptSecret } = await import('../lib/secrets');
      const sealed = await encryptSecret(env.ENCRYPTION_KEY, 'shpss_rotated', connectionSecret('client_secret', { id, userId: user.id }));
      await db.update(storeConnections).set({ clientSecret: sealed }).where(eq(storeConnections.id, id));
    });
    await shop.expire();
    const job = await deliver(user, id);
    expect(job.status).toBe('failed');
    expect(job.error_message).toContain(CLIENT_CREDENTIALS_REFUSED);
    const list = await call('/connections', { token: user.token });
    expect(list.json.items[0]).toMatchObject({ status: 'needs_reauth', status_detail: CLIENT_CREDENTIALS_REFUSED });
  });

  it('refuses a wrong secret, half a pair, another platform or both kinds of credential with 422; nothing is stored', async () => {
    const user = await registerUser();
    const shop = await fakeShopifyShop();
    const app = await shop.ownApp();
    const body = { store_name: 'Own app', platform: 'shopify', store_url: shop.storeUrl };
    const wrong = await call('/connections', { token: user.token, body: { ...body, client_id: app.clientId, client_secret: 'shpss_wrong' } });
    expect(wrong.status).toBe(422);
    expect(wrong.json.detail[0].loc).toEqual(['body', 'client_secret']);
    expect(JSON.stringify(wrong.json)).not.toContain('shpss_wrong');
    expect((await call('/connections', { token: user.token, body: { ...body, client_id: app.clientId } })).json.detail[0].loc).toEqual(['body', 'client_secret']);
    expect((await call('/connections', { token: user.token, body: { ...body, platform: 'woocommerce', client_id: app.clientId, client_secret: app.clientSecret } })).status).toBe(422);
    expect((await call('/connections', { token: user.token, body: { ...body, api_key: shop.token, client_id: app.clientId, client_secret: app.clientSecret } })).json.detail[0].loc).toEqual(['body', 'api_key']);
    expect((await call('/connections', { token: user.token })).json.items).toEqual([]);
  });

  it('legacy shpat_ tokens keep working as pasted tokens', async () => {
    const user = await registerUser();
    const shop = await fakeShopifyShop();
    const created = await call('/connections', { token: user.token, body: { store_name: 'Legacy', platform: 'shopify', store_url: shop.storeUrl, api_key: shop.token } });
    expect(created.json).toMatchObject({ auth_type: 'token', scopes: null });
    expect((await call(`/connections/${created.json.id}/test`, { method: 'POST', token: user.token })).json).toMatchObject({ ok: true });
    expect(SHOPIFY_SCOPE_NAMES.length).toBeGreaterThan(0);
  });
});

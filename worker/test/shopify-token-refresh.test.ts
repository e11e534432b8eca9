import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { importJobs, storeConnections } from '../db/schema';
import { REAUTH_MESSAGE } from '../services/shopify-tokens';
import { call, openConnectionSecret, registerUser, setPlan, type TestUser, withDb } from './helpers';
import { fakeShopifyShop, registerFakeShopifyApp, slowFakeShopifyRefresh } from './store-fakes';
import { deliverImport } from './queue-helpers';

/**
 * Installed-app connections hold expiring tokens (INTEGRATIONS.md §4c): the fake issues
 * them for an hour, rotates the refresh token on every refresh and revokes the previous
 * access token whenever it issues a new one, as Shopify does.
 */
const app = env as unknown as { SHOPIFY_API_KEY: string; SHOPIFY_API_SECRET: string };

beforeAll(() => registerFakeShopifyApp(app.SHOPIFY_API_KEY, app.SHOPIFY_API_SECRET));
afterEach(() => slowFakeShopifyRefresh(0));

const aliUrl = () => `https://www.aliexpress.com/item/${Math.floor(1e15 + Math.random() * 9e15)}.html`;

/** A pro user with a Shopify shop connected through the app install. */
async function installed() {
  const user = await registerUser();
  await setPlan(user.id, 'pro');
  const shop = await fakeShopifyShop();
  const started = await call('/connections/shopify/install', { token: user.token, body: { shop: shop.storeUrl } });
  expect(started.status).toBe(200);
  const back = await SELF.fetch((await shop.approve(started.json.authorize_url)).toString(), { redirect: 'manual' });
  const connectionId = new URL(back.headers.get('Location')!).searchParams.get('connected')!;
  expect(connectionId).toMatch(/^[0-9a-f-]{36}$/);
  return { user, shop, connectionId };
}

const connection = async (id: string) => (await withDb((db) => db.select().from(storeConnections).where(eq(storeConnections.id, id))))[0];

async function unqueuedJob(user: TestUser, connectionId: string) {
  const [row] = await withDb((db) => db.insert(importJobs).values({ userId: user.id, storeId: connectionId, source: 'aliexpress', sourceUrl: aliUrl() }).returning({ id: importJobs.id }));
  return row.id;
}

const job = async (user: TestUser, id: string) => (await call(`/imports/${id}`, { token: user.token })).json;

describe('Shopify token refresh', () => {
  it('refreshes a token that expires within the margin before calling, so no call fails', async () => {
    const { user, shop, connectionId } = await installed();
    const before = await connection(connectionId);
    // Fifty-nine minutes later: the token has a minute left, on the shop and in the row.
    await shop.expire(60_000);
    await withDb((db) => db.update(storeConnections).set({ tokenExpiresAt: new Date(Date.now() + 60_000) }).where(eq(storeConnections.id, connectionId)));

    const id = await unqueuedJob(user, connectionId);
    await deliverImport(id);
    expect((await job(user, id)).status).toBe('completed');
    expect(await shop.auth()).toMatchObject({ refreshes: 1, unauthorizedCalls: 0, revokedTokenCalls: 0 });

    const after = await connection(connectionId);
    expect(after.tokenVersion).toBe(before.tokenVersion + 1);
    expect(after.tokenExpiresAt!.getTime() - Date.now()).toBeGreaterThan(3500_000);
    expect(after.refreshClaimedUntil).toBeNull();
    // Rotation: both tokens are new, and stored encrypted.
    expect(await openConnectionSecret(after, after.refreshToken!, 'refresh_token')).not.toBe(await openConnectionSecret(before, before.refreshToken!, 'refresh_token'));
    expect(await openConnectionSecret(after, after.apiKey!)).not.toBe(await openConnectionSecret(before, before.apiKey!));
  });

  it('refreshes once after a 401 and retries the call', async () => {
    const { user, shop, connectionId } = await installed();
    // The shop lets the token lapse while the row still trusts it (a clock ahead, an hour skipped).
    await shop.expire();
    const id = await unqueuedJob(user, connectionId);
    const result = await deliverImport(id);
    expect(result.retryMessages).toHaveLength(0);
    expect((await job(user, id)).status).toBe('completed');
    expect(await shop.auth()).toMatchObject({ refreshes: 1, unauthorizedCalls: 1, revokedTokenCalls: 0 });
    expect(await shop.products()).toHaveLength(1);
  });

  it('20 concurrent imports across an expiry all complete, with one refresh at a time and no call on a revoked token', async () => {
    const { user, shop, connectionId } = await installed();
    const before = await connection(connectionId);
    // A slow refresh keeps the window open in which a second refresh would overlap the first.
    await slowFakeShopifyRefresh(300);
    const ids = await Promise.all(Array.from({ length: 20 }, () => unqueuedJob(user, connectionId)));
    const first = ids.slice(0, 10).map((id) => deliverImport(id));
    // The token expires once the first products are in: some imports are mid-run, the rest start after.
    for (let i = 0; i < 200 && (await shop.products()).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await shop.expire();
    const rest = ids.slice(10).map((id) => deliverImport(id));
    const results = await Promise.all([...first, ...rest]);
    expect(results.flatMap((r) => r.retryMessages)).toEqual([]);

    for (const id of ids) expect((await job(user, id)).status).toBe('completed');
    expect(await shop.products()).toHaveLength(20);
    const auth = await shop.auth();
    expect(auth).toMatchObject({ refreshes: 1, maxConcurrentRefreshes: 1, staleRefreshes: 0, revokedTokenCalls: 0 });
    expect((await connection(connectionId)).tokenVersion).toBe(before.tokenVersion + 1);
  });

  it('marks the connection needs_reauth when Shopify refuses the refresh, and the job tells the merchant to reconnect', async () => {
    const { user, shop, connectionId } = await installed();
    // The app was uninstalled: the access and refresh tokens are gone.
    await shop.revoke();
    const id = await unqueuedJob(user, connectionId);
    const result = await deliverImport(id);
    expect(result.retryMessages).toHaveLength(0);
    const failed = await job(user, id);
    expect(failed.status).toBe('failed');
    expect(failed.error_message).toContain(REAUTH_MESSAGE);
    const row = await connection(connectionId);
    expect(row).toMatchObject({ status: 'needs_reauth', statusDetail: REAUTH_MESSAGE, refreshClaimedUntil: null });

    // The next job fails at once, without calling Shopify.
    const next = await unqueuedJob(user, connectionId);
    await deliverImport(next);
    expect((await job(user, next)).error_message).toContain('reconnect it on the Connections page');
  });
});

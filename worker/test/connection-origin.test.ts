import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { storeConnections } from '../db/schema';
import { call, openConnectionSecret, registerUser, type TestUser, withDb } from './helpers';
import { fakeWooStore } from './store-fakes';

/** The fake WooCommerce server under two origins: 127.0.0.1 (as store-fakes gives it) and localhost. */
const wooOrigin = (env as unknown as { FAKE_WOOCOMMERCE_URL: string }).FAKE_WOOCOMMERCE_URL;
const otherOrigin = wooOrigin.replace('127.0.0.1', 'localhost');

const row = async (id: string) => (await withDb((db) => db.select().from(storeConnections).where(eq(storeConnections.id, id))))[0];
const put = (user: TestUser, id: string, body: Record<string, unknown>) => call(`/connections/${id}`, { method: 'PUT', token: user.token, body });

async function wooConnection(user: TestUser) {
  const store = await fakeWooStore();
  const created = await call('/connections', { token: user.token, body: { store_name: 'Woo', platform: 'woocommerce', store_url: wooOrigin, api_key: store.apiKey } });
  expect(created.status).toBe(201);
  return { store, id: created.json.id as string };
}

describe('a store URL changing origin needs new credentials (API.md §8.3)', () => {
  it('refuses a new origin without credentials with 422; the stored key keeps its origin and Test connection calls only there', async () => {
    const user = await registerUser();
    const { store, id } = await wooConnection(user);
    const before = await row(id);

    const moved = await put(user, id, { store_url: otherOrigin });
    expect(moved.status).toBe(422);
    expect(moved.json.detail).toEqual([expect.objectContaining({ loc: ['body', 'store_url'], msg: 'A new store URL needs new credentials' })]);
    // Combined with other changes, nothing of the PUT is applied.
    expect((await put(user, id, { store_url: 'https://evil.example.com', store_name: 'Renamed' })).status).toBe(422);
    expect(await row(id)).toEqual(before);

    const tested = await call(`/connections/${id}/test`, { method: 'POST', token: user.token });
    expect(tested.json).toMatchObject({ ok: true, shop_name: store.name });

    // The same origin spelled differently is not a new origin.
    const same = await put(user, id, { store_url: `${wooOrigin}/` });
    expect(same.status).toBe(200);
    expect(same.json.store_url).toBe(`${wooOrigin}/`);
  });

  it('takes a new origin together with new credentials; Test connection then uses them there', async () => {
    const user = await registerUser();
    const { id } = await wooConnection(user);
    const second = await fakeWooStore('Moved store');
    const moved = await put(user, id, { store_url: otherOrigin, api_key: second.apiKey });
    expect(moved.status).toBe(200);
    expect(moved.json).toMatchObject({ store_url: otherOrigin, auth_type: 'keys', status: 'connected' });
    expect(await openConnectionSecret(await row(id), (await row(id)).apiKey!)).toBe(second.apiKey);
    expect((await call(`/connections/${id}/test`, { method: 'POST', token: user.token })).json).toMatchObject({ ok: true, shop_name: 'Moved store' });
  });

  it('a connection without credentials may move freely', async () => {
    const user = await registerUser();
    const created = await call('/connections', { token: user.token, body: { store_name: 'Empty', platform: 'woocommerce', store_url: wooOrigin } });
    expect((await put(user, created.json.id, { store_url: otherOrigin })).status).toBe(200);
  });

  it('a pasted token replaces an installed app’s tokens: auth_type token, refresh state cleared', async () => {
    const user = await registerUser();
    const { id } = await wooConnection(user);
    await withDb((db) =>
      db.update(storeConnections).set({ platform: 'shopify', authType: 'oauth', refreshToken: 'sealed', scopes: ['write_products'], status: 'needs_reauth', statusDetail: 'x' }).where(eq(storeConnections.id, id)),
    );
    const pasted = await put(user, id, { api_key: 'shpat_legacy' });
    expect(pasted.json).toMatchObject({ auth_type: 'token', status: 'connected', scopes: null, status_detail: null });
    expect((await row(id)).refreshToken).toBeNull();
  });

  it('interleaved: a same-origin rename racing a move with new keys never leaves a key on an origin it was not given for', async () => {
    const user = await registerUser();
    for (let i = 0; i < 8; i++) {
      const { store, id } = await wooConnection(user);
      const second = await fakeWooStore();
      const [rename, move] = await Promise.all([put(user, id, { store_url: `${wooOrigin}/` }), put(user, id, { store_url: otherOrigin, api_key: second.apiKey })]);
      expect(move.status).toBe(200);
      expect([200, 422]).toContain(rename.status);
      const final = await row(id);
      const key = await openConnectionSecret(final, final.apiKey!);
      if (new URL(final.storeUrl).origin === wooOrigin) expect(key).toBe(store.apiKey);
      else expect(key).toBe(second.apiKey);
      await call(`/connections/${id}`, { method: 'DELETE', token: user.token });
    }
  });
});

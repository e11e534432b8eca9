import { env } from 'cloudflare:workers';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { storeConnections } from '../db/schema';
import { connectorFor } from '../stores';
import { call, openConnectionSecret, registerUser, type TestUser, withDb } from './helpers';
import { approveWooAuthorization, fakeWooStore } from './store-fakes';

const app = env as unknown as { CORS_ORIGINS: string; FAKE_WOOCOMMERCE_URL: string };
const dashboard = app.CORS_ORIGINS.split(',')[0];
const storeUrl = app.FAKE_WOOCOMMERCE_URL;

async function authorize(user: TestUser, url = storeUrl) {
  const r = await call('/connections/woocommerce/authorize', { token: user.token, body: { store_url: url } });
  expect(r.status).toBe(200);
  return r.json.authorize_url as string;
}

const rows = (userId: string) => withDb((db) => db.select().from(storeConnections).where(eq(storeConnections.userId, userId)));

const product = {
  supplierKey: 'aliexpress:woo-auth-1',
  title: 'Canvas Tote',
  descriptionHtml: '',
  images: [],
  options: [],
  variants: [{ supplierKey: 'woo-auth-1', sku: null, options: {}, price: 12, compareAt: null, stock: 4, image: null }],
  tags: [],
  published: true,
  currency: 'USD',
};

describe('WooCommerce one-click connection', () => {
  it('sends the merchant to the store’s approve screen, stores the delivered keys encrypted on one connection, and an import reaches the store', async () => {
    const user = await registerUser();
    const url = new URL(await authorize(user));
    expect(url.origin + url.pathname).toBe(`${storeUrl}/wc-auth/v1/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      app_name: 'SourcePilot',
      scope: 'read_write',
      user_id: expect.stringMatching(/^[0-9a-f]{48}$/),
      return_url: `${dashboard}/connections`,
      callback_url: 'http://sourcepilot.test/api/v1/connections/woocommerce/callback',
    });

    const approved = await approveWooAuthorization(url.toString(), 'Canvas & Co');
    expect(await approved.deliver()).toBe(200);
    expect(await approved.keysAlive()).toBe(true);
    expect(approved.returnUrl.searchParams.get('success')).toBe('1');

    const list = await call('/connections', { token: user.token });
    expect(list.json.items).toEqual([
      expect.objectContaining({ platform: 'woocommerce', store_url: storeUrl, store_name: '127.0.0.1', is_default: true, auth_type: 'keys', status: 'connected', scopes: null, status_detail: null }),
    ]);
    const [row] = await rows(user.id);
    expect(row.apiKey).not.toContain('ck_');
    expect(await openConnectionSecret(row, row.apiKey!)).toBe(`${approved.payload.consumer_key}:${approved.payload.consumer_secret}`);

    expect((await call(`/connections/${row.id}/test`, { method: 'POST', token: user.token })).json).toMatchObject({ ok: true, shop_name: 'Canvas & Co' });
    expect((await (await connectorFor(env, row)).upsertProduct(product)).created).toBe(true);
    expect((await approved.products()).map((p) => p.name)).toEqual(['Canvas Tote']);

    // The same delivery again (WooCommerce retrying) is answered 200 and changes nothing.
    expect(await approved.deliver()).toBe(200);
    expect(await approved.keysAlive()).toBe(true);
    expect((await rows(user.id)).map((r) => r.apiKey)).toEqual([row.apiKey]);

    // Approving again replaces the keys of the same connection.
    const again = await approveWooAuthorization(await authorize(user));
    expect(await again.deliver()).toBe(200);
    const after = await rows(user.id);
    expect(after.map((r) => r.id)).toEqual([row.id]);
    expect(await openConnectionSecret(after[0], after[0].apiKey!)).toBe(`${again.payload.consumer_key}:${again.payload.consumer_secret}`);
  });

  it('refuses an unknown, used, expired or altered user_id with 400, and the store then deletes the keys; nothing is stored', async () => {
    const user = await registerUser();
    const unknown = await approveWooAuthorization(await authorize(user));
    expect(await unknown.deliver({ ...unknown.payload, user_id: 'f'.repeat(48) })).toBe(400);
    expect(await unknown.keysAlive()).toBe(false);

    // Used once; other keys on the same user_id are not a repeat.
    const used = await approveWooAuthorization(await authorize(user));
    expect(await used.deliver()).toBe(200);
    const other = await fakeWooStore();
    expect(await used.deliver({ ...used.payload, consumer_key: other.consumerKey, consumer_secret: other.consumerSecret })).toBe(400);
    expect(await openConnectionSecret((await rows(user.id))[0], (await rows(user.id))[0].apiKey!)).toBe(`${used.payload.consumer_key}:${used.payload.consumer_secret}`);

    // Older than 15 minutes.
    const stranger = await registerUser();
    const late = await approveWooAuthorization(await authorize(stranger));
    await withDb((db) => db.execute(sql`UPDATE woo_auth_requests SET created_at = now() - interval '16 minutes' WHERE token = ${late.payload.user_id as string}`));
    expect(await late.deliver()).toBe(400);
    expect(await late.keysAlive()).toBe(false);
    expect(await rows(stranger.id)).toEqual([]);

    // Read-only keys are not what we asked for.
    const readOnly = await approveWooAuthorization(await authorize(stranger));
    expect(await readOnly.deliver({ ...readOnly.payload, key_permissions: 'read' })).toBe(400);
    expect(await rows(stranger.id)).toEqual([]);
  });

  it('answers every copy of a delivery that arrives at once with 200 and makes one connection', async () => {
    const user = await registerUser();
    const approved = await approveWooAuthorization(await authorize(user));
    const statuses = await Promise.all(Array.from({ length: 6 }, () => approved.deliver()));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect((await rows(user.id)).length).toBe(1);
  });

  it('keys land on the user who started the authorization, never on another', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const approved = await approveWooAuthorization(await authorize(alice));
    expect(await approved.deliver()).toBe(200);
    expect((await rows(alice.id)).length).toBe(1);
    expect(await rows(bob.id)).toEqual([]);
  });

  it('checks the store URL like a connection and needs a signed-in caller with write access', async () => {
    const user = await registerUser();
    const bad = await call('/connections/woocommerce/authorize', { token: user.token, body: { store_url: 'ftp://shop.example.com' } });
    expect(bad.status).toBe(422);
    expect(bad.json.detail[0].loc).toEqual(['body', 'store_url']);
    expect((await call('/connections/woocommerce/authorize', { body: { store_url: storeUrl } })).status).toBe(401);
  });
});

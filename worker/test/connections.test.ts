import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { storeConnections } from '../db/schema';
import { answer, api, openConnectionSecret, rawCall, registerUser, type TestUser, userWithKey, withDb } from './helpers';

let shopCounter = 0;
const shopUrl = () => `https://sp-${crypto.randomUUID().slice(0, 8)}-${shopCounter++}.myshopify.com`;

async function connect(user: TestUser, body: Record<string, unknown> = {}) {
  const r = await answer(api({ token: user.token }).connections.$post({ json: { store_name: `Store ${shopCounter}`, platform: 'shopify', store_url: shopUrl(), api_key: 'shpat_0123456789abcdef', ...body } }));
  if (r.status !== 201) throw new Error(`connect failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json as { id: string; store_url: string; is_default: boolean; created_at: string };
}

const list = async (user: TestUser) => (await answer(api({ token: user.token }).connections.$get())).json.items as { id: string; is_default: boolean; store_name: string }[];

const rawRow = (id: string) =>
  withDb(async (db) => (await db.execute<Record<string, unknown>>(sql`SELECT * FROM store_connections WHERE id = ${id}`)).rows[0]);

describe('POST /connections', () => {
  it('creates the first connection as default, later ones not, and never returns or stores the key in clear', async () => {
    const user = await registerUser();
    const first = await answer(api({ token: user.token }).connections.$post({ json: { store_name: 'Main shop', platform: 'shopify', store_url: 'https://main-shop.myshopify.com', api_key: 'shpat_supersecret_value_1234' } }));
    expect(first.status).toBe(201);
    expect(first.roundTrips).toBeLessThanOrEqual(3);
    expect(Object.keys(first.json).sort()).toEqual(['auth_type', 'created_at', 'demo', 'id', 'is_default', 'platform', 'scopes', 'status', 'status_detail', 'store_name', 'store_url', 'updated_at', 'user_id']);
    expect(first.json).toMatchObject({ user_id: user.id, store_name: 'Main shop', platform: 'shopify', store_url: 'https://main-shop.myshopify.com', is_default: true });
    expect(first.json).toMatchObject({ auth_type: 'token', status: 'connected', scopes: null, status_detail: null });
    expect(first.json.created_at).toMatch(/Z$/);
    const second = await connect(user);
    expect(second.is_default).toBe(false);

    const row = await rawRow(first.json.id);
    expect(JSON.stringify(row)).not.toContain('supersecret');
    expect(String(row.api_key)).toMatch(/^v2\.k1\./);
    expect(await openConnectionSecret({ id: first.json.id, userId: user.id }, String(row.api_key))).toBe('shpat_supersecret_value_1234');
  });

  it('refuses the same store_url twice for a user with 409, exact match only', async () => {
    const user = await registerUser();
    const url = shopUrl();
    await connect(user, { store_url: url });
    const dup = await answer(api({ token: user.token }).connections.$post({ json: { store_name: 'Again', platform: 'shopify', store_url: url } }));
    expect(dup.status).toBe(409);
    expect(dup.json).toEqual({ detail: `Store URL already connected: ${url}` });
    expect(dup.roundTrips).toBeLessThanOrEqual(3);
    // The contract compares exact strings: a trailing slash is another URL.
    expect((await answer(api({ token: user.token }).connections.$post({ json: { store_name: 'Slash', platform: 'shopify', store_url: `${url}/` } }))).status).toBe(201);
    const other = await registerUser();
    expect((await answer(api({ token: other.token }).connections.$post({ json: { store_name: 'Theirs', platform: 'shopify', store_url: url } }))).status).toBe(201);
  });

  it('enforces the store URL rules of each platform with a clear 422', async () => {
    const user = await registerUser();
    const bad: [string, string, RegExp][] = [
      ['shopify', 'https://myshop.com', /Shopify store URL must be https:\/\/<shop>\.myshopify\.com/],
      ['shopify', 'http://myshop.myshopify.com', /Shopify store URL must be https/],
      ['shopify', 'https://myshop.myshopify.com/admin', /without a path/],
      ['Shopify', 'https://myshop.myshopify.com:8443', /Shopify store URL/],
      ['shopify', 'myshop.myshopify.com', /full address/],
      ['woocommerce', 'http://shop.example.com', /WooCommerce store URL must use https/],
      ['woocommerce', 'https://user:pw@shop.example.com', /user name or password/],
      ['woocommerce', 'https://shop.example.com/?a=1', /without a path, query/],
      ['woocommerce', 'ftp://shop.example.com', /must start with https/],
      ['woocommerce', ' https://shop.example.com', /spaces/],
    ];
    for (const [platform, store_url, msg] of bad) {
      const r = await answer(api({ token: user.token }).connections.$post({ json: { store_name: 'x', platform, store_url, api_key: 'ck_a:cs_b' } }));
      expect(r.status, store_url).toBe(422);
      expect(r.json.detail[0], store_url).toMatchObject({ type: 'value_error', loc: ['body', 'store_url'], input: store_url });
      expect(r.json.detail[0].msg, store_url).toMatch(msg);
    }
    for (const [platform, store_url] of [
      ['shopify', 'https://my-shop-2.myshopify.com'],
      ['woocommerce', 'https://shop.example.com'],
      ['woocommerce', 'https://shop.example.com:8443/'],
      // Free-text platforms have no connector: stored as sent.
      ['bigcommerce', 'whatever we were given'],
    ]) {
      const r = await answer(api({ token: user.token }).connections.$post({ json: { store_name: 'ok', platform, store_url, api_key: platform === 'woocommerce' ? 'ck_abc:cs_def' : null } }));
      expect(r.status, store_url).toBe(201);
    }
  });

  it('requires ck_…:cs_… for WooCommerce credentials and never echoes them', async () => {
    const user = await registerUser();
    const r = await answer(api({ token: user.token }).connections.$post({ json: { store_name: 'Woo', platform: 'woocommerce', store_url: 'https://woo.example.org', api_key: 'just-one-key' } }));
    expect(r.status).toBe(422);
    expect(r.json.detail[0]).toMatchObject({ loc: ['body', 'api_key'], type: 'value_error' });
    expect(r.json.detail[0].msg).toContain('ck_…:cs_…');
    expect(JSON.stringify(r.json)).not.toContain('just-one-key');
  });

  it('only lets loopback and private hosts through when ALLOW_LOCAL_STORES is on', async () => {
    const { checkStoreUrl } = await import('../lib/store-url');
    for (const url of ['http://127.0.0.1:8080', 'http://localhost:3000', 'https://10.0.0.5', 'https://192.168.1.20', 'http://[::1]:9000', 'https://2130706433', 'https://intranet', 'https://shop.internal']) {
      expect(checkStoreUrl('woocommerce', url, false), url).toMatchObject({ ok: false, msg: expect.stringMatching(/public address/) });
      expect(checkStoreUrl('shopify', url, true), url).toMatchObject({ ok: true });
    }
    expect(checkStoreUrl('woocommerce', 'https://8.8.8.8', false)).toMatchObject({ ok: true, origin: 'https://8.8.8.8' });
    // Tests run with ALLOW_LOCAL_STORES=true, as dev does.
    const user = await registerUser();
    expect((await answer(api({ token: user.token }).connections.$post({ json: { store_name: 'Fake', platform: 'woocommerce', store_url: 'http://127.0.0.1:9', api_key: 'ck_1:cs_2' } }))).status).toBe(201);
  });

  it('answers malformed bodies with 422, overlong fields included, and checks auth first', async () => {
    const user = await registerUser();
    const base = { store_name: 'n', platform: 'shopify', store_url: shopUrl() };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...base, store_name: undefined }, 'missing', 'store_name'],
      [{ ...base, store_name: 'n'.repeat(256) }, 'string_too_long', 'store_name'],
      [{ ...base, platform: '' }, 'string_too_short', 'platform'],
      [{ ...base, platform: 'p'.repeat(51) }, 'string_too_long', 'platform'],
      [{ ...base, store_url: 'https://x.myshopify.com/' + 'a'.repeat(500) }, 'string_too_long', 'store_url'],
      [{ ...base, api_key: 'k'.repeat(501) }, 'string_too_long', 'api_key'],
      [{ ...base, api_key: 42 }, 'string_type', 'api_key'],
    ];
    for (const [body, type, field] of cases) {
      const r = await rawCall('/connections', { token: user.token, body });
      expect(r.status, field).toBe(422);
      expect(r.json.detail[0], field).toMatchObject({ type, loc: ['body', field] });
    }
    expect((await rawCall('/connections', { body: { store_name: 5 } })).status).toBe(401);
    expect((await rawCall('/connections', { token: user.token, rawBody: '[' })).json.detail[0].type).toBe('json_invalid');
  });
});

describe('GET /connections', () => {
  it('lists default first then by name, only the caller’s, without keys', async () => {
    const user = await registerUser();
    const other = await registerUser();
    await connect(user, { store_name: 'Mango' });
    await connect(user, { store_name: 'Apple' });
    await connect(user, { store_name: 'Zebra' });
    await connect(other, { store_name: 'Aardvark' });
    const r = await answer(api({ token: user.token }).connections.$get());
    expect(r.status).toBe(200);
    expect(r.roundTrips).toBeLessThanOrEqual(2);
    expect(Object.keys(r.json)).toEqual(['items']);
    expect(r.json.items.map((c: { store_name: string }) => c.store_name)).toEqual(['Mango', 'Apple', 'Zebra']);
    expect(JSON.stringify(r.json)).not.toMatch(/api_key|shpat_/);
  });
});

describe('PUT /connections/{id}', () => {
  it('updates fields, stores a new api_key encrypted, and validates the URL for the platform', async () => {
    const user = await registerUser();
    const c = await connect(user, { store_name: 'Old' });
    const newUrl = shopUrl();
    const r = await answer(api({ token: user.token }).connections[':conn_id'].$put({ param: { conn_id: c.id }, json: { store_name: 'New', store_url: newUrl, api_key: 'shpat_rotated_9999' } }));
    expect(r.status).toBe(200);
    expect(r.roundTrips).toBeLessThanOrEqual(3);
    expect(r.json).toMatchObject({ id: c.id, store_name: 'New', store_url: newUrl, is_default: true });
    expect(await openConnectionSecret({ id: c.id, userId: user.id }, String((await rawRow(c.id)).api_key))).toBe('shpat_rotated_9999');

    const bad = await answer(api({ token: user.token }).connections[':conn_id'].$put({ param: { conn_id: c.id }, json: { store_url: 'https://example.com' } }));
    expect(bad.status).toBe(422);
    expect(bad.json.detail[0].loc).toEqual(['body', 'store_url']);
    const empty = await answer(api({ token: user.token }).connections[':conn_id'].$put({ param: { conn_id: c.id }, json: { store_url: '' } }));
    expect(empty.status).toBe(422);

    const nulls = await answer(api({ token: user.token }).connections[':conn_id'].$put({ param: { conn_id: c.id }, json: { store_name: null, api_key: null } }));
    expect(nulls.json.store_name).toBe('New');
    expect(await openConnectionSecret({ id: c.id, userId: user.id }, String((await rawRow(c.id)).api_key))).toBe('shpat_rotated_9999');
  });

  it('is_default true moves the default; false clears it and may leave none', async () => {
    const user = await registerUser();
    const a = await connect(user);
    const b = await connect(user);
    const set = await answer(api({ token: user.token }).connections[':conn_id'].$put({ param: { conn_id: b.id }, json: { is_default: true } }));
    expect(set.json.is_default).toBe(true);
    expect(set.roundTrips).toBeLessThanOrEqual(3);
    expect((await list(user)).map((c) => [c.id, c.is_default])).toEqual([
      [b.id, true],
      [a.id, false],
    ]);
    const clear = await answer(api({ token: user.token }).connections[':conn_id'].$put({ param: { conn_id: b.id }, json: { is_default: false } }));
    expect(clear.json.is_default).toBe(false);
    expect((await list(user)).every((c) => !c.is_default)).toBe(true);
  });

  it('404s unknown and foreign ids, 409s a move onto another connected URL', async () => {
    const user = await registerUser();
    const other = await registerUser();
    const theirs = await connect(other);
    const foreign = await answer(api({ token: user.token }).connections[':conn_id'].$put({ param: { conn_id: theirs.id }, json: { store_name: 'mine' } }));
    expect(foreign.status).toBe(404);
    expect(foreign.json).toEqual({ detail: 'Store connection not found' });
    const foreignUrl = await answer(api({ token: user.token }).connections[':conn_id'].$put({ param: { conn_id: theirs.id }, json: { store_url: shopUrl() } }));
    expect(foreignUrl.status).toBe(404);
    expect((await rawCall('/connections/123', { method: 'PUT', token: user.token, body: {} })).json.detail[0]).toMatchObject({ type: 'uuid_parsing', loc: ['path', 'conn_id'] });
    const a = await connect(user);
    const b = await connect(user);
    const clash = await answer(api({ token: user.token }).connections[':conn_id'].$put({ param: { conn_id: b.id }, json: { store_url: a.store_url, api_key: 'shpat_moved' } }));
    expect(clash.status).toBe(409);
    expect(clash.json).toEqual({ detail: `Store URL already connected: ${a.store_url}` });
  });
});

describe('POST /connections/{id}/default', () => {
  it('makes the connection the only default', async () => {
    const user = await registerUser();
    const a = await connect(user);
    const b = await connect(user);
    const r = await answer(api({ token: user.token }).connections[':conn_id'].default.$post({ param: { conn_id: b.id } }));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: 'ok' });
    expect(r.roundTrips).toBeLessThanOrEqual(3);
    const items = await list(user);
    expect(items.filter((c) => c.is_default).map((c) => c.id)).toEqual([b.id]);
    expect(items.map((c) => c.id)).toEqual([b.id, a.id]);
    const other = await registerUser();
    const foreign = await answer(api({ token: other.token }).connections[':conn_id'].default.$post({ param: { conn_id: b.id } }));
    expect(foreign.status).toBe(404);
    expect(foreign.json).toEqual({ detail: 'Store connection not found' });
    expect((await list(user)).filter((c) => c.is_default).map((c) => c.id)).toEqual([b.id]);
  });
});

describe('DELETE /connections/{id}', () => {
  it('promotes the oldest remaining connection when the default goes; a non-default delete changes nothing', async () => {
    const user = await registerUser();
    const a = await connect(user, { store_name: 'A' });
    const b = await connect(user, { store_name: 'B' });
    const c = await connect(user, { store_name: 'C' });
    await answer(api({ token: user.token }).connections[':conn_id'].default.$post({ param: { conn_id: c.id } }));
    const delB = await answer(api({ token: user.token }).connections[':conn_id'].$delete({ param: { conn_id: b.id } }));
    expect(delB.status).toBe(204);
    expect(delB.roundTrips).toBeLessThanOrEqual(3);
    expect((await list(user)).map((x) => [x.id, x.is_default])).toEqual([
      [c.id, true],
      [a.id, false],
    ]);
    const delC = await answer(api({ token: user.token }).connections[':conn_id'].$delete({ param: { conn_id: c.id } }));
    expect(delC.status).toBe(204);
    expect(delC.roundTrips).toBeLessThanOrEqual(3);
    expect((await list(user)).map((x) => [x.id, x.is_default])).toEqual([[a.id, true]]);
    const delA = await answer(api({ token: user.token }).connections[':conn_id'].$delete({ param: { conn_id: a.id } }));
    expect(delA.roundTrips).toBeLessThanOrEqual(3);
    expect(await list(user)).toEqual([]);
    const again = await answer(api({ token: user.token }).connections[':conn_id'].$delete({ param: { conn_id: a.id } }));
    expect(again.status).toBe(404);
    expect(again.json).toEqual({ detail: 'Store connection not found' });
  });

  it('never deletes another user’s connection', async () => {
    const user = await registerUser();
    const other = await registerUser();
    const theirs = await connect(other);
    expect((await answer(api({ token: user.token }).connections[':conn_id'].$delete({ param: { conn_id: theirs.id } }))).status).toBe(404);
    expect(await rawRow(theirs.id)).toBeDefined();
  });
});

describe('default store under concurrency', () => {
  const defaults = (userId: string) =>
    withDb((db) => db.select({ id: storeConnections.id, isDefault: storeConnections.isDefault }).from(storeConnections).where(eq(storeConnections.userId, userId)));

  it('concurrent first connections make exactly one default', async () => {
    for (let round = 0; round < 3; round++) {
      const user = await registerUser();
      const results = await Promise.all(Array.from({ length: 6 }, () => answer(api({ token: user.token }).connections.$post({ json: { store_name: 's', platform: 'shopify', store_url: shopUrl() } }))));
      expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
      const rows = await defaults(user.id);
      expect(rows).toHaveLength(6);
      expect(rows.filter((r) => r.isDefault)).toHaveLength(1);
      expect(results.filter((r) => r.json.is_default)).toHaveLength(1);
    }
  });

  it('concurrent creates, set-defaults and deletes leave exactly one default', async () => {
    for (let round = 0; round < 3; round++) {
      const user = await registerUser();
      const existing = [];
      for (let i = 0; i < 5; i++) existing.push(await connect(user));
      const ops = [
        ...existing.slice(0, 3).map((c) => answer(api({ token: user.token }).connections[':conn_id'].$delete({ param: { conn_id: c.id } }))),
        ...existing.slice(1).map((c) => answer(api({ token: user.token }).connections[':conn_id'].default.$post({ param: { conn_id: c.id } }))),
        ...existing.slice(2).map((c) => answer(api({ token: user.token }).connections[':conn_id'].$put({ param: { conn_id: c.id }, json: { is_default: true } }))),
        ...Array.from({ length: 4 }, () => answer(api({ token: user.token }).connections.$post({ json: { store_name: 'n', platform: 'shopify', store_url: shopUrl() } }))),
      ];
      const results = await Promise.all(ops);
      for (const r of results) expect([200, 201, 204, 404], JSON.stringify(r.json)).toContain(r.status);
      const rows = await defaults(user.id);
      expect(rows.length).toBe(6);
      expect(rows.filter((r) => r.isDefault), JSON.stringify(rows)).toHaveLength(1);
    }
  });

  it('deleting the default while others delete the oldest still leaves one default', async () => {
    for (let round = 0; round < 3; round++) {
      const user = await registerUser();
      const cs = [];
      for (let i = 0; i < 4; i++) cs.push(await connect(user));
      // cs[0] is the default; cs[1] is its promotion candidate, deleted at the same time.
      await Promise.all([
        answer(api({ token: user.token }).connections[':conn_id'].$delete({ param: { conn_id: cs[0].id } })),
        answer(api({ token: user.token }).connections[':conn_id'].$delete({ param: { conn_id: cs[1].id } })),
        answer(api({ token: user.token }).connections.$post({ json: { store_name: 'late', platform: 'shopify', store_url: shopUrl() } })),
      ]);
      const rows = await defaults(user.id);
      expect(rows).toHaveLength(3);
      expect(rows.filter((r) => r.isDefault)).toHaveLength(1);
    }
  });
});

describe('connections with an API key', () => {
  it('works with read/write scopes like the dashboard', async () => {
    const keyed = await userWithKey(['read', 'write']);
    const r = await answer(api({ apiKey: keyed.apiKey }).connections.$post({ json: { store_name: 'API', platform: 'shopify', store_url: shopUrl() } }));
    expect(r.status).toBe(201);
    const reader = await userWithKey(['read']);
    expect((await answer(api({ apiKey: reader.apiKey }).connections.$get())).status).toBe(200);
    expect((await answer(api({ apiKey: reader.apiKey }).connections.$post({ json: { store_name: 'x', platform: 'shopify', store_url: shopUrl() } }))).status).toBe(403);
  });
});

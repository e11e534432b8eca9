import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { decryptJson, supplierCredentials } from '../lib/secrets';
import { answer, api, rawCall, registerUser, userWithKey, withDb } from './helpers';

const ALI = { app_key: '503012', app_secret: 'sEcReT-app-4f9a2c', access_token: '50000a01b2c3d4e5f6tokEN9zZ' };

const rawRow = (id: string) =>
  withDb(async (db) => (await db.execute<Record<string, unknown>>(sql`SELECT * FROM supplier_accounts WHERE id = ${id}`)).rows[0]);

describe('POST /suppliers/accounts', () => {
  it('creates an account with masked credentials and stores only ciphertext', async () => {
    const user = await registerUser();
    const r = await answer(api({ token: user.token }).suppliers.accounts.$post({ json: { name: 'Main AliExpress', platform: 'aliexpress', credentials: ALI, settings: { ship_to_country: 'US', target_currency: 'USD' } } }));
    expect(r.status).toBe(201);
    expect(r.roundTrips).toBeLessThanOrEqual(3);
    expect(r.json).toMatchObject({
      user_id: user.id,
      name: 'Main AliExpress',
      platform: 'aliexpress',
      credentials: { app_key: '••••3012', app_secret: '••••9a2c', access_token: '••••N9zZ' },
      settings: { ship_to_country: 'US', target_currency: 'USD' },
      is_active: true,
      last_synced_at: null,
    });
    expect(r.json.created_at).toMatch(/Z$/);
    expect(JSON.stringify(r.json)).not.toContain(ALI.app_secret);

    const row = await rawRow(r.json.id);
    const raw = JSON.stringify(row);
    for (const secret of Object.values(ALI)) expect(raw).not.toContain(secret);
    expect(String(row.credentials)).toMatch(/^v2\.k1\./);
    expect(await decryptJson(env.ENCRYPTION_KEY, String(row.credentials), supplierCredentials({ id: r.json.id, userId: user.id }))).toEqual(ALI);
  });

  it('accepts null and missing credentials, and any platform up to 100 characters', async () => {
    const user = await registerUser();
    const none = await answer(api({ token: user.token }).suppliers.accounts.$post({ json: { name: 'Spocket', platform: 'spocket' } }));
    expect(none.status).toBe(201);
    expect(none.json.credentials).toBeNull();
    const nul = await answer(api({ token: user.token }).suppliers.accounts.$post({ json: { name: 'X', platform: 'p'.repeat(100), credentials: null } }));
    expect(nul.status).toBe(201);
    const long = await answer(api({ token: user.token }).suppliers.accounts.$post({ json: { name: 'X', platform: 'p'.repeat(101) } }));
    expect(long.status).toBe(422);
    expect(long.json.detail[0]).toMatchObject({ type: 'string_too_long', loc: ['body', 'platform'], ctx: { max_length: 100 } });
  });

  it('refuses an exact duplicate (name, platform) with 400, case-sensitively', async () => {
    const user = await registerUser();
    const body = { name: 'CJ', platform: 'cjdropshipping', credentials: { api_key: 'CJ123@api@abcdef' } };
    expect((await answer(api({ token: user.token }).suppliers.accounts.$post({ json: body }))).status).toBe(201);
    const dup = await answer(api({ token: user.token }).suppliers.accounts.$post({ json: body }));
    expect(dup.status).toBe(400);
    expect(dup.json).toEqual({ detail: "Supplier account with name 'CJ' and platform 'cjdropshipping' already exists." });
    expect((await answer(api({ token: user.token }).suppliers.accounts.$post({ json: { ...body, name: 'cj' } }))).status).toBe(201);
    // Another user may use the same pair.
    const other = await registerUser();
    expect((await answer(api({ token: other.token }).suppliers.accounts.$post({ json: body }))).status).toBe(201);
  });

  it('answers malformed bodies with 422 and checks auth first', async () => {
    const user = await registerUser();
    const cases: [unknown, string, (string | number)[]][] = [
      [{ platform: 'aliexpress' }, 'missing', ['body', 'name']],
      [{ name: '', platform: 'aliexpress' }, 'string_too_short', ['body', 'name']],
      [{ name: 'n'.repeat(256), platform: 'aliexpress' }, 'string_too_long', ['body', 'name']],
      [{ name: 'a', platform: 'aliexpress', credentials: 'secret' }, 'dict_type', ['body', 'credentials']],
      [{ name: 'a', platform: 'aliexpress', credentials: { nested: { x: 1 } } }, 'value_error', ['body', 'credentials', 'nested']],
      [{ name: 'a', platform: 'aliexpress', settings: { ship_to_country: 'usa' } }, 'string_pattern_mismatch', ['body', 'settings', 'ship_to_country']],
    ];
    for (const [body, type, loc] of cases) {
      const r = await rawCall('/suppliers/accounts', { token: user.token, body });
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.json.detail[0], JSON.stringify(body)).toMatchObject({ loc });
      if (type !== 'value_error') expect(r.json.detail[0].type).toBe(type);
    }
    expect((await rawCall('/suppliers/accounts', { body: { name: 5 } })).status).toBe(401);
    expect((await rawCall('/suppliers/accounts', { token: user.token, rawBody: '{"name":' })).json.detail[0].type).toBe('json_invalid');
  });
});

describe('GET /suppliers/accounts', () => {
  it('lists only the caller’s accounts ordered by platform then name', async () => {
    const user = await registerUser();
    const other = await registerUser();
    for (const [name, platform] of [
      ['Zed', 'aliexpress'],
      ['Backup', 'spocket'],
      ['Alpha', 'aliexpress'],
      ['CJ main', 'cjdropshipping'],
    ]) {
      await answer(api({ token: user.token }).suppliers.accounts.$post({ json: { name, platform, credentials: { api_key: `key-${name}-1234` } } }));
    }
    await answer(api({ token: other.token }).suppliers.accounts.$post({ json: { name: 'Theirs', platform: 'aliexpress' } }));
    const r = await answer(api({ token: user.token }).suppliers.accounts.$get());
    expect(r.status).toBe(200);
    expect(r.roundTrips).toBeLessThanOrEqual(2);
    expect(Object.keys(r.json)).toEqual(['items']);
    expect(r.json.items.map((a: { name: string }) => a.name)).toEqual(['Alpha', 'Zed', 'CJ main', 'Backup']);
    expect(r.json.items[0].credentials).toEqual({ api_key: '••••1234' });
    expect(JSON.stringify(r.json)).not.toContain('key-Alpha');
  });
});

describe('PUT /suppliers/accounts/{id}', () => {
  it('updates given fields, leaves null/absent ones, and re-encrypts new credentials', async () => {
    const user = await registerUser();
    const created = await answer(api({ token: user.token }).suppliers.accounts.$post({ json: { name: 'Ali', platform: 'aliexpress', credentials: ALI } }));
    const before = await rawRow(created.json.id);
    const r = await answer(api({ token: user.token }).suppliers.accounts[':account_id'].$put({ param: { account_id: created.json.id }, json: { name: 'Ali renamed', platform: null, credentials: { ...ALI, access_token: 'new-token-ABCD' }, is_active: false } }));
    expect(r.status).toBe(200);
    expect(r.roundTrips).toBeLessThanOrEqual(3);
    expect(r.json).toMatchObject({ name: 'Ali renamed', platform: 'aliexpress', is_active: false, credentials: { access_token: '••••ABCD' } });
    expect(new Date(r.json.updated_at).getTime()).toBeGreaterThanOrEqual(new Date(created.json.updated_at).getTime());
    const after = await rawRow(created.json.id);
    expect(after.credentials).not.toBe(before.credentials);
    expect(JSON.stringify(after)).not.toContain('new-token-ABCD');
    expect(await decryptJson(env.ENCRYPTION_KEY, String(after.credentials), supplierCredentials({ id: created.json.id, userId: user.id }))).toEqual({ ...ALI, access_token: 'new-token-ABCD' });

    const unchanged = await answer(api({ token: user.token }).suppliers.accounts[':account_id'].$put({ param: { account_id: created.json.id }, json: { credentials: null } }));
    expect(unchanged.json.credentials!.access_token).toBe('••••ABCD');
    expect((await rawRow(created.json.id)).credentials).toBe(after.credentials);
  });

  it('answers 404 for unknown and foreign ids, 422 for bad ids and bodies, 400 when renaming onto a duplicate', async () => {
    const user = await registerUser();
    const other = await registerUser();
    const theirs = await answer(api({ token: other.token }).suppliers.accounts.$post({ json: { name: 'T', platform: 'aliexpress' } }));
    const foreign = await answer(api({ token: user.token }).suppliers.accounts[':account_id'].$put({ param: { account_id: theirs.json.id }, json: { name: 'mine now' } }));
    expect(foreign.status).toBe(404);
    expect(foreign.json).toEqual({ detail: 'Supplier account not found' });
    expect((await answer(api({ token: user.token }).suppliers.accounts[':account_id'].$put({ param: { account_id: crypto.randomUUID() }, json: {} }))).status).toBe(404);
    const badId = await rawCall('/suppliers/accounts/nope', { method: 'PUT', token: user.token, body: {} });
    expect(badId.status).toBe(422);
    expect(badId.json.detail[0]).toMatchObject({ type: 'uuid_parsing', loc: ['path', 'account_id'] });
    const a = await answer(api({ token: user.token }).suppliers.accounts.$post({ json: { name: 'A', platform: 'aliexpress' } }));
    await answer(api({ token: user.token }).suppliers.accounts.$post({ json: { name: 'B', platform: 'aliexpress' } }));
    const badBody = await rawCall(`/suppliers/accounts/${a.json.id}`, { method: 'PUT', token: user.token, body: { is_active: 'yes' } });
    expect(badBody.status).toBe(422);
    const dup = await answer(api({ token: user.token }).suppliers.accounts[':account_id'].$put({ param: { account_id: a.json.id }, json: { name: 'B' } }));
    expect(dup.status).toBe(400);
    expect(dup.json).toEqual({ detail: "Supplier account with name 'B' and platform 'aliexpress' already exists." });
  });
});

describe('DELETE /suppliers/accounts/{id}', () => {
  it('hard-deletes the caller’s account and 404s otherwise', async () => {
    const user = await registerUser();
    const other = await registerUser();
    const mine = await answer(api({ token: user.token }).suppliers.accounts.$post({ json: { name: 'A', platform: 'aliexpress' } }));
    const theirs = await answer(api({ token: other.token }).suppliers.accounts.$post({ json: { name: 'A', platform: 'aliexpress' } }));
    expect((await answer(api({ token: user.token }).suppliers.accounts[':account_id'].$delete({ param: { account_id: theirs.json.id } }))).status).toBe(404);
    const del = await answer(api({ token: user.token }).suppliers.accounts[':account_id'].$delete({ param: { account_id: mine.json.id } }));
    expect(del.status).toBe(204);
    expect(del.roundTrips).toBeLessThanOrEqual(3);
    expect(await rawRow(mine.json.id)).toBeUndefined();
    const again = await answer(api({ token: user.token }).suppliers.accounts[':account_id'].$delete({ param: { account_id: mine.json.id } }));
    expect(again.json).toEqual({ detail: 'Supplier account not found' });
    expect(await rawRow(theirs.json.id)).toBeDefined();
  });
});

describe('supplier accounts with an API key', () => {
  it('reads with the read scope, needs write to change', async () => {
    const reader = await userWithKey(['read']);
    expect((await answer(api({ apiKey: reader.apiKey }).suppliers.accounts.$get())).status).toBe(200);
    const w = await answer(api({ apiKey: reader.apiKey }).suppliers.accounts.$post({ json: { name: 'A', platform: 'aliexpress' } }));
    expect(w.status).toBe(403);
    const writer = await userWithKey(['read', 'write']);
    expect((await answer(api({ apiKey: writer.apiKey }).suppliers.accounts.$post({ json: { name: 'A', platform: 'aliexpress' } }))).status).toBe(201);
  });
});

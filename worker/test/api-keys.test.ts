import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { apiKeyUsage, apiKeys } from '../db/schema';
import { sha256Hex } from '../lib/encoding';
import { answer, api, rawCall, registerUser, setPlan, userWithKey, withDb } from './helpers';

describe('POST /api-keys', () => {
  it('refuses free-plan users', async () => {
    const user = await registerUser();
    const r = await answer(api({ token: user.token })['api-keys'].$post({ json: { name: 'ci' } }));
    expect(r.status).toBe(403);
    expect(r.json).toEqual({ detail: 'API access requires the Pro or Enterprise plan' });
  });

  it('shows the raw key once and stores only its SHA-256', async () => {
    const user = await registerUser();
    await setPlan(user.id, 'pro');
    const r = await answer(api({ token: user.token })['api-keys'].$post({ json: { name: 'ci' } }));
    expect(r.status).toBe(201);
    expect(Object.keys(r.json).sort()).toEqual(['id', 'key', 'key_prefix', 'name', 'scopes']);
    expect(r.json.key).toMatch(/^so_live_[A-Za-z0-9_-]{43}$/);
    expect(r.json.key).toHaveLength(51);
    expect(r.json.key_prefix).toBe(r.json.key.slice(0, 12));
    expect(r.json.scopes).toEqual(['read']);
    expect(r.roundTrips).toBeLessThanOrEqual(3);

    const [row] = await withDb((db) => db.select().from(apiKeys).where(eq(apiKeys.id, r.json.id)));
    expect(row.keyHash).toBe(await sha256Hex(r.json.key));
    expect(JSON.stringify(row)).not.toContain(r.json.key);
  });

  it('refuses the admin scope and unknown scopes with 422', async () => {
    const user = await registerUser();
    await setPlan(user.id, 'enterprise');
    const admin = await rawCall('/api-keys', { token: user.token, body: { name: 'x', scopes: ['read', 'admin'] } });
    expect(admin.status).toBe(422);
    expect(admin.json.detail[0]).toMatchObject({ type: 'enum', loc: ['body', 'scopes', 1] });
    const long = await answer(api({ token: user.token })['api-keys'].$post({ json: { name: 'n'.repeat(256) } }));
    expect(long.status).toBe(422);
    expect(long.json.detail[0]).toMatchObject({ type: 'string_too_long', loc: ['body', 'name'] });
  });

  it('checks authentication before the body, and a key cannot manage keys', async () => {
    const noAuth = await rawCall('/api-keys', { body: { scopes: 'nonsense' } });
    expect(noAuth.status).toBe(401);
    const keyed = await userWithKey();
    const byKey = await answer(api({ apiKey: keyed.apiKey })['api-keys'].$post({ json: { name: 'x' } }));
    expect(byKey.status).toBe(401);
    expect(byKey.json).toEqual({ detail: 'Not authenticated' });
  });

  it('rejects malformed JSON before authentication', async () => {
    const r = await rawCall('/api-keys', { rawBody: '{not json' });
    expect(r.status).toBe(422);
    expect(r.json.detail[0].type).toBe('json_invalid');
  });
});

describe('GET /api-keys', () => {
  it('lists the caller’s keys newest first, never the raw key, with +00:00 timestamps', async () => {
    const keyed = await userWithKey(['read']);
    const second = await answer(api({ token: keyed.token })['api-keys'].$post({ json: { name: 'second', scopes: ['read', 'write'] } }));
    const other = await userWithKey();
    const r = await answer(api({ token: keyed.token })['api-keys'].$get());
    expect(r.status).toBe(200);
    expect(r.roundTrips).toBeLessThanOrEqual(2);
    expect(r.json.map((k: { id: string }) => k.id)).toEqual([second.json.id, keyed.keyId]);
    expect(r.json.map((k: { id: string }) => k.id)).not.toContain(other.keyId);
    for (const k of r.json) {
      expect(Object.keys(k).sort()).toEqual(['created_at', 'id', 'is_active', 'key_prefix', 'last_used_at', 'name', 'scopes']);
      expect(k.created_at).toMatch(/\+00:00$/);
    }
    expect(r.json[1].last_used_at).toBeNull();
  });
});

describe('using an API key', () => {
  it('authenticates GET /usage and records last_used_at', async () => {
    const keyed = await userWithKey(['read']);
    const r = await answer(api({ apiKey: keyed.apiKey }).usage.$get());
    expect(r.status).toBe(200);
    expect(r.roundTrips).toBeLessThanOrEqual(2);
    const list = await answer(api({ token: keyed.token })['api-keys'].$get());
    expect(list.json[0].last_used_at).toMatch(/\+00:00$/);
  });

  it('stops working once the plan loses API access, and is not stamped then', async () => {
    const keyed = await userWithKey(['read']);
    await setPlan(keyed.id, 'free');
    const r = await answer(api({ apiKey: keyed.apiKey }).usage.$get());
    expect(r.status).toBe(403);
    expect(r.json).toEqual({ detail: 'API access requires the Pro or Enterprise plan' });
    const [row] = await withDb((db) => db.select().from(apiKeys).where(eq(apiKeys.id, keyed.keyId)));
    expect(row.lastUsedAt).toBeNull();
  });

  it('refuses unknown, expired and revoked keys with 401', async () => {
    const keyed = await userWithKey(['read']);
    const unknown = await answer(api({ apiKey: 'so_live_' + 'x'.repeat(43) }).usage.$get());
    expect(unknown.status).toBe(401);
    expect(unknown.json).toEqual({ detail: 'Not authenticated. Provide a Bearer token or X-API-Key.' });

    await withDb((db) => db.update(apiKeys).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiKeys.id, keyed.keyId)));
    expect((await answer(api({ apiKey: keyed.apiKey }).usage.$get())).status).toBe(401);
  });
});

describe('DELETE /api-keys/{id}', () => {
  it('soft-revokes: the key stops working, stays listed, and revoking again is 204', async () => {
    const keyed = await userWithKey(['read']);
    const del = await answer(api({ token: keyed.token })['api-keys'][':key_id'].$delete({ param: { key_id: keyed.keyId } }));
    expect(del.status).toBe(204);
    expect(await del.res.text()).toBe('');
    expect((await answer(api({ apiKey: keyed.apiKey }).usage.$get())).status).toBe(401);
    const list = await answer(api({ token: keyed.token })['api-keys'].$get());
    expect(list.json[0]).toMatchObject({ id: keyed.keyId, is_active: false });
    expect((await answer(api({ token: keyed.token })['api-keys'][':key_id'].$delete({ param: { key_id: keyed.keyId } }))).status).toBe(204);
  });

  it('answers 404 for another user’s key and leaves it alone', async () => {
    const owner = await userWithKey(['read']);
    const intruder = await registerUser();
    const r = await answer(api({ token: intruder.token })['api-keys'][':key_id'].$delete({ param: { key_id: owner.keyId } }));
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ detail: 'API key not found' });
    const [row] = await withDb((db) => db.select().from(apiKeys).where(and(eq(apiKeys.id, owner.keyId))));
    expect(row.isActive).toBe(true);
  });

  it('answers 422 uuid_parsing for a bad id', async () => {
    const user = await registerUser();
    const r = await rawCall('/api-keys/not-a-uuid', { method: 'DELETE', token: user.token });
    expect(r.status).toBe(422);
    expect(r.json.detail[0]).toMatchObject({ type: 'uuid_parsing', loc: ['path', 'key_id'] });
  });
});

describe('API key usage counts', () => {
  it('counts each authenticated request per key and UTC day', async () => {
    const keyed = await userWithKey(['read']);
    for (let i = 0; i < 3; i++) expect((await answer(api({ apiKey: keyed.apiKey }).usage.$get())).status).toBe(200);
    const rows = await withDb((db) => db.select().from(apiKeyUsage).where(eq(apiKeyUsage.keyId, keyed.keyId)));
    expect(rows).toEqual([{ keyId: keyed.keyId, day: new Date().toISOString().slice(0, 10), requests: 3 }]);
  });
});

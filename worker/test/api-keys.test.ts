import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { alertSettings, apiKeyUsage, apiKeys, users } from '../db/schema';
import { sha256Hex } from '../lib/encoding';
import { ownerEntry } from '../services/api-key-owners';
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

/**
 * Once the edge knows a key's owner (services/api-key-owners.ts) the key's check rides
 * with the route's statement (migration 0019's prelude). Each case warms the key first,
 * then changes what the check looks at: the cached owner must never let a request through.
 */
describe('a key whose owner the edge already knows', () => {
  async function warmKey(scopes: ('read' | 'write')[] = ['read', 'write']) {
    const keyed = await userWithKey(scopes);
    const first = await answer(api({ apiKey: keyed.apiKey }).usage.$get());
    expect(first.status).toBe(200);
    expect(first.roundTrips).toBe(2);
    const warm = await answer(api({ apiKey: keyed.apiKey }).usage.$get());
    expect(warm.status).toBe(200);
    expect(warm.roundTrips).toBe(1);
    return keyed;
  }
  const settingsOf = (userId: string) => withDb((db) => db.select().from(alertSettings).where(eq(alertSettings.userId, userId)));
  const putSettings = (apiKey: string) => answer(api({ apiKey }).alerts.settings.$put({ json: { email: 'late@example.com', email_enabled: true } }));

  it('refuses a revoked key on reads and writes, and the write changes nothing', async () => {
    const keyed = await warmKey();
    await answer(api({ token: keyed.token })['api-keys'][':key_id'].$delete({ param: { key_id: keyed.keyId } }));
    const read = await answer(api({ apiKey: keyed.apiKey }).usage.$get());
    expect(read.status).toBe(401);
    expect(read.json).toEqual({ detail: 'Not authenticated. Provide a Bearer token or X-API-Key.' });
    expect((await putSettings(keyed.apiKey)).status).toBe(401);
    expect(await settingsOf(keyed.id)).toEqual([]);
  });

  it('refuses the key of a deactivated user', async () => {
    const keyed = await warmKey();
    await withDb((db) => db.update(users).set({ isActive: false }).where(eq(users.id, keyed.id)));
    expect((await answer(api({ apiKey: keyed.apiKey }).usage.$get())).status).toBe(401);
    expect((await putSettings(keyed.apiKey)).status).toBe(401);
    expect(await settingsOf(keyed.id)).toEqual([]);
  });

  it('refuses once the plan loses API access, without stamping or counting the refused request', async () => {
    const keyed = await warmKey();
    const [before] = await withDb((db) => db.select().from(apiKeys).where(eq(apiKeys.id, keyed.keyId)));
    await setPlan(keyed.id, 'free');
    const r = await answer(api({ apiKey: keyed.apiKey }).usage.$get());
    expect(r.status).toBe(403);
    expect(r.json).toEqual({ detail: 'API access requires the Pro or Enterprise plan' });
    expect((await putSettings(keyed.apiKey)).status).toBe(403);
    const [after] = await withDb((db) => db.select().from(apiKeys).where(eq(apiKeys.id, keyed.keyId)));
    expect(after.lastUsedAt).toEqual(before.lastUsedAt);
    const [usage] = await withDb((db) => db.select().from(apiKeyUsage).where(eq(apiKeyUsage.keyId, keyed.keyId)));
    expect(usage.requests).toBe(2);
  });

  it('enforces the scope the method needs', async () => {
    const reader = await warmKey(['read']);
    const refused = await putSettings(reader.apiKey);
    expect(refused).toMatchObject({ status: 403, json: { detail: "API key lacks the 'write' scope" } });
    expect(await settingsOf(reader.id)).toEqual([]);
    // A refused scope says nothing against the cached owner: the key's next read still costs 1.
    expect(await answer(api({ apiKey: reader.apiKey }).usage.$get())).toMatchObject({ status: 200, roundTrips: 1 });

    const writer = await userWithKey(['write']);
    expect((await putSettings(writer.apiKey)).status).toBe(200); // the edge learns the owner from a write
    const read = await answer(api({ apiKey: writer.apiKey }).usage.$get());
    expect(read).toMatchObject({ status: 403, json: { detail: "API key lacks the 'read' scope" } });
  });

  it('never lets a wrong cached owner through, and heals after one refusal', async () => {
    const keyed = await userWithKey(['read']);
    const other = await registerUser('other-owner');
    // Owners never change, so this cannot happen by itself: a corrupted or forged entry.
    await env.AUTH_CACHE.put(ownerEntry(await sha256Hex(keyed.apiKey)), other.id);
    const r = await answer(api({ apiKey: keyed.apiKey }).usage.$get());
    expect(r.status).toBe(401);
    expect(await env.AUTH_CACHE.get(ownerEntry(await sha256Hex(keyed.apiKey)))).toBeNull();
    const healed = await answer(api({ apiKey: keyed.apiKey }).usage.$get());
    expect(healed.status).toBe(200);
  });

  it('counts every one of many concurrent uses of the same key exactly once', async () => {
    const keyed = await warmKey(['read']);
    const answers = await Promise.all(Array.from({ length: 12 }, () => answer(api({ apiKey: keyed.apiKey }).usage.$get())));
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    const [usage] = await withDb((db) => db.select().from(apiKeyUsage).where(eq(apiKeyUsage.keyId, keyed.keyId)));
    expect(usage.requests).toBe(14);
  });
});

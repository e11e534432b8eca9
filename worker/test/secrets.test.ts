import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  alertWebhookSecret,
  connectionSecret,
  decryptJson,
  decryptSecret,
  encryptJson,
  encryptSecret,
  maskSecret,
  supplierCredentials,
  type SecretBinding,
} from '../lib/secrets';
import { rewrapSecrets } from '../services/secret-rewrap';
import { answer, api, rawCall, registerUser, withDb } from './helpers';
import { connectAliExpress } from './supplier-helpers';
import { fakeWooStore } from './store-fakes';

const k1 = 'k1:' + btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));
const k2 = 'k2:' + btoa(String.fromCharCode(...new Uint8Array(32).fill(9)));
const here: SecretBinding = { table: 'store_connections', column: 'api_key', rowId: 'row-1', ownerId: 'user-1' };

/** What a `v1` value (no associated data, before the binding) looked like: AES-GCM of the plaintext alone. */
async function legacyV1(spec: string, plaintext: string) {
  const [kid, b64] = spec.split(':');
  const key = await crypto.subtle.importKey('raw', Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)), 'AES-GCM', false, ['encrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(plaintext)));
  const b64url = (b: Uint8Array) => btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `v1.${kid}.${b64url(iv)}.${b64url(ct)}`;
}

describe('secrets at rest', () => {
  it('round-trips, uses a fresh IV per value and hides the plaintext', async () => {
    const a = await encryptSecret(k1, 'shpat_supersecret', here);
    const b = await encryptSecret(k1, 'shpat_supersecret', here);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v2\.k1\./);
    expect(a).not.toContain('supersecret');
    expect(await decryptSecret(k1, a, here)).toBe('shpat_supersecret');
    expect(await decryptJson(k1, await encryptJson(k1, { app_key: 'x', n: 1 }, here), here)).toEqual({ app_key: 'x', n: 1 });
  });

  it('binds a value to its table, column, row and owner: moved anywhere else it does not open', async () => {
    const sealed = await encryptSecret(k1, 'shpat_supersecret', here);
    for (const elsewhere of [
      { ...here, rowId: 'row-2' },
      { ...here, ownerId: 'user-2' },
      { ...here, column: 'refresh_token' },
      { ...here, table: 'supplier_accounts' as const },
    ]) {
      await expect(decryptSecret(k1, sealed, elsewhere)).rejects.toThrow();
    }
  });

  it('rotates: the newest key encrypts, older keys still decrypt', async () => {
    const old = await encryptSecret(k1, 'value', here);
    const ring = `${k2},${k1}`;
    expect(await decryptSecret(ring, old, here)).toBe('value');
    expect(await encryptSecret(ring, 'value', here)).toMatch(/^v2\.k2\./);
    await expect(decryptSecret(k2, old, here)).rejects.toThrow(/unknown encryption key id k1/);
  });

  it('still opens a legacy v1 value (no associated data) until it is re-encrypted', async () => {
    expect(await decryptSecret(k1, await legacyV1(k1, 'old-token'), here)).toBe('old-token');
  });

  it('detects tampering', async () => {
    const sealed = await encryptSecret(k1, 'value', here);
    const parts = sealed.split('.');
    parts[3] = parts[3].slice(0, -2) + (parts[3].endsWith('A') ? 'BB' : 'AA');
    await expect(decryptSecret(k1, parts.join('.'), here)).rejects.toThrow();
  });

  it('masks to the last four characters', () => {
    expect(maskSecret('abcdefgh')).toBe('••••efgh');
    expect(maskSecret('abc')).toBe('••••');
  });
});

describe('secrets bound in the database', () => {
  it("a store credential copied into another user's connection does not open there", async () => {
    const store = await fakeWooStore();
    const victim = await registerUser('victim');
    const attacker = await registerUser('attacker');
    const connect = (token: string) =>
      answer(api({ token }).connections.$post({ json: { store_name: 'Shop', platform: 'woocommerce', store_url: store.storeUrl, api_key: store.apiKey } }));
    const mine = await connect(victim.token);
    const own = await fakeWooStore();
    const theirs = await answer(
      api({ token: attacker.token }).connections.$post({ json: { store_name: 'Mine', platform: 'woocommerce', store_url: own.storeUrl, api_key: own.apiKey } }),
    );
    expect(theirs.status).toBe(201);
    expect((await rawCall(`/connections/${mine.json.id}/test`, { method: 'POST', token: victim.token })).json).toMatchObject({ ok: true });
    // Someone with write access to the database copies the victim's ciphertext.
    await withDb((db) => db.execute(sql`UPDATE store_connections SET api_key = (SELECT api_key FROM store_connections WHERE id = ${mine.json.id}) WHERE id = ${theirs.json.id}`));
    const test = await rawCall(`/connections/${theirs.json.id}/test`, { method: 'POST', token: attacker.token });
    expect(test.json.ok).toBe(false);
    expect(test.json.detail).toContain('cannot be read');
  });

  it('the cron re-encrypts legacy and old-key values bound to their rows, and everything still works', async () => {
    const user = await registerUser('rewrap');
    const store = await fakeWooStore();
    const conn = await answer(api({ token: user.token }).connections.$post({ json: { store_name: 'Shop', platform: 'woocommerce', store_url: store.storeUrl, api_key: store.apiKey } }));
    const accountId = (await connectAliExpress(user.id)).accountId;
    await answer(api({ token: user.token }).alerts.settings.$put({ json: { webhook_url: 'http://127.0.0.1:9/hook', webhook_enabled: true } }));
    const [before] = (
      await withDb((db) =>
        db.execute<{ api_key: string; credentials: string; webhook_secret: string }>(sql`
          SELECT c.api_key, a.credentials, s.webhook_secret FROM store_connections c, supplier_accounts a, alert_settings s
          WHERE c.id = ${conn.json.id} AND a.id = ${accountId} AND s.user_id = ${user.id}`),
      )
    ).rows;
    // As written before the binding: v1 values of the same plaintexts.
    const plain = {
      apiKey: await decryptSecret(env.ENCRYPTION_KEY, before.api_key, connectionSecret('api_key', { id: conn.json.id, userId: user.id })),
      credentials: await decryptSecret(env.ENCRYPTION_KEY, before.credentials, supplierCredentials({ id: accountId, userId: user.id })),
      webhook: await decryptSecret(env.ENCRYPTION_KEY, before.webhook_secret, alertWebhookSecret(user.id)),
    };
    const keySpec = env.ENCRYPTION_KEY.split(',')[0].trim();
    await withDb(async (db) => {
      await db.execute(sql`UPDATE store_connections SET api_key = ${await legacyV1(keySpec, plain.apiKey)} WHERE id = ${conn.json.id}`);
      await db.execute(sql`UPDATE supplier_accounts SET credentials = ${await legacyV1(keySpec, plain.credentials)} WHERE id = ${accountId}`);
      await db.execute(sql`UPDATE alert_settings SET webhook_secret = ${await legacyV1(keySpec, plain.webhook)} WHERE user_id = ${user.id}`);
    });
    // Legacy values still work before the migration has run.
    expect((await rawCall(`/connections/${conn.json.id}/test`, { method: 'POST', token: user.token })).json).toMatchObject({ ok: true });

    let total = 0;
    for (let run = 0; run < 50; run++) {
      const r = await withDb((db) => rewrapSecrets(db, env.ENCRYPTION_KEY));
      total += r.rewrapped;
      if (r.rewrapped === 0) break;
    }
    expect(total).toBeGreaterThanOrEqual(3);
    const { rows: legacy } = await withDb((db) =>
      db.execute(sql`
        SELECT 1 FROM store_connections WHERE api_key LIKE 'v1.%' OR refresh_token LIKE 'v1.%'
        UNION ALL SELECT 1 FROM supplier_accounts WHERE credentials LIKE 'v1.%'
        UNION ALL SELECT 1 FROM alert_settings WHERE webhook_secret LIKE 'v1.%'`),
    );
    expect(legacy).toHaveLength(0);
    const [after] = (
      await withDb((db) =>
        db.execute<{ api_key: string; credentials: string; webhook_secret: string }>(sql`
          SELECT c.api_key, a.credentials, s.webhook_secret FROM store_connections c, supplier_accounts a, alert_settings s
          WHERE c.id = ${conn.json.id} AND a.id = ${accountId} AND s.user_id = ${user.id}`),
      )
    ).rows;
    expect(after.api_key).toMatch(/^v2\./);
    expect(await decryptSecret(env.ENCRYPTION_KEY, after.credentials, supplierCredentials({ id: accountId, userId: user.id }))).toBe(plain.credentials);
    expect(await decryptSecret(env.ENCRYPTION_KEY, after.webhook_secret, alertWebhookSecret(user.id))).toBe(plain.webhook);
    expect((await rawCall(`/connections/${conn.json.id}/test`, { method: 'POST', token: user.token })).json).toMatchObject({ ok: true });
    // A second run finds nothing to do.
    expect((await withDb((db) => rewrapSecrets(db, env.ENCRYPTION_KEY))).rewrapped).toBe(0);
  });
});

import { fromBase64, randomBytes, toBase64Url } from './encoding';

/**
 * Secrets at rest: AES-256-GCM with a random 96-bit IV per value. ENCRYPTION_KEY is a
 * comma-separated list of `kid:base64key` entries; the first encrypts, every one can
 * decrypt, so a key rotates by prepending the new one and re-saving rows at leisure.
 *
 * Each value is bound to where it is stored: the table, the column, the row's id and the
 * owning user are the GCM associated data, so a ciphertext copied into another row (or
 * another user's row) by someone who can write the database fails to decrypt.
 * Stored form: `v2.<kid>.<iv>.<ciphertext>` (base64url). `v1.…` values (no associated
 * data, written before the binding) still decrypt, and `rewrapLegacySecrets`
 * (services/secret-rewrap.ts, run by the cron) re-encrypts them as bound `v2` values.
 */

/** Where a secret lives: every part must match on decrypt. */
export interface SecretBinding {
  table: 'store_connections' | 'supplier_accounts' | 'alert_settings' | 'shopify_pending_installs';
  column: string;
  rowId: string;
  ownerId: string;
}

/** The binding of a store connection's credential (`api_key`), Shopify refresh token or own app's client secret. */
export const connectionSecret = (column: 'api_key' | 'refresh_token' | 'client_secret', row: { id: string; userId: string }): SecretBinding => ({
  table: 'store_connections',
  column,
  rowId: row.id,
  ownerId: row.userId,
});

/** The binding of a supplier account's credentials object. */
export const supplierCredentials = (row: { id: string; userId: string }): SecretBinding => ({
  table: 'supplier_accounts',
  column: 'credentials',
  rowId: row.id,
  ownerId: row.userId,
});

/** The binding of a user's alert webhook secret (alert_settings is keyed by the user). */
export const alertWebhookSecret = (userId: string): SecretBinding => ({ table: 'alert_settings', column: 'webhook_secret', rowId: userId, ownerId: userId });

/** The binding of a pending Shopify install's tokens: its row (the code's hash) and the shop it is for (no user yet). */
export const pendingInstallSecret = (codeHash: string, shopOrigin: string): SecretBinding => ({
  table: 'shopify_pending_installs',
  column: 'tokens',
  rowId: codeHash,
  ownerId: shopOrigin,
});

const aad = (b: SecretBinding) => utf8.encode(`sourcepilot:${b.table}.${b.column}:${b.rowId}:${b.ownerId}`);
export interface Keyring {
  current: { kid: string; key: CryptoKey };
  byId: Map<string, CryptoKey>;
}

const cache = new Map<string, Promise<Keyring>>();

export function keyring(encryptionKey: string): Promise<Keyring> {
  let ring = cache.get(encryptionKey);
  if (!ring) {
    ring = buildKeyring(encryptionKey);
    cache.set(encryptionKey, ring);
  }
  return ring;
}

async function buildKeyring(spec: string): Promise<Keyring> {
  const entries = spec
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .map((e) => {
      const i = e.indexOf(':');
      if (i <= 0) throw new Error('ENCRYPTION_KEY entries must look like kid:base64key');
      return { kid: e.slice(0, i), raw: fromBase64(e.slice(i + 1)) };
    });
  if (!entries.length) throw new Error('ENCRYPTION_KEY is not set');
  const byId = new Map<string, CryptoKey>();
  for (const { kid, raw } of entries) {
    if (raw.byteLength !== 32) throw new Error(`ENCRYPTION_KEY ${kid} must be 32 bytes`);
    byId.set(kid, await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']));
  }
  return { current: { kid: entries[0].kid, key: byId.get(entries[0].kid)! }, byId };
}

const utf8 = new TextEncoder();

export async function encryptSecret(encryptionKey: string, plaintext: string, bind: SecretBinding): Promise<string> {
  const { current } = await keyring(encryptionKey);
  const iv = randomBytes(12);
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(bind) }, current.key, utf8.encode(plaintext)));
  return `v2.${current.kid}.${toBase64Url(iv)}.${toBase64Url(ct)}`;
}

/** Whether a stored value predates the binding (`v1`, no associated data). */
export const isLegacySecret = (stored: string) => stored.startsWith('v1.');

export async function decryptSecret(encryptionKey: string, stored: string, bind: SecretBinding): Promise<string> {
  const [v, kid, iv, ct] = stored.split('.');
  if ((v !== 'v1' && v !== 'v2') || !kid || !iv || !ct) throw new Error('not an encrypted value');
  const key = (await keyring(encryptionKey)).byId.get(kid);
  if (!key) throw new Error(`unknown encryption key id ${kid}`);
  const params: Parameters<SubtleCrypto['decrypt']>[0] = v === 'v2' ? { name: 'AES-GCM', iv: fromBase64(iv), additionalData: aad(bind) } : { name: 'AES-GCM', iv: fromBase64(iv) };
  const pt = await crypto.subtle.decrypt(params, key, fromBase64(ct));
  return new TextDecoder().decode(pt);
}

export const encryptJson = (encryptionKey: string, value: unknown, bind: SecretBinding) => encryptSecret(encryptionKey, JSON.stringify(value), bind);

export async function decryptJson<T>(encryptionKey: string, stored: string, bind: SecretBinding): Promise<T> {
  return JSON.parse(await decryptSecret(encryptionKey, stored, bind)) as T;
}

/** "••••" + the last 4 characters: how the API shows a secret. */
export function maskSecret(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return `••••${s.length > 4 ? s.slice(-4) : ''}`;
}

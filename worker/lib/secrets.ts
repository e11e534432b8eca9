import { fromBase64, randomBytes, toBase64Url } from './encoding';

/**
 * Secrets at rest: AES-256-GCM with a random 96-bit IV per value. ENCRYPTION_KEY is a
 * comma-separated list of `kid:base64key` entries; the first encrypts, every one can
 * decrypt, so a key rotates by prepending the new one and re-saving rows at leisure.
 * Stored form: `v1.<kid>.<iv>.<ciphertext>` (base64url).
 */
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

export async function encryptSecret(encryptionKey: string, plaintext: string): Promise<string> {
  const { current } = await keyring(encryptionKey);
  const iv = randomBytes(12);
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, current.key, utf8.encode(plaintext)));
  return `v1.${current.kid}.${toBase64Url(iv)}.${toBase64Url(ct)}`;
}

export async function decryptSecret(encryptionKey: string, stored: string): Promise<string> {
  const [v, kid, iv, ct] = stored.split('.');
  if (v !== 'v1' || !kid || !iv || !ct) throw new Error('not an encrypted value');
  const key = (await keyring(encryptionKey)).byId.get(kid);
  if (!key) throw new Error(`unknown encryption key id ${kid}`);
  const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(iv) }, key, fromBase64(ct));
  return new TextDecoder().decode(pt);
}

export const encryptJson = (encryptionKey: string, value: unknown) => encryptSecret(encryptionKey, JSON.stringify(value));

export async function decryptJson<T>(encryptionKey: string, stored: string): Promise<T> {
  return JSON.parse(await decryptSecret(encryptionKey, stored)) as T;
}

/** "••••" + the last 4 characters: how the API shows a secret. */
export function maskSecret(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return `••••${s.length > 4 ? s.slice(-4) : ''}`;
}

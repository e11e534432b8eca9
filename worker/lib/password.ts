import bcrypt from 'bcryptjs';
import { fromBase64, randomBytes, toBase64 } from './encoding';

/** Workers caps PBKDF2 at 100,000 iterations. */
const ITERATIONS = 100_000;
const SCHEME = 'pbkdf2_sha256';

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

/** Hashes a password as `pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, ITERATIONS);
  return `${SCHEME}$${ITERATIONS}$${toBase64(salt)}$${toBase64(hash)}`;
}

export interface PasswordCheck {
  ok: boolean;
  /** The stored hash uses an older scheme and should be replaced after a successful check. */
  needsRehash: boolean;
}

/**
 * Verifies a password against a stored hash: our PBKDF2 format, or a legacy bcrypt
 * `$2b$` hash from the earlier service (which then needs a rehash).
 */
export async function verifyPassword(password: string, stored: string | null): Promise<PasswordCheck> {
  if (stored?.startsWith('$2')) {
    return { ok: await bcrypt.compare(password, stored), needsRehash: true };
  }
  const parts = stored?.split('$') ?? [];
  if (parts.length !== 4 || parts[0] !== SCHEME) {
    // Burn comparable time so unknown users cannot be told apart by latency.
    await derive(password, randomBytes(16), ITERATIONS);
    return { ok: false, needsRehash: false };
  }
  const iterations = Number(parts[1]);
  const expected = fromBase64(parts[3]);
  const actual = await derive(password, fromBase64(parts[2]), iterations);
  const ok = actual.byteLength === expected.byteLength && crypto.subtle.timingSafeEqual(actual, expected);
  return { ok, needsRehash: ok && iterations !== ITERATIONS };
}

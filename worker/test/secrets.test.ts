import { describe, expect, it } from 'vitest';
import { decryptJson, decryptSecret, encryptJson, encryptSecret, maskSecret } from '../lib/secrets';

const k1 = 'k1:' + btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));
const k2 = 'k2:' + btoa(String.fromCharCode(...new Uint8Array(32).fill(9)));

describe('secrets at rest', () => {
  it('round-trips, uses a fresh IV per value and hides the plaintext', async () => {
    const a = await encryptSecret(k1, 'shpat_supersecret');
    const b = await encryptSecret(k1, 'shpat_supersecret');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.k1\./);
    expect(a).not.toContain('supersecret');
    expect(await decryptSecret(k1, a)).toBe('shpat_supersecret');
    expect(await decryptJson(k1, await encryptJson(k1, { app_key: 'x', n: 1 }))).toEqual({ app_key: 'x', n: 1 });
  });

  it('rotates: the newest key encrypts, older keys still decrypt', async () => {
    const old = await encryptSecret(k1, 'value');
    const ring = `${k2},${k1}`;
    expect(await decryptSecret(ring, old)).toBe('value');
    expect(await encryptSecret(ring, 'value')).toMatch(/^v1\.k2\./);
    await expect(decryptSecret(k2, old)).rejects.toThrow(/unknown encryption key id k1/);
  });

  it('detects tampering', async () => {
    const sealed = await encryptSecret(k1, 'value');
    const parts = sealed.split('.');
    parts[3] = parts[3].slice(0, -2) + (parts[3].endsWith('A') ? 'BB' : 'AA');
    await expect(decryptSecret(k1, parts.join('.'))).rejects.toThrow();
  });

  it('masks to the last four characters', () => {
    expect(maskSecret('abcdefgh')).toBe('••••efgh');
    expect(maskSecret('abc')).toBe('••••');
  });
});

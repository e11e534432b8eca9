import { randomBytes, sha256Hex, toBase64Url } from './encoding';

export const API_KEY_PREFIX = 'so_live_';

/** A new raw key (`so_live_` + 43 URL-safe characters), its SHA-256 hash and display prefix. */
export async function mintApiKey() {
  const raw = API_KEY_PREFIX + toBase64Url(randomBytes(32));
  return { raw, hash: await sha256Hex(raw), prefix: raw.slice(0, 12) };
}

/**
 * Who owns an API key, known at the edge (issue 18). Every statement a route sends is keyed
 * by the user's id, and an X-API-Key does not carry it (its format is fixed by API.md §1.2),
 * so a key whose owner is unknown here costs a round trip of its own before the route's.
 * The owner of a key hash never changes (keys are never moved between users), so a cached
 * owner is never wrong: it can only name a key that has since been revoked, expired or
 * whose user was deactivated, and the API-key prelude, which checks all of that in the same
 * transaction as the route's statement, then refuses the request. A cache entry can make a
 * request fail, never succeed.
 *
 * Two tiers: this isolate's memory (free, lost when the isolate is), then the AUTH_CACHE KV
 * namespace (shared by every isolate; read with a cacheTtl so a colo keeps hot keys near).
 */

import { log } from '../lib/log';

/** The AUTH_CACHE entry of a key hash. */
export const ownerEntry = (hash: string) => `api-key-owner:${hash}`;
/** Memory kept per isolate: enough for every active key of a busy colo, about 1 MB at most. */
const MEMORY_ENTRIES = 10_000;
/** An owner entry lives a month in KV after its key was last seen cold; a longer-idle key pays one extra round trip. */
const KV_TTL_SECONDS = 30 * 24 * 3600;
/**
 * How long a colo may serve a KV entry without asking KV again: owners never change, so
 * only a deleted entry (forgetOwner) can be served late, for at most this long.
 */
const KV_CACHE_TTL_SECONDS = 300;

const memory = new Map<string, string>();

function keep(hash: string, owner: string) {
  memory.delete(hash);
  memory.set(hash, owner);
  // Map keeps insertion order: the first entry is the least recently stored.
  if (memory.size > MEMORY_ENTRIES) memory.delete(memory.keys().next().value!);
}

/** The owner of the key with this hash if known here or in KV, else null. */
export async function knownOwner(kv: KVNamespace | undefined, hash: string): Promise<string | null> {
  const hit = memory.get(hash);
  if (hit) return hit;
  if (!kv) return null;
  const stored = await kv.get(ownerEntry(hash), { cacheTtl: KV_CACHE_TTL_SECONDS }).catch(() => null);
  if (stored) keep(hash, stored);
  return stored;
}

/** Records the owner learnt from the database; the KV write runs after the answer (waitUntil). */
export function rememberOwner(kv: KVNamespace | undefined, hash: string, owner: string, waitUntil: (p: Promise<unknown>) => void) {
  keep(hash, owner);
  if (kv) waitUntil(kv.put(ownerEntry(hash), owner, { expirationTtl: KV_TTL_SECONDS }).catch((err: Error) => log.warn('api key owner not cached', { error: err.message })));
}

/**
 * Drops the entries of a key that was refused: a revoked key has no reason to stay near,
 * and an entry that named the wrong owner (it cannot happen, owners never change, but a
 * cache is a copy) heals after the one refusal instead of refusing the key for a month.
 */
export function forgetOwner(kv: KVNamespace | undefined, hash: string, waitUntil: (p: Promise<unknown>) => void) {
  memory.delete(hash);
  if (kv) waitUntil(kv.delete(ownerEntry(hash)).catch(() => undefined));
}

import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { apiKeys } from '../db/schema';
import { mintApiKey } from '../lib/api-key';
import { isoOffset } from '../lib/time';

export async function createApiKey(db: Db, userId: string, name: string, scopes: string[]) {
  const key = await mintApiKey();
  const [row] = await db
    .insert(apiKeys)
    .values({ userId, name, keyHash: key.hash, keyPrefix: key.prefix, scopes })
    .returning({ id: apiKeys.id });
  return { id: row.id, name, key: key.raw, key_prefix: key.prefix, scopes };
}

export async function listApiKeys(db: Db, userId: string) {
  const rows = await db.select().from(apiKeys).where(eq(apiKeys.userId, userId)).orderBy(desc(apiKeys.createdAt));
  return rows.map((k) => ({
    id: k.id,
    name: k.name,
    key_prefix: k.keyPrefix,
    scopes: k.scopes,
    is_active: k.isActive,
    last_used_at: isoOffset(k.lastUsedAt),
    created_at: isoOffset(k.createdAt)!,
  }));
}

/** Soft-revokes a key of this user; false when there is no such key. */
export async function revokeApiKey(db: Db, userId: string, keyId: string): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ isActive: false })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.userId, userId)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

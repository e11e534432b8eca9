import { enforceWatchLimit } from './price-watch';
import { eq, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { apiKeys, users } from '../db/schema';
import type { User } from '../env';
import { mintApiKey } from '../lib/api-key';
import { toBase64Url, randomBytes } from '../lib/encoding';
import { hashPassword, verifyPassword } from '../lib/password';
import type { Tier } from './plans';

/** Lower-cases the domain only; the local part is case-sensitive (API.md §2.2). */
export function normaliseEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? email : email.slice(0, at) + email.slice(at).toLowerCase();
}

/** Creates a free, active user; null when the email is taken (one round trip). */
export async function registerUser(db: Db, email: string, password: string): Promise<User | null> {
  const hashedPassword = await hashPassword(password);
  const [user] = await db
    .insert(users)
    .values({ email, hashedPassword })
    .onConflictDoNothing({ target: users.email })
    .returning();
  return user ?? null;
}

/** The active user with these credentials, or null; legacy hashes are upgraded on success. */
export async function authenticate(db: Db, email: string, password: string): Promise<User | null> {
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  const check = await verifyPassword(password, user?.hashedPassword ?? null);
  if (!user || !check.ok || !user.isActive) return null;
  if (check.needsRehash) {
    await db.update(users).set({ hashedPassword: await hashPassword(password), updatedAt: new Date() }).where(eq(users.id, user.id));
  }
  return user;
}

export interface ProvisionInput {
  email: string;
  password?: string | null;
  plan: Tier;
  external_platform_id: string;
  external_store_id?: string | null;
}

/**
 * Finds the user by external platform id, then by email, or creates one; then mints
 * a new `read`/`write` key. Never downgrades a plan. Three round trips at most.
 */
export async function provisionUser(db: Db, input: ProvisionInput) {
  const storeId = input.external_store_id ? input.external_store_id : null;
  const [found] = await db
    .select({ id: users.id })
    .from(users)
    .where(or(eq(users.externalPlatformId, input.external_platform_id), eq(users.email, input.email)))
    .orderBy(sql`${users.externalPlatformId} = ${input.external_platform_id} DESC NULLS LAST`)
    .limit(1);

  const linkExisting = {
    externalPlatformId: input.external_platform_id,
    ...(storeId ? { externalStoreId: storeId } : {}),
    ...(input.plan !== 'free' ? { plan: input.plan } : {}),
    updatedAt: new Date(),
  };

  let userId: string;
  if (found) {
    await db.update(users).set(linkExisting).where(eq(users.id, found.id));
    userId = found.id;
  } else {
    const hashedPassword = await hashPassword(input.password ?? toBase64Url(randomBytes(24)));
    // A concurrent provision may have created the same email meanwhile: link that user instead.
    const [row] = await db
      .insert(users)
      .values({ email: input.email, hashedPassword, plan: input.plan, externalPlatformId: input.external_platform_id, externalStoreId: storeId })
      .onConflictDoUpdate({ target: users.email, set: linkExisting })
      .returning({ id: users.id });
    userId = row.id;
  }

  // Linking may have raised the plan (it never lowers it): resume watches a smaller plan paused.
  if (found && input.plan !== 'free') await enforceWatchLimit(db, userId);
  const key = await mintApiKey();
  await db.insert(apiKeys).values({
    userId,
    name: `Platform Integration (${input.external_platform_id.slice(0, 8)})`,
    keyHash: key.hash,
    keyPrefix: key.prefix,
    scopes: ['read', 'write'],
  });
  return { user_id: userId, api_key: key.raw };
}

import { watchLimitSql } from './price-watch';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { users } from '../db/schema';
import type { User } from '../env';
import { mintApiKey } from '../lib/api-key';
import { toBase64Url, randomBytes } from '../lib/encoding';
import { hashPassword, verifyPassword } from '../lib/password';
import { Conflict } from '../shared/domain-errors';
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
 * a new `read`/`write` key. Never downgrades a plan. One statement (one round trip).
 */
export async function provisionUser(db: Db, input: ProvisionInput) {
  const pid = input.external_platform_id;
  const storeId = input.external_store_id ? input.external_store_id : null;
  const raise = input.plan !== 'free';
  // The password is hashed before the statement knows whether the user exists, so that
  // finding, linking or creating, and minting the key are one round trip; a link
  // discards the hash (CPU spent in place of a second round trip).
  const hashedPassword = await hashPassword(input.password ?? toBase64Url(randomBytes(24)));
  const key = await mintApiKey();
  // What a found user gets: the platform id, the store id only when one is given, the plan
  // only when it is not free (API.md §2.2); a user created meanwhile with the email too.
  const linkSet = sql`external_platform_id = ${pid}, ${storeId ? sql`external_store_id = ${storeId}, ` : sql``}${raise ? sql`plan = ${input.plan}::plantier, ` : sql``}updated_at = now()`;
  const { rows } = await db.execute<{ id: string }>(sql`
    WITH found AS (
      SELECT id FROM users WHERE external_platform_id = ${pid} OR email = ${input.email}
      ORDER BY external_platform_id = ${pid} DESC NULLS LAST
      LIMIT 1
    ), linked AS (
      UPDATE users SET ${linkSet} WHERE id = (SELECT id FROM found) RETURNING id, plan
    ), created AS (
      INSERT INTO users (email, hashed_password, plan, external_platform_id, external_store_id)
      SELECT ${input.email}, ${hashedPassword}, ${input.plan}::plantier, ${pid}, ${storeId} WHERE NOT EXISTS (SELECT 1 FROM found)
      -- A concurrent provision may have created the same email meanwhile: link that user instead.
      ON CONFLICT (email) DO UPDATE SET ${linkSet}
      RETURNING id
    ), target AS (
      SELECT id FROM linked UNION ALL SELECT id FROM created
    ), minted AS (
      INSERT INTO api_keys (user_id, name, key_hash, key_prefix, scopes)
      SELECT id, ${`Platform Integration (${pid.slice(0, 8)})`}, ${key.hash}, ${key.prefix}, ARRAY['read', 'write']::varchar[] FROM target
    )${
      // Linking may have raised the plan (it never lowers it): resume watches a smaller plan paused.
      raise ? sql`, wl_src AS (SELECT id, plan FROM linked), ${watchLimitSql(sql`wl_src`)}` : sql``
    }
    SELECT id FROM target`);
  // The user found was deleted before the statement could link it.
  if (!rows[0]) throw new Conflict('The account changed while it was being provisioned. Please try again.');
  return { user_id: rows[0].id, api_key: key.raw };
}

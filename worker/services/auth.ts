import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { users } from '../db/schema';
import type { User } from '../env';
import { sha256Hex } from '../lib/encoding';
import { verifyToken, type TokenType } from '../lib/jwt';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type TokenUser =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid' | 'no_sub' | 'no_user' };

export type TokenSubject = { ok: true; userId: string } | { ok: false; reason: 'invalid' | 'no_sub' | 'no_user' };

/** Verifies a JWT of the given type without the database: its signature, expiry, type and subject. */
export async function subjectOfToken(secret: string, token: string, type: TokenType): Promise<TokenSubject> {
  const verified = await verifyToken(secret, token, type);
  if (!verified.ok) return { ok: false, reason: 'invalid' };
  if (!verified.sub) return { ok: false, reason: 'no_sub' };
  if (!UUID.test(verified.sub)) return { ok: false, reason: 'no_user' };
  return { ok: true, userId: verified.sub };
}

/** Verifies a JWT of the given type and loads its active user (one round trip). */
export async function userFromToken(db: Db, secret: string, token: string, type: TokenType): Promise<TokenUser> {
  const subject = await subjectOfToken(secret, token, type);
  if (!subject.ok) return subject;
  const [user] = await db.select().from(users).where(eq(users.id, subject.userId)).limit(1);
  return user?.isActive ? { ok: true, user } : { ok: false, reason: 'no_user' };
}

/**
 * The active-user check that rides with a request's first statement (RequestDb.prelude):
 * `sp_active_user` (migration 0018) returns the user as JSON or raises SQLSTATE SP401,
 * which rolls back whatever was batched with it.
 */
export const ACTIVE_USER_PRELUDE = 'SELECT sp_active_user($1::uuid) AS "user"';
export const NO_ACTIVE_USER_CODE = 'SP401';

/** A users row as JSON (row_to_json) → User. */
export function userFromJson(u: Record<string, unknown>): User {
  const ts = (v: unknown) => (v ? new Date(String(v)) : null);
  return {
    id: String(u.id),
    email: String(u.email),
    hashedPassword: (u.hashed_password as string | null) ?? null,
    isActive: Boolean(u.is_active),
    plan: u.plan as User['plan'],
    stripeCustomerId: (u.stripe_customer_id as string | null) ?? null,
    externalPlatformId: (u.external_platform_id as string | null) ?? null,
    externalStoreId: (u.external_store_id as string | null) ?? null,
    importReview: Boolean(u.import_review),
    createdAt: ts(u.created_at)!,
    updatedAt: ts(u.updated_at)!,
  };
}

/**
 * Resolves an X-API-Key to its active user and scopes in one round trip, stamping
 * `last_used_at` and counting the day's requests in the same statement when the
 * user's plan may use the API.
 */
export async function userFromApiKey(db: Db, rawKey: string): Promise<{ user: User; scopes: string[] } | null> {
  const hash = await sha256Hex(rawKey);
  const { rows } = await db.execute<{ key_id: string; scopes: string[]; user: Record<string, unknown> }>(sql`
    WITH k AS (
      SELECT k.id AS key_id, k.scopes, row_to_json(u.*) AS "user", u.plan
      FROM api_keys k JOIN users u ON u.id = k.user_id
      WHERE k.key_hash = ${hash} AND k.is_active AND (k.expires_at IS NULL OR k.expires_at > now()) AND u.is_active
    ), used AS (
      UPDATE api_keys SET last_used_at = now() FROM k WHERE api_keys.id = k.key_id AND k.plan <> 'free'
      RETURNING api_keys.id
    ), counted AS (
      INSERT INTO api_key_usage (key_id, day, requests)
      SELECT id, (now() AT TIME ZONE 'UTC')::date, 1 FROM used
      ON CONFLICT (key_id, day) DO UPDATE SET requests = api_key_usage.requests + 1
    )
    SELECT key_id, scopes, "user" FROM k`);
  const row = rows[0];
  if (!row) return null;
  return { user: userFromJson(row.user), scopes: row.scopes };
}

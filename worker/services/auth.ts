import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { users } from '../db/schema';
import type { User } from '../env';
import { verifyToken, type TokenType } from '../lib/jwt';
import { PLANS, TIERS } from './plans';

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
 * The API-key check that rides with a request's first statement (RequestDb.prelude):
 * `sp_api_key_user(hash, owner, needed scope, plans with API access)` (migration 0019)
 * checks the key, its user, the plan and the scope and returns `{ user, scopes }`; it
 * raises SP401 (no usable key) or SP403 with message `plan` or `scope`, rolling back
 * whatever was batched with it. An owner of null accepts whichever user owns the key (a
 * key not yet known at the edge). Its record, `sp_api_key_used(hash)`, stamps
 * `last_used_at` and counts the day's use at the end of the same transaction.
 */
export const API_KEY_PRELUDE = 'SELECT sp_api_key_user($1, $2::uuid, $3, $4::text[]) AS "key"';
export const API_KEY_USED = 'SELECT sp_api_key_used($1)';
export const KEY_REFUSED_CODE = 'SP403';

/** The plans whose users may authenticate with an API key (PLANS is the rule's home). */
export const API_PLANS = TIERS.filter((t) => PLANS[t].api_access);

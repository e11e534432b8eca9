import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { storeConnections } from '../db/schema';
import { isUniqueViolation, retryRace } from '../lib/pg-errors';
import { encryptSecret } from '../lib/secrets';
import { checkStoreUrl, parseWooKey, storePlatform, WOO_KEY_MESSAGE } from '../lib/store-url';
import { isoZ } from '../lib/time';
import { Conflict, InvalidInput } from '../shared/domain-errors';
import { connectorFor, type StoreEnv } from '../stores';
import { StoreError, type ConnectionTest } from '../stores/types';

export type StoreConnectionRow = typeof storeConnections.$inferSelect;

const ONE_DEFAULT = 'store_connections_one_default_uq';
const USER_URL = 'store_connections_user_url_uq';

/** The wire shape (API.md §2.6, §8.1): credentials, token times and shop_name never leave the worker here. */
/**
 * The StoreConnection resource. `demoStore` is the origin of the local demo store
 * (DEMO_STORE_URL, set by `npm run dev`): a Shopify connection to it says `demo: true`.
 */
export const connectionOut = (r: StoreConnectionRow, demoStore: string | null = null) => ({
  id: r.id,
  user_id: r.userId,
  store_name: r.storeName,
  platform: r.platform,
  store_url: r.storeUrl,
  is_default: r.isDefault,
  auth_type: r.authType,
  status: r.status,
  scopes: r.scopes,
  status_detail: r.statusDetail,
  demo: demoStore !== null && r.platform === 'shopify' && r.storeUrl === demoStore,
  created_at: isoZ(r.createdAt)!,
  updated_at: isoZ(r.updatedAt)!,
});

/** A row as `to_json(store_connections.*)` returns it from a raw statement. */
function rowFromJson(j: Record<string, unknown>): StoreConnectionRow {
  return {
    id: String(j.id),
    userId: String(j.user_id),
    storeName: String(j.store_name),
    platform: String(j.platform),
    storeUrl: String(j.store_url),
    apiKey: (j.api_key as string | null) ?? null,
    shopName: (j.shop_name as string | null) ?? null,
    isDefault: Boolean(j.is_default),
    authType: String(j.auth_type),
    status: String(j.status),
    scopes: (j.scopes as string[] | null) ?? null,
    statusDetail: (j.status_detail as string | null) ?? null,
    refreshToken: (j.refresh_token as string | null) ?? null,
    tokenExpiresAt: j.token_expires_at ? new Date(String(j.token_expires_at)) : null,
    refreshTokenExpiresAt: j.refresh_token_expires_at ? new Date(String(j.refresh_token_expires_at)) : null,
    refreshClaimedUntil: j.refresh_claimed_until ? new Date(String(j.refresh_claimed_until)) : null,
    tokenVersion: Number(j.token_version),
    createdAt: new Date(String(j.created_at)),
    updatedAt: new Date(String(j.updated_at)),
  };
}

export interface StoreRules {
  ENCRYPTION_KEY: string;
  allowLocal: boolean;
}

/**
 * Validates what a known platform needs (URL rules of §6, the WooCommerce `ck_…:cs_…`
 * key), naming the offending field. Free-text platforms are stored as sent: nothing
 * ever calls them, and /test says they are unsupported.
 */
function checkStoreInput(platform: string, input: { store_url?: string | null; api_key?: string | null }, allowLocal: boolean) {
  const known = storePlatform(platform);
  if (!known) return;
  if (input.store_url != null) {
    const check = checkStoreUrl(known, input.store_url, allowLocal);
    if (!check.ok) throw new InvalidInput(check.msg, { field: ['store_url'], type: 'value_error', input: input.store_url });
  }
  if (known === 'woocommerce' && input.api_key && !parseWooKey(input.api_key)) {
    throw new InvalidInput(WOO_KEY_MESSAGE, { field: ['api_key'], type: 'value_error', input: '••••' });
  }
}

/** Default first, then by name (API.md §2.6). One round trip. */
export async function listConnections(db: Db, userId: string) {
  return db
    .select()
    .from(storeConnections)
    .where(eq(storeConnections.userId, userId))
    .orderBy(desc(storeConnections.isDefault), asc(storeConnections.storeName), asc(storeConnections.createdAt), asc(storeConnections.id));
}

/** One of the user's connections, or null (foreign ids look missing). */
export async function getConnection(db: Db, userId: string, id: string): Promise<StoreConnectionRow | null> {
  const [row] = await db
    .select()
    .from(storeConnections)
    .where(and(eq(storeConnections.id, id), eq(storeConnections.userId, userId)))
    .limit(1);
  return row ?? null;
}

export interface NewConnection {
  store_name: string;
  platform: string;
  store_url: string;
  api_key?: string | null;
}

/**
 * Creates a connection; the user's first one becomes the default. One statement:
 * `FOR KEY SHARE` waits for concurrent deletes of the user's rows and skips the deleted
 * ones, so "first" means "no connection still exists". Two concurrent firsts collide on
 * the one-default index; the loser runs again and sees the winner. A Conflict when the
 * URL is already connected.
 */
export async function createConnection(db: Db, rules: StoreRules, userId: string, input: NewConnection): Promise<StoreConnectionRow> {
  checkStoreInput(input.platform, input, rules.allowLocal);
  const apiKey = input.api_key ? await encryptSecret(rules.ENCRYPTION_KEY, input.api_key.trim()) : null;
  const { rows } = await retryRace(
    () =>
      db.execute<{ row: Record<string, unknown> }>(sql`
        WITH existing AS (
          SELECT id FROM store_connections WHERE user_id = ${userId} FOR KEY SHARE
        )
        INSERT INTO store_connections (user_id, store_name, platform, store_url, api_key, auth_type, is_default)
        VALUES (${userId}, ${input.store_name}, ${input.platform}, ${input.store_url}, ${apiKey}, ${storePlatform(input.platform) === 'woocommerce' ? 'keys' : 'token'}, NOT EXISTS (SELECT 1 FROM existing))
        ON CONFLICT (user_id, store_url) DO NOTHING
        RETURNING to_json(store_connections.*) AS row`),
    (err) => isUniqueViolation(err, ONE_DEFAULT),
  );
  if (!rows[0]) throw alreadyConnected(input.store_url);
  return rowFromJson(rows[0].row);
}

const alreadyConnected = (storeUrl: string) => new Conflict(`Store URL already connected: ${storeUrl}`);

export interface ConnectionPatch {
  store_name?: string | null;
  store_url?: string | null;
  api_key?: string | null;
  is_default?: boolean | null;
}

/**
 * Applies a PUT (absent or null = unchanged). `is_default: true` clears every other
 * default of the user in the same statement: the clearing runs first (the main update
 * waits on its count) so the one-default index never sees two; a concurrent default
 * change that committed meanwhile makes the statement collide and run again.
 * Returns null when the connection is not the user's; a Conflict when the new URL is
 * already connected.
 */
export async function updateConnection(db: Db, rules: StoreRules, userId: string, id: string, patch: ConnectionPatch): Promise<StoreConnectionRow | null> {
  const apiKeyGiven = patch.api_key != null && patch.api_key !== '';
  if (patch.store_url != null || apiKeyGiven) {
    // URL and key rules depend on the platform, which a PUT cannot change.
    const [current] = await db
      .select({ platform: storeConnections.platform })
      .from(storeConnections)
      .where(and(eq(storeConnections.id, id), eq(storeConnections.userId, userId)))
      .limit(1);
    if (!current) return null;
    checkStoreInput(current.platform, patch, rules.allowLocal);
  }
  const apiKey = apiKeyGiven ? await encryptSecret(rules.ENCRYPTION_KEY, patch.api_key!.trim()) : null;
  const makeDefault = patch.is_default === true;
  try {
    const { rows } = await retryRace(
      () =>
        db.execute<{ row: Record<string, unknown> }>(sql`
          WITH target AS (
            SELECT id FROM store_connections WHERE id = ${id} AND user_id = ${userId} FOR NO KEY UPDATE
          ), cleared AS (
            UPDATE store_connections SET is_default = false, updated_at = now()
            WHERE user_id = ${userId} AND is_default AND id <> ${id} AND ${makeDefault}::boolean
              AND EXISTS (SELECT 1 FROM target)
            RETURNING id
          )
          UPDATE store_connections SET
            store_name = COALESCE(${patch.store_name ?? null}::varchar, store_name),
            store_url = COALESCE(${patch.store_url ?? null}::varchar, store_url),
            api_key = COALESCE(${apiKey}::varchar, api_key),
            is_default = COALESCE(${patch.is_default ?? null}::boolean, is_default),
            updated_at = now()
          WHERE id IN (SELECT id FROM target) AND (SELECT count(*) FROM cleared) >= 0
          RETURNING to_json(store_connections.*) AS row`),
      (err) => isUniqueViolation(err, ONE_DEFAULT),
    );
    return rows[0] ? rowFromJson(rows[0].row) : null;
  } catch (err) {
    if (isUniqueViolation(err, USER_URL)) throw alreadyConnected(patch.store_url ?? '');
    throw err;
  }
}

/** Makes this connection the user's only default; false when it is not theirs. */
export async function setDefaultConnection(db: Db, rules: StoreRules, userId: string, id: string): Promise<boolean> {
  return (await updateConnection(db, rules, userId, id, { is_default: true })) !== null;
}

/**
 * Deletes a connection; when it was the default, the oldest remaining one is promoted
 * in the same statement. If a concurrent delete took the promotion candidate, a
 * follow-up statement (fresh snapshot) promotes the oldest survivor unless a default
 * exists by then. False when the connection is not the user's.
 */
export async function deleteConnection(db: Db, userId: string, id: string): Promise<boolean> {
  const { rows } = await retryRace(
    () =>
      db.execute<{ deleted: number; was_default: boolean | null; promoted: number }>(sql`
        WITH del AS (
          DELETE FROM store_connections WHERE id = ${id} AND user_id = ${userId} RETURNING id, is_default
        ), next AS (
          SELECT id FROM store_connections
          WHERE user_id = ${userId} AND id <> ${id} AND EXISTS (SELECT 1 FROM del WHERE is_default)
          ORDER BY created_at, id LIMIT 1
        ), promoted AS (
          UPDATE store_connections SET is_default = true, updated_at = now() WHERE id IN (SELECT id FROM next) RETURNING id
        )
        SELECT (SELECT count(*) FROM del)::int AS deleted,
               (SELECT bool_or(is_default) FROM del) AS was_default,
               (SELECT count(*) FROM promoted)::int AS promoted`),
    (err) => isUniqueViolation(err, ONE_DEFAULT),
  );
  const result = rows[0];
  if (!result || result.deleted === 0) return false;
  if (result.was_default && result.promoted === 0) await ensureDefault(db, userId);
  return true;
}

/** Promotes the oldest connection when the user has connections but no default. */
async function ensureDefault(db: Db, userId: string) {
  for (let i = 0; i < 5; i++) {
    const { rows } = await retryRace(
      () =>
        db.execute<{ candidates: number; promoted: number }>(sql`
          WITH cand AS (
            SELECT id FROM store_connections
            WHERE user_id = ${userId} AND NOT EXISTS (SELECT 1 FROM store_connections WHERE user_id = ${userId} AND is_default)
            ORDER BY created_at, id LIMIT 1
          ), promoted AS (
            UPDATE store_connections SET is_default = true, updated_at = now() WHERE id IN (SELECT id FROM cand) RETURNING id
          )
          SELECT (SELECT count(*) FROM cand)::int AS candidates, (SELECT count(*) FROM promoted)::int AS promoted`),
      (err) => isUniqueViolation(err, ONE_DEFAULT),
    );
    // Settled: a default exists, nothing is left, or we promoted one.
    if (!rows[0] || rows[0].candidates === 0 || rows[0].promoted > 0) return;
  }
}

/**
 * Checks the connection's credentials against the store's own API and remembers the
 * shop's name on success. Store failures are an answer (`ok: false` with the store's
 * message), never an error; null when the connection is not the user's.
 */
export async function testConnection(db: Db, env: StoreEnv, userId: string, id: string): Promise<ConnectionTest | null> {
  const row = await getConnection(db, userId, id);
  if (!row) return null;
  let result: ConnectionTest;
  try {
    result = await (await connectorFor(env, row, db)).testConnection();
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    result = { ok: false, shop_name: null, detail: err.message };
  }
  if (result.ok && result.shop_name && result.shop_name !== row.shopName) {
    await db
      .update(storeConnections)
      .set({ shopName: result.shop_name.slice(0, 255) })
      .where(and(eq(storeConnections.id, id), eq(storeConnections.userId, userId)));
  }
  return result;
}

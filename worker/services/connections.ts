import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { storeConnections } from '../db/schema';
import { isUniqueViolation, retryRace } from '../lib/pg-errors';
import { connectionSecret, encryptSecret } from '../lib/secrets';
import { checkStoreUrl, parseWooKey, storePlatform, WOO_KEY_MESSAGE } from '../lib/store-url';
import { isoZ } from '../lib/time';
import { Conflict, InvalidInput, UpstreamFailure } from '../shared/domain-errors';
import { requestToken } from './shopify-oauth';
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
    clientId: (j.client_id as string | null) ?? null,
    clientSecret: (j.client_secret as string | null) ?? null,
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
  /** A merchant's own Shopify Dev Dashboard app (API.md §8.1), instead of `api_key`. */
  client_id?: string | null;
  client_secret?: string | null;
}

interface IssuedCredential {
  authType: 'client_credentials';
  accessToken: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  expiresAt: string | null;
}

/**
 * A Dev Dashboard app's first token, by the client credentials grant at the shop
 * (INTEGRATIONS.md §4c): proves the id and secret before anything is stored.
 */
async function clientCredentialsToken(input: NewConnection, allowLocal: boolean): Promise<IssuedCredential> {
  const field = (name: string, msg: string) => new InvalidInput(msg, { field: [name], type: 'value_error', input: name === 'client_secret' ? '••••' : (input as unknown as Record<string, unknown>)[name] });
  if (storePlatform(input.platform) !== 'shopify') throw field('client_id', 'Only Shopify connections take a client id and secret');
  if (input.api_key) throw field('api_key', 'Give either an access token or a client id and secret, not both');
  const clientId = input.client_id?.trim() ?? '';
  const clientSecret = input.client_secret?.trim() ?? '';
  if (!clientId) throw field('client_id', 'Enter the client id of your app (Dev Dashboard › your app › Settings)');
  if (!clientSecret) throw field('client_secret', 'Enter the client secret of your app (Dev Dashboard › your app › Settings)');
  const url = checkStoreUrl('shopify', input.store_url, allowLocal);
  if (!url.ok) throw new InvalidInput(url.msg, { field: ['store_url'], type: 'value_error', input: input.store_url });
  const issued = await requestToken(url.origin, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
  if (!issued.ok) {
    if (issued.refused) throw field('client_secret', `Shopify refused this client id and secret for the store (${issued.detail}); check them in the Dev Dashboard and that the app is installed on this store`);
    throw new UpstreamFailure(`Shopify did not answer the token request (${issued.detail}); try again`, true);
  }
  const { token } = issued;
  return { authType: 'client_credentials', accessToken: token.accessToken, clientId, clientSecret, scopes: token.scopes, expiresAt: token.expiresIn ? new Date(Date.now() + token.expiresIn * 1000).toISOString() : null };
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
  const app = input.client_id != null || input.client_secret != null ? await clientCredentialsToken(input, rules.allowLocal) : null;
  const secret = app ? app.accessToken : input.api_key?.trim();
  // The id is chosen here so the secrets can be bound to the row they are stored in.
  const id = crypto.randomUUID();
  const apiKey = secret ? await encryptSecret(rules.ENCRYPTION_KEY, secret, connectionSecret('api_key', { id, userId })) : null;
  const clientSecret = app ? await encryptSecret(rules.ENCRYPTION_KEY, app.clientSecret, connectionSecret('client_secret', { id, userId })) : null;
  const authType = app ? app.authType : storePlatform(input.platform) === 'woocommerce' ? 'keys' : 'token';
  const { rows } = await retryRace(
    () =>
      db.execute<{ row: Record<string, unknown> }>(sql`
        WITH existing AS (
          SELECT id FROM store_connections WHERE user_id = ${userId} FOR KEY SHARE
        )
        INSERT INTO store_connections (id, user_id, store_name, platform, store_url, api_key, auth_type, client_id, client_secret, scopes, token_expires_at, token_version, is_default)
        VALUES (${id}, ${userId}, ${input.store_name}, ${input.platform}, ${input.store_url}, ${apiKey}, ${authType}, ${app?.clientId ?? null}, ${clientSecret},
                ${app ? sql`string_to_array(${app.scopes.join(',')}, ',')` : sql`NULL`}, ${app?.expiresAt ?? null}::timestamptz, ${app ? 1 : 0}, NOT EXISTS (SELECT 1 FROM existing))
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
export async function updateConnection(db: Db, rules: StoreRules, userId: string, id: string, patch: ConnectionPatch, attempt = 0): Promise<StoreConnectionRow | null> {
  const apiKeyGiven = patch.api_key != null && patch.api_key !== '';
  let guardUrl: string | null = null;
  if (patch.store_url != null || apiKeyGiven) {
    // URL and key rules depend on the platform, which a PUT cannot change.
    const [current] = await db
      .select({ platform: storeConnections.platform, storeUrl: storeConnections.storeUrl, apiKey: storeConnections.apiKey, refreshToken: storeConnections.refreshToken, clientSecret: storeConnections.clientSecret })
      .from(storeConnections)
      .where(and(eq(storeConnections.id, id), eq(storeConnections.userId, userId)))
      .limit(1);
    if (!current) return null;
    checkStoreInput(current.platform, patch, rules.allowLocal);
    // Credentials were given for one origin and are never sent to another (API.md §8.3).
    const holdsCredentials = Boolean(current.apiKey || current.refreshToken || current.clientSecret);
    if (patch.store_url != null && !apiKeyGiven && holdsCredentials && originOf(patch.store_url) !== originOf(current.storeUrl)) {
      throw new InvalidInput(NEW_ORIGIN_MESSAGE, { field: ['store_url'], type: 'value_error', input: patch.store_url });
    }
    // The statement only applies over the URL this check saw: a concurrent URL change makes it run again.
    if (patch.store_url != null && !apiKeyGiven) guardUrl = current.storeUrl;
  }
  const apiKey = apiKeyGiven ? await encryptSecret(rules.ENCRYPTION_KEY, patch.api_key!.trim(), connectionSecret('api_key', { id, userId })) : null;
  const makeDefault = patch.is_default === true;
  try {
    const { rows } = await retryRace(
      () =>
        db.execute<{ row: Record<string, unknown> }>(sql`
          WITH target AS (
            SELECT id FROM store_connections WHERE id = ${id} AND user_id = ${userId}
              AND (${guardUrl}::varchar IS NULL OR store_url = ${guardUrl}::varchar)
            FOR NO KEY UPDATE
          ), cleared AS (
            UPDATE store_connections SET is_default = false, updated_at = now()
            WHERE user_id = ${userId} AND is_default AND id <> ${id} AND ${makeDefault}::boolean
              AND EXISTS (SELECT 1 FROM target)
            RETURNING id
          )
          UPDATE store_connections SET
            store_name = COALESCE(${patch.store_name ?? null}::varchar, store_name),
            store_url = COALESCE(${patch.store_url ?? null}::varchar, store_url),
            is_default = COALESCE(${patch.is_default ?? null}::boolean, is_default),
            api_key = COALESCE(${apiKey}::varchar, api_key),
            -- A pasted credential replaces whatever the connection held before (an installed app's tokens, a Dev Dashboard app).
            auth_type = CASE WHEN ${apiKey}::varchar IS NULL THEN auth_type WHEN lower(trim(platform)) = 'woocommerce' THEN 'keys' ELSE 'token' END,
            status = CASE WHEN ${apiKey}::varchar IS NULL THEN status ELSE 'connected' END,
            status_detail = CASE WHEN ${apiKey}::varchar IS NULL THEN status_detail ELSE NULL END,
            scopes = CASE WHEN ${apiKey}::varchar IS NULL THEN scopes ELSE NULL END,
            refresh_token = CASE WHEN ${apiKey}::varchar IS NULL THEN refresh_token ELSE NULL END,
            token_expires_at = CASE WHEN ${apiKey}::varchar IS NULL THEN token_expires_at ELSE NULL END,
            refresh_token_expires_at = CASE WHEN ${apiKey}::varchar IS NULL THEN refresh_token_expires_at ELSE NULL END,
            client_id = CASE WHEN ${apiKey}::varchar IS NULL THEN client_id ELSE NULL END,
            client_secret = CASE WHEN ${apiKey}::varchar IS NULL THEN client_secret ELSE NULL END,
            token_version = CASE WHEN ${apiKey}::varchar IS NULL THEN token_version ELSE token_version + 1 END,
            updated_at = now()
          WHERE id IN (SELECT id FROM target) AND (SELECT count(*) FROM cleared) >= 0
          RETURNING to_json(store_connections.*) AS row`),
      (err) => isUniqueViolation(err, ONE_DEFAULT),
    );
    if (!rows[0] && guardUrl !== null && attempt < 3) return updateConnection(db, rules, userId, id, patch, attempt + 1);
    return rows[0] ? rowFromJson(rows[0].row) : null;
  } catch (err) {
    if (isUniqueViolation(err, USER_URL)) throw alreadyConnected(patch.store_url ?? '');
    throw err;
  }
}

export const NEW_ORIGIN_MESSAGE = 'A new store URL needs new credentials';

/** Scheme, host and port of a store URL (what credentials are bound to); the text itself when it is not a URL. */
function originOf(raw: string): string {
  try {
    const url = new URL(raw.trim());
    return url.origin === 'null' ? raw.trim() : url.origin;
  } catch {
    return raw.trim();
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

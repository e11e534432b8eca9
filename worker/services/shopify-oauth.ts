import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { config } from '../env';
import { hmacSha256, randomBytes, safeEqual, sha256Hex, toHex } from '../lib/encoding';
import { isUniqueViolation, retryRace } from '../lib/pg-errors';
import { connectionSecret, decryptJson, encryptJson, encryptSecret, pendingInstallSecret } from '../lib/secrets';
import { checkStoreUrl } from '../lib/store-url';
import { readJson } from '../stores/http';
import { Conflict, NotFound } from '../shared/domain-errors';
import { SHOPIFY_SCOPE_NAMES } from '../shared/shopify-scopes';

/**
 * SourcePilot as a Shopify app merchants install (API.md §8.1, INTEGRATIONS.md §4c):
 * the authorization code grant of a standalone app, asking for an expiring offline
 * token. The install starts with a single-use state bound to the user and the shop;
 * the callback proves it came from Shopify (HMAC, timestamp, shop) and from this
 * install (state), exchanges the code and stores the tokens encrypted on the user's
 * connection for that shop.
 */
export interface ShopifyAppEnv {
  SHOPIFY_API_KEY?: string;
  SHOPIFY_API_SECRET?: string;
  ENCRYPTION_KEY: string;
  ALLOW_LOCAL_STORES?: string;
  CORS_ORIGINS: string;
  STORE_REQUEST_TIMEOUT_MS: string;
}

const STATE_TTL = '10 minutes';
/** How old Shopify's callback timestamp may be (API.md §8.1), and how far in the future (clock skew). */
const MAX_CALLBACK_AGE_S = 600;
const MAX_CLOCK_SKEW_S = 60;
const EXCHANGE_TIMEOUT_MS = 20_000;

/**
 * The shop's origin from what a merchant typed: a shop name (`my-store`), its
 * `my-store.myshopify.com` domain or `https://` URL; with ALLOW_LOCAL_STORES also a
 * loopback origin. Null for anything else (a custom domain, a path, another host).
 */
export function shopOrigin(input: string, allowLocal: boolean): string | null {
  const raw = input.trim();
  let candidate: string;
  if (/^[a-z0-9][a-z0-9-]*$/i.test(raw)) candidate = `https://${raw}.myshopify.com`;
  else if (/^https?:\/\//i.test(raw)) candidate = raw;
  else candidate = `https://${raw}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  // A loopback shop is a local fake or demo store; any other local host is refused.
  if (url.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return null;
  const check = checkStoreUrl('shopify', candidate, allowLocal);
  return check.ok ? check.origin : null;
}

export class ShopifyAppNotConfigured extends Error {}

export function appCredentials(env: Pick<ShopifyAppEnv, 'SHOPIFY_API_KEY' | 'SHOPIFY_API_SECRET'>) {
  if (!env.SHOPIFY_API_KEY || !env.SHOPIFY_API_SECRET) throw new ShopifyAppNotConfigured('The Shopify app is not configured on this server (SHOPIFY_API_KEY, SHOPIFY_API_SECRET)');
  return { clientId: env.SHOPIFY_API_KEY, clientSecret: env.SHOPIFY_API_SECRET };
}

/**
 * Starts an install: records a fresh state for (user, shop) and answers Shopify's
 * authorize URL. The same statement drops states nobody came back for.
 */
export async function startInstall(db: Db, env: ShopifyAppEnv, userId: string | null, origin: string, redirectUri: string): Promise<string> {
  const { clientId } = appCredentials(env);
  const state = toHex(randomBytes(24));
  await db.execute(sql`
    WITH expired AS (DELETE FROM shopify_oauth_states WHERE created_at < now() - ${STATE_TTL}::interval)
    INSERT INTO shopify_oauth_states (state, user_id, shop_origin) VALUES (${state}, ${userId}, ${origin})`);
  const url = new URL('/admin/oauth/authorize', origin);
  url.search = new URLSearchParams({ client_id: clientId, scope: SHOPIFY_SCOPE_NAMES.join(','), redirect_uri: redirectUri, state }).toString();
  return url.toString();
}

/**
 * Shopify's signature of a redirect's query: hex HMAC-SHA256, with the app secret, of
 * every other parameter sorted by name and form-encoded (as Shopify's own libraries
 * rebuild it); compared in constant time.
 */
export async function validShopifyHmac(query: URLSearchParams, secret: string): Promise<boolean> {
  const given = query.get('hmac');
  if (!given) return false;
  const rest = [...query.entries()].filter(([k]) => k !== 'hmac' && k !== 'signature').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const expected = toHex(await hmacSha256(secret, new URLSearchParams(rest).toString()));
  return safeEqual(given.toLowerCase(), expected);
}

/** Why a callback was refused; the dashboard shows a message for each. */
export type InstallError = 'not_configured' | 'invalid_request' | 'invalid_hmac' | 'stale_request' | 'invalid_shop' | 'invalid_state' | 'token_exchange_failed';

export type InstallResult =
  | { ok: true; connectionId: string }
  /** An install that started in Shopify: kept until the merchant picks an account (the one-time code of the welcome link). */
  | { ok: true; pending: string; shop: string }
  | { ok: false; error: InstallError };

interface TokenAnswer {
  access_token?: unknown;
  scope?: unknown;
  expires_in?: unknown;
  refresh_token?: unknown;
  refresh_token_expires_in?: unknown;
}

/** A token answer is a few hundred bytes; anything near this is not Shopify. */
const TOKEN_ANSWER_MAX_BYTES = 64 * 1024;

/** What the token endpoint answered: tokens, Shopify's refusal (400/401: the grant is dead), or a transient failure. */
export type TokenResult =
  | { ok: true; token: IssuedToken }
  | { ok: false; refused: boolean; detail: string };

export interface IssuedToken {
  accessToken: string;
  scopes: string[];
  expiresIn: number | null;
  refreshToken: string | null;
  refreshExpiresIn: number | null;
}

/**
 * One call to the shop's `/admin/oauth/access_token` (the code, refresh and client
 * credentials grants share it). A 400 or 401 is Shopify refusing the grant
 * (`invalid_grant`, `invalid_request`, INTEGRATIONS.md §4c); 429, 5xx, timeouts and
 * unreadable answers are worth another try.
 */
export async function requestToken(origin: string, params: Record<string, string>): Promise<TokenResult> {
  let res: Response;
  try {
    res = await fetch(new URL('/admin/oauth/access_token', origin), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams(params),
      redirect: 'manual',
      signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS),
    });
  } catch (err) {
    return { ok: false, refused: false, detail: `Shopify's token endpoint did not answer (${(err as Error).name})` };
  }
  const body = (await readJson('Shopify', res, TOKEN_ANSWER_MAX_BYTES).catch(() => null)) as (TokenAnswer & { error?: unknown }) | null;
  if (!res.ok || !body || typeof body.access_token !== 'string' || !body.access_token) {
    const refused = res.status === 400 || res.status === 401;
    return { ok: false, refused, detail: `Shopify's token endpoint answered HTTP ${res.status}${typeof body?.error === 'string' ? ` (${body.error})` : ''}` };
  }
  const seconds = (v: unknown) => (typeof v === 'number' && v > 0 ? v : null);
  return {
    ok: true,
    token: {
      accessToken: body.access_token,
      scopes: typeof body.scope === 'string' ? body.scope.split(',').map((s) => s.trim()).filter(Boolean) : [],
      expiresIn: seconds(body.expires_in),
      refreshToken: typeof body.refresh_token === 'string' && body.refresh_token ? body.refresh_token : null,
      refreshExpiresIn: seconds(body.refresh_token_expires_in),
    },
  };
}

/**
 * Completes an install from Shopify's redirect. Checks, in order: the HMAC, the
 * timestamp, the shop, then consumes the state (single use, 10 minutes, same shop):
 * a forged or replayed redirect never reaches the token endpoint. On success the
 * user's connection for the shop is created, or its tokens replaced.
 */
export async function completeInstall(db: Db, env: ShopifyAppEnv, query: URLSearchParams, now = Date.now()): Promise<InstallResult> {
  let app: { clientId: string; clientSecret: string };
  try {
    app = appCredentials(env);
  } catch {
    return { ok: false, error: 'not_configured' };
  }
  const [code, state] = ['code', 'state'].map((k) => query.get(k));
  if (!code || !state) return { ok: false, error: 'invalid_request' };
  const checked = await verifyShopifyRedirect(env, app.clientSecret, query, now);
  if (!checked.ok) return checked;
  const origin = checked.origin;

  // The statement that consumes the state also reads the id of the user's connection for
  // the shop (if any): the tokens are bound to it, so the save after the exchange is one write.
  const { rows } = await db.execute<{ user_id: string | null; connection_id: string | null }>(sql`
    WITH taken AS (
      DELETE FROM shopify_oauth_states
      WHERE state = ${state} AND shop_origin = ${origin} AND created_at >= now() - ${STATE_TTL}::interval
      RETURNING user_id
    )
    SELECT t.user_id, c.id AS connection_id
    FROM taken t LEFT JOIN store_connections c ON c.user_id = t.user_id AND c.store_url = ${origin}`);
  if (!rows[0]) return { ok: false, error: 'invalid_state' };
  const userId = rows[0].user_id;

  const exchanged = await requestToken(origin, { client_id: app.clientId, client_secret: app.clientSecret, code, expiring: '1' });
  if (!exchanged.ok) return { ok: false, error: 'token_exchange_failed' };
  if (!userId) return { ok: true, pending: await keepPendingInstall(db, env.ENCRYPTION_KEY, origin, exchanged.token, now), shop: origin };
  const connectionId = await saveInstall(db, env.ENCRYPTION_KEY, userId, origin, exchanged.token, now, rows[0].connection_id);
  return { ok: true, connectionId };
}

/**
 * What every signed redirect from Shopify (the install callback, the app URL) must pass:
 * Shopify's HMAC in constant time, a timestamp at most 10 minutes old, and a shop
 * domain Shopify would send (a myshopify.com domain; loopback only with ALLOW_LOCAL_STORES).
 */
async function verifyShopifyRedirect(env: ShopifyAppEnv, secret: string, query: URLSearchParams, now: number): Promise<{ ok: true; origin: string } | { ok: false; error: InstallError }> {
  const [shop, timestamp] = ['shop', 'timestamp'].map((k) => query.get(k));
  if (!shop || !timestamp || !query.get('hmac')) return { ok: false, error: 'invalid_request' };
  if (!(await validShopifyHmac(query, secret))) return { ok: false, error: 'invalid_hmac' };
  const age = now / 1000 - Number(timestamp);
  if (!Number.isFinite(age) || age > MAX_CALLBACK_AGE_S || age < -MAX_CLOCK_SKEW_S) return { ok: false, error: 'stale_request' };
  // Shopify names the shop by its myshopify.com domain; a bare name is not what it sends.
  const origin = shop.includes('.') || shop.includes(':') ? shopOrigin(shop, config(env).allowLocalStores) : null;
  if (!origin) return { ok: false, error: 'invalid_shop' };
  return { ok: true, origin };
}

/**
 * An install that starts in Shopify (API.md §8.1, INTEGRATIONS.md §4c): the app URL
 * opened with `shop`, `host`, `timestamp` and Shopify's `hmac`. Verified like a
 * callback, it goes straight to the shop's authorize screen with a state bound to no
 * user yet; the callback then keeps the install pending for the merchant to give it
 * to an account (claimPendingInstall, attachPendingInstall).
 */
export async function startLaunch(db: Db, env: ShopifyAppEnv, query: URLSearchParams, redirectUri: string, now = Date.now()): Promise<{ ok: true; authorizeUrl: string } | { ok: false; error: InstallError }> {
  let app: { clientId: string; clientSecret: string };
  try {
    app = appCredentials(env);
  } catch {
    return { ok: false, error: 'not_configured' };
  }
  const checked = await verifyShopifyRedirect(env, app.clientSecret, query, now);
  if (!checked.ok) return checked;
  return { ok: true, authorizeUrl: await startInstall(db, env, null, checked.origin, redirectUri) };
}

/** How long a completed install from Shopify waits for the merchant to choose an account. */
const PENDING_TTL = '10 minutes';

interface PendingTokens {
  token: IssuedToken;
  issuedAt: number;
}

/** Keeps an install from Shopify server-side; answers the one-time code for the welcome link (only its hash is stored). */
async function keepPendingInstall(db: Db, encryptionKey: string, origin: string, token: IssuedToken, now: number): Promise<string> {
  const code = toHex(randomBytes(24));
  const codeHash = await sha256Hex(code);
  const sealed = await encryptJson(encryptionKey, { token, issuedAt: now } satisfies PendingTokens, pendingInstallSecret(codeHash, origin));
  await db.execute(sql`
    WITH expired AS (DELETE FROM shopify_pending_installs WHERE created_at < now() - ${PENDING_TTL}::interval)
    INSERT INTO shopify_pending_installs (code_hash, shop_origin, tokens) VALUES (${codeHash}, ${origin}, ${sealed})`);
  return code;
}

const PENDING_GONE = 'This Shopify install has expired or was already used; open SourcePilot from your Shopify admin again';

/**
 * Takes a pending install once: a second use, or one older than 10 minutes, is NotFound.
 * The same statement makes `tieTo` the shop's account unless it has one, and reads that
 * user's connection for the shop (`connectionId`, null when none), whose id the tokens
 * will be bound to: the save is then one more write.
 */
async function takePendingInstall(db: Db, encryptionKey: string, code: string, tieTo: string): Promise<{ origin: string; connectionId: string | null } & PendingTokens> {
  const codeHash = await sha256Hex(code);
  const { rows } = await db.execute<{ shop_origin: string; tokens: string; connection_id: string | null }>(sql`
    WITH taken AS (
      DELETE FROM shopify_pending_installs
      WHERE code_hash = ${codeHash} AND created_at >= now() - ${PENDING_TTL}::interval
      RETURNING shop_origin, tokens
    ), tie AS (
      INSERT INTO shopify_shop_accounts (shop_origin, user_id)
      SELECT shop_origin, ${tieTo}::uuid FROM taken
      ON CONFLICT DO NOTHING
    )
    SELECT t.shop_origin, t.tokens,
           (SELECT c.id FROM store_connections c WHERE c.user_id = ${tieTo}::uuid AND c.store_url = t.shop_origin) AS connection_id
    FROM taken t`);
  if (!rows[0]) throw new NotFound(PENDING_GONE);
  const pending = await decryptJson<PendingTokens>(encryptionKey, rows[0].tokens, pendingInstallSecret(codeHash, rows[0].shop_origin));
  return { origin: rows[0].shop_origin, connectionId: rows[0].connection_id, ...pending };
}

/**
 * A merchant who is not signed in gives the pending install to the shop's own
 * SourcePilot account: created the first time (no password: it signs in through
 * Shopify), the same one on every later install from that shop. Answers the account,
 * for the route to sign in, and the connection.
 */
export async function claimPendingInstall(db: Db, encryptionKey: string, code: string): Promise<{ userId: string; connectionId: string; created: boolean }> {
  const codeHash = await sha256Hex(code);
  // One statement takes the install (single use), finds the shop's account or creates it,
  // and reads that account's connection for the shop, whose id the tokens are bound to:
  // the save is then one more write. The shop is only known from the row taken, so the new
  // account's address (`shopify-<host>-<random>@shops.sourcepilot.invalid`, the host as
  // URL.host gives it, lower case, other characters as '-') is built here in SQL.
  const { rows } = await db.execute<{ shop_origin: string; tokens: string; existing: string | null; created: string | null; tied: string | null; connection_id: string | null }>(sql`
    WITH taken AS (
      DELETE FROM shopify_pending_installs
      WHERE code_hash = ${codeHash} AND created_at >= now() - ${PENDING_TTL}::interval
      RETURNING shop_origin, tokens
    ),
    tie AS (SELECT a.user_id FROM shopify_shop_accounts a JOIN taken t ON a.shop_origin = t.shop_origin),
    new_user AS (
      INSERT INTO users (email, hashed_password)
      SELECT 'shopify-' || regexp_replace(lower(regexp_replace(t.shop_origin, '^[a-z][a-z0-9+.-]*://', '', 'i')), '[^a-z0-9.-]+', '-', 'g')
             || '-' || ${toHex(randomBytes(4))} || '@shops.sourcepilot.invalid', NULL
      FROM taken t WHERE NOT EXISTS (SELECT 1 FROM tie)
      RETURNING id
    ),
    new_tie AS (
      INSERT INTO shopify_shop_accounts (shop_origin, user_id) SELECT t.shop_origin, u.id FROM taken t, new_user u
      ON CONFLICT (shop_origin) DO NOTHING RETURNING user_id
    )
    SELECT t.shop_origin, t.tokens, (SELECT user_id FROM tie) AS existing, (SELECT id FROM new_user) AS created, (SELECT user_id FROM new_tie) AS tied,
           (SELECT c.id FROM store_connections c WHERE c.user_id = (SELECT user_id FROM tie) AND c.store_url = t.shop_origin) AS connection_id
    FROM taken t`);
  const taken = rows[0];
  if (!taken) throw new NotFound(PENDING_GONE);
  const pending = await decryptJson<PendingTokens>(encryptionKey, taken.tokens, pendingInstallSecret(codeHash, taken.shop_origin));
  let userId = taken.existing ?? taken.tied;
  let connectionId = taken.connection_id;
  if (!userId) {
    // A concurrent claim for the same shop tied its account first (after this statement's
    // snapshot, so neither tie nor its connection was visible): drop ours, use theirs.
    const { rows: again } = await db.execute<{ user_id: string; connection_id: string | null }>(sql`
      WITH dropped AS (DELETE FROM users WHERE id = ${taken.created}::uuid)
      SELECT a.user_id, (SELECT c.id FROM store_connections c WHERE c.user_id = a.user_id AND c.store_url = a.shop_origin) AS connection_id
      FROM shopify_shop_accounts a WHERE a.shop_origin = ${taken.shop_origin}`);
    if (!again[0]) throw new Conflict('The shop’s account changed during the install. Please open SourcePilot from your Shopify admin again.');
    userId = again[0].user_id;
    connectionId = again[0].connection_id;
  }
  const saved = await saveInstall(db, encryptionKey, userId, taken.shop_origin, pending.token, pending.issuedAt, connectionId);
  return { userId, connectionId: saved, created: !taken.existing && taken.tied !== null };
}

/**
 * A signed-in merchant attaches the pending install to their own account: their
 * connection for the shop is created or updated, and the shop's later installs from
 * Shopify sign in to this account unless another one is already the shop's.
 */
export async function attachPendingInstall(db: Db, encryptionKey: string, code: string, userId: string): Promise<string> {
  const pending = await takePendingInstall(db, encryptionKey, code, userId);
  return saveInstall(db, encryptionKey, userId, pending.origin, pending.token, pending.issuedAt, pending.connectionId);
}

/** The id of the user's connection for the shop, or null. */
async function connectionIdOf(db: Db, userId: string, origin: string): Promise<string | null> {
  const { rows } = await db.execute<{ id: string }>(sql`SELECT id FROM store_connections WHERE user_id = ${userId} AND store_url = ${origin}`);
  return rows[0]?.id ?? null;
}

/**
 * The user's connection for the shop, created (first one becomes the default, as in
 * createConnection) or with its tokens, scopes and status replaced in one write.
 *
 * The tokens are bound to the row they are stored in (lib/secrets.ts), so its id is
 * known before the write: `knownId` is the connection's id as the caller's statement
 * read it (null: none then, so a new id is made here).
 */
async function saveInstall(db: Db, encryptionKey: string, userId: string, origin: string, token: IssuedToken, now: number, knownId: string | null): Promise<string> {
  let id = knownId;
  for (let round = 0; round < 3; round++) {
    const result = await upsertInstall(db, encryptionKey, { id: id ?? crypto.randomUUID(), userId }, id === null, origin, token, now);
    if (result.saved) return result.saved;
    // Lost a race, which only costs these extra statements: a concurrent install created
    // the shop's connection with an id of its own, or the one read before (maybe before a
    // slow token exchange) was deleted or moved. Bind to whatever row is there now.
    id = result.current ?? (await connectionIdOf(db, userId, origin));
  }
  throw new Conflict('The store connection changed during the install. Please try again.');
}

/**
 * One write of the install, with the tokens sealed for `row.id`: a new row when `fresh`,
 * else only the row that still has that id for this shop (a deleted connection's id is
 * never brought back). Writes nothing when another row holds the shop; `current` is then
 * that row's id when this statement can see it (a row committed while it ran is not visible).
 */
async function upsertInstall(db: Db, encryptionKey: string, row: { id: string; userId: string }, fresh: boolean, origin: string, token: IssuedToken, now: number): Promise<{ saved: string | null; current: string | null }> {
  const userId = row.userId;
  const access = await encryptSecret(encryptionKey, token.accessToken, connectionSecret('api_key', row));
  const refresh = token.refreshToken ? await encryptSecret(encryptionKey, token.refreshToken, connectionSecret('refresh_token', row)) : null;
  const at = (seconds: number | null) => (seconds ? new Date(now + seconds * 1000).toISOString() : null);
  const name = new URL(origin).host.replace(/\.myshopify\.com$/, '');
  const { rows } = await retryRace(
    () =>
      db.execute<{ saved: string | null; current: string | null }>(sql`
        WITH existing AS (
          SELECT id, store_url FROM store_connections WHERE user_id = ${userId} FOR KEY SHARE
        ), saved AS (
          INSERT INTO store_connections (id, user_id, store_name, platform, store_url, api_key, auth_type, status, scopes, status_detail,
                                         refresh_token, token_expires_at, refresh_token_expires_at, token_version, is_default)
          SELECT ${row.id}::uuid, ${userId}::uuid, ${name}, 'shopify', ${origin}, ${access}, 'oauth', 'connected', string_to_array(${token.scopes.join(',')}, ','), NULL,
                 ${refresh}, ${at(token.expiresIn)}::timestamptz, ${at(token.refreshExpiresIn)}::timestamptz, 1, NOT EXISTS (SELECT 1 FROM existing)
          WHERE ${fresh}::boolean OR EXISTS (SELECT 1 FROM existing WHERE id = ${row.id}::uuid AND store_url = ${origin})
          ON CONFLICT (user_id, store_url) DO UPDATE SET
            api_key = EXCLUDED.api_key, auth_type = 'oauth', status = 'connected', scopes = EXCLUDED.scopes, status_detail = NULL,
            refresh_token = EXCLUDED.refresh_token, token_expires_at = EXCLUDED.token_expires_at,
            refresh_token_expires_at = EXCLUDED.refresh_token_expires_at,
            token_version = store_connections.token_version + 1, updated_at = now()
          WHERE store_connections.id = ${row.id}::uuid
          RETURNING id
        )
        SELECT (SELECT id FROM saved) AS saved, (SELECT id FROM existing WHERE store_url = ${origin} AND id <> ${row.id}::uuid) AS current`),
    (err) => isUniqueViolation(err, 'store_connections_one_default_uq'),
  );
  return rows[0];
}

/** Where the dashboard lives: the first CORS origin (API.md §8.1). */
export const dashboardOrigin = (env: ShopifyAppEnv) => env.CORS_ORIGINS.split(',')[0].trim().replace(/\/+$/, '');

import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { config } from '../env';
import { randomBytes, toHex } from '../lib/encoding';
import { log } from '../lib/log';
import { encryptJson, supplierCredentials } from '../lib/secrets';
import { Conflict, NotConfigured } from '../shared/domain-errors';
import { signAliExpress } from '../suppliers/aliexpress';
import { supplierFetch } from '../suppliers/http';
import { SupplierError } from '../suppliers/types';
import { maskCredentials } from './suppliers';

/**
 * AliExpress seller authorization through SourcePilot's own Open Platform app (API.md
 * §8.4, INTEGRATIONS.md §3d): the merchant approves on AliExpress, the callback proves
 * it is the answer to this user's request (a single-use state, 10 minutes) and trades
 * the code for tokens with the signed system API `/auth/token/create`. The tokens and
 * their expiry times are stored on the user's AliExpress supplier account.
 */
export interface AliExpressAppEnv {
  ALIEXPRESS_APP_KEY?: string;
  ALIEXPRESS_APP_SECRET?: string;
  ALIEXPRESS_API_BASE: string;
  ENCRYPTION_KEY: string;
  SUPPLIER_REQUEST_TIMEOUT_MS?: string;
}

const STATE_TTL = '10 minutes';
/** A token answer is a few hundred bytes. */
const TOKEN_ANSWER_MAX_BYTES = 64 * 1024;
export const DEFAULT_ACCOUNT_NAME = 'AliExpress';

export function aliExpressApp(env: Pick<AliExpressAppEnv, 'ALIEXPRESS_APP_KEY' | 'ALIEXPRESS_APP_SECRET'>) {
  const appKey = env.ALIEXPRESS_APP_KEY?.trim();
  const appSecret = env.ALIEXPRESS_APP_SECRET?.trim();
  if (!appKey || !appSecret) throw new NotConfigured('The AliExpress app is not configured on this server (ALIEXPRESS_APP_KEY, ALIEXPRESS_APP_SECRET)');
  return { appKey, appSecret };
}

const apiBase = (env: Pick<AliExpressAppEnv, 'ALIEXPRESS_API_BASE'>) => env.ALIEXPRESS_API_BASE.replace(/\/+$/, '');

/** Records a fresh state for the user and answers the Open Platform's authorize URL (doc 120687). */
export async function startAliExpressAuthorize(db: Db, env: AliExpressAppEnv, userId: string, name: string | null, redirectUri: string): Promise<string> {
  const { appKey } = aliExpressApp(env);
  const state = toHex(randomBytes(24));
  await db.execute(sql`
    WITH expired AS (DELETE FROM aliexpress_oauth_states WHERE created_at < now() - ${STATE_TTL}::interval)
    INSERT INTO aliexpress_oauth_states (state, user_id, account_name) VALUES (${state}, ${userId}, ${name})`);
  const url = new URL(`${apiBase(env)}/oauth/authorize`);
  url.search = new URLSearchParams({ response_type: 'code', force_auth: 'true', redirect_uri: redirectUri, client_id: appKey, state }).toString();
  return url.toString();
}

export interface AliExpressToken {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
  refreshExpiresAt: Date | null;
  /** The seller's AliExpress user id and login, kept to recognise a re-authorization. */
  aliUserId: string | null;
  account: string | null;
}

/** What a system API answered: tokens, a refusal (the code or refresh token is dead), or trouble worth retrying. */
export type AliExpressTokenResult = { ok: true; token: AliExpressToken } | { ok: false; refused: boolean; detail: string };

/** Codes that say our app is misconfigured (a re-authorization would not help); retried and logged, never blamed on the merchant. */
const APP_FAULT = /IncompleteSignature|InvalidAppKey|AppKeyNotExist|InvalidSignatureMethod|InvalidTimestamp|AppWhiteIpLimit/i;
/** The platform's own trouble or rate limits. */
const TRANSIENT = /ApiCallLimit|Frequency|Throttl|ServiceUnavailable|SYSTEM|isp\.|Timeout|^404$/i;

type Json = Record<string, unknown>;
const text = (v: unknown) => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : null);

/**
 * A time from an answer: the epoch-ms field when present (`expire_time`,
 * `refresh_token_valid_time`), else now + the seconds field. `refresh_expires_in = 0`
 * means no more refreshes: the deadline is now.
 */
function deadline(body: Json, epochField: string, secondsField: string, now: number): Date | null {
  const epoch = Number(body[epochField]);
  if (body[epochField] != null && Number.isFinite(epoch) && epoch > 0) return new Date(epoch);
  const seconds = Number(body[secondsField]);
  if (body[secondsField] != null && Number.isFinite(seconds) && seconds >= 0) return new Date(now + seconds * 1000);
  return null;
}

/**
 * One signed call to a system API (`/auth/token/create` or `/auth/token/refresh`) on
 * `<ALIEXPRESS_API_BASE>/rest<path>`: system parameters plus `params`, signed with the
 * path in front (INTEGRATIONS.md §3a, §3d).
 */
export async function requestAliExpressToken(env: AliExpressAppEnv, path: '/auth/token/create' | '/auth/token/refresh', params: Record<string, string>, now = Date.now()): Promise<AliExpressTokenResult> {
  const { appKey, appSecret } = aliExpressApp(env);
  const signed: Record<string, string> = { ...params, app_key: appKey, timestamp: String(now), sign_method: 'sha256' };
  signed.sign = await signAliExpress(signed, appSecret, path);
  let body: Json;
  try {
    const res = await supplierFetch(
      'AliExpress',
      `${apiBase(env)}/rest${path}`,
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8' }, body: new URLSearchParams(signed).toString(), redirect: 'manual' },
      config(env).supplierTimeoutMs,
      TOKEN_ANSWER_MAX_BYTES,
    );
    body = res.body && typeof res.body === 'object' ? (res.body as Json) : {};
    if (res.status >= 300 && res.status < 400) return { ok: false, refused: false, detail: `the token endpoint redirected (HTTP ${res.status})` };
  } catch (err) {
    return { ok: false, refused: false, detail: err instanceof SupplierError ? err.message : 'the token endpoint could not be reached' };
  }
  const failure = body.error_response && typeof body.error_response === 'object' ? (body.error_response as Json) : body;
  const code = text(failure.code);
  const accessToken = text(body.access_token);
  if ((code && code !== '0') || !accessToken) {
    const message = text(failure.message) ?? text(failure.msg) ?? 'no access token in the answer';
    const detail = `${code ?? 'error'}: ${message}`;
    if (code && APP_FAULT.test(code)) {
      log.error('aliexpress token endpoint refused SourcePilot app', { path, code });
      return { ok: false, refused: false, detail };
    }
    // An answer without a code and without a token is garbled, not a refusal.
    return { ok: false, refused: code !== null && !TRANSIENT.test(code), detail };
  }
  return {
    ok: true,
    token: {
      accessToken,
      refreshToken: text(body.refresh_token),
      expiresAt: deadline(body, 'expire_time', 'expires_in', now),
      refreshExpiresAt: deadline(body, 'refresh_token_valid_time', 'refresh_expires_in', now),
      aliUserId: text(body.user_id) ?? text(body.seller_id),
      account: text(body.account) ?? text(body.user_nick),
    },
  };
}

/** Why a callback was refused; the dashboard shows a message for each. */
export type AuthorizeError = 'not_configured' | 'access_denied' | 'invalid_request' | 'invalid_state' | 'token_exchange_failed';
export type AuthorizeResult = { ok: true; accountId: string } | { ok: false; error: AuthorizeError };

/**
 * Completes an authorization from the Open Platform's redirect: consumes the state
 * (single use, 10 minutes) before anything else, exchanges the code, then creates the
 * user's AliExpress account or renews the one linked before (same name).
 */
export async function completeAliExpressAuthorize(db: Db, env: AliExpressAppEnv, query: URLSearchParams, now = Date.now()): Promise<AuthorizeResult> {
  try {
    aliExpressApp(env);
  } catch {
    return { ok: false, error: 'not_configured' };
  }
  const [code, state] = [query.get('code'), query.get('state')];
  if (!state || state.length > 64) return { ok: false, error: 'invalid_request' };
  // The statement that consumes the state also reads the id of the account it will renew
  // (if any): the tokens are bound to it, so the save after the exchange is one write.
  const { rows } = await db.execute<{ user_id: string; account_name: string | null; account_id: string | null }>(sql`
    WITH taken AS (
      DELETE FROM aliexpress_oauth_states WHERE state = ${state} AND created_at >= now() - ${STATE_TTL}::interval
      RETURNING user_id, account_name
    )
    SELECT t.user_id, t.account_name, a.id AS account_id
    FROM taken t LEFT JOIN supplier_accounts a
      ON a.user_id = t.user_id AND a.name = COALESCE(t.account_name, ${DEFAULT_ACCOUNT_NAME}) AND a.platform = 'aliexpress'`);
  const pending = rows[0];
  if (!pending) return { ok: false, error: 'invalid_state' };
  // The merchant declined on AliExpress: no code comes back.
  if (!code) return { ok: false, error: query.get('error') ? 'access_denied' : 'invalid_request' };
  const exchanged = await requestAliExpressToken(env, '/auth/token/create', { code }, now);
  if (!exchanged.ok) {
    log.warn('aliexpress code exchange failed', { detail: exchanged.detail });
    return { ok: false, error: 'token_exchange_failed' };
  }
  const accountId = await saveAuthorizedAccount(db, env.ENCRYPTION_KEY, pending.user_id, pending.account_name ?? DEFAULT_ACCOUNT_NAME, exchanged.token, pending.account_id);
  return { ok: true, accountId };
}

/** The credentials object of an oauth account (encrypted as a whole, like pasted ones). */
export const oauthCredentials = (t: AliExpressToken) => ({ access_token: t.accessToken, refresh_token: t.refreshToken, ...(t.aliUserId ? { user_id: t.aliUserId } : {}) });

/**
 * Creates the user's AliExpress account of that name, or gives the existing one the new
 * tokens: connected again, a new token version, the re-authorization alert re-armed.
 *
 * The credentials are bound to the row they are stored in (lib/secrets.ts), so its id is
 * known before the write: `knownId` is the account's id as the statement that consumed the
 * state read it (null: none then, so a new id is made here).
 */
async function saveAuthorizedAccount(db: Db, encryptionKey: string, userId: string, name: string, token: AliExpressToken, knownId: string | null): Promise<string> {
  let id = knownId;
  for (let round = 0; round < 3; round++) {
    const result = await upsertAuthorizedAccount(db, encryptionKey, { id: id ?? crypto.randomUUID(), userId }, id === null, name, token);
    if (result.saved) return result.saved;
    // Lost a race, which only costs these extra statements: a concurrent authorization
    // created the account with an id of its own, or the one read before the token exchange
    // was deleted or renamed meanwhile. Bind to whatever row has the name now.
    if (result.current) id = result.current;
    else {
      const { rows } = await db.execute<{ id: string }>(sql`
        SELECT id FROM supplier_accounts WHERE user_id = ${userId} AND name = ${name} AND platform = 'aliexpress'`);
      id = rows[0]?.id ?? null;
    }
  }
  throw new Conflict('The supplier account changed while it was being linked. Please try again.');
}

/**
 * One write of the authorization, with the credentials sealed for `row.id`: a new row
 * when `fresh`, else only the row that still has that id and name (a deleted account's id
 * is never brought back). Writes nothing when another row holds the name; `current` is
 * then that row's id when this statement can see it (one committed while it ran is not).
 */
async function upsertAuthorizedAccount(db: Db, encryptionKey: string, row: { id: string; userId: string }, fresh: boolean, name: string, token: AliExpressToken): Promise<{ saved: string | null; current: string | null }> {
  const userId = row.userId;
  const creds = oauthCredentials(token);
  const sealed = await encryptJson(encryptionKey, creds, supplierCredentials(row));
  const mask = JSON.stringify(maskCredentials(creds));
  const { rows } = await db.execute<{ saved: string | null; current: string | null }>(sql`
    WITH existing AS (
      -- Locked, so a rename or delete committed meanwhile is seen (a locking read rechecks the row).
      SELECT id FROM supplier_accounts WHERE user_id = ${userId} AND name = ${name} AND platform = 'aliexpress' FOR KEY SHARE
    ), saved AS (
      INSERT INTO supplier_accounts (id, user_id, name, platform, credentials, credentials_mask, settings, is_active, auth_type, status, status_detail,
                                     token_expires_at, refresh_token_expires_at, token_version, reauth_alerted_at)
      SELECT ${row.id}::uuid, ${userId}::uuid, ${name}, 'aliexpress', ${sealed}, ${mask}::jsonb, NULL::jsonb, true, 'oauth', 'connected', NULL,
             ${token.expiresAt?.toISOString() ?? null}::timestamptz, ${token.refreshExpiresAt?.toISOString() ?? null}::timestamptz, 1, NULL::timestamptz
      WHERE ${fresh}::boolean OR EXISTS (SELECT 1 FROM existing WHERE id = ${row.id}::uuid)
      ON CONFLICT (user_id, name, platform) DO UPDATE SET
        credentials = EXCLUDED.credentials, credentials_mask = EXCLUDED.credentials_mask, is_active = true, auth_type = 'oauth',
        status = 'connected', status_detail = NULL, token_expires_at = EXCLUDED.token_expires_at,
        refresh_token_expires_at = EXCLUDED.refresh_token_expires_at, token_version = supplier_accounts.token_version + 1,
        refresh_claimed_until = NULL, reauth_alerted_at = NULL, updated_at = now()
      WHERE supplier_accounts.id = ${row.id}::uuid
      RETURNING id
    )
    SELECT (SELECT id FROM saved) AS saved, (SELECT id FROM existing WHERE id <> ${row.id}::uuid) AS current`);
  return rows[0];
}

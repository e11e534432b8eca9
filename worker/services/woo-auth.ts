import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { randomBytes, sha256Hex, toHex } from '../lib/encoding';
import { isUniqueViolation, retryRace } from '../lib/pg-errors';
import { connectionSecret, encryptSecret } from '../lib/secrets';
import { checkStoreUrl, parseWooKey } from '../lib/store-url';
import { InvalidInput } from '../shared/domain-errors';

/**
 * WooCommerce's app authorization (API.md §8.3, INTEGRATIONS.md §4f): the merchant
 * approves SourcePilot on the store's `/wc-auth/v1/authorize` screen, the store POSTs
 * the generated keys to our callback and then sends the browser back to the dashboard.
 * The `user_id` we hand the store is an opaque single-use value bound to the
 * SourcePilot user and the store URL, valid 15 minutes. WooCommerce deletes the keys
 * when the callback does not answer 200 within its timeout, so the callback is one
 * statement and never calls the store.
 */

const REQUEST_TTL = '15 minutes';

/**
 * Records a fresh authorization for (user, store) and answers the store's authorize
 * URL. The same statement drops requests nobody came back for.
 */
export async function startWooAuthorization(
  db: Db,
  allowLocal: boolean,
  userId: string,
  storeUrl: string,
  urls: { callbackUrl: string; returnUrl: string },
): Promise<string> {
  const check = checkStoreUrl('woocommerce', storeUrl, allowLocal);
  if (!check.ok) throw new InvalidInput(check.msg, { field: ['store_url'], type: 'value_error', input: storeUrl });
  const token = toHex(randomBytes(24));
  await db.execute(sql`
    WITH expired AS (DELETE FROM woo_auth_requests WHERE created_at < now() - ${REQUEST_TTL}::interval)
    INSERT INTO woo_auth_requests (token, user_id, store_url) VALUES (${token}, ${userId}, ${storeUrl})`);
  const url = new URL('/wc-auth/v1/authorize', check.origin);
  url.search = new URLSearchParams({
    app_name: 'SourcePilot',
    scope: 'read_write',
    user_id: token,
    return_url: urls.returnUrl,
    callback_url: urls.callbackUrl,
  }).toString();
  return url.toString();
}

/** What the store POSTs to the callback (class-wc-auth.php `create_keys` → `post_consumer_data`). */
export interface WooKeysDelivery {
  user_id: string;
  consumer_key: string;
  consumer_secret: string;
  key_permissions?: string;
}

export type WooCallbackResult = { ok: true; connectionId: string | null; repeated: boolean } | { ok: false; reason: 'unknown_request' | 'bad_keys' };

/**
 * Stores delivered keys on the user's connection for the store the authorization was
 * started for: created (first one becomes the default), or its credentials replaced
 * (status back to connected). Claiming the request and writing the connection is one
 * statement, so a stamped request always has its keys stored: a repeat of the same
 * delivery (same keys) is answered as a success, anything else on a used, expired or
 * unknown request is refused.
 */
export async function completeWooAuthorization(db: Db, encryptionKey: string, delivery: WooKeysDelivery): Promise<WooCallbackResult> {
  const keys = parseWooKey(`${delivery.consumer_key}:${delivery.consumer_secret}`);
  if (!keys) return { ok: false, reason: 'bad_keys' };
  if (delivery.key_permissions !== undefined && delivery.key_permissions !== 'read_write') return { ok: false, reason: 'bad_keys' };
  const digest = await sha256Hex(`${delivery.user_id}\n${keys.consumerKey}:${keys.consumerSecret}`);
  const plain = `${keys.consumerKey}:${keys.consumerSecret}`;
  // The keys are bound to the connection row they are stored in (lib/secrets.ts): its id
  // is read (or chosen) first; the request's owner comes from the request itself.
  const { rows: target } = await db.execute<{ user_id: string; conn_id: string | null }>(sql`
    SELECT r.user_id, c.id AS conn_id FROM woo_auth_requests r
    LEFT JOIN store_connections c ON c.user_id = r.user_id AND c.store_url = r.store_url
    WHERE r.token = ${delivery.user_id}`);
  const owner = target[0]?.user_id ?? crypto.randomUUID();
  const id = target[0]?.conn_id ?? crypto.randomUUID();
  const sealed = await encryptSecret(encryptionKey, plain, connectionSecret('api_key', { id, userId: owner }));
  const { rows } = await retryRace(
    () =>
      db.execute<{ id: string; user_id: string }>(sql`
        WITH claim AS (
          UPDATE woo_auth_requests SET used_at = now(), key_digest = ${digest}
          WHERE token = ${delivery.user_id} AND used_at IS NULL AND created_at >= now() - ${REQUEST_TTL}::interval
          RETURNING user_id, store_url
        ), existing AS (
          SELECT id FROM store_connections WHERE user_id IN (SELECT user_id FROM claim) FOR KEY SHARE
        ), saved AS (
          INSERT INTO store_connections (id, user_id, store_name, platform, store_url, api_key, auth_type, status, is_default)
          SELECT ${id}, user_id, substring(regexp_replace(store_url, '^[a-z]+://([^/:]+).*$', '\\1', 'i') for 255), 'woocommerce', store_url, ${sealed}, 'keys', 'connected', NOT EXISTS (SELECT 1 FROM existing) FROM claim
          ON CONFLICT (user_id, store_url) DO UPDATE SET
            api_key = EXCLUDED.api_key, auth_type = 'keys', status = 'connected', status_detail = NULL, scopes = NULL,
            refresh_token = NULL, token_expires_at = NULL, refresh_token_expires_at = NULL, client_id = NULL, client_secret = NULL,
            token_version = store_connections.token_version + 1, updated_at = now()
          RETURNING id, user_id
        )
        SELECT id, user_id FROM saved`),
    (err) => isUniqueViolation(err, 'store_connections_one_default_uq'),
  );
  if (rows[0] && rows[0].id !== id) {
    // A connection for the store appeared between the read and the write: bind the keys to it.
    const rebound = await encryptSecret(encryptionKey, plain, connectionSecret('api_key', { id: rows[0].id, userId: rows[0].user_id }));
    await db.execute(sql`UPDATE store_connections SET api_key = ${rebound} WHERE id = ${rows[0].id} AND api_key = ${sealed}`);
  }
  if (rows[0]) return { ok: true, connectionId: rows[0].id, repeated: false };
  // Not claimed: a repeat of a delivery already stored (read after any concurrent claim committed) is still a success.
  const { rows: done } = await db.execute<{ one: number }>(sql`
    SELECT 1 AS one FROM woo_auth_requests WHERE token = ${delivery.user_id} AND used_at IS NOT NULL AND key_digest = ${digest}`);
  return done[0] ? { ok: true, connectionId: null, repeated: true } : { ok: false, reason: 'unknown_request' };
}

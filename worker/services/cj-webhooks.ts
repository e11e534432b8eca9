import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { safeEqual, toBase64 } from '../lib/encoding';
import { describeError, log } from '../lib/log';
import { NotFound, Refused } from '../shared/domain-errors';
import { PLATFORMS_FOR, SOURCE_ALIASES } from '../shared/sources';
import { CjAdapter } from '../suppliers/cj';
import { resolveSupplier, type SupplierEnv } from '../suppliers/resolve';
import { CHUNK_SIZE, chunkIds, enqueueChunks, type PriceMessage } from './price-schedule';

/**
 * CJ webhooks (INTEGRATIONS §3e): product and stock messages for a merchant's CJ account,
 * so a CJ price move reaches the watches in seconds and costs no polling points.
 *
 * - Enable: `POST /webhook/set` (product and stock ENABLE, our one https callback URL),
 *   then every watched product is subscribed (`/webhook/product/subscribe`, ≤ 100 ids per
 *   call). The account's CJ `openId` is stored: it names the account in each message and
 *   keys the `sign` header.
 * - Keep in step: reconcileCjWebhooks subscribes products that gained a watch and
 *   unsubscribes those whose last active watch went (the cron calls it for a few
 *   accounts per run, least recently reconciled first).
 * - Receive: `sign` = base64 HMAC-SHA256(key = String(openId), raw body) is checked in
 *   constant time; then the active watches of that product under accounts with that
 *   openId are put on PRICE_QUEUE, i.e. the same price check a cron run makes. The
 *   answer comes as soon as the ids are queued (CJ wants 200 within 3 s).
 */

const utf8 = new TextEncoder();

export interface CjMessage {
  messageId: string | null;
  type: string;
  messageType: string;
  openId: string;
  productId: string | null;
}

export async function cjSign(openId: string, raw: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', utf8.encode(openId), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return toBase64(new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8.encode(raw))));
}

/** The message when its `sign` header is right (keyed by the openId it names); else null. */
export async function verifyCjWebhook(raw: string, sign: string | undefined): Promise<CjMessage | null> {
  if (!sign) return null;
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    body = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  const openId = typeof body.openId === 'string' || typeof body.openId === 'number' ? String(body.openId) : '';
  if (!openId) return null;
  if (!safeEqual(sign.trim(), await cjSign(openId, raw))) return null;
  const params = body.params && typeof body.params === 'object' ? (body.params as Record<string, unknown>) : {};
  const pid = params.pid ?? params.productId;
  return {
    messageId: typeof body.messageId === 'string' ? body.messageId : null,
    type: String(body.type ?? ''),
    messageType: String(body.messageType ?? ''),
    openId,
    productId: typeof pid === 'string' || typeof pid === 'number' ? String(pid).slice(0, 255) : null,
  };
}

/** The stored sources that mean CJ (as watches spell them). */
const cjSources = () => ['cjdropship', ...Object.entries(SOURCE_ALIASES).filter(([, s]) => s === 'cjdropship').map(([a]) => a)];

/**
 * A verified message → the price checks of the product's active watches under the
 * accounts with that openId (one statement, then the queue). Returns how many.
 */
export async function handleCjWebhook(db: Db, queue: Queue<PriceMessage>, message: CjMessage): Promise<number> {
  if (!message.productId || !['PRODUCT', 'VARIANT', 'STOCK'].includes(message.type.toUpperCase())) return 0;
  const { rows } = await db.execute<{ id: string }>(sql`
    SELECT DISTINCT w.id FROM price_watches w
    JOIN supplier_accounts a ON a.user_id = w.user_id AND a.is_active
    JOIN cj_webhook_accounts c ON c.account_id = a.id
    WHERE c.open_id = ${message.openId} AND c.enabled_at IS NOT NULL
      AND w.is_active AND w.source_product_id = ${message.productId}
      AND lower(w.source) = ANY(${sql.param(cjSources())}::text[])`);
  const ids = rows.map((r) => r.id);
  if (ids.length) await enqueueChunks(queue, chunkIds(ids, CHUNK_SIZE));
  return ids.length;
}

type WebhookEnv = SupplierEnv;

/** The user's CJ adapter for `accountId` (their live CJ account), or a refusal. */
async function cjAccount(env: WebhookEnv, db: Db, userId: string, accountId: string): Promise<CjAdapter> {
  const resolved = await resolveSupplier(env, db, userId, 'cjdropship');
  if (resolved.accountId !== accountId || !(resolved.unmetered instanceof CjAdapter)) {
    throw new Refused('CJ webhooks need this account to be your active CJ Dropshipping account with an API key.');
  }
  return resolved.unmetered;
}

export interface WebhookSync {
  enabled: boolean;
  callback_url: string | null;
  subscribed: number;
  unsubscribed: number;
}

/**
 * Turns CJ's product and stock webhooks on for the caller's CJ account at `callbackUrl`
 * and subscribes its watched products (POST /suppliers/accounts/{id}/cj-webhooks).
 */
export async function enableCjWebhooks(env: WebhookEnv, db: Db, userId: string, accountId: string, callbackUrl: string): Promise<WebhookSync> {
  const { rows } = await db.execute<{ id: string }>(sql`
    SELECT id FROM supplier_accounts WHERE id = ${accountId} AND user_id = ${userId} AND lower(platform) = ANY(${sql.param(PLATFORMS_FOR.cjdropship)}::text[])`);
  if (!rows[0]) throw new NotFound('Supplier account not found');
  const adapter = await cjAccount(env, db, userId, accountId);
  const openId = await adapter.openId();
  if (!openId) throw new Refused('CJ did not tell SourcePilot the account id (openId) its webhooks are signed with; try again later.');
  await adapter.setWebhooks(callbackUrl, true);
  await db.execute(sql`
    INSERT INTO cj_webhook_accounts (account_id, open_id, callback_url, enabled_at)
    VALUES (${accountId}, ${openId}, ${callbackUrl}, now())
    ON CONFLICT (account_id) DO UPDATE SET open_id = excluded.open_id, callback_url = excluded.callback_url, enabled_at = now(), updated_at = now()`);
  const r = await reconcile(db, adapter, userId, accountId);
  return { enabled: true, callback_url: callbackUrl, ...r };
}

/** Subscribes watched products not yet subscribed and unsubscribes those no active watch needs. */
async function reconcile(db: Db, adapter: CjAdapter, userId: string, accountId: string): Promise<{ subscribed: number; unsubscribed: number }> {
  const { rows } = await db.execute<{ add: string[]; drop: string[] }>(sql`
    WITH watched AS (
      SELECT DISTINCT w.source_product_id AS pid FROM price_watches w
      WHERE w.user_id = ${userId} AND w.is_active AND w.source_product_id IS NOT NULL
        AND lower(w.source) = ANY(${sql.param(cjSources())}::text[])
    ), subs AS (SELECT product_id AS pid FROM cj_webhook_subscriptions WHERE account_id = ${accountId})
    SELECT COALESCE((SELECT json_agg(pid) FROM watched WHERE pid NOT IN (SELECT pid FROM subs)), '[]'::json) AS add,
           COALESCE((SELECT json_agg(pid) FROM subs WHERE pid NOT IN (SELECT pid FROM watched)), '[]'::json) AS drop`);
  const { add, drop } = rows[0];
  if (add.length) {
    await adapter.subscribeProducts(add, true);
    await db.execute(sql`
      INSERT INTO cj_webhook_subscriptions (account_id, product_id)
      SELECT ${accountId}, p FROM unnest(${sql.param(add)}::text[]) AS p ON CONFLICT DO NOTHING`);
  }
  if (drop.length) {
    await adapter.subscribeProducts(drop, false);
    await db.execute(sql`DELETE FROM cj_webhook_subscriptions WHERE account_id = ${accountId} AND product_id = ANY(${sql.param(drop)}::text[])`);
  }
  await db.execute(sql`UPDATE cj_webhook_accounts SET updated_at = now() WHERE account_id = ${accountId}`);
  return { subscribed: add.length, unsubscribed: drop.length };
}

/** Accounts reconciled per cron run (each costs a few paced CJ calls). */
export const RECONCILE_PER_RUN = 20;

/**
 * The cron's part: keeps the subscriptions of up to RECONCILE_PER_RUN accounts with
 * webhooks on in step with their watches (least recently reconciled first). A failing
 * account is logged and left for the next run.
 */
export async function reconcileCjWebhooks(env: WebhookEnv, db: Db, limit = RECONCILE_PER_RUN): Promise<{ accounts: number; subscribed: number; unsubscribed: number; failed: number }> {
  const { rows } = await db.execute<{ account_id: string; user_id: string }>(sql`
    SELECT c.account_id, a.user_id FROM cj_webhook_accounts c JOIN supplier_accounts a ON a.id = c.account_id
    WHERE c.enabled_at IS NOT NULL AND a.is_active ORDER BY c.updated_at, c.account_id LIMIT ${limit}`);
  const out = { accounts: 0, subscribed: 0, unsubscribed: 0, failed: 0 };
  for (const r of rows) {
    try {
      const adapter = await cjAccount(env, db, r.user_id, r.account_id);
      const done = await reconcile(db, adapter, r.user_id, r.account_id);
      out.accounts++;
      out.subscribed += done.subscribed;
      out.unsubscribed += done.unsubscribed;
    } catch (err) {
      out.failed++;
      log.warn('cj webhook reconcile failed', { account_id: r.account_id, error: describeError(err) });
      await db.execute(sql`UPDATE cj_webhook_accounts SET updated_at = now() WHERE account_id = ${r.account_id}`);
    }
  }
  return out;
}

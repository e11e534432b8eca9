import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { config } from '../env';
import { hmacSha256, safeEqual, toBase64 } from '../lib/encoding';
import { log } from '../lib/log';
import { deleteConnection } from './connections';
import { shopOrigin } from './shopify-oauth';

/**
 * Shopify's webhooks (API.md §8.2, INTEGRATIONS.md §4d): `app/uninstalled` stops all
 * work for the shop at once, `shop/redact` erases what SourcePilot holds for it, and the
 * customer privacy topics have nothing to act on (no store-customer data is kept).
 */
export interface ShopifyWebhookEnv {
  SHOPIFY_API_SECRET?: string;
  ALLOW_LOCAL_STORES?: string;
}

export interface ShopifyDelivery {
  topic: string;
  /** `X-Shopify-Shop-Domain`, e.g. `my-store.myshopify.com`. */
  shop: string;
  webhookId: string | null;
  eventId: string | null;
}

export type DeliveryOutcome = 'applied' | 'duplicate' | 'ignored';

const UNINSTALLED_DETAIL = 'SourcePilot was uninstalled from this store in Shopify; its tokens were erased. Reconnect it to import or reprice again.';

/**
 * Whether `hmacHeader` is the base64 HMAC-SHA256 of the raw body under the app's secret,
 * compared in constant time. False without a configured secret: nothing can be trusted.
 */
export async function verifyShopifyWebhook(env: ShopifyWebhookEnv, rawBody: string, hmacHeader: string | undefined): Promise<boolean> {
  const secret = env.SHOPIFY_API_SECRET?.trim();
  if (!secret) {
    log.error('SHOPIFY_API_SECRET is not set; shopify webhook refused');
    return false;
  }
  if (!hmacHeader) return false;
  const expected = toBase64(new Uint8Array(await hmacSha256(secret, rawBody)));
  return safeEqual(expected, hmacHeader.trim());
}

/** Deduplication keys: the event id (shared by duplicate deliveries of one event) first, then the delivery's own id. */
function dedupeKeys(d: ShopifyDelivery): string[] {
  return [d.eventId && `event:${d.eventId}`, d.webhookId && `webhook:${d.webhookId}`].filter((k): k is string => !!k);
}

/**
 * Records the delivery's keys; `fresh` is true only when every key was new. Two
 * concurrent duplicates insert the same first key, so the second waits for the first
 * to commit and finds it: the effect sharing the statement runs once.
 */
function recordSql(d: ShopifyDelivery) {
  const keys = dedupeKeys(d);
  const inserted = keys.length
    ? sql`INSERT INTO shopify_webhook_events (id, topic, shop)
          VALUES ${sql.join(keys.map((k) => sql`(${k}, ${d.topic.slice(0, 100)}, ${d.shop.slice(0, 255)})`), sql`, `)}
          ON CONFLICT (id) DO NOTHING RETURNING id`
    : sql`SELECT NULL::varchar AS id WHERE false`;
  return sql`ev AS (${inserted}), fresh AS (SELECT count(*) = ${keys.length}::int AS ok FROM ev)`;
}

/** The store_connections rows of `c` that are connections to the shop at `origin`. */
const toShop = (origin: string) => sql`c.platform = 'shopify' AND lower(rtrim(c.store_url, '/')) = ${origin.toLowerCase()}`;

/**
 * Every connection (of any user) to the shop becomes `uninstalled` with its tokens
 * erased, and the price watches on it are paused (their plan admissions released), all
 * in the statement that records the delivery. Bumping token_version makes a token
 * refresh that read the old version unable to store its result over the erasure.
 */
async function uninstall(db: Db, d: ShopifyDelivery, origin: string) {
  const { rows } = await db.execute<{ fresh: boolean; connections: number; watches: number }>(sql`
    WITH ${recordSql(d)},
    conns AS (
      UPDATE store_connections c SET status = 'uninstalled', status_detail = ${UNINSTALLED_DETAIL}, api_key = NULL,
             refresh_token = NULL, token_expires_at = NULL, refresh_token_expires_at = NULL,
             token_version = c.token_version + 1, updated_at = now()
      WHERE ${toShop(origin)} AND (SELECT ok FROM fresh)
      RETURNING c.id, c.user_id
    ),
    paused AS (
      UPDATE price_watches w SET is_active = false, updated_at = now()
      FROM conns WHERE w.store_id = conns.id AND w.user_id = conns.user_id AND w.is_active
      RETURNING w.user_id
    ),
    -- Runs although nothing reads it: Postgres completes every data-modifying CTE.
    released AS (
      UPDATE price_watch_quota q SET active = GREATEST(q.active - p.n, 0), updated_at = now()
      FROM (SELECT user_id, count(*)::int AS n FROM paused GROUP BY user_id) p
      WHERE q.user_id = p.user_id
      RETURNING q.user_id
    ),
    -- Installs from Shopify still waiting for an account hold the shop's tokens too.
    pending AS (
      DELETE FROM shopify_pending_installs p WHERE lower(p.shop_origin) = ${origin.toLowerCase()} AND (SELECT ok FROM fresh)
      RETURNING p.code_hash
    )
    SELECT (SELECT ok FROM fresh) AS fresh, (SELECT count(*) FROM conns)::int AS connections,
           (SELECT count(*) FROM paused)::int AS watches`);
  const r = rows[0];
  if (!r.fresh) return 'duplicate';
  log.info('shopify app uninstalled', { shop: origin, connections: r.connections, watches_paused: r.watches });
  return 'applied';
}

/**
 * Erases every connection to the shop through the same path as a merchant's disconnect
 * (its store products go with it, a default moves to the user's next connection; jobs
 * and watches keep their history). The effect is idempotent, so it runs before the
 * delivery is recorded: a failure half-way leaves the delivery unrecorded and Shopify's
 * retry finishes the work; a concurrent duplicate deletes nothing twice.
 */
async function redactShop(db: Db, d: ShopifyDelivery, origin: string) {
  const keys = dedupeKeys(d);
  const { rows } = await db.execute<{ seen: boolean; targets: { id: string; user_id: string }[] }>(sql`
    SELECT EXISTS (SELECT 1 FROM shopify_webhook_events WHERE id = ANY(${sql.param(keys)}::varchar[])) AS seen,
           (SELECT COALESCE(json_agg(json_build_object('id', c.id, 'user_id', c.user_id)), '[]'::json)
              FROM store_connections c WHERE ${toShop(origin)}) AS targets`);
  if (rows[0].seen) return 'duplicate';
  for (const t of rows[0].targets) await deleteConnection(db, t.user_id, t.id);
  // With the delivery: installs from Shopify still pending, and which account was the shop's.
  await db.execute(sql`
    WITH ${recordSql(d)},
    pending AS (DELETE FROM shopify_pending_installs p WHERE lower(p.shop_origin) = ${origin.toLowerCase()} RETURNING p.code_hash),
    tie AS (DELETE FROM shopify_shop_accounts t WHERE lower(t.shop_origin) = ${origin.toLowerCase()} RETURNING t.user_id)
    SELECT (SELECT ok FROM fresh) AS fresh`);
  log.info('shopify shop redacted', { shop: origin, connections: rows[0].targets.length });
  return 'applied';
}

/** Applies one verified delivery. Topics with nothing to do answer without touching the database. */
export async function handleShopifyWebhook(db: Db, env: ShopifyWebhookEnv, d: ShopifyDelivery): Promise<DeliveryOutcome> {
  if (d.topic !== 'app/uninstalled' && d.topic !== 'shop/redact') {
    // customers/data_request and customers/redact: no store-customer data is kept, so there is nothing to report or erase.
    log.info('shopify webhook without effect', { topic: d.topic.slice(0, 100), shop: d.shop.slice(0, 255) });
    return 'ignored';
  }
  const origin = shopOrigin(d.shop, config(env).allowLocalStores);
  if (!origin) {
    log.warn('shopify webhook for a shop domain that is not a shop', { topic: d.topic, shop: d.shop.slice(0, 255) });
    return 'ignored';
  }
  return d.topic === 'app/uninstalled' ? uninstall(db, d, origin) : redactShop(db, d, origin);
}

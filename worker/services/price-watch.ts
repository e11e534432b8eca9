import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import type { User } from '../env';
import { isoZ } from '../lib/time';
import { InvalidInput } from '../shared/domain-errors';
import { detectProductUrl } from '../shared/detect';
import { SOURCE_LABEL, storedSource, supplierSourceOf } from '../shared/sources';
import type { JobRow } from './imports';
import { PLANS } from './plans';

export const WATCH_NOT_FOUND = 'Price watch not found';
export const watchLimitDetail = (plan: string) => `Price watch limit reached for ${plan} plan. Upgrade your plan for more price watches.`;
export const REPRICE_NEEDS_PRODUCT =
  'Auto-reprice needs a store product: create the watch from a completed import (or for a product already imported into the chosen store).';

export interface WatchTarget {
  source: string;
  sourceProductId: string | null;
  /** Why the watch can never be checked; null when it can. */
  lastError: string | null;
}

/**
 * What a watch checks: the supplier product id parsed from the URL (the URL is never
 * fetched). Any URL and source are accepted, as the earlier service did, but a watch
 * whose URL names no supplier product, or another supplier than its source, is stored
 * with a `last_error` that says so and is never sent to a supplier.
 */
export function watchTarget(productUrl: string, source: string): WatchTarget {
  const stored = storedSource(source);
  const supplier = supplierSourceOf(source);
  let detected: ReturnType<typeof detectProductUrl>;
  try {
    detected = detectProductUrl(productUrl);
  } catch (err) {
    const why = err instanceof InvalidInput ? err.message : 'Unsupported supplier URL';
    return {
      source: stored,
      sourceProductId: null,
      lastError: `This watch can't be checked: ${why}. Use a product page URL from AliExpress, CJ Dropshipping or Spocket.`,
    };
  }
  if (detected.source !== supplier) {
    return {
      source: stored,
      sourceProductId: null,
      lastError: `This watch can't be checked: the URL is a ${SOURCE_LABEL[detected.source]} product but the watch's source is '${source}'.`,
    };
  }
  return { source: stored, sourceProductId: detected.productId, lastError: null };
}

/** A price_watches row as `row_to_json` returns it (numerics as JSON numbers, timestamps as text). */
export interface WatchRow {
  id: string;
  user_id: string;
  store_id: string | null;
  source: string;
  source_product_id: string | null;
  product_url: string | null;
  source_url: string | null;
  threshold_percent: number | string;
  last_price: number | string | null;
  current_price: number | string | null;
  price_changed: boolean;
  last_checked_at: string | null;
  is_active: boolean;
  paused_reason: string | null;
  currency: string | null;
  last_stock: number | null;
  last_error: string | null;
  next_check_at: string;
  auto_reprice: boolean;
  import_job_id: string | null;
  created_at: string;
  updated_at: string;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));
const ts = (v: string | null) => (v ? isoZ(new Date(v)) : null);

/** Signed percentage move from `from` to `to`, two decimals; null without a positive baseline. */
export function changePercent(from: number | null, to: number | null): number | null {
  if (from === null || to === null || from <= 0) return null;
  return Math.round(((to - from) / from) * 10_000) / 100;
}

/**
 * The contract's PriceWatch (API.md §2.7; `connection_id` and `store_id` both from
 * column store_id), plus additive fields: currency, last_stock, last_error,
 * change_percent, auto_reprice, import_job_id and next_check_at.
 */
export function watchOut(w: WatchRow) {
  const lastPrice = num(w.last_price);
  const currentPrice = num(w.current_price);
  return {
    id: w.id,
    user_id: w.user_id,
    product_url: w.product_url,
    source: w.source,
    threshold_percent: Number(w.threshold_percent),
    connection_id: w.store_id,
    store_id: w.store_id,
    is_active: w.is_active,
    paused_reason: w.paused_reason === PLAN_LIMIT ? ('plan_limit' as const) : null,
    source_product_id: w.source_product_id,
    source_url: w.source_url,
    last_price: lastPrice,
    current_price: currentPrice,
    price_changed: w.price_changed,
    last_checked_at: ts(w.last_checked_at),
    created_at: ts(w.created_at)!,
    updated_at: ts(w.updated_at)!,
    currency: w.currency,
    last_stock: w.last_stock,
    last_error: w.last_error,
    change_percent: changePercent(lastPrice, currentPrice),
    auto_reprice: w.auto_reprice,
    import_job_id: w.import_job_id,
    next_check_at: ts(w.next_check_at)!,
  };
}

export type PriceWatchOut = ReturnType<typeof watchOut>;

/**
 * Admission against max_secondary as CTEs for one statement: the snapshot count of
 * active watches, then a conditional upsert of the user's price_watch_quota row. The
 * upsert's row lock serialises concurrent admissions and its ON CONFLICT branch sees
 * the latest `active` (counted by every admission committed meanwhile), so no
 * interleaving passes the limit. The snapshot count repairs a gate row that lags
 * behind rows written outside these statements. `when` gates the admission itself.
 */
function admitSql(user: User, when: SQL): SQL {
  const limit = PLANS[user.plan].max_secondary;
  return sql`
    cnt AS (SELECT count(*)::int AS c FROM price_watches WHERE user_id = ${user.id} AND is_active),
    gate AS (
      INSERT INTO price_watch_quota AS q (user_id, active, updated_at)
      SELECT ${user.id}, cnt.c + 1, now() FROM cnt
      WHERE (${when}) AND (${limit}::int < 0 OR cnt.c + 1 <= ${limit}::int)
      ON CONFLICT (user_id) DO UPDATE SET active = GREATEST(q.active, EXCLUDED.active - 1) + 1, updated_at = now()
      WHERE ${limit}::int < 0 OR GREATEST(q.active, EXCLUDED.active - 1) + 1 <= ${limit}::int
      RETURNING active
    )`;
}

/** Releases one admission (a delete or pause of an active watch); `when` says whether it applies. */
const releaseSql = (userId: string, when: SQL) => sql`
  UPDATE price_watch_quota SET active = GREATEST(active - 1, 0), updated_at = now()
  WHERE user_id = ${userId} AND (${when})`;

/** Whether the user has an imported store product this watch could reprice. */
const storeProductExists = (userId: string, storeId: SQL, source: SQL, productId: SQL) => sql`
  EXISTS (SELECT 1 FROM store_products sp
          WHERE sp.user_id = ${userId} AND sp.store_id = ${storeId} AND sp.source::text = ${source}
            AND sp.source_product_id = ${productId})`;

export interface NewWatch {
  productUrl: string | null;
  target: WatchTarget;
  storeId: string | null;
  thresholdPercent: number;
  autoReprice: boolean;
  importJobId: string | null;
}

export type CreateWatchResult = { kind: 'created'; watch: WatchRow } | { kind: 'limit' } | { kind: 'no_store_product' };

/** Creates a watch in one statement, admitted against the plan's active-watch limit. */
export async function createWatch(db: Db, user: User, w: NewWatch): Promise<CreateWatchResult> {
  const { target } = w;
  const { rows } = await db.execute<{ reprice_ok: boolean; watch: WatchRow | null }>(sql`
    WITH req AS (
      SELECT NOT ${w.autoReprice}::boolean
             OR ${storeProductExists(user.id, sql`${w.storeId}::uuid`, sql`${target.source}::text`, sql`${target.sourceProductId}::text`)} AS reprice_ok
    ),
    ${admitSql(user, sql`(SELECT reprice_ok FROM req)`)},
    ins AS (
      INSERT INTO price_watches (user_id, store_id, source, source_product_id, product_url, threshold_percent,
                                 last_error, auto_reprice, import_job_id, next_check_at)
      SELECT ${user.id}, ${w.storeId}::uuid, ${target.source}, ${target.sourceProductId}, ${w.productUrl},
             ${w.thresholdPercent}, ${target.lastError}, ${w.autoReprice}, ${w.importJobId}::uuid, now()
      WHERE EXISTS (SELECT 1 FROM gate)
      RETURNING *
    )
    SELECT (SELECT reprice_ok FROM req) AS reprice_ok, (SELECT row_to_json(ins) FROM ins) AS watch`);
  const r = rows[0];
  if (!r.reprice_ok) return { kind: 'no_store_product' };
  if (!r.watch) return { kind: 'limit' };
  return { kind: 'created', watch: r.watch };
}

/** What an import gives a watch: its product, URL and store (only completed supplier imports). */
export type ImportSourceRow = Pick<JobRow, 'id' | 'status' | 'source' | 'source_url' | 'source_product_id' | 'store_id'>;

export async function importForWatch(db: Db, userId: string, jobId: string): Promise<ImportSourceRow | null> {
  const { rows } = await db.execute<ImportSourceRow>(sql`
    SELECT id, status::text AS status, source::text AS source, source_url, source_product_id, store_id
    FROM import_jobs WHERE id = ${jobId} AND user_id = ${userId}`);
  return rows[0] ?? null;
}

/** The caller's watches, newest first, each with its last 30 prices (oldest first) for a sparkline. One round trip. */
export async function listWatches(db: Db, userId: string, connectionId?: string) {
  const { rows } = await db.execute<{ items: (WatchRow & { recent_prices: number[] })[] }>(sql`
    SELECT COALESCE(json_agg(x ORDER BY x.created_at DESC, x.id DESC), '[]'::json) AS items FROM (
      SELECT w.*,
             COALESCE((SELECT json_agg(p.price ORDER BY p.observed_at) FROM (
                 SELECT price, observed_at FROM price_points WHERE watch_id = w.id ORDER BY observed_at DESC LIMIT 30) p),
               '[]'::json) AS recent_prices
      FROM price_watches w
      WHERE w.user_id = ${userId} ${connectionId ? sql`AND w.store_id = ${connectionId}` : sql``}
    ) x`);
  const items = rows[0].items.map((w) => ({ ...watchOut(w), recent_prices: w.recent_prices.map(Number) }));
  return { items, total: items.length };
}

export async function deleteWatch(db: Db, userId: string, watchId: string): Promise<boolean> {
  const { rows } = await db.execute<{ n: number }>(sql`
    WITH del AS (DELETE FROM price_watches WHERE id = ${watchId} AND user_id = ${userId} RETURNING is_active),
    gate AS (${releaseSql(userId, sql`EXISTS (SELECT 1 FROM del WHERE is_active)`)})
    SELECT count(*)::int AS n FROM del`);
  return rows[0].n > 0;
}

export interface WatchChanges {
  thresholdPercent?: number | null;
  isActive?: boolean | null;
  autoReprice?: boolean | null;
}

export type UpdateWatchResult = { kind: 'ok'; watch: WatchRow } | { kind: 'not_found' } | { kind: 'limit' } | { kind: 'no_store_product' };

/**
 * Changes threshold, active state and auto-reprice in one statement. Resuming is an
 * admission against the plan limit (like creating); pausing releases one. A resumed
 * watch is due at once. Absent or null fields stay as they are.
 */
export async function updateWatch(db: Db, user: User, watchId: string, ch: WatchChanges): Promise<UpdateWatchResult> {
  const active = ch.isActive ?? null;
  const auto = ch.autoReprice ?? null;
  const threshold = ch.thresholdPercent ?? null;
  const { rows } = await db.execute<{ found: boolean; reprice_ok: boolean; resuming: boolean; watch: WatchRow | null }>(sql`
    WITH cur AS (
      SELECT * FROM price_watches WHERE id = ${watchId} AND user_id = ${user.id} FOR UPDATE
    ), want AS (
      SELECT cur.id,
             COALESCE(${active}::boolean, cur.is_active) AS is_active,
             COALESCE(${threshold}::numeric, cur.threshold_percent) AS threshold_percent,
             COALESCE(${auto}::boolean, cur.auto_reprice) AS auto_reprice,
             (NOT cur.is_active AND COALESCE(${active}::boolean, false)) AS resuming,
             (cur.is_active AND ${active}::boolean IS FALSE) AS pausing,
             (NOT COALESCE(${auto}::boolean, false) OR cur.auto_reprice
              OR ${storeProductExists(user.id, sql`cur.store_id`, sql`cur.source`, sql`cur.source_product_id`)}) AS reprice_ok
      FROM cur
    ),
    ${admitSql(user, sql`EXISTS (SELECT 1 FROM want WHERE resuming AND reprice_ok)`)},
    released AS (${releaseSql(user.id, sql`EXISTS (SELECT 1 FROM want WHERE pausing AND reprice_ok)`)}),
    upd AS (
      UPDATE price_watches w
      SET is_active = want.is_active,
          paused_reason = CASE WHEN want.resuming OR want.pausing THEN NULL ELSE w.paused_reason END,
          threshold_percent = want.threshold_percent, auto_reprice = want.auto_reprice,
          next_check_at = CASE WHEN want.resuming THEN now() ELSE w.next_check_at END, updated_at = now()
      FROM want
      WHERE w.id = want.id AND want.reprice_ok AND (NOT want.resuming OR EXISTS (SELECT 1 FROM gate))
      RETURNING w.*
    )
    SELECT EXISTS (SELECT 1 FROM cur) AS found,
           COALESCE((SELECT reprice_ok FROM want), true) AS reprice_ok,
           COALESCE((SELECT resuming FROM want), false) AS resuming,
           (SELECT row_to_json(upd) FROM upd) AS watch`);
  const r = rows[0];
  if (!r.found) return { kind: 'not_found' };
  if (!r.reprice_ok) return { kind: 'no_store_product' };
  if (!r.watch) return { kind: 'limit' };
  return { kind: 'ok', watch: r.watch };
}

export interface PricePointOut {
  price: number;
  currency: string;
  stock: number | null;
  observed_at: string;
}

/**
 * The newest `limit` price points of one of the caller's watches, oldest first; null
 * when the watch is not theirs. One round trip.
 */
export async function watchHistory(db: Db, userId: string, watchId: string, limit: number): Promise<PricePointOut[] | null> {
  const { rows } = await db.execute<{ found: boolean; items: { price: number; currency: string; stock: number | null; observed_at: string }[] }>(sql`
    SELECT EXISTS (SELECT 1 FROM price_watches WHERE id = ${watchId} AND user_id = ${userId}) AS found,
           COALESCE((SELECT json_agg(p ORDER BY p.observed_at, p.id) FROM (
               SELECT pp.id, pp.price, pp.currency, pp.stock, pp.observed_at FROM price_points pp
               JOIN price_watches w ON w.id = pp.watch_id AND w.user_id = ${userId}
               WHERE pp.watch_id = ${watchId} ORDER BY pp.observed_at DESC, pp.id DESC LIMIT ${limit}) p), '[]'::json) AS items`);
  if (!rows[0].found) return null;
  return rows[0].items.map((p) => ({ price: Number(p.price), currency: p.currency, stock: p.stock, observed_at: isoZ(new Date(p.observed_at))! }));
}

/** `paused_reason` of a watch a plan change paused (the only reason stored; null = the merchant's choice). */
export const PLAN_LIMIT = 'plan_limit';

/** Each tier's active-watch limit as SQL rows `(tier, n)`, from PLANS (the one home of the limits). */
const limitRows = () =>
  sql.join(
    Object.values(PLANS).map((p) => sql`(${p.tier}::text, ${p.max_secondary}::int)`),
    sql`, `,
  );

/**
 * Brings a user's active watches within their plan's limit, as CTEs (`wl_*`) for one
 * statement; `source` names a relation with the user's `id` and (new) `plan`, so a
 * statement that changes the plan can pass its own `RETURNING` and apply the limit in the
 * same round trip. The user's active watches rank first, oldest first, then the watches a
 * plan change paused, oldest first; ranks beyond the limit are paused with
 * `paused_reason = 'plan_limit'` and plan-paused ranks within it resume (due at once).
 * Watches the merchant paused are never touched. The quota gate is set to what stays
 * active, so admissions count from there (admitSql repairs a gate that a concurrent
 * admission made lag).
 *
 * A creation that raced the plan change itself can leave one watch over the limit;
 * the cron's `reconcileWatchLimits` pauses it on its next run.
 */
export function watchLimitSql(source: SQL): SQL {
  return sql`
    wl_lim(tier, n) AS (VALUES ${limitRows()}),
    wl_cap AS (SELECT src.id AS user_id, wl_lim.n FROM ${source} src JOIN wl_lim ON wl_lim.tier = src.plan::text),
    wl_pool AS (
      SELECT w.id, w.is_active, row_number() OVER (ORDER BY w.is_active DESC, w.created_at, w.id) AS rn
      FROM price_watches w
      WHERE w.user_id = (SELECT user_id FROM wl_cap) AND (w.is_active OR w.paused_reason = ${PLAN_LIMIT})
    ),
    wl_verdict AS (
      SELECT p.id, p.is_active, (c.n < 0 OR p.rn <= c.n) AS keep FROM wl_pool p, wl_cap c
    ),
    wl_paused AS (
      UPDATE price_watches w SET is_active = false, paused_reason = ${PLAN_LIMIT}, updated_at = now()
      FROM wl_verdict v WHERE w.id = v.id AND v.is_active AND NOT v.keep
      RETURNING w.id
    ),
    wl_resumed AS (
      UPDATE price_watches w SET is_active = true, paused_reason = NULL, next_check_at = now(), updated_at = now()
      FROM wl_verdict v WHERE w.id = v.id AND NOT v.is_active AND v.keep
      RETURNING w.id
    ),
    wl_gate AS (
      INSERT INTO price_watch_quota AS q (user_id, active, updated_at)
      SELECT c.user_id, (SELECT count(*) FROM wl_verdict WHERE keep)::int, now() FROM wl_cap c
      ON CONFLICT (user_id) DO UPDATE SET active = EXCLUDED.active, updated_at = now()
    )`;
}

/** `watchLimitSql` on its own, for the user's current plan. */
export async function enforceWatchLimit(db: Db, userId: string): Promise<{ paused: number; resumed: number }> {
  const { rows } = await db.execute<{ paused: number; resumed: number }>(sql`
    WITH wl_src AS (SELECT id, plan FROM users WHERE id = ${userId}),
    ${watchLimitSql(sql`wl_src`)}
    SELECT (SELECT count(*) FROM wl_paused)::int AS paused, (SELECT count(*) FROM wl_resumed)::int AS resumed`);
  return rows[0] ?? { paused: 0, resumed: 0 };
}

/**
 * The cron's safety net for `watchLimitSql`: users over their plan's limit (counted from
 * the watches themselves, so a plan set outside the billing paths is caught too; an
 * index-only scan of `price_watches_user_active_idx`) and users with plan-paused watches
 * and room again. Bounded per run.
 */
export async function reconcileWatchLimits(db: Db, maxUsers = 200): Promise<{ users: number; paused: number; resumed: number }> {
  const { rows } = await db.execute<{ user_id: string }>(sql`
    WITH lim(tier, n) AS (VALUES ${limitRows()}),
    counted AS (
      SELECT w.user_id, count(*) FILTER (WHERE w.is_active) AS active,
             bool_or(w.paused_reason = ${PLAN_LIMIT}) AS plan_paused
      FROM price_watches w
      WHERE w.is_active OR w.paused_reason = ${PLAN_LIMIT}
      GROUP BY w.user_id
    )
    SELECT c.user_id FROM counted c
      JOIN users u ON u.id = c.user_id JOIN lim ON lim.tier = u.plan::text
      WHERE (lim.n >= 0 AND c.active > lim.n) OR (c.plan_paused AND (lim.n < 0 OR c.active < lim.n))
      LIMIT ${maxUsers}`);
  let paused = 0;
  let resumed = 0;
  for (const { user_id } of rows) {
    const r = await enforceWatchLimit(db, user_id);
    paused += r.paused;
    resumed += r.resumed;
  }
  return { users: rows.length, paused, resumed };
}

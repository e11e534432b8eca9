import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { config } from '../env';
import { describeError, log } from '../lib/log';
import { mapLimit } from '../lib/map-limit';
import { pgError } from '../lib/pg-errors';
import { round2 } from '../lib/round';
import { addMinutes } from '../lib/time';
import { DomainError } from '../shared/domain-errors';
import { connectorFor, type StoreEnv } from '../stores';
import { StoreError, type StoreConnector } from '../stores/types';
import { hasLiveAccountSql } from '../suppliers/resolve';
import { catalogueFor, supplierSourceOf, type SupplierSource } from '../shared/sources';
import { currencyMismatch, hasSupplierPrice, priceFor, ruleFromConfig, toStoreCurrency } from '../shared/pricing';
import { resolveSupplier, type ResolvedSupplier, type SupplierEnv } from '../suppliers/resolve';
import { SupplierError, type PriceQuote, type SupplierAdapter } from '../suppliers/types';
import { deliverAlerts, type AlertEnv, type AlertKind, type Channels, type Delivery, type OutgoingAlert } from './alerts';
import { admitCjPriceChecks } from './cj-points';
import { DriftingDemoAdapter } from './demo-prices';
import { CHUNK_SIZE, chunkIds, enqueueChunks } from './price-schedule';
import { changePercent } from './price-watch';

/**
 * Price checks, set-based. One chunk of watches (≤ 100 ids: a PRICE_QUEUE message, or
 * the first 100 of a manual sync) costs one statement to load, one `getPrices` call per
 * (supplier account or demo catalogue, source) with each distinct product once however
 * many users watch it, and one statement to write everything back (price points, watch
 * updates, alerts, reprice events). A group with a live supplier account costs one more
 * statement (resolving the account's credentials); alerts this write stored are then
 * sent and their delivery recorded in one more statement.
 *
 * Isolation: each reading is checked before anything is sent or written (checkReading);
 * a value the database still refuses makes the chunk write row by row, the refused row
 * recorded as skipped. Alerts are sent only for readings that were stored, once.
 */

export type PriceEnv = SupplierEnv &
  StoreEnv &
  AlertEnv & {
    DATABASE_URL: string;
    DB_WS_PROXY?: string;
    PRICE_SYNC_INTERVAL_MINUTES?: string;
    DEMO_CATALOGUE?: string;
    ALLOW_LOCAL_STORES?: string;
  };

/** Supplier groups fetched at once within a chunk. */
const GROUP_CONCURRENCY = 6;
/** A transient supplier failure is tried again this soon (or at the normal interval, if shorter). */
const RETRY_AFTER_MINUTES = 15;

/** What the checks call out to; tests and the benchmark wrap these, production uses the defaults. */
export interface PriceCheckDeps {
  resolve(db: Db, userId: string, source: SupplierSource): Promise<ResolvedSupplier>;
  /** The demo catalogue behind every user without a live account for a source (one per source and run). */
  demo(source: SupplierSource): SupplierAdapter;
  /**
   * `status` is passed so a connection that is no longer `connected` is refused before any
   * call; `id`, `authType` and `db` let an installed app's expiring token be refreshed, as
   * the import pipeline does (services/shopify-tokens.ts); `userId` opens its bound secrets.
   */
  connector(connection: { id: string; userId: string; platform: string; storeUrl: string; apiKey: string | null; status?: string; authType?: string }, db: Db): Promise<StoreConnector>;
  now(): Date;
}

export function priceCheckDeps(env: PriceEnv): PriceCheckDeps {
  return {
    resolve: (db, userId, source) => resolveSupplier(env, db, userId, source),
    demo: (source) => new DriftingDemoAdapter(source, env),
    connector: (connection, db) => connectorFor(env, connection, db),
    now: () => new Date(),
  };
}

/** One watch with what its check needs: alert channels and, for auto-reprice, its store product. */
export interface CheckRow {
  id: string;
  user_id: string;
  source: string;
  source_product_id: string | null;
  product_url: string | null;
  current_price: number | null;
  currency: string | null;
  last_stock: number | null;
  last_error: string | null;
  /** As text, to the microsecond: part of an alert's identity (see alertId). */
  last_checked_at: string | null;
  threshold_percent: number;
  auto_reprice: boolean;
  store_id: string | null;
  /** The user has an active supplier account with credentials for this source. */
  live: boolean;
  alert_email: string | null;
  email_enabled: boolean;
  email_verified: boolean;
  webhook_url: string | null;
  webhook_secret: string | null;
  webhook_enabled: boolean;
  sp_store_product_id: string | null;
  sp_variant_map: Record<string, string> | null;
  sp_pricing: unknown;
  /** The currency of the store product's prices (null: imported before it was recorded). */
  sp_currency: string | null;
  conn_platform: string | null;
  conn_store_url: string | null;
  conn_api_key: string | null;
  conn_status: string | null;
  conn_auth_type: string | null;
}

/** The columns of a CheckRow for the watches `w` that `filter` selects, as one JSON array. */
function checkRowsSql(filter: SQL): SQL {
  return sql`
    SELECT COALESCE(json_agg(x), '[]'::json) FROM (
      SELECT w.id, w.user_id, w.source, w.source_product_id, w.product_url, w.current_price, w.currency, w.last_stock,
             w.last_error, w.last_checked_at::text AS last_checked_at, w.threshold_percent, w.auto_reprice, w.store_id,
             ${hasLiveAccountSql(sql`w.user_id`, sql`w.source`)} AS live,
             s.email AS alert_email, COALESCE(s.email_enabled, false) AS email_enabled,
             (s.email_verified_at IS NOT NULL) AS email_verified, s.webhook_url, s.webhook_secret,
             COALESCE(s.webhook_enabled, false) AS webhook_enabled,
             sp.store_product_id AS sp_store_product_id, sp.variant_map AS sp_variant_map, sp.pricing AS sp_pricing, sp.currency AS sp_currency,
             sp.platform AS conn_platform, sp.store_url AS conn_store_url, sp.api_key AS conn_api_key,
             sp.status AS conn_status, sp.auth_type AS conn_auth_type
      FROM price_watches w
      LEFT JOIN alert_settings s ON s.user_id = w.user_id
      LEFT JOIN LATERAL (
        SELECT p.store_product_id, p.variant_map, p.pricing, p.currency, c.platform, c.store_url, c.api_key, c.status, c.auth_type
        FROM store_products p JOIN store_connections c ON c.id = p.store_id AND c.user_id = p.user_id
        WHERE w.auto_reprice AND p.user_id = w.user_id AND p.store_id = w.store_id
          AND p.source::text = w.source AND p.source_product_id = w.source_product_id
        LIMIT 1
      ) sp ON true
      WHERE ${filter}
    ) x`;
}

/** The active watches among `ids` (a queue message). One round trip. */
export async function loadWatchesById(db: Db, ids: string[]): Promise<CheckRow[]> {
  const { rows } = await db.execute<{ rows: CheckRow[] }>(sql`
    SELECT (${checkRowsSql(sql`w.id = ANY(${sql.param(ids)}::uuid[]) AND w.is_active`)}) AS rows`);
  return rows[0].rows;
}

/** One of the user's watches (active or not) with its check context; null when not theirs. */
export async function loadUserWatch(db: Db, userId: string, watchId: string): Promise<CheckRow | null> {
  const { rows } = await db.execute<{ rows: CheckRow[] }>(sql`
    SELECT (${checkRowsSql(sql`w.id = ${watchId} AND w.user_id = ${userId}`)}) AS rows`);
  return rows[0].rows[0] ?? null;
}

/**
 * A user's active watches for a manual sync: the `first` least recently checked ones in
 * full, and the ids of the rest (to be queued). One round trip.
 */
export async function loadUserWatches(db: Db, userId: string, first: number): Promise<{ rows: CheckRow[]; rest: string[] }> {
  const { rows } = await db.execute<{ rows: CheckRow[]; rest: string[] }>(sql`
    WITH mine AS (
      SELECT id, row_number() OVER (ORDER BY last_checked_at NULLS FIRST, created_at, id) AS n
      FROM price_watches WHERE user_id = ${userId} AND is_active
    )
    SELECT (${checkRowsSql(sql`w.id IN (SELECT id FROM mine WHERE n <= ${first})`)}) AS rows,
           (SELECT COALESCE(json_agg(id ORDER BY n), '[]'::json) FROM mine WHERE n > ${first}) AS rest`);
  return rows[0];
}

type Outcome =
  | { ok: true; quote: PriceQuote; stock: number | null }
  | { ok: false; error: string; retryable: boolean };

export interface ChunkResult {
  checked: number;
  changed: number;
  errors: number;
  alerts: number;
  reprices: number;
  /** Distinct (account or demo, source, product) lookups sent to suppliers. */
  productLookups: number;
}

interface Group {
  source: SupplierSource;
  adapter: SupplierAdapter | null;
  /** The live supplier account (CJ: its points are budgeted per day). */
  accountId?: string;
  failure: Outcome | null;
  rows: CheckRow[];
}

const failure = (error: string, retryable: boolean): Outcome => ({ ok: false, error: error.slice(0, 2000), retryable });

function classify(err: unknown): Outcome {
  if (err instanceof SupplierError) return failure(err.message, err.retryable);
  if (err instanceof DomainError) return failure(err.message, err.retryable);
  return failure(`Unexpected error while checking the price: ${err instanceof Error ? err.message : String(err)}`, true);
}

/** Units in stock over all variants; null when the supplier reports none. */
function totalStock(q: PriceQuote): number | null {
  // A negative count (seen in supplier feeds as "oversold") means none available.
  const known = q.variants.map((v) => v.stock).filter((s): s is number => typeof s === 'number' && Number.isFinite(s));
  return known.length ? known.reduce((a, b) => a + Math.max(0, b), 0) : null;
}

/** The largest price a watch can hold: price_watches.current_price is numeric(10,2). */
export const MAX_STORED_PRICE = 99_999_999.99;
/** price_alerts.change_percent is numeric(8,2). */
export const MAX_CHANGE_PERCENT = 999_999.99;
const MAX_STOCK = 2_147_483_647;

/** A change percentage as stored: clamped to what the column holds (the prices themselves are exact). */
export const clampPercent = (p: number | null): number | null => (p === null ? null : Math.max(-MAX_CHANGE_PERCENT, Math.min(MAX_CHANGE_PERCENT, p)));

/**
 * One supplier reading checked before anything is sent or written: a price that is not
 * a finite amount in 0 … 99,999,999.99 (e.g. ≥ 10^8 in IDR or VND) or a currency that is
 * not a three-letter code is skipped with the reason recorded on the watch (the watch
 * keeps its last good price); stock is clamped to what an integer column holds. So one
 * odd answer never fails the chunk's write for the other watches.
 */
export function checkReading(o: Extract<Outcome, { ok: true }>): Outcome {
  const currency = o.quote.currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) {
    return failure(`The supplier answered with a currency SourcePilot cannot record (${JSON.stringify(o.quote.currency.slice(0, 20))}); this reading was skipped.`, true);
  }
  const price = o.quote.price;
  if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) {
    return failure(`The supplier answered with no usable price (${String(price).slice(0, 40)}); this reading was skipped.`, true);
  }
  if (round2(price) > MAX_STORED_PRICE) {
    return failure(`The supplier's price ${price} ${currency} is beyond what a price watch can hold (up to 99,999,999.99); this reading was skipped.`, false);
  }
  const stock = o.stock === null || !Number.isFinite(o.stock) ? null : Math.min(MAX_STOCK, Math.max(0, Math.round(o.stock)));
  return { ok: true, quote: { ...o.quote, currency, price: round2(price) }, stock };
}

/**
 * |Δ| ≥ threshold in exact integer arithmetic (cents and hundredths of a percent), the
 * same inequality the write statement evaluates in numeric: |new − old|·100 ≥ t·old.
 */
export function movedBeyond(oldPrice: number, newPrice: number, thresholdPercent: number): boolean {
  const o = Math.round(oldPrice * 100);
  const n = Math.round(newPrice * 100);
  if (o <= 0 || n === o) return false;
  return Math.abs(n - o) * 10_000 >= Math.round(thresholdPercent * 100) * o;
}

/** Puts the chunk's checkable watches into supplier groups; resolving live accounts costs a statement each. */
async function groupRows(env: PriceEnv, db: Db, deps: PriceCheckDeps, rows: CheckRow[], outcomes: Map<string, Outcome>): Promise<Group[]> {
  const demoOn = config(env).demoCatalogue;
  const groups = new Map<string, Group>();
  const pending = new Map<string, { userId: string; source: SupplierSource; rows: CheckRow[] }>();
  const add = (key: string, g: Omit<Group, 'rows'>, row: CheckRow) => {
    const group = groups.get(key) ?? { ...g, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  };
  for (const row of rows) {
    const source = supplierSourceOf(row.source);
    if (!source || !row.source_product_id) {
      outcomes.set(row.id, failure(row.last_error ?? "This watch can't be checked: it names no supplier product.", false));
      continue;
    }
    // Without a live account the answer is the demo catalogue (resolveSupplier's own rule), shared by every such user.
    if (catalogueFor(source, { hasAccount: row.live, demoOn }) === 'demo') {
      add(`demo|${source}`, { source, adapter: deps.demo(source), failure: null }, row);
      continue;
    }
    const key = `${row.user_id}|${source}`;
    const p = pending.get(key) ?? { userId: row.user_id, source, rows: [] };
    p.rows.push(row);
    pending.set(key, p);
  }
  await mapLimit([...pending.values()], GROUP_CONCURRENCY, async (p) => {
    try {
      const resolved = await deps.resolve(db, p.userId, p.source);
      const key = resolved.scope === 'demo' ? `demo|${p.source}` : `${resolved.scope}|${p.source}`;
      const adapter = resolved.scope === 'demo' ? deps.demo(p.source) : resolved.adapter;
      const accountId = resolved.scope === 'demo' ? undefined : resolved.accountId;
      for (const row of p.rows) add(key, { source: p.source, adapter, failure: null, accountId }, row);
    } catch (err) {
      for (const row of p.rows) add(`failed|${p.userId}|${p.source}`, { source: p.source, adapter: null, failure: classify(err) }, row);
    }
  });
  return [...groups.values()];
}

/**
 * Fetches every group's distinct products with one getPrices call per group. A live CJ
 * group first has its products admitted against the account's daily points
 * (services/cj-points.ts, one statement); the rest are skipped with the reason recorded
 * and checked at their next interval.
 */
async function fetchGroups(db: Db, now: Date, groups: Group[], outcomes: Map<string, Outcome>): Promise<number> {
  let lookups = 0;
  await mapLimit(groups, GROUP_CONCURRENCY, async (group) => {
    let g = group;
    const adapter = g.adapter;
    if (!adapter) {
      for (const row of g.rows) outcomes.set(row.id, g.failure!);
      return;
    }
    let ids = [...new Set(g.rows.map((r) => r.source_product_id!))];
    if (g.source === 'cjdropship' && g.accountId && adapter.mode === 'live') {
      const admission = await admitCjPriceChecks(db, g.accountId, ids.length, now);
      if (admission.granted < ids.length) {
        const skipped = new Set(ids.slice(admission.granted));
        const reason = failure(
          `Skipped: this CJ account's points for price checks are spent for now (${admission.used.toLocaleString('en-US')} of ${admission.allowance.toLocaleString('en-US')} allowed so far today; CJ gives 50,000 points a day). It is checked again at its next interval.`,
          false,
        );
        for (const row of g.rows) if (skipped.has(row.source_product_id!)) outcomes.set(row.id, reason);
        ids = ids.slice(0, admission.granted);
        g = { ...g, rows: g.rows.filter((r) => !skipped.has(r.source_product_id!)) };
        if (!ids.length) return;
      }
    }
    lookups += ids.length;
    let quotes: Map<string, PriceQuote | SupplierError>;
    try {
      quotes = await adapter.getPrices(ids);
    } catch (err) {
      const f = classify(err);
      for (const row of g.rows) outcomes.set(row.id, f);
      return;
    }
    for (const row of g.rows) {
      const q = quotes.get(row.source_product_id!);
      if (!q) outcomes.set(row.id, failure(`The supplier no longer lists product ${row.source_product_id}; it may have been removed.`, false));
      else if (q instanceof SupplierError) outcomes.set(row.id, classify(q));
      else {
        const priced = sellableQuote(q);
        if (!priced) outcomes.set(row.id, failure(`The supplier answered no price for product ${row.source_product_id}; nothing was changed, it is checked again later.`, true));
        else outcomes.set(row.id, { ok: true, quote: priced, stock: totalStock(q) });
      }
    }
  });
  return lookups;
}

/**
 * A quote without its priceless variants (a missing or non-positive supplier price is a
 * supplier error, never repriced), its price the lowest of the rest; null when none is left.
 */
function sellableQuote(q: PriceQuote): PriceQuote | null {
  const variants = q.variants.filter((v) => hasSupplierPrice(v.price));
  if (q.variants.length && !variants.length) return null;
  if (!q.variants.length) return hasSupplierPrice(q.price) ? q : null;
  return { ...q, variants, price: Math.min(...variants.map((v) => v.price)) };
}

interface RepriceRecord {
  watch_id: string;
  user_id: string;
  store_id: string | null;
  store_product_id: string | null;
  old_cost: number | null;
  new_cost: number;
  new_price: number | null;
  status: 'ok' | 'failed';
  error: string | null;
}

/**
 * Updates the store prices of auto-repriced products whose supplier price moved: the
 * rule the product was imported with, applied to each variant's new cost (never below
 * cost), once per store product however many watches point at it.
 */
async function reprice(db: Db, deps: PriceCheckDeps, due: { row: CheckRow; quote: PriceQuote }[]): Promise<RepriceRecord[]> {
  const byProduct = new Map<string, { row: CheckRow; quote: PriceQuote }[]>();
  for (const d of due) {
    const key = `${d.row.store_id}|${d.row.sp_store_product_id}`;
    byProduct.set(key, [...(byProduct.get(key) ?? []), d]);
  }
  const records: RepriceRecord[] = [];
  await mapLimit([...byProduct.values()], 4, async (items) => {
    const { row, quote } = items[0];
    const rule = ruleFromConfig(row.sp_pricing);
    const map = row.sp_variant_map ?? {};
    // Prices go to the store only in its product's currency: converted with a recorded rate, or not at all.
    const storeCurrency = row.sp_currency ?? row.currency ?? quote.currency;
    const convertible = toStoreCurrency(1, quote.currency, storeCurrency, rule) !== null;
    const prices = convertible
      ? quote.variants
          .filter((v) => map[v.key] && hasSupplierPrice(v.price))
          .map((v) => ({ variantId: map[v.key], cost: v.price, ...priceFor(toStoreCurrency(v.price, quote.currency, storeCurrency, rule)!, rule, storeCurrency) }))
      : [];
    let status: 'ok' | 'failed' = 'ok';
    let error: string | null = null;
    if (!convertible) {
      status = 'failed';
      error = currencyMismatch(quote.currency, storeCurrency);
      log.warn('reprice refused: currency mismatch', { watch_id: row.id, supplier_currency: quote.currency, store_currency: storeCurrency });
    } else if (!prices.length) {
      status = 'failed';
      error = "None of the supplier's current variants match the store product's variants; import the product again to refresh them.";
    } else {
      try {
        const connector = await deps.connector(
          { id: row.store_id!, userId: row.user_id, platform: row.conn_platform!, storeUrl: row.conn_store_url!, apiKey: row.conn_api_key, status: row.conn_status ?? undefined, authType: row.conn_auth_type ?? undefined },
          db,
        );
        await connector.updateVariantPrices(row.sp_store_product_id!, prices.map(({ variantId, price, compareAt }) => ({ variantId, price, compareAt })), storeCurrency);
      } catch (err) {
        status = 'failed';
        error = (err instanceof StoreError ? `The store refused the price update: ${err.message}` : `Unexpected error: ${err instanceof Error ? err.message : String(err)}`).slice(0, 2000);
      }
    }
    const newPrice = prices.length ? Math.min(...prices.map((p) => p.price)) : null;
    for (const it of items) {
      records.push({
        watch_id: it.row.id,
        user_id: it.row.user_id,
        store_id: it.row.store_id,
        store_product_id: it.row.sp_store_product_id,
        old_cost: it.row.current_price,
        new_cost: it.quote.price,
        new_price: newPrice,
        status,
        error,
      });
    }
  });
  return records;
}

/**
 * An alert's id, derived from what it reports: the watch, the kind, the check it is
 * judged against (the previous reading's time) and the new reading. A message retried
 * after its write failed, or two checks of one watch overlapping, raise the same id:
 * it is recorded once (ON CONFLICT DO NOTHING) and webhook receivers can drop repeats.
 */
export async function alertId(watchId: string, kind: string, baselineAt: string | null, price: number, stock: number | null): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${watchId}|${kind}|${baselineAt}|${price}|${stock}`)));
  // Shaped as a version-4-style UUID so it fits the uuid column and reads like the others.
  digest[6] = (digest[6] & 0x0f) | 0x40;
  digest[8] = (digest[8] & 0x3f) | 0x80;
  const hex = [...digest.slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The alerts a successful check raises, judged against the watch as loaded. */
function alertsFor(row: CheckRow, o: Extract<Outcome, { ok: true }>, now: Date): OutgoingAlert[] {
  const base = {
    watchId: row.id,
    productUrl: row.product_url,
    source: row.source,
    sourceProductId: row.source_product_id,
    currency: o.quote.currency,
    stock: o.stock,
    previousStock: row.last_stock,
    thresholdPercent: Number(row.threshold_percent),
    observedAt: now,
  };
  const out: OutgoingAlert[] = [];
  const old = row.current_price === null ? null : Number(row.current_price);
  const sameCurrency = row.currency === null || row.currency === o.quote.currency;
  if (old !== null && sameCurrency && movedBeyond(old, o.quote.price, Number(row.threshold_percent))) {
    out.push({ ...base, id: '', kind: 'price_change', oldPrice: old, newPrice: o.quote.price, changePercent: clampPercent(changePercent(old, o.quote.price)) });
  }
  const stockKind: AlertKind | null =
    row.last_stock !== null && row.last_stock > 0 && o.stock === 0 ? 'out_of_stock' : row.last_stock === 0 && o.stock !== null && o.stock > 0 ? 'back_in_stock' : null;
  if (stockKind) out.push({ ...base, id: '', kind: stockKind, oldPrice: old, newPrice: o.quote.price, changePercent: clampPercent(changePercent(old, o.quote.price)) });
  return out;
}

const channelsOf = (row: CheckRow): Channels => ({
  userId: row.user_id,
  email: row.alert_email,
  emailEnabled: row.email_enabled,
  emailVerified: row.email_verified,
  webhookUrl: row.webhook_url,
  webhookSecret: row.webhook_secret,
  webhookEnabled: row.webhook_enabled,
});

export interface ChunkOptions {
  /** Watches queued by this run (a manual sync's remainder): their next check is pushed back in the same write. */
  queuedIds?: string[];
}

/**
 * Checks one chunk of loaded watches: fetch, judge, alert, reprice, then one write
 * statement. Supplier and store failures are recorded per watch; only a database
 * failure throws (the queue then retries the whole message).
 */
export async function checkChunk(env: PriceEnv, db: Db, deps: PriceCheckDeps, rows: CheckRow[], opts: ChunkOptions = {}): Promise<ChunkResult> {
  const now = deps.now();
  const interval = config(env).priceSyncIntervalMinutes;
  const outcomes = new Map<string, Outcome>();
  const groups = await groupRows(env, db, deps, rows, outcomes);
  const productLookups = await fetchGroups(db, now, groups, outcomes);
  for (const [id, o] of outcomes) if (o.ok) outcomes.set(id, checkReading(o));

  const alertsByUser = new Map<string, { channels: Channels; alerts: (OutgoingAlert & { userId: string })[] }>();
  const repriceDue: { row: CheckRow; quote: PriceQuote }[] = [];
  let changed = 0;
  for (const row of rows) {
    const o = outcomes.get(row.id)!;
    if (!o.ok) continue;
    const alerts = alertsFor(row, o, now);
    for (const a of alerts) a.id = await alertId(row.id, a.kind, row.last_checked_at, o.quote.price, o.stock);
    if (alerts.some((a) => a.kind === 'price_change')) changed++;
    if (alerts.length) {
      const entry = alertsByUser.get(row.user_id) ?? { channels: channelsOf(row), alerts: [] };
      entry.alerts.push(...alerts.map((a) => ({ ...a, userId: row.user_id })));
      alertsByUser.set(row.user_id, entry);
    }
    const old = row.current_price === null ? null : Number(row.current_price);
    // Any move of the cost reprices (the threshold is about alerting, the margin about every cent).
    if (row.auto_reprice && row.sp_store_product_id && old !== null && Math.round(old * 100) !== Math.round(o.quote.price * 100)) {
      repriceDue.push({ row, quote: o.quote });
    }
  }

  const reprices = await reprice(db, deps, repriceDue);
  // Alerts are recorded with the reading, without a delivery yet; only the ones this write
  // stored (new ids) are sent afterwards, so a retried message or an overlapping check
  // never sends an alert twice, and a reading that was not stored is never announced.
  const alertRecords = [...alertsByUser.values()].flatMap((u) =>
    u.alerts.map((a) => ({
      id: a.id,
      user_id: a.userId,
      watch_id: a.watchId,
      kind: a.kind,
      old_price: a.oldPrice,
      new_price: a.newPrice,
      change_percent: a.changePercent,
      details: { currency: a.currency, stock: a.stock, previous_stock: a.previousStock, threshold_percent: a.thresholdPercent },
    })),
  );

  const records: WatchRecord[] = rows.map((row) => {
    const o = outcomes.get(row.id)!;
    if (o.ok) return { id: row.id, ok: true, price: o.quote.price, currency: o.quote.currency, stock: o.stock, error: null, next_check: addMinutes(now, interval).toISOString() };
    const next = o.retryable ? Math.min(interval, RETRY_AFTER_MINUTES) : interval;
    return { id: row.id, ok: false, price: null, currency: null, stock: null, error: o.error, next_check: addMinutes(now, next).toISOString() };
  });
  const written = await writeChunkIsolated(db, now, records, alertRecords, reprices, opts.queuedIds ?? [], addMinutes(now, interval));

  let alertsSent = 0;
  const toSend = [...alertsByUser.values()]
    .map((u) => ({ channels: u.channels, alerts: u.alerts.filter((a) => written.newAlerts.has(a.id)) }))
    .filter((u) => u.alerts.length);
  if (toSend.length) {
    const deliveries = await mapLimit(toSend, 6, async (u) => ({ alerts: u.alerts, delivery: await deliverAlerts(env, u.channels, u.alerts) }));
    const rowsOut = deliveries.flatMap(({ alerts, delivery }) => alerts.map((a) => ({ id: a.id, delivery: delivery satisfies Delivery })));
    alertsSent = rowsOut.length;
    await db.execute(sql`
      UPDATE price_alerts pa SET delivery = d.delivery
      FROM json_to_recordset(${JSON.stringify(rowsOut)}::json) AS d(id uuid, delivery jsonb)
      WHERE pa.id = d.id`);
  }

  const errors = written.records.filter((r) => !r.ok).length;
  return { checked: rows.length, changed, errors, alerts: alertsSent, reprices: reprices.length, productLookups };
}

interface WatchRecord {
  id: string;
  ok: boolean;
  price: number | null;
  currency: string | null;
  stock: number | null;
  error: string | null;
  next_check: string;
}

interface AlertRecord {
  id: string;
  watch_id: string;
}

/** A value the database refused (SQLSTATE class 22 data exception, 23 integrity): that row's fault, not the chunk's. */
const isRowDataError = (err: unknown) => /^2[23]/.test(pgError(err)?.code ?? '');

/**
 * writeChunk for the whole chunk; when the database refuses a value in it, row by row,
 * each refused row recorded as a skipped reading with the reason (so one bad value never
 * fails the other watches, and the message is not retried for it). Other failures
 * (the database being away) throw: the queue retries the message.
 */
async function writeChunkIsolated(
  db: Db,
  now: Date,
  records: WatchRecord[],
  alerts: AlertRecord[],
  reprices: RepriceRecord[],
  queued: string[],
  queuedNext: Date,
): Promise<{ records: WatchRecord[]; newAlerts: Set<string> }> {
  try {
    return { records, newAlerts: new Set(await writeChunk(db, now, records, alerts, reprices, queued, queuedNext)) };
  } catch (err) {
    if (!isRowDataError(err)) throw err;
    log.warn('price chunk write refused a value; writing row by row', { watches: records.length, error: describeError(err) });
  }
  const newAlerts = new Set<string>();
  const out: WatchRecord[] = [];
  for (const r of records) {
    try {
      const ids = await writeChunk(db, now, [r], alerts.filter((a) => a.watch_id === r.id), reprices.filter((e) => e.watch_id === r.id), [], queuedNext);
      for (const id of ids) newAlerts.add(id);
      out.push(r);
    } catch (err) {
      if (!isRowDataError(err)) throw err;
      const skipped: WatchRecord = {
        ...r,
        ok: false,
        price: null,
        currency: null,
        stock: null,
        error: `This reading could not be stored (the database refused a value: ${describeError(err).slice(0, 200)}); it was skipped.`.slice(0, 2000),
      };
      await writeChunk(db, now, [skipped], [], [], [], queuedNext);
      out.push(skipped);
    }
  }
  if (queued.length) await writeChunk(db, now, [], [], [], queued, queuedNext);
  return { records: out, newAlerts };
}

/**
 * Everything a chunk learned, in one statement: watch updates (last_price takes the
 * previous current_price; price_changed is judged against the row as it is now, so an
 * overlapping check never leaves it inconsistent), price points, alerts with their
 * delivery, reprice events, and the pushed-back next check of queued watches.
 */
async function writeChunk(
  db: Db,
  now: Date,
  records: WatchRecord[],
  alerts: AlertRecord[],
  reprices: RepriceRecord[],
  queued: string[],
  queuedNext: Date,
): Promise<string[]> {
  if (!records.length && !queued.length) return [];
  const at = now.toISOString();
  const { rows } = await db.execute<{ alert_ids: string[] }>(sql`
    WITH r AS (
      SELECT * FROM json_to_recordset(${JSON.stringify(records)}::json)
        AS r(id uuid, ok boolean, price numeric, currency text, stock int, error text, next_check timestamptz)
    ), upd AS (
      UPDATE price_watches w SET
        last_price = CASE WHEN r.ok THEN w.current_price ELSE w.last_price END,
        current_price = CASE WHEN r.ok THEN r.price ELSE w.current_price END,
        price_changed = CASE WHEN r.ok THEN COALESCE(
            w.current_price > 0 AND r.price <> w.current_price AND (w.currency IS NULL OR w.currency = r.currency)
            AND abs(r.price - w.current_price) * 100 >= w.threshold_percent * w.current_price, false)
          ELSE w.price_changed END,
        currency = CASE WHEN r.ok THEN r.currency ELSE w.currency END,
        last_stock = CASE WHEN r.ok THEN r.stock ELSE w.last_stock END,
        last_checked_at = CASE WHEN r.ok THEN ${at}::timestamptz ELSE w.last_checked_at END,
        last_error = r.error,
        next_check_at = r.next_check,
        updated_at = now()
      FROM r WHERE w.id = r.id
      RETURNING w.id
    ), list_items AS (
      -- Import list (#17): the watcher's items made from a product whose price or stock just
      -- moved are flagged, so the list can say which (edited) items the change affects.
      UPDATE import_list_items i SET supplier_changed_at = ${at}::timestamptz
      FROM r JOIN price_watches w0 ON w0.id = r.id
      WHERE r.ok AND w0.current_price IS NOT NULL AND i.user_id = w0.user_id
        AND i.source::text = w0.source AND i.source_product_id = w0.source_product_id
        AND (r.price IS DISTINCT FROM w0.current_price OR r.stock IS DISTINCT FROM w0.last_stock)
    ), points AS (
      INSERT INTO price_points (watch_id, price, currency, stock, observed_at)
      SELECT r.id, r.price, r.currency, r.stock, ${at}::timestamptz FROM r JOIN upd ON upd.id = r.id WHERE r.ok
    ), alerts AS (
      INSERT INTO price_alerts (id, user_id, watch_id, kind, old_price, new_price, change_percent, details, created_at)
      SELECT a.id, a.user_id, a.watch_id, a.kind, a.old_price, a.new_price, a.change_percent, a.details, ${at}::timestamptz
      FROM json_to_recordset(${JSON.stringify(alerts)}::json)
        AS a(id uuid, user_id uuid, watch_id uuid, kind text, old_price numeric, new_price numeric, change_percent numeric, details jsonb)
      JOIN upd ON upd.id = a.watch_id
      ON CONFLICT (id) DO NOTHING
      RETURNING id
    ), reprices AS (
      INSERT INTO reprice_events (user_id, watch_id, store_id, store_product_id, old_cost, new_cost, new_price, status, error, created_at)
      SELECT e.user_id, e.watch_id, e.store_id, e.store_product_id, e.old_cost, e.new_cost, e.new_price, e.status, e.error, ${at}::timestamptz
      FROM json_to_recordset(${JSON.stringify(reprices)}::json)
        AS e(user_id uuid, watch_id uuid, store_id uuid, store_product_id text, old_cost numeric, new_cost numeric, new_price numeric, status text, error text)
      JOIN upd ON upd.id = e.watch_id
    ), queued AS (
      UPDATE price_watches SET next_check_at = ${queuedNext.toISOString()}::timestamptz
      WHERE id = ANY(${sql.param(queued)}::uuid[]) AND is_active
    )
    SELECT (SELECT count(*)::int FROM upd) AS updated, (SELECT COALESCE(json_agg(id), '[]'::json) FROM alerts) AS alert_ids`);
  return rows[0].alert_ids;
}

/** Checks the watches of one queue message (ids); inactive or deleted ones are skipped. */
export async function checkWatchIds(env: PriceEnv, db: Db, deps: PriceCheckDeps, ids: string[]): Promise<ChunkResult> {
  const rows = await loadWatchesById(db, ids);
  return checkChunk(env, db, deps, rows);
}

export interface SyncSummary {
  total_checked: number;
  total_changed: number;
  total_errors: number;
  /** Active watches beyond the first 100, handed to PRICE_QUEUE instead of checked in the request. */
  queued: number;
}

/**
 * POST /price-watches/sync: the caller's active watches. The 100 least recently checked
 * are checked now (the totals are theirs); any beyond are queued on PRICE_QUEUE in
 * chunks, so a request never outgrows the Workers subrequest and time limits.
 */
export async function syncUserWatches(env: PriceEnv & { PRICE_QUEUE: Queue }, db: Db, deps: PriceCheckDeps, userId: string): Promise<SyncSummary> {
  const { rows, rest } = await loadUserWatches(db, userId, CHUNK_SIZE);
  const result = rows.length || rest.length ? await checkChunk(env, db, deps, rows, { queuedIds: rest }) : null;
  if (rest.length) await enqueueChunks(env.PRICE_QUEUE, chunkIds(rest, CHUNK_SIZE));
  return { total_checked: result?.checked ?? 0, total_changed: result?.changed ?? 0, total_errors: result?.errors ?? 0, queued: rest.length };
}

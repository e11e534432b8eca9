import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { round2 } from '../lib/round';
import { isoDate, isoZ } from '../lib/time';
import { InvalidInput } from '../shared/domain-errors';

/** A metrics window: [from, to), in UTC. */
export interface Window {
  from: Date;
  to: Date;
}

export const DEFAULT_WINDOW_DAYS = 30;
export const MAX_WINDOW_DAYS = 366;
const DAY_MS = 86_400_000;
/** Years both JavaScript and Postgres print and read the same way (no year 0, no 5-digit years). */
const MIN_YEAR = 1900;
const MAX_YEAR = 9998;
const BAD_INSTANT = `Input should be a valid ISO 8601 date or timestamp between ${MIN_YEAR} and ${MAX_YEAR}`;

// A calendar date, or a timestamp with an optional zone (none = UTC); fractions beyond ms are dropped.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * A query instant in ms since the epoch, or null when it is not a real date or time.
 * A bare date means the start of that UTC day, or, as the window's end, the end of it
 * (so `from=2025-01-01&to=2025-01-31` is the whole of January).
 */
export function parseInstant(value: string, asEnd: boolean): number | null {
  const m = INSTANT.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0));
  // Date.UTC rolls 2025-02-30 over into March; a date that does not exist is an error.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  let ms = date.getTime();
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || 0);
    if (oh > 23 || om > 59) return null;
    ms -= sign * (oh * 60 + om) * 60_000;
  }
  if (h === undefined && asEnd) ms += DAY_MS;
  return ms;
}

const startOfUtcDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/**
 * The window of `?from=&to=`: `to` defaults to now; `from` to the start of the UTC day
 * 29 days before the last day of the window, so the default is 30 calendar days with
 * today's partial day last. InvalidInput naming `from` or `to` for unreadable instants,
 * from > to, or more than 366 days.
 */
export function parseWindow(query: { from?: string; to?: string }, now = new Date()): Window {
  const to = query.to === undefined ? now.getTime() : parseInstant(query.to, true);
  if (to === null) throw new InvalidInput(BAD_INSTANT, { field: ['to'], type: 'datetime_parsing', input: query.to });
  const from = query.from === undefined ? startOfUtcDay(to - 1) - (DEFAULT_WINDOW_DAYS - 1) * DAY_MS : parseInstant(query.from, false);
  if (from === null) throw new InvalidInput(BAD_INSTANT, { field: ['from'], type: 'datetime_parsing', input: query.from });
  const window = { from: new Date(from), to: new Date(to) };
  if (from > to) {
    throw new InvalidInput("Value error, 'from' must not be later than 'to'", { field: ['from'], type: 'value_error', input: query.from ?? isoZ(window.from) });
  }
  if (to - from > MAX_WINDOW_DAYS * DAY_MS) {
    const which = query.from !== undefined ? 'from' : 'to';
    throw new InvalidInput(`Value error, the window must not exceed ${MAX_WINDOW_DAYS} days`, {
      field: [which],
      type: 'value_error',
      input: query[which],
      ctx: { max_days: MAX_WINDOW_DAYS },
    });
  }
  return window;
}

/** The UTC calendar days a window touches, first to last (none for an empty window). */
export function windowDays(w: Window): string[] {
  if (w.to.getTime() <= w.from.getTime()) return [];
  const days: string[] = [];
  for (let d = startOfUtcDay(w.from.getTime()); d < w.to.getTime(); d += DAY_MS) days.push(isoDate(new Date(d)));
  return days;
}

/** n / d rounded to `digits` decimals; null when there is nothing to divide by. */
export function ratio(n: number, d: number, digits = 4): number | null {
  if (!d) return null;
  const f = 10 ** digits;
  return Math.round((n / d) * f) / f;
}

const bounds = (w: Window) => ({ f: sql`${w.from.toISOString()}::timestamptz`, t: sql`${w.to.toISOString()}::timestamptz` });

/**
 * Day-granular sources (api_key_usage) count the UTC days the window touches; an empty
 * window touches none.
 */
function dayBounds(w: Window) {
  const days = windowDays(w);
  return days.length ? { first: days[0], last: days[days.length - 1] } : { first: isoDate(w.from), last: isoDate(new Date(w.from.getTime() - DAY_MS)) };
}

/**
 * Jobs created in the window, per UTC day of creation and in total (the row whose day is
 * null), by current status; durations are finished_at − created_at of completed jobs.
 * One pass over import_jobs (the created_at index, or the user's (user_id, created_at)).
 */
export function importsSql(w: Window, userId?: string): SQL {
  const { f, t } = bounds(w);
  const who = userId ? sql`user_id = ${userId} AND ` : sql``;
  return sql`(SELECT COALESCE(json_agg(g ORDER BY g.day NULLS FIRST), '[]'::json) FROM (
      SELECT (created_at AT TIME ZONE 'UTC')::date AS day,
             count(*)::int AS total,
             count(*) FILTER (WHERE status = 'pending')::int AS pending,
             count(*) FILTER (WHERE status = 'running')::int AS running,
             count(*) FILTER (WHERE status = 'completed')::int AS completed,
             count(*) FILTER (WHERE status = 'failed')::int AS failed,
             count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
             count(*) FILTER (WHERE status = 'completed' AND finished_at IS NOT NULL)::int AS timed,
             COALESCE(sum(extract(epoch FROM finished_at - created_at)) FILTER (WHERE status = 'completed' AND finished_at IS NOT NULL), 0)::float8 AS timed_seconds
      FROM import_jobs
      WHERE ${who}created_at >= ${f} AND created_at < ${t}
      GROUP BY GROUPING SETS ((created_at AT TIME ZONE 'UTC')::date, ())) g)`;
}

/**
 * Price watch figures: watches active now that existed by the window's end (pausing is
 * not historised), supplier checks in the window (each successful check writes one
 * price point) and the checks that found a price change beyond the watch's threshold
 * (each writes one `price_change` alert in the same statement).
 */
export function priceWatchSql(w: Window, userId?: string): SQL {
  const { f, t } = bounds(w);
  if (!userId) {
    return sql`(SELECT json_build_object(
        'active', (SELECT count(*)::int FROM price_watches WHERE is_active AND created_at < ${t}),
        'checks', (SELECT count(*)::int FROM price_points WHERE observed_at >= ${f} AND observed_at < ${t}),
        'changes', (SELECT count(*)::int FROM price_alerts WHERE kind = 'price_change' AND created_at >= ${f} AND created_at < ${t})))`;
  }
  return sql`(SELECT json_build_object(
      'active', (SELECT count(*)::int FROM price_watches WHERE user_id = ${userId} AND is_active AND created_at < ${t}),
      'checks', (SELECT count(*)::int FROM price_points p JOIN price_watches w ON w.id = p.watch_id
                 WHERE w.user_id = ${userId} AND p.observed_at >= ${f} AND p.observed_at < ${t}),
      'changes', (SELECT count(*)::int FROM price_alerts
                  WHERE user_id = ${userId} AND kind = 'price_change' AND created_at >= ${f} AND created_at < ${t})))`;
}

/**
 * Users who signed up in the window, and those of them who now hold a paid (Pro or
 * Enterprise) subscription that is active or trialing; the plan is that of their newest
 * such subscription.
 */
export function conversionSql(w: Window): SQL {
  const { f, t } = bounds(w);
  return sql`(SELECT json_build_object(
      'signups', count(*)::int,
      'converted', count(p.plan)::int,
      'pro', count(*) FILTER (WHERE p.plan = 'pro')::int,
      'enterprise', count(*) FILTER (WHERE p.plan = 'enterprise')::int,
      'trialing', count(*) FILTER (WHERE p.status = 'trialing')::int)
    FROM users u
    LEFT JOIN LATERAL (
      SELECT s.plan, s.status FROM subscriptions s
      WHERE s.user_id = u.id AND s.status IN ('active', 'trialing') AND s.plan IN ('pro', 'enterprise')
      ORDER BY s.created_at DESC LIMIT 1
    ) p ON true
    WHERE u.created_at >= ${f} AND u.created_at < ${t})`;
}

/** Authenticated API-key requests on the UTC days the window touches, from api_key_usage. */
export function apiKeysSql(w: Window, userId?: string): SQL {
  const { first, last } = dayBounds(w);
  if (!userId) {
    // Summed per key before the join: a key has up to 366 rows in a window, its owner one.
    return sql`(SELECT json_build_object(
        'requests', COALESCE(sum(per.requests), 0)::bigint,
        'keys', count(*)::int,
        'users', count(DISTINCT k.user_id)::int)
      FROM (SELECT key_id, sum(requests) AS requests FROM api_key_usage
            WHERE day >= ${first}::date AND day <= ${last}::date GROUP BY key_id) per
      JOIN api_keys k ON k.id = per.key_id)`;
  }
  return sql`(SELECT json_build_object(
      'requests', (SELECT COALESCE(sum(u.requests), 0)::bigint FROM api_key_usage u JOIN api_keys k ON k.id = u.key_id
                   WHERE k.user_id = ${userId} AND u.day >= ${first}::date AND u.day <= ${last}::date),
      'last_used_at', (SELECT max(last_used_at) FROM api_keys WHERE user_id = ${userId})))`;
}

/** Store connections that existed by the window's end, per user who has at least one. */
export function storesSql(w: Window): SQL {
  const { t } = bounds(w);
  return sql`(WITH per AS (
      SELECT user_id, count(*)::int AS n FROM store_connections WHERE created_at < ${t} GROUP BY user_id
    )
    SELECT json_build_object(
      'users', (SELECT count(*)::int FROM per),
      'connections', (SELECT COALESCE(sum(n), 0)::int FROM per),
      'distribution', COALESCE((SELECT json_agg(json_build_object('stores', n, 'users', users) ORDER BY n)
                                FROM (SELECT n, count(*)::int AS users FROM per GROUP BY n) d), '[]'::json)))`;
}

interface ImportRow {
  day: string | null;
  total: number;
  pending: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
  timed: number;
  timed_seconds: number;
}

const EMPTY_IMPORTS: ImportRow = { day: null, total: 0, pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0, timed: 0, timed_seconds: 0 };

const windowOut = (w: Window) => ({ from: isoZ(w.from)!, to: isoZ(w.to)!, days: ratio(w.to.getTime() - w.from.getTime(), DAY_MS)! });

/** The imports block (volume, rates, success rate, average duration) and the daily series. */
export function importsOut(rows: ImportRow[], w: Window) {
  const total = rows.find((r) => r.day === null) ?? EMPTY_IMPORTS;
  const byDay = new Map(rows.filter((r) => r.day !== null).map((r) => [r.day!, r]));
  const days = (w.to.getTime() - w.from.getTime()) / DAY_MS;
  const perDay = days > 0 ? total.total / days : null;
  return {
    imports: {
      total: total.total,
      by_status: { pending: total.pending, running: total.running, completed: total.completed, failed: total.failed, cancelled: total.cancelled },
      success_rate: ratio(total.completed, total.completed + total.failed),
      average_duration_seconds: ratio(total.timed_seconds, total.timed, 3),
      per_day: perDay === null ? null : round2(perDay),
      per_week: perDay === null ? null : round2(perDay * 7),
      per_month: perDay === null ? null : round2(perDay * 30),
    },
    daily: windowDays(w).map((date) => {
      const r = byDay.get(date) ?? EMPTY_IMPORTS;
      return {
        date,
        total: r.total,
        completed: r.completed,
        failed: r.failed,
        cancelled: r.cancelled,
        in_progress: r.pending + r.running,
        success_rate: ratio(r.completed, r.completed + r.failed),
      };
    }),
  };
}

interface WatchFigures {
  active: number;
  checks: number;
  changes: number;
}

/**
 * The eight key metrics across all users for a window, plus the daily import series, in
 * one statement (one round trip).
 */
export async function adminMetrics(db: Db, w: Window) {
  const { rows } = await db.execute<{
    imports: ImportRow[];
    watches: WatchFigures;
    conversion: { signups: number; converted: number; pro: number; enterprise: number; trialing: number };
    api_keys: { requests: number; keys: number; users: number };
    stores: { users: number; connections: number; distribution: { stores: number; users: number }[] };
  }>(sql`SELECT ${importsSql(w)} AS imports, ${priceWatchSql(w)} AS watches, ${conversionSql(w)} AS conversion,
                ${apiKeysSql(w)} AS api_keys, ${storesSql(w)} AS stores`);
  const r = rows[0];
  const { imports, daily } = importsOut(r.imports, w);
  return {
    window: windowOut(w),
    imports,
    price_watches: {
      active: r.watches.active,
      checks: r.watches.checks,
      changes_detected: r.watches.changes,
      change_detection_rate: ratio(r.watches.changes, r.watches.checks),
    },
    conversion: {
      signups: r.conversion.signups,
      converted: r.conversion.converted,
      by_plan: { pro: r.conversion.pro, enterprise: r.conversion.enterprise },
      trialing: r.conversion.trialing,
      rate: ratio(r.conversion.converted, r.conversion.signups),
    },
    api_keys: { requests: Number(r.api_keys.requests), keys_used: r.api_keys.keys, users: r.api_keys.users },
    stores: {
      users_with_stores: r.stores.users,
      connections: r.stores.connections,
      average_per_user: ratio(r.stores.connections, r.stores.users, 2),
      distribution: r.stores.distribution,
    },
    daily,
  };
}

export type AdminMetrics = Awaited<ReturnType<typeof adminMetrics>>;

/** One merchant's own figures for a window, in one statement (one round trip). */
export async function merchantStats(db: Db, userId: string, w: Window) {
  const { rows } = await db.execute<{
    imports: ImportRow[];
    watches: WatchFigures;
    stores: number;
    api_keys: { requests: number; last_used_at: string | null };
  }>(sql`SELECT ${importsSql(w, userId)} AS imports, ${priceWatchSql(w, userId)} AS watches,
                (SELECT count(*)::int FROM store_connections WHERE user_id = ${userId} AND created_at < ${w.to.toISOString()}::timestamptz) AS stores,
                ${apiKeysSql(w, userId)} AS api_keys`);
  const r = rows[0];
  const { imports, daily } = importsOut(r.imports, w);
  return {
    window: windowOut(w),
    imports,
    daily,
    price_watches: {
      active: r.watches.active,
      checks: r.watches.checks,
      changes_detected: r.watches.changes,
      change_detection_rate: ratio(r.watches.changes, r.watches.checks),
    },
    connected_stores: r.stores,
    api_keys: { requests: Number(r.api_keys.requests), last_used_at: r.api_keys.last_used_at ? isoZ(new Date(r.api_keys.last_used_at)) : null },
  };
}

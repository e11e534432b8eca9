import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { PLATFORMS_FOR } from '../shared/sources';
import { CJ_DAILY_POINTS, CJ_PRICE_CHECK_POINTS } from '../suppliers/cj';

/**
 * CJ's points budget for price checks (INTEGRATIONS §3e: 50,000 base points per account
 * per day; a variant query or a stock query costs 10, a list 50).
 *
 * - Price checks may spend PRICE_CHECK_SHARE of the account's daily points (the rest is
 *   left for the merchant's own searches and imports). The account setting
 *   `daily_points` raises the base when CJ grants more (100 points per $1 spent).
 * - Spread: by minute m of the UTC day, at most share × (m + SPREAD_HEAD_START) / 1440 of
 *   it; so hourly checks of thousands of products cannot spend the day in the morning.
 * - A product costs CJ_PRICE_CHECK_POINTS (variants + stock). Products beyond the
 *   allowance are skipped with a recorded reason and checked at their next interval;
 *   nothing fails.
 * - Admission is one conditional upsert on (account, day), so concurrent chunks of one
 *   account serialise on the row and cannot overspend together.
 */
export const PRICE_CHECK_SHARE = 0.8;
export const SPREAD_HEAD_START_MINUTES = 60;

const utcDay = (now: Date) => now.toISOString().slice(0, 10);
const minuteOfDay = (now: Date) => now.getUTCHours() * 60 + now.getUTCMinutes();

/** The price-check allowance of an account with `dailyPoints` at `now`. */
export function priceCheckAllowance(dailyPoints: number, now: Date): number {
  const share = Math.floor(dailyPoints * PRICE_CHECK_SHARE);
  return Math.min(share, Math.floor((share * (minuteOfDay(now) + SPREAD_HEAD_START_MINUTES)) / 1440));
}

export interface PointsAdmission {
  /** How many of the wanted products may be checked now. */
  granted: number;
  /** Points spent on price checks today, after this admission. */
  used: number;
  /** The allowance at this time of day. */
  allowance: number;
}

/** Admits up to `products` product checks of CJ account `accountId` (one statement). */
export async function admitCjPriceChecks(db: Db, accountId: string, products: number, now: Date): Promise<PointsAdmission> {
  if (products <= 0) return { granted: 0, used: 0, allowance: 0 };
  const cost = CJ_PRICE_CHECK_POINTS;
  const day = utcDay(now);
  const share = PRICE_CHECK_SHARE;
  const spread = Math.min(1, (minuteOfDay(now) + SPREAD_HEAD_START_MINUTES) / 1440);
  const { rows } = await db.execute<{ last_grant: number; points: number; allowance: number }>(sql`
    WITH acct AS (
      SELECT CASE WHEN settings->>'daily_points' ~ '^[0-9]{1,9}$' THEN (settings->>'daily_points')::int ELSE ${CJ_DAILY_POINTS}::int END AS daily
      FROM supplier_accounts WHERE id = ${accountId}
    ), lim AS (
      SELECT floor(floor(daily * ${share}::numeric) * ${spread}::numeric)::int AS allowance FROM acct
    )
    INSERT INTO supplier_points_usage AS u (account_id, day, points, skipped, last_grant, allowance)
    SELECT ${accountId}::uuid, ${day}::date,
           LEAST(${products}::int, allowance / ${cost}::int) * ${cost}::int,
           ${products}::int - LEAST(${products}::int, allowance / ${cost}::int),
           LEAST(${products}::int, allowance / ${cost}::int), allowance
    FROM lim
    ON CONFLICT (account_id, day) DO UPDATE SET
      last_grant = LEAST(${products}::int, GREATEST(0, excluded.allowance - u.points) / ${cost}::int),
      points = u.points + LEAST(${products}::int, GREATEST(0, excluded.allowance - u.points) / ${cost}::int) * ${cost}::int,
      skipped = u.skipped + ${products}::int - LEAST(${products}::int, GREATEST(0, excluded.allowance - u.points) / ${cost}::int),
      allowance = excluded.allowance,
      updated_at = now()
    RETURNING last_grant, points, allowance`);
  // No such account any more: nothing to meter (the check itself will say so).
  if (!rows[0]) return { granted: products, used: 0, allowance: 0 };
  return { granted: Number(rows[0].last_grant), used: Number(rows[0].points), allowance: Number(rows[0].allowance) };
}

export interface PointsUsageOut {
  account_id: string;
  account_name: string;
  day: string;
  /** Points spent on price checks today. */
  points_used: number;
  /** Product checks skipped today because the allowance was spent. */
  checks_skipped: number;
  /** The account's daily points (CJ base 50,000 unless the account setting says more). */
  daily_points: number;
  /** What price checks may spend today in all (PRICE_CHECK_SHARE of daily_points). */
  price_check_budget: number;
  /** What price checks may have spent by now (the spread allowance). */
  allowance_now: number;
  points_per_check: number;
}

/** Today's CJ points use of the caller's CJ accounts (one round trip). */
export async function cjPointsToday(db: Db, userId: string, now: Date): Promise<PointsUsageOut[]> {
  const day = utcDay(now);
  const { rows } = await db.execute<{ account_id: string; account_name: string; points: number | null; skipped: number | null; daily: number }>(sql`
    SELECT a.id AS account_id, a.name AS account_name, u.points, u.skipped,
           CASE WHEN a.settings->>'daily_points' ~ '^[0-9]{1,9}$' THEN (a.settings->>'daily_points')::int ELSE ${CJ_DAILY_POINTS}::int END AS daily
    FROM supplier_accounts a
    LEFT JOIN supplier_points_usage u ON u.account_id = a.id AND u.day = ${day}::date
    WHERE a.user_id = ${userId} AND lower(a.platform) = ANY(${sql.param(PLATFORMS_FOR.cjdropship)}::text[])
    ORDER BY a.name, a.id`);
  return rows.map((r) => {
    const daily = Number(r.daily);
    return {
      account_id: r.account_id,
      account_name: r.account_name,
      day,
      points_used: Number(r.points ?? 0),
      checks_skipped: Number(r.skipped ?? 0),
      daily_points: daily,
      price_check_budget: Math.floor(daily * PRICE_CHECK_SHARE),
      allowance_now: priceCheckAllowance(daily, now),
      points_per_check: CJ_PRICE_CHECK_POINTS,
    };
  });
}

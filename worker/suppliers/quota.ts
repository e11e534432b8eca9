import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { config, type ConfigEnv } from '../env';
import { QuotaExceeded } from '../shared/domain-errors';
import type { SupplierAdapter } from './types';

export const supplierQuotaDetail = (limit: number) =>
  `Daily supplier call limit reached (${limit} searches and product lookups per day). It resets at 00:00 UTC; previews you already opened still work.`;

/** Seconds from `now` to the next 00:00 UTC, when the day's count starts again. */
export function secondsToUtcMidnight(now = new Date()): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}

/**
 * The daily cap is spent until 00:00 UTC: a 429 with Retry-After for the API, a
 * permanent failure with this message for an import job or a price check.
 */
export class SupplierQuotaExceeded extends QuotaExceeded {
  constructor(limit: number, now = new Date()) {
    super(supplierQuotaDetail(limit), secondsToUtcMidnight(now));
  }
}

/**
 * Admits `calls` supplier calls for the user today in one statement: the upsert only
 * applies while the day's total stays within `limit`, so concurrent requests can never
 * pass it together. False when the calls would exceed it.
 */
export async function admitSupplierCalls(db: Db, userId: string, calls: number, limit: number): Promise<boolean> {
  const { rows } = await db.execute(sql`
    INSERT INTO supplier_call_usage AS u (user_id, day, calls)
    SELECT ${userId}::uuid, (now() AT TIME ZONE 'UTC')::date, ${calls}::int WHERE ${calls}::int <= ${limit}::int
    ON CONFLICT (user_id, day) DO UPDATE SET calls = u.calls + EXCLUDED.calls
    WHERE u.calls + EXCLUDED.calls <= ${limit}::int
    RETURNING u.calls`);
  return rows.length > 0;
}

/**
 * A live adapter whose searches and product fetches count against the user's daily
 * supplier-call cap (one statement each, made only when the supplier is really called:
 * preview-cache hits never reach the adapter). Price checks (`getPrices`) are not
 * counted: the cron paces them by the plan's watch limit and the sync interval, and the
 * manual sync has its own rate limit.
 */
export function meterSupplierCalls(env: object, db: Db, userId: string, adapter: SupplierAdapter): SupplierAdapter {
  // Any binding set will do: callers pass the worker's env or the subset their adapters need.
  const limit = config(env as ConfigEnv).supplierDailyCallLimit;
  const admit = async () => {
    if (!(await admitSupplierCalls(db, userId, 1, limit))) throw new SupplierQuotaExceeded(limit);
  };
  return {
    source: adapter.source,
    mode: adapter.mode,
    search: async (query, page, pageSize) => {
      await admit();
      return adapter.search(query, page, pageSize);
    },
    getProduct: async (productId, sourceUrl) => {
      await admit();
      return adapter.getProduct(productId, sourceUrl);
    },
    getPrices: (productIds) => adapter.getPrices(productIds),
  };
}

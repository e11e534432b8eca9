import type { Db } from '../db/client';
import { supplierCallUsage } from '../db/schema';
import { config, type ConfigEnv } from '../env';
import { admitDailySql, DailyQuotaExceeded } from '../lib/daily-quota';
import type { SupplierAdapter } from './types';

export const supplierQuotaDetail = (limit: number) =>
  `Daily supplier call limit reached (${limit} searches and product lookups per day). It resets at 00:00 UTC; previews you already opened still work.`;

/**
 * The daily cap is spent until 00:00 UTC: a 429 with Retry-After for the API, a
 * permanent failure with this message for an import job or a price check.
 */
export class SupplierQuotaExceeded extends DailyQuotaExceeded {
  constructor(limit: number, now = new Date()) {
    super(supplierQuotaDetail(limit), now);
  }
}

/** Admits `calls` supplier calls for the user today (see admitDailySql); false when they would exceed `limit`. */
export async function admitSupplierCalls(db: Db, userId: string, calls: number, limit: number): Promise<boolean> {
  const { rows } = await db.execute(admitDailySql(supplierCallUsage, userId, calls, limit));
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

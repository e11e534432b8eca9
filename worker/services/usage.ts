import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { billingMonth, isoDate } from '../lib/time';
import { PLANS, type Tier } from './plans';

/** Usage for the current billing month, counted from the real tables in one round trip. */
export async function getUsage(db: Db, userId: string, plan: Tier, now = new Date()) {
  const { start, end } = billingMonth(now);
  const { rows } = await db.execute<{ items: number; secondary: number }>(sql`
    SELECT
      (SELECT count(*)::int FROM import_jobs
        WHERE user_id = ${userId} AND created_at >= ${start.toISOString()} AND created_at < ${end.toISOString()}) AS items,
      (SELECT count(*)::int FROM price_watches WHERE user_id = ${userId} AND is_active) AS secondary`);
  const limits = PLANS[plan];
  return {
    plan,
    period_start: isoDate(start),
    period_end: isoDate(end),
    metrics: [
      { name: 'items_used', label: 'Items Used', used: rows[0].items, limit: limits.max_items },
      { name: 'secondary_used', label: 'Secondary Items', used: rows[0].secondary, limit: limits.max_secondary },
    ],
  };
}

import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import type { User } from '../env';
import { billingMonth, isoDate } from '../lib/time';
import { PLANS, type Tier } from './plans';

/**
 * The two usage counts as columns `items` (imports this billing month, every status)
 * and `secondary` (active price watches), for embedding in a larger read.
 */
export function usageCountsSql(userId: string, now = new Date()): SQL {
  const { start, end } = billingMonth(now);
  return sql`
    (SELECT count(*)::int FROM import_jobs
      WHERE user_id = ${userId} AND created_at >= ${start.toISOString()} AND created_at < ${end.toISOString()}) AS items,
    (SELECT count(*)::int FROM price_watches WHERE user_id = ${userId} AND is_active) AS secondary`;
}

/** The contract's Usage object from the counts and the plan's limits. */
export function usageOut(plan: Tier, counts: { items: number; secondary: number }, now = new Date()) {
  const { start, end } = billingMonth(now);
  const limits = PLANS[plan];
  return {
    plan,
    period_start: isoDate(start),
    period_end: isoDate(end),
    metrics: [
      { name: 'items_used', label: 'Items Used', used: counts.items, limit: limits.max_items },
      { name: 'secondary_used', label: 'Secondary Items', used: counts.secondary, limit: limits.max_secondary },
    ],
  };
}

/** Usage for the current billing month, counted from the real tables in one round trip. */
export async function getUsage(db: Db, user: Pick<User, 'id' | 'plan'>, now = new Date()) {
  const { rows } = await db.execute<{ items: number; secondary: number }>(sql`SELECT ${usageCountsSql(user.id, now)}`);
  // The plan is read after the statement: on the request path it arrives with it (issue 18).
  return usageOut(user.plan, rows[0], now);
}

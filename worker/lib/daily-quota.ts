import { sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { QuotaExceeded } from '../shared/domain-errors';
import { secondsToUtcMidnight } from './time';

/**
 * The admission of `calls` more calls for the user today on a per-user, per-UTC-day
 * counter table (columns user_id, day, calls; primary key (user_id, day)), as one
 * conditional upsert: it applies only while the day's total stays within `limit`, so
 * concurrent requests can never pass it together. Returns a row only when admitted;
 * callers run it alone or as a CTE of a statement they make anyway.
 */
export const admitDailySql = (table: PgTable, userId: string, calls: number, limit: number): SQL => sql`
  INSERT INTO ${table} AS u (user_id, day, calls)
  SELECT ${userId}::uuid, (now() AT TIME ZONE 'UTC')::date, ${calls}::int WHERE ${calls}::int <= ${limit}::int
  ON CONFLICT (user_id, day) DO UPDATE SET calls = u.calls + EXCLUDED.calls
  WHERE u.calls + EXCLUDED.calls <= ${limit}::int
  RETURNING u.calls`;

/** A daily cap is spent: 429 with Retry-After until 00:00 UTC, when the count starts again. */
export class DailyQuotaExceeded extends QuotaExceeded {
  constructor(detail: string, now = new Date()) {
    super(detail, secondsToUtcMidnight(now));
  }
}

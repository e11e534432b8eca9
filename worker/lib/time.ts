/** ISO-8601 in UTC with a `Z` suffix (most timestamps in the contract). */
export const isoZ = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** ISO-8601 in UTC with a `+00:00` suffix (API-key list and /health). */
export const isoOffset = (d: Date | null | undefined) => (d ? d.toISOString().replace('Z', '+00:00') : null);

/** The billing month: calendar month of the server's UTC date, [start, next). */
export function billingMonth(now = new Date()) {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { start, end };
}

export const isoDate = (d: Date) => d.toISOString().slice(0, 10);

export const addMinutes = (d: Date, m: number) => new Date(d.getTime() + m * 60_000);

/** Seconds from `now` to the next 00:00 UTC, when per-day counts start again. */
export function secondsToUtcMidnight(now = new Date()): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}

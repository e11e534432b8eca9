import type { Plan } from '../api/client';

// `undefined` as the locale means the browser's own, so merchants see their conventions.
const numberFormat = new Intl.NumberFormat(undefined);
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
// Calendar days from the API (YYYY-MM-DD) have no zone; read and print them as UTC so
// they never shift by a day.
const dayFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
const monthFormat = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });

export const formatNumber = (n: number) => numberFormat.format(n);

function parse(value: string): Date | null {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function formatDate(iso: string): string {
  const d = parse(iso);
  return d ? dateFormat.format(d) : iso;
}

export function formatDateTime(iso: string): string {
  const d = parse(iso);
  return d ? dateTimeFormat.format(d) : iso;
}

/** "May 2026" for a usage period starting on `periodStart`. */
export function formatMonth(periodStart: string): string {
  const d = parse(`${periodStart}T00:00:00Z`);
  return d ? monthFormat.format(d) : periodStart;
}

/** The usage period as merchants think of it: both ends inclusive (the API's end is exclusive). */
export function formatPeriod(start: string, endExclusive: string): string {
  const from = parse(`${start}T00:00:00Z`);
  const to = parse(`${endExclusive}T00:00:00Z`);
  if (!from || !to) return `${start} – ${endExclusive}`;
  const lastDay = new Date(to.getTime() - 86_400_000);
  return dayFormat.formatRange(from, lastDay);
}

export const PLAN_NAMES: Record<Plan, string> = { free: 'Free', pro: 'Pro', enterprise: 'Enterprise' };

/** -1 is the API's "unlimited". */
export const isUnlimited = (limit: number) => limit < 0;

import type { Plan } from '../api/client';

// `undefined` as the locale means the browser's own, so merchants see their conventions.
const numberFormat = new Intl.NumberFormat(undefined);
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
// Calendar days from the API (YYYY-MM-DD) have no zone; read and print them as UTC so
// they never shift by a day.
const dayFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
const monthFormat = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const shareFormat = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const signedPercent = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2, signDisplay: 'exceptZero' });
const plainPercent = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

export const formatNumber = (n: number) => numberFormat.format(n);

// Intl formatters are costly to build and a page prints many amounts in few currencies.
const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string, wholeWhenRound: boolean): Intl.NumberFormat {
  const key = `${currency}:${wholeWhenRound}`;
  let f = moneyFormats.get(key);
  if (!f) {
    const digits = wholeWhenRound ? { minimumFractionDigits: 0, maximumFractionDigits: 2 } : {};
    try {
      f = new Intl.NumberFormat(undefined, { style: 'currency', currency, ...digits });
    } catch {
      // An unknown currency code (RangeError) still shows the amount.
      f = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    moneyFormats.set(key, f);
  }
  return f;
}

/** An amount in its currency (USD when none is given), in the merchant's locale; "—" when there is no amount. */
export function formatMoney(amount: number | null | undefined, currency?: string | null): string {
  if (amount === null || amount === undefined) return '—';
  return moneyFormat(currency ?? 'USD', false).format(amount);
}

/** A plan price given in US cents: "$29", "$9.50". */
export const formatUsdCents = (cents: number) => moneyFormat('USD', true).format(cents / 100);

/** 0.8333 → "83.3%". */
export const formatPercent = (share: number) => shareFormat.format(share);

/** A change in percent points: "+12.5 %" / "−3 %" / "0 %". */
export const formatChange = (pct: number) => `${signedPercent.format(pct)} %`;

/** A size in percent points without a sign: "12.5 %". */
export const formatPercentPoints = (pct: number) => `${plainPercent.format(pct)} %`;

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

/** The time of day of an API timestamp, in the merchant's zone; empty when unreadable. */
export function formatTime(iso: string): string {
  const d = parse(iso);
  return d ? timeFormat.format(d) : '';
}

/** "12 May" for an API calendar day (YYYY-MM-DD). */
export const formatDay = (date: string) => dayFormat.format(new Date(`${date}T00:00:00Z`));

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

/** "5 minutes ago", "in 40 minutes", "yesterday". */
export function formatRelative(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return relativeFormat.format(0, 'second');
  if (abs < 3600) return relativeFormat.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return relativeFormat.format(Math.round(seconds / 3600), 'hour');
  return relativeFormat.format(Math.round(seconds / 86_400), 'day');
}

type Unit = 'day' | 'hour' | 'minute' | 'second' | 'millisecond';
type UnitDisplay = 'short' | 'narrow';
const unitFormats = new Map<string, Intl.NumberFormat>();

function formatUnit(n: number, unit: Unit, unitDisplay: UnitDisplay, maximumFractionDigits = 0): string {
  const key = `${unit}:${unitDisplay}:${maximumFractionDigits}`;
  let f = unitFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(undefined, { style: 'unit', unit, unitDisplay, maximumFractionDigits });
    unitFormats.set(key, f);
  }
  return f.format(n);
}

const UNIT_SECONDS: [Unit, number][] = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

/** Whole seconds as the two largest units that matter, none larger than `largest`. */
function twoLargestUnits(total: number, largest: 'day' | 'hour', unitDisplay: UnitDisplay): string {
  const units = UNIT_SECONDS.slice(largest === 'day' ? 0 : 1);
  const parts = units.map(([unit, size], i): [number, Unit] => [Math.floor((i === 0 ? total : total % units[i - 1][1]) / size), unit]);
  const first = Math.max(0, parts.findIndex(([n]) => n > 0));
  return parts
    .slice(first, first + 2)
    .filter(([n], i) => i === 0 || n > 0)
    .map(([n, unit]) => formatUnit(n, unit, unitDisplay))
    .join(' ');
}

/** A duration in seconds, spelled out: "4.2 sec", "1 min 12 sec", "2 hr 5 min", "3 days 4 hr". */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return formatUnit(seconds, 'second', 'short', 1);
  return twoLargestUnits(Math.round(seconds), 'day', 'short');
}

/** How long something ran, like a stopwatch: "55ms", "2.4s", "12s", "2m 5s", "1h 3m"; "—" when unknown. */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1_000) return formatUnit(Math.round(ms), 'millisecond', 'narrow');
  if (ms < 10_000) return formatUnit(Math.round(ms / 100) / 10, 'second', 'narrow', 1);
  return twoLargestUnits(Math.round(ms / 1000), 'hour', 'narrow');
}

export const PLAN_NAMES: Record<Plan, string> = { free: 'Free', pro: 'Pro', enterprise: 'Enterprise' };

/** -1 is the API's "unlimited". */
export const isUnlimited = (limit: number) => limit < 0;

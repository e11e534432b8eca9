import type { DailyImports } from '../../api/stats';
import { formatDay, formatNumber } from '../../lib/format';

export const SERIES = [
  { key: 'completed', label: 'Completed', color: '--green-9' },
  { key: 'failed', label: 'Failed', color: '--red-9' },
  { key: 'cancelled', label: 'Cancelled', color: '--gray-8' },
  { key: 'in_progress', label: 'In progress', color: '--blue-9' },
] as const;

/** The smallest 1, 2 or 5 × 10^k at or above `n` (at least 2), so the axis reads in round numbers. */
export function niceMax(n: number): number {
  if (n <= 2) return 2;
  const step = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 5, 10].map((m) => m * step).find((v) => v >= n) ?? 10 * step;
}

/**
 * Running totals per day in SERIES order (completed, +failed, +cancelled, +in progress):
 * drawn tallest first, each bar shows its own outcome as the band above the one before.
 */
export function stackedSeries(daily: DailyImports[]): number[][] {
  let below = daily.map(() => 0);
  return SERIES.map((s) => (below = daily.map((d, i) => below[i] + d[s.key])));
}

/** Day indexes that get an axis label: every seventh day counting back from the last. */
export const labelledDays = (n: number) => Array.from({ length: n }, (_, i) => i).filter((i) => (n - 1 - i) % 7 === 0);

export function describeDay(d: DailyImports): string {
  if (d.total === 0) return `${formatDay(d.date)}: no imports`;
  const parts = SERIES.filter((s) => d[s.key] > 0).map((s) => `${formatNumber(d[s.key])} ${s.label.toLowerCase()}`);
  return `${formatDay(d.date)}: ${formatNumber(d.total)} import${d.total === 1 ? '' : 's'} (${parts.join(', ')})`;
}

export function describeChart(daily: DailyImports[]): string {
  const total = daily.reduce((acc, d) => acc + d.total, 0);
  const sums = SERIES.map((s) => `${formatNumber(daily.reduce((acc, d) => acc + d[s.key], 0))} ${s.label.toLowerCase()}`);
  const busiest = daily.reduce<DailyImports | null>((best, d) => (d.total > (best?.total ?? 0) ? d : best), null);
  return (
    `Imports per day, ${formatDay(daily[0].date)} to ${formatDay(daily[daily.length - 1].date)}: ${formatNumber(total)} in total, ${sums.join(', ')}` +
    (busiest ? `. Busiest day ${formatDay(busiest.date)} with ${formatNumber(busiest.total)}.` : '.')
  );
}

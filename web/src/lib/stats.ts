const percentFormat = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const units = Object.fromEntries(
  (['day', 'hour', 'minute', 'second'] as const).map((unit) => [unit, new Intl.NumberFormat(undefined, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 0 })]),
) as Record<'day' | 'hour' | 'minute' | 'second', Intl.NumberFormat>;
const shortSeconds = new Intl.NumberFormat(undefined, { style: 'unit', unit: 'second', unitDisplay: 'short', maximumFractionDigits: 1 });

/** 0.8333 → "83.3%" in the merchant's locale. */
export const formatPercent = (share: number) => percentFormat.format(share);

/**
 * A duration in seconds as the two largest units that matter ("4.2 sec", "1 min 12 sec",
 * "2 hr 5 min", "3 days 4 hr"), in the merchant's locale.
 */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return shortSeconds.format(seconds);
  const total = Math.round(seconds);
  const parts: [number, keyof typeof units][] = [
    [Math.floor(total / 86_400), 'day'],
    [Math.floor((total % 86_400) / 3_600), 'hour'],
    [Math.floor((total % 3_600) / 60), 'minute'],
    [total % 60, 'second'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  return parts
    .slice(first, first + 2)
    .filter(([n], i) => i === 0 || n > 0)
    .map(([n, unit]) => units[unit].format(n))
    .join(' ');
}

import { Flex, Text, VisuallyHidden } from '@radix-ui/themes';
import type { DailyImports } from '../../api/stats';
import { formatNumber } from '../../lib/format';
import './metrics.css';

const SERIES = [
  { key: 'completed', label: 'Completed', color: 'var(--green-9)' },
  { key: 'failed', label: 'Failed', color: 'var(--red-9)' },
  { key: 'cancelled', label: 'Cancelled', color: 'var(--gray-8)' },
  { key: 'in_progress', label: 'In progress', color: 'var(--blue-9)' },
] as const;

// API days are UTC calendar dates; printing them in UTC keeps them from shifting a day.
const dayLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const formatDay = (date: string) => dayLabel.format(new Date(`${date}T00:00:00Z`));

/** The smallest 1, 2 or 5 × 10^k at or above `n` (at least 2), so the axis reads in round numbers. */
export function niceMax(n: number): number {
  if (n <= 2) return 2;
  const step = 10 ** Math.floor(Math.log10(n));
  return ([1, 2, 5, 10].map((m) => m * step).find((v) => v >= n) ?? 10 * step) as number;
}

function describeDay(d: DailyImports): string {
  if (d.total === 0) return `${formatDay(d.date)}: no imports`;
  const parts = SERIES.filter((s) => d[s.key] > 0).map((s) => `${formatNumber(d[s.key])} ${s.label.toLowerCase()}`);
  return `${formatDay(d.date)}: ${formatNumber(d.total)} import${d.total === 1 ? '' : 's'} (${parts.join(', ')})`;
}

/**
 * Imports per day stacked by outcome, as an inline SVG: bars stretch to any width, while
 * axis labels stay HTML so they keep their size on a phone. Screen readers get a summary
 * on the chart and the full numbers in a table after it; each bar's tooltip names its day.
 */
export function ImportsChart({ daily }: { daily: DailyImports[] }) {
  const n = daily.length;
  const max = niceMax(Math.max(0, ...daily.map((d) => d.total)));
  const totals = SERIES.map((s) => ({ ...s, sum: daily.reduce((acc, d) => acc + d[s.key], 0) }));
  const total = daily.reduce((acc, d) => acc + d.total, 0);
  const busiest = daily.reduce<DailyImports | null>((best, d) => (d.total > (best?.total ?? 0) ? d : best), null);
  const summary =
    `Imports per day, ${formatDay(daily[0].date)} to ${formatDay(daily[n - 1].date)}: ${formatNumber(total)} in total, ` +
    totals.map((s) => `${formatNumber(s.sum)} ${s.label.toLowerCase()}`).join(', ') +
    (busiest ? `. Busiest day ${formatDay(busiest.date)} with ${formatNumber(busiest.total)}.` : '.');
  const labelled = daily.map((_, i) => (n - 1 - i) % 7 === 0);

  return (
    <figure className="imports-chart">
      <Flex className="imports-chart-legend" gap="3" wrap="wrap" aria-hidden="true">
        {SERIES.map((s) => (
          <Flex key={s.key} align="center" gap="1">
            <span className="imports-chart-swatch" style={{ background: s.color }} />
            <Text size="1" color="gray">
              {s.label}
            </Text>
          </Flex>
        ))}
      </Flex>
      <div className="imports-chart-body">
        <div className="imports-chart-y" aria-hidden="true">
          <Text size="1" color="gray">
            {formatNumber(max)}
          </Text>
          <Text size="1" color="gray">
            0
          </Text>
        </div>
        <div className="imports-chart-plot">
          <svg viewBox={`0 0 ${n} 100`} preserveAspectRatio="none" role="img" aria-label={summary}>
            {[0, 50, 100].map((y) => (
              <line key={y} x1="0" x2={n} y1={y} y2={y} className="imports-chart-grid" vectorEffect="non-scaling-stroke" />
            ))}
            {daily.map((d, i) => {
              let y = 100;
              return (
                <g key={d.date} data-date={d.date}>
                  <title>{describeDay(d)}</title>
                  <rect x={i} y="0" width="1" height="100" fill="transparent" />
                  {SERIES.map((s) => {
                    const h = (d[s.key] / max) * 100;
                    if (h <= 0) return null;
                    y -= h;
                    return <rect key={s.key} x={i + 0.15} y={y} width="0.7" height={h} fill={s.color} data-series={s.key} />;
                  })}
                </g>
              );
            })}
          </svg>
          <div className="imports-chart-x" aria-hidden="true">
            {daily.map((d, i) =>
              labelled[i] ? (
                <Text
                  key={d.date}
                  size="1"
                  color="gray"
                  className="imports-chart-x-label"
                  style={{ left: `${((i + 0.5) / n) * 100}%`, transform: i === n - 1 ? 'translateX(-100%)' : i === 0 ? 'none' : 'translateX(-50%)' }}
                >
                  {formatDay(d.date)}
                </Text>
              ) : null,
            )}
          </div>
        </div>
      </div>
      <VisuallyHidden>
        <table>
          <caption>Imports per day by outcome</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Total</th>
              {SERIES.map((s) => (
                <th key={s.key} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {daily.map((d) => (
              <tr key={d.date}>
                <th scope="row">{formatDay(d.date)}</th>
                <td>{d.total}</td>
                {SERIES.map((s) => (
                  <td key={s.key}>{d[s.key]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </VisuallyHidden>
    </figure>
  );
}

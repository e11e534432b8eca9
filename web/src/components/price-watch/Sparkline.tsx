import { formatMoney } from '../../lib/format';

/**
 * A row-sized trend line of recent prices (oldest first). Plain SVG: a handful of
 * points per row does not need a chart library, and the table stays light.
 */
export function Sparkline({ prices, currency, width = 96, height = 28 }: { prices: number[]; currency: string | null; width?: number; height?: number }) {
  if (prices.length < 2) {
    return (
      <span className="sparkline-empty" role="img" aria-label={prices.length ? 'One price so far' : 'No prices yet'}>
        —
      </span>
    );
  }
  const min = Math.min(...prices);
  const max = Math.max(...prices);
  const span = max - min || 1;
  const pad = 2;
  const points = prices.map((p, i) => {
    const x = pad + (i / (prices.length - 1)) * (width - 2 * pad);
    const y = max === min ? height / 2 : pad + (1 - (p - min) / span) * (height - 2 * pad);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  const first = prices[0];
  const last = prices[prices.length - 1];
  const trend = last > first ? 'up' : last < first ? 'down' : 'flat';
  const [lx, ly] = points[points.length - 1].split(',');
  return (
    <svg
      className={`sparkline sparkline-${trend}`}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`Last ${prices.length} prices, from ${formatMoney(first, currency)} to ${formatMoney(last, currency)}`}
    >
      <polyline points={points.join(' ')} fill="none" strokeWidth="1.75" strokeLinejoin="round" strokeLinecap="round" />
      <circle cx={lx} cy={ly} r="2.25" />
    </svg>
  );
}

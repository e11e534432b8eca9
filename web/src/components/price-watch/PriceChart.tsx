import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { PricePoint } from '../../api/price-watch';
import { formatMoney } from '../../lib/format';

/** A theme colour as a concrete CSS colour (uPlot paints on a canvas, which cannot read variables). */
function cssColor(el: Element, name: string, fallback: string): string {
  const v = getComputedStyle(el).getPropertyValue(name).trim();
  return v || fallback;
}

/**
 * The price history of one watch, drawn with uPlot (about 50 kB, loaded only when a
 * watch's details open). Steps, because a supplier price holds until the next check.
 */
export default function PriceChart({ points, currency, height = 240 }: { points: PricePoint[]; currency: string | null; height?: number }) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el || points.length === 0) return;
    const xs = points.map((p) => new Date(p.observed_at).getTime() / 1000);
    const ys = points.map((p) => p.price);
    const line = cssColor(el, '--accent-9', '#3e63dd');
    const area = cssColor(el, '--accent-a3', 'rgba(62,99,221,0.12)');
    const grid = cssColor(el, '--gray-a4', 'rgba(0,0,0,0.08)');
    const text = cssColor(el, '--gray-11', '#60646c');
    const plot = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height,
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { size: 7 } },
        scales: {
          // At least an hour wide, so checks seconds apart (a manual sync right after adding) read as times, not fractions of a second.
          x: { time: true, range: (_u, min, max) => (max - min >= 3600 ? [min, max] : [(min + max) / 2 - 1800, (min + max) / 2 + 1800]) },
          y: { range: (_u, min, max) => (min === max ? [min * 0.9, max * 1.1 || 1] : [min - (max - min) * 0.15, max + (max - min) * 0.15]) },
        },
        axes: [
          // uPlot's own time labels adapt to the span (times within a day, dates across days), in local time.
          { stroke: text, grid: { stroke: grid }, ticks: { stroke: grid }, space: 70 },
          { stroke: text, grid: { stroke: grid }, ticks: { stroke: grid }, size: 64, values: (_u, splits) => splits.map((s) => formatMoney(s, currency)) },
        ],
        series: [
          {},
          {
            label: 'Price',
            stroke: line,
            width: 2,
            fill: area,
            paths: uPlot.paths.stepped?.({ align: 1 }),
            points: { show: points.length <= 40, size: 5, fill: line },
          },
        ],
      },
      [xs, ys],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [points, currency, height]);

  return <div ref={box} className="price-chart" style={{ minHeight: height }} data-points={points.length} />;
}

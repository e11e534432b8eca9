import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { DailyImports } from '../../api/stats';
import { formatDay, formatNumber } from '../../lib/format';
import { labelledDays, niceMax, SERIES, stackedSeries } from './chart-data';

const HEIGHT = 200;

/**
 * The bars themselves, drawn by uPlot (the chart library the dashboard already ships,
 * loaded only with this chunk). Colours come from the Radix theme variables in scope.
 */
export default function ImportsUplot({ daily, onHover }: { daily: DailyImports[]; onHover: (day: DailyImports | null) => void }) {
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = ref.current!;
    const css = getComputedStyle(el);
    const themed = (name: string) => css.getPropertyValue(name).trim() || '#888';
    const n = daily.length;
    const stacked = stackedSeries(daily);
    const labelled = labelledDays(n);
    const axis = { stroke: themed('--gray-11'), font: '12px system-ui, sans-serif', ticks: { show: false } };
    const bars = uPlot.paths.bars!({ size: [0.7, 40], align: 0 });

    const plot = new uPlot(
      {
        width: Math.max(el.clientWidth, 200),
        height: HEIGHT,
        legend: { show: false },
        cursor: { y: false, points: { show: false }, drag: { x: false, y: false, setScale: false } },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        scales: { x: { time: false, range: [-0.5, n - 0.5] }, y: { range: (_u, _min, max) => [0, niceMax(max)] } },
        axes: [
          { ...axis, size: 28, grid: { show: false }, splits: () => labelled, values: (_u, splits) => splits.map((i) => formatDay(daily[i].date)) },
          {
            ...axis,
            size: 44,
            grid: { stroke: themed('--gray-a5'), width: 1 },
            splits: (_u, _i, _min, max) => (max % 2 === 0 ? [0, max / 2, max] : [0, max]),
            values: (_u, splits) => splits.map((v) => formatNumber(v)),
          },
        ],
        // Tallest running total first, so each outcome's band stays visible above the last.
        series: [
          {},
          ...SERIES.map((s) => ({ label: s.label, fill: themed(s.color), stroke: themed(s.color), width: 0, paths: bars, points: { show: false } })).reverse(),
        ],
        hooks: { setCursor: [(u) => onHover(u.cursor.idx == null ? null : daily[u.cursor.idx])] },
      },
      [daily.map((_, i) => i), ...[...stacked].reverse()],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 200), height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [daily, onHover]);

  return <div ref={ref} className="imports-chart-uplot" />;
}

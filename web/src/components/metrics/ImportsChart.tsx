import { Flex, Skeleton, Text, VisuallyHidden } from '@radix-ui/themes';
import { lazy, Suspense, useState } from 'react';
import type { DailyImports } from '../../api/stats';
import { formatDay } from '../../lib/format';
import { describeChart, describeDay, SERIES } from './chart-data';
import './metrics.css';

const ImportsUplot = lazy(() => import('./ImportsUplot'));

/**
 * Imports per day stacked by outcome. The canvas (uPlot, loaded on first use) is one
 * image to assistive technology, labelled with a summary; the numbers of every day are
 * in the table after it, and the line under the chart reads out the day under the cursor.
 */
export function ImportsChart({ daily }: { daily: DailyImports[] }) {
  const [hovered, setHovered] = useState<DailyImports | null>(null);
  return (
    <figure className="imports-chart">
      <Flex gap="3" wrap="wrap" aria-hidden="true">
        {SERIES.map((s) => (
          <Flex key={s.key} align="center" gap="1">
            <span className="imports-chart-swatch" style={{ background: `var(${s.color})` }} />
            <Text size="1" color="gray">
              {s.label}
            </Text>
          </Flex>
        ))}
      </Flex>
      <div role="img" aria-label={describeChart(daily)}>
        <Suspense fallback={<Skeleton height="200px" />}>
          <ImportsUplot daily={daily} onHover={setHovered} />
        </Suspense>
      </div>
      <Text as="p" size="1" color="gray" aria-hidden="true" className="imports-chart-readout">
        {hovered ? describeDay(hovered) : 'Point at or tap a bar to see its day.'}
      </Text>
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

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { DailyImports } from '../../api/stats';
import { mockApi, renderApp, signIn, USAGE, USER } from '../../test/utils';
import { niceMax, stackedSeries } from './chart-data';

// jsdom has no canvas: the uPlot chunk is replaced by a stand-in that shows what it was
// given and lets a test point at a day (the browser tests draw the real chart).
vi.mock('./ImportsUplot', () => ({
  default: ({ daily, onHover }: { daily: DailyImports[]; onHover: (d: DailyImports | null) => void }) => (
    <div data-testid="bars" data-days={daily.map((d) => d.total).join(',')}>
      {daily.map((d) => (
        <button key={d.date} type="button" onMouseEnter={() => onHover(d)} onMouseLeave={() => onHover(null)}>
          {d.date}
        </button>
      ))}
    </div>
  ),
}));

type Day = { date: string; total: number; completed: number; failed: number; cancelled: number; in_progress: number; success_rate: number | null };

/** 30 days ending 2025-05-30 with imports on three of them. */
function stats(busy: Record<string, Partial<Day>> = {}) {
  const daily: Day[] = Array.from({ length: 30 }, (_, i) => {
    const date = new Date(Date.UTC(2025, 4, 1 + i)).toISOString().slice(0, 10);
    const d = { completed: 0, failed: 0, cancelled: 0, in_progress: 0, ...busy[date] };
    const total = d.completed + d.failed + d.cancelled + d.in_progress;
    return { date, total, ...d, success_rate: d.completed + d.failed ? d.completed / (d.completed + d.failed) : null };
  });
  const sum = (k: 'completed' | 'failed' | 'cancelled' | 'in_progress') => daily.reduce((a, d) => a + d[k], 0);
  const [completed, failed, cancelled] = [sum('completed'), sum('failed'), sum('cancelled')];
  const total = daily.reduce((a, d) => a + d.total, 0);
  return {
    window: { from: '2025-05-01T00:00:00.000Z', to: '2025-05-30T15:00:00.000Z', days: 29.625 },
    imports: {
      total,
      by_status: { pending: 0, running: sum('in_progress'), completed, failed, cancelled },
      success_rate: completed + failed ? Math.round((completed / (completed + failed)) * 1e4) / 1e4 : null,
      average_duration_seconds: completed ? 72.4 : null,
      per_day: 0,
      per_week: 0,
      per_month: 0,
    },
    daily,
    price_watches: { active: 0, checks: 0, changes_detected: 0, change_detection_rate: null },
    connected_stores: 0,
    api_keys: { requests: 0, last_used_at: null },
  };
}

const base = {
  'GET /api/v1/auth/me': [200, USER] as [number, unknown],
  'GET /api/v1/usage': [200, USAGE] as [number, unknown],
  'GET /api/v1/connections': [200, { items: [] }] as [number, unknown],
};

describe('Dashboard import statistics', () => {
  it('shows the success rate, the average import time and a bar per day split by outcome', async () => {
    signIn();
    const { requests } = mockApi({
      ...base,
      'GET /api/v1/stats': [200, stats({ '2025-05-03': { completed: 4, failed: 1 }, '2025-05-10': { completed: 1, cancelled: 2 }, '2025-05-30': { in_progress: 1 } })],
    });
    renderApp('/');

    const rate = await screen.findByRole('region', { name: 'Import success rate' }, { timeout: 5000 });
    expect(rate.textContent).toContain('83.3%');
    expect(rate.textContent).toContain('5 of 6 finished imports completed.');
    expect(rate.textContent).toContain('2 cancelled, not counted.');
    const time = screen.getByRole('region', { name: 'Average import time' });
    expect(time.textContent).toContain('1 min 12 sec');

    const chart = screen.getByRole('region', { name: 'Imports per day' });
    expect(chart.textContent).toContain('9 in total');
    const img = within(chart).getByRole('img');
    expect(img.getAttribute('aria-label')).toBe(
      'Imports per day, May 1 to May 30: 9 in total, 5 completed, 1 failed, 2 cancelled, 1 in progress. Busiest day May 3 with 5.',
    );
    const bars = await within(chart).findByTestId('bars', {}, { timeout: 5000 });
    expect(bars.dataset.days).toBe([0, 0, 5, 0, 0, 0, 0, 0, 0, 3, ...Array(19).fill(0), 1].join(','));
    const readout = within(chart).getByText('Point at or tap a bar to see its day.');
    await userEvent.hover(within(bars).getByRole('button', { name: '2025-05-03' }));
    expect(readout.textContent).toBe('May 3: 5 imports (4 completed, 1 failed)');
    await userEvent.unhover(within(bars).getByRole('button', { name: '2025-05-03' }));
    expect(readout.textContent).toBe('Point at or tap a bar to see its day.');

    const table = within(chart).getByRole('table', { name: 'Imports per day by outcome' });
    const row = within(table).getByRole('row', { name: /May 10/ });
    expect(within(row).getAllByRole('cell').map((c) => c.textContent)).toEqual(['3', '1', '0', '2', '0']);
    expect(requests.filter((r) => r.path === '/api/v1/stats')).toHaveLength(1);
  });

  it('a merchant without imports sees dashes and an invitation to import', async () => {
    signIn();
    mockApi({ ...base, 'GET /api/v1/stats': [200, stats()] });
    renderApp('/');
    const rate = await screen.findByRole('region', { name: 'Import success rate' }, { timeout: 5000 });
    expect(rate.textContent).toContain('—');
    expect(rate.textContent).toContain('No finished imports yet.');
    expect(screen.getByRole('region', { name: 'Average import time' }).textContent).toContain('Shown once an import completes.');
    const chart = screen.getByRole('region', { name: 'Imports per day' });
    expect(within(chart).queryByRole('img')).toBeNull();
    expect(within(chart).getByRole('link', { name: 'Import products' }).getAttribute('href')).toBe('/imports');
  });

  it('shows skeletons while loading and a retry when the statistics fail', async () => {
    signIn();
    let fail = true;
    mockApi({ ...base, 'GET /api/v1/stats': () => (fail ? [500, { detail: 'Internal Server Error' }] : [200, stats({ '2025-05-03': { completed: 1 } })]) });
    renderApp('/');
    expect(await screen.findByLabelText('Loading import statistics', {}, { timeout: 5000 })).toBeTruthy();
    const alert = await screen.findByRole('alert', {}, { timeout: 5000 });
    expect(alert.textContent).toContain('Could not load your import statistics');
    fail = false;
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.getByRole('region', { name: 'Import success rate' }).textContent).toContain('100%'));
  });
});

describe('chart data', () => {
  it('rounds the axis up to 2, 5 or 10 × 10^k', () => {
    expect([0, 1, 2, 3, 5, 7, 10, 11, 40, 99, 120].map(niceMax)).toEqual([2, 2, 2, 5, 5, 10, 10, 20, 50, 100, 200]);
  });

  it('stacks the outcomes as running totals, the last being each day’s total', () => {
    const days = stats({ '2025-05-01': { completed: 4, failed: 1, cancelled: 2, in_progress: 3 }, '2025-05-02': { failed: 2 } }).daily.slice(0, 3);
    expect(stackedSeries(days)).toEqual([
      [4, 0, 0],
      [5, 2, 0],
      [7, 2, 0],
      [10, 2, 0],
    ]);
  });
});

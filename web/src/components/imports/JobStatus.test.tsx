import '../../test/setup';
import { Theme } from '@radix-ui/themes';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImportStatus } from '../../api/imports';
import { JobStatus } from './JobStatus';

afterEach(cleanup);

function renderStatus(status: ImportStatus, progress_percent = 0) {
  return render(
    <Theme>
      <JobStatus job={{ status, progress_percent }} />
    </Theme>,
  );
}

describe('JobStatus', () => {
  it.each([
    ['pending', 'Pending', 'amber'],
    ['running', 'Running', 'blue'],
    ['completed', 'Completed', 'green'],
    ['failed', 'Failed', 'red'],
    ['cancelled', 'Cancelled', 'gray'],
  ] as const)('labels %s as "%s" in %s', (status, label, color) => {
    renderStatus(status);
    const badge = screen.getByText(label);
    expect(badge.getAttribute('data-status')).toBe(status);
    expect(badge.getAttribute('data-accent-color')).toBe(color);
  });

  it('shows the pipeline percentage while running', () => {
    renderStatus('running', 60);
    const bar = screen.getByRole('progressbar', { name: 'Import progress 60%' });
    expect(bar.getAttribute('aria-valuenow')).toBe('60');
    expect(screen.getByText('60%')).toBeTruthy();
  });

  it('clamps a percentage outside 0–100', () => {
    renderStatus('running', 140);
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
  });

  it('shows an indeterminate bar while the job waits in the queue', () => {
    renderStatus('pending');
    const bar = screen.getByRole('progressbar', { name: 'Waiting in the queue' });
    expect(bar.getAttribute('data-state')).toBe('indeterminate');
    expect(bar.hasAttribute('aria-valuenow')).toBe(false);
    expect(screen.getByText('Queued')).toBeTruthy();
  });

  it.each(['completed', 'failed', 'cancelled'] as const)('has no progress bar once %s', (status) => {
    renderStatus(status, 100);
    expect(screen.queryByRole('progressbar')).toBeNull();
  });
});

import { Badge, Flex, Progress, Text } from '@radix-ui/themes';
import type { ComponentProps } from 'react';
import type { ImportJob, ImportSource, ImportStatus } from '../../api/imports';
import { SOURCE_LABELS } from '../../lib/imports';
import './imports.css';

type Color = ComponentProps<typeof Badge>['color'];

export const STATUS_META: Record<ImportStatus, { label: string; color: Color }> = {
  pending: { label: 'Pending', color: 'amber' },
  running: { label: 'Running', color: 'blue' },
  completed: { label: 'Completed', color: 'green' },
  failed: { label: 'Failed', color: 'red' },
  cancelled: { label: 'Cancelled', color: 'gray' },
};

const SOURCE_COLORS: Record<ImportSource, Color> = {
  aliexpress: 'orange',
  cjdropship: 'cyan',
  spocket: 'violet',
  manual: 'gray',
};

export function StatusBadge({ status }: { status: ImportStatus }) {
  const meta = STATUS_META[status];
  return (
    <Badge color={meta.color} variant="soft" size="2" data-status={status}>
      {meta.label}
    </Badge>
  );
}

export function SourceBadge({ source }: { source: ImportSource }) {
  return (
    <Badge color={SOURCE_COLORS[source]} variant="surface" className="nowrap">
      {SOURCE_LABELS[source]}
    </Badge>
  );
}

/**
 * A job's status with, while the queue works on it, a progress bar: indeterminate
 * while pending (nothing to measure yet), the pipeline's percentage while running.
 */
export function JobStatus({ job }: { job: Pick<ImportJob, 'status' | 'progress_percent'> }) {
  const percent = Math.max(0, Math.min(100, job.progress_percent));
  return (
    <Flex direction="column" align="start" gap="1" minWidth="112px">
      <StatusBadge status={job.status} />
      {job.status === 'running' && (
        <Flex align="center" gap="2" width="100%">
          <Progress value={percent} size="1" aria-label={`Import progress ${percent}%`} style={{ flex: 1 }} />
          <Text size="1" color="gray" className="tabular">
            {percent}%
          </Text>
        </Flex>
      )}
      {job.status === 'pending' && (
        <Flex align="center" gap="2" width="100%">
          <Progress size="1" color="amber" aria-label="Waiting in the queue" style={{ flex: 1 }} />
          <Text size="1" color="gray">
            Queued
          </Text>
        </Flex>
      )}
    </Flex>
  );
}

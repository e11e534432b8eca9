import { DownloadIcon } from '@radix-ui/react-icons';
import { Box, Button, Card, Flex, Grid, Heading, Skeleton, Text } from '@radix-ui/themes';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { statsQuery, type Stats } from '../../api/stats';
import { formatDuration, formatNumber, formatPercent } from '../../lib/format';
import { ErrorState } from '../States';
import { ImportsChart } from './ImportsChart';

function StatCard({ label, value, children }: { label: string; value: string; children: ReactNode }) {
  return (
    <Card size="3" asChild>
      <section aria-label={label}>
        <Flex direction="column" gap="2">
          <Heading as="h3" size="2" weight="medium" color="gray">
            {label}
          </Heading>
          <Text size="8" weight="bold" className="kpi-value">
            {value}
          </Text>
          <Text as="p" size="2" color="gray">
            {children}
          </Text>
        </Flex>
      </section>
    </Card>
  );
}

function Figures({ stats }: { stats: Stats }) {
  const { imports, daily } = stats;
  const { completed, failed, cancelled } = imports.by_status;
  const finished = completed + failed;
  return (
    <Grid columns={{ initial: '1', md: '3' }} gap="4">
      <Flex direction="column" gap="4">
        <StatCard label="Import success rate" value={imports.success_rate === null ? '—' : formatPercent(imports.success_rate)}>
          {finished === 0
            ? 'No finished imports yet.'
            : `${formatNumber(completed)} of ${formatNumber(finished)} finished imports completed.`}
          {cancelled > 0 && ` ${formatNumber(cancelled)} cancelled, not counted.`}
        </StatCard>
        <StatCard label="Average import time" value={imports.average_duration_seconds === null ? '—' : formatDuration(imports.average_duration_seconds)}>
          {imports.average_duration_seconds === null ? 'Shown once an import completes.' : 'From queued to completed in your store.'}
        </StatCard>
      </Flex>
      <Box gridColumn={{ md: 'span 2' }} asChild>
        <Card size="3" asChild>
          <section aria-label="Imports per day">
            <Flex direction="column" gap="3" height="100%">
              <Flex justify="between" align="baseline" gap="3" wrap="wrap">
                <Heading as="h3" size="2" weight="medium" color="gray">
                  Imports per day
                </Heading>
                <Text size="2" color="gray">
                  {formatNumber(imports.total)} in total
                </Text>
              </Flex>
              {imports.total === 0 ? (
                <Flex direction="column" align="center" justify="center" gap="3" flexGrow="1" py="6" style={{ textAlign: 'center' }}>
                  <Text as="p" size="2" color="gray">
                    No imports in the last 30 days. Each day’s imports will show here by outcome.
                  </Text>
                  <Button asChild variant="soft" size="2">
                    <Link to="/imports">
                      <DownloadIcon /> Import products
                    </Link>
                  </Button>
                </Flex>
              ) : (
                <ImportsChart daily={daily} />
              )}
            </Flex>
          </section>
        </Card>
      </Box>
    </Grid>
  );
}

function StatsSkeleton() {
  return (
    <Grid columns={{ initial: '1', md: '3' }} gap="4" aria-busy="true" aria-label="Loading import statistics">
      <Flex direction="column" gap="4">
        {[0, 1].map((i) => (
          <Card key={i} size="3">
            <Flex direction="column" gap="3">
              <Skeleton width="60%" height="16px" />
              <Skeleton width="40%" height="36px" />
            </Flex>
          </Card>
        ))}
      </Flex>
      <Box gridColumn={{ md: 'span 2' }}>
        <Card size="3">
          <Skeleton height="220px" />
        </Card>
      </Box>
    </Grid>
  );
}

/** Dashboard home: the merchant's import success rate, average import time and 30-day chart. */
export function ImportStats() {
  const stats = useQuery(statsQuery);
  return (
    <Box asChild>
      <section aria-labelledby="import-stats-heading">
        <Heading as="h2" size="4" mb="3" id="import-stats-heading">
          Imports in the last 30 days
        </Heading>
        {stats.isError ? (
          <ErrorState title="Could not load your import statistics" error={stats.error} onRetry={() => void stats.refetch()} />
        ) : stats.data ? (
          <Figures stats={stats.data} />
        ) : (
          <StatsSkeleton />
        )}
      </section>
    </Box>
  );
}

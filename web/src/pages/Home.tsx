import { ArrowRightIcon, CodeIcon, CubeIcon, DownloadIcon, Link2Icon } from '@radix-ui/react-icons';
import { Badge, Box, Button, Card, Flex, Grid, Heading, Progress, Skeleton, Text } from '@radix-ui/themes';
import { useQuery } from '@tanstack/react-query';
import type { ComponentType, ReactNode } from 'react';
import { Link } from 'react-router';
import type { Usage } from '../api/client';
import { meQuery, usageQuery } from '../api/queries';
import { connectionsQuery } from '../api/stores';
import { ImportStats } from '../components/metrics/ImportStats';
import { PageHeader } from '../components/PageHeader';
import { ErrorState } from '../components/States';
import { formatMonth, formatNumber, formatPeriod, isUnlimited, PLAN_NAMES } from '../lib/format';

type Metric = Usage['metrics'][number];

function KpiCard({ label, children, footer }: { label: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <Card size="3" asChild>
      <section aria-label={label}>
        <Flex direction="column" gap="2" height="100%">
          <Heading as="h2" size="2" weight="medium" color="gray">
            {label}
          </Heading>
          {children}
          {footer && <Box mt="auto">{footer}</Box>}
        </Flex>
      </section>
    </Card>
  );
}

function MetricCard({ label, metric, unit }: { label: string; metric: Metric | undefined; unit: string }) {
  if (!metric) return null;
  const unlimited = isUnlimited(metric.limit);
  const share = unlimited || metric.limit === 0 ? 0 : Math.min(100, (metric.used / metric.limit) * 100);
  return (
    <KpiCard
      label={label}
      footer={
        unlimited ? (
          <Text size="2" color="gray">
            Unlimited on your plan
          </Text>
        ) : (
          <Flex direction="column" gap="2">
            <Progress value={share} color={share >= 90 ? 'red' : share >= 75 ? 'amber' : undefined} aria-label={`${label}: ${Math.round(share)}% of limit`} />
            <Text size="2" color="gray">
              {formatNumber(Math.max(0, metric.limit - metric.used))} {unit} left
            </Text>
          </Flex>
        )
      }
    >
      <Flex align="baseline" gap="2">
        <Text size="8" weight="bold" className="kpi-value">
          {formatNumber(metric.used)}
        </Text>
        <Text size="3" color="gray">
          {unlimited ? 'used' : `of ${formatNumber(metric.limit)}`}
        </Text>
      </Flex>
    </KpiCard>
  );
}

function KpiSkeleton() {
  return (
    <Card size="3">
      <Flex direction="column" gap="3">
        <Skeleton width="60%" height="16px" />
        <Skeleton width="40%" height="36px" />
        <Skeleton height="8px" />
      </Flex>
    </Card>
  );
}

/** The count of connected stores and the default one; loads on its own so usage shows first. */
function ConnectedStoresCard() {
  const connections = useQuery(connectionsQuery);
  const items = connections.data?.items ?? [];
  const fallback = (
    <Text as="p" size="2" color="gray">
      Link your Shopify or WooCommerce store to push imported products straight to it.
    </Text>
  );
  return (
    <KpiCard
      label="Connected stores"
      footer={
        <Button asChild variant="soft" size="2">
          <Link to="/connections">
            <Link2Icon /> {items.length ? 'Manage stores' : 'Connect a store'}
          </Link>
        </Button>
      }
    >
      {connections.isPending ? (
        <Skeleton width="40%" height="36px" />
      ) : connections.isError ? (
        <Text as="p" size="2" color="red">
          Could not load your stores.
        </Text>
      ) : items.length === 0 ? (
        fallback
      ) : (
        <>
          <Text size="8" weight="bold" className="kpi-value">
            {formatNumber(items.length)}
          </Text>
          {items[0].is_default && (
            <Text as="p" size="2" color="gray" truncate>
              Default: {items[0].store_name}
            </Text>
          )}
        </>
      )}
    </KpiCard>
  );
}

function Kpis() {
  const usage = useQuery(usageQuery);
  const me = useQuery(meQuery);

  if (usage.isError || me.isError) {
    return (
      <ErrorState
        title="Could not load your usage"
        error={usage.error ?? me.error}
        onRetry={() => {
          if (usage.isError) void usage.refetch();
          if (me.isError) void me.refetch();
        }}
      />
    );
  }
  if (!usage.data || !me.data) {
    return (
      <Grid columns={{ initial: '1', sm: '2', lg: '4' }} gap="4" aria-busy="true" aria-label="Loading usage">
        <KpiSkeleton />
        <KpiSkeleton />
        <KpiSkeleton />
        <KpiSkeleton />
      </Grid>
    );
  }

  const metric = (name: string) => usage.data.metrics.find((m) => m.name === name);
  return (
    <Flex direction="column" gap="3">
      <Text size="2" color="gray">
        Usage for {formatMonth(usage.data.period_start)} ({formatPeriod(usage.data.period_start, usage.data.period_end)})
      </Text>
      <Grid columns={{ initial: '1', sm: '2', lg: '4' }} gap="4">
        <MetricCard label="Imports this month" metric={metric('items_used')} unit="imports" />
        <MetricCard label="Price watches" metric={metric('secondary_used')} unit="watches" />
        <ConnectedStoresCard />
        <KpiCard
          label="Plan"
          footer={
            <Button asChild variant={me.data.plan === 'free' ? 'solid' : 'soft'} size="2">
              <Link to="/billing">{me.data.plan === 'free' ? 'Upgrade plan' : 'Manage billing'}</Link>
            </Button>
          }
        >
          <Flex align="center" gap="2">
            <Text size="8" weight="bold" className="kpi-value">
              {PLAN_NAMES[me.data.plan]}
            </Text>
            {me.data.plan !== 'free' && <Badge color="green">Active</Badge>}
          </Flex>
        </KpiCard>
      </Grid>
    </Flex>
  );
}

const QUICK_ACTIONS: { to: string; title: string; text: string; icon: ComponentType }[] = [
  { to: '/imports', title: 'Import products', text: 'Bring supplier products into your store, one at a time or in bulk.', icon: DownloadIcon },
  { to: '/products', title: 'Find products', text: 'Search supplier catalogues and preview products before importing.', icon: CubeIcon },
  { to: '/connections', title: 'Connect a store', text: 'Link Shopify or WooCommerce and choose where imports go.', icon: Link2Icon },
  { to: '/api-keys', title: 'Create an API key', text: 'Automate imports and reports from your own scripts.', icon: CodeIcon },
];

function QuickActions() {
  return (
    <Grid columns={{ initial: '1', sm: '2', lg: '4' }} gap="4">
      {QUICK_ACTIONS.map(({ to, title, text, icon: Icon }) => (
        <Card key={to} size="3" asChild>
          <Link to={to} className="card-link">
            <Flex direction="column" gap="3" height="100%">
              <Flex justify="between" align="center">
                <Flex className="icon-tile" align="center" justify="center" aria-hidden="true">
                  <Icon />
                </Flex>
                <ArrowRightIcon className="card-link-arrow" aria-hidden="true" />
              </Flex>
              <Box>
                <Text as="div" size="3" weight="bold" mb="1">
                  {title}
                </Text>
                <Text as="p" size="2" color="gray">
                  {text}
                </Text>
              </Box>
            </Flex>
          </Link>
        </Card>
      ))}
    </Grid>
  );
}

export default function Home() {
  return (
    <>
      <PageHeader title="Dashboard" description="Your imports, price watches and plan at a glance." />
      <Flex direction="column" gap="7">
        <Kpis />
        <ImportStats />
        <Box>
          <Heading as="h2" size="4" mb="3">
            Quick actions
          </Heading>
          <QuickActions />
        </Box>
      </Flex>
    </>
  );
}

import { CheckCircledIcon, CheckIcon, Cross2Icon, ExclamationTriangleIcon, ExternalLinkIcon, InfoCircledIcon } from '@radix-ui/react-icons';
import { Badge, Box, Button, Callout, Card, DataList, Flex, Grid, Heading, IconButton, Progress, Skeleton, Text } from '@radix-ui/themes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import {
  billingOverviewQuery,
  openPortal,
  plansQuery,
  refreshPlan,
  startCheckout,
  type BillingOverview,
  type BillingPlan,
  type PaidTier,
  type Subscription,
} from '../api/billing';
import { errorMessage } from '../api/errors';
import { meQuery } from '../api/queries';
import { PageHeader } from '../components/PageHeader';
import { ErrorState } from '../components/States';
import { formatDate, formatNumber, formatPeriod, formatUsdCents, isUnlimited, PLAN_NAMES } from '../lib/format';
import { redirectTo } from '../lib/redirect';

type Metric = BillingOverview['usage']['metrics'][number];
type Status = Subscription['status'];

const STATUS: Record<Status, { label: string; color: 'green' | 'blue' | 'amber' | 'red' | 'gray' }> = {
  active: { label: 'Active', color: 'green' },
  trialing: { label: 'Free trial', color: 'blue' },
  past_due: { label: 'Past due', color: 'amber' },
  unpaid: { label: 'Unpaid', color: 'red' },
  incomplete: { label: 'Incomplete', color: 'amber' },
  canceled: { label: 'Canceled', color: 'gray' },
};

const LIVE: Status[] = ['active', 'trialing', 'past_due', 'unpaid', 'incomplete'];
/** While Stripe's webhook has not arrived yet after checkout, look again this often, this many times. */
const WEBHOOK_POLL_MS = 2_000;
const WEBHOOK_POLLS = 15;

function limitText(limit: number, unit: string) {
  return isUnlimited(limit) ? `Unlimited ${unit}` : `${formatNumber(limit)} ${unit}`;
}

function Banner({ color, icon, children, onDismiss }: { color: 'green' | 'amber' | 'red' | 'blue'; icon: ReactNode; children: ReactNode; onDismiss?: () => void }) {
  return (
    <Callout.Root color={color} role={color === 'red' ? 'alert' : 'status'} style={onDismiss ? { position: 'relative', paddingRight: 'var(--space-8)' } : undefined}>
      <Callout.Icon>{icon}</Callout.Icon>
      <Callout.Text>{children}</Callout.Text>
      {onDismiss && (
        // Out of the callout's grid, so the text keeps its place beside the icon.
        <IconButton size="1" variant="ghost" color="gray" aria-label="Dismiss" onClick={onDismiss} style={{ position: 'absolute', top: 'var(--space-3)', right: 'var(--space-3)' }}>
          <Cross2Icon />
        </IconButton>
      )}
    </Callout.Root>
  );
}

function UsageBar({ label, metric, unit }: { label: string; metric: Metric; unit: string }) {
  const unlimited = isUnlimited(metric.limit);
  const share = unlimited ? 0 : metric.limit === 0 ? 100 : Math.min(100, (metric.used / metric.limit) * 100);
  const full = !unlimited && metric.used >= metric.limit;
  const near = !unlimited && !full && share >= 80;
  return (
    <Flex direction="column" gap="2" asChild>
      <section aria-label={label}>
        <Flex justify="between" align="baseline" gap="3" wrap="wrap">
          <Text size="2" weight="medium">
            {label}
          </Text>
          <Text size="2" color="gray">
            <Text weight="bold" color={full ? 'red' : undefined} highContrast={!full}>
              {formatNumber(metric.used)}
            </Text>{' '}
            {unlimited ? '· Unlimited' : `of ${formatNumber(metric.limit)}`}
          </Text>
        </Flex>
        {unlimited ? (
          <Progress value={100} color="green" variant="soft" aria-label={`${label}: unlimited`} />
        ) : (
          <Progress value={share} color={full ? 'red' : near ? 'amber' : undefined} aria-label={`${label}: ${Math.round(share)}% of limit`} />
        )}
        {full ? (
          <Text size="1" color="red">
            Limit reached: you cannot add more {unit} this month. Upgrade for more.
          </Text>
        ) : near ? (
          <Text size="1" color="amber">
            Close to your limit: {formatNumber(metric.limit - metric.used)} {unit} left.
          </Text>
        ) : null}
      </section>
    </Flex>
  );
}

function subscriptionDates(sub: Subscription): { label: string; value: string }[] {
  const rows: { label: string; value: string }[] = [];
  if (sub.status === 'trialing' && sub.trial_end) rows.push({ label: 'Trial ends', value: formatDate(sub.trial_end) });
  else if (sub.trial_start && sub.trial_end) rows.push({ label: 'Trial', value: `${formatDate(sub.trial_start)} – ${formatDate(sub.trial_end)}` });
  if (sub.status === 'canceled') rows.push({ label: 'Ended', value: formatDate(sub.current_period_end) });
  else if (sub.cancel_at_period_end) rows.push({ label: 'Cancels on', value: formatDate(sub.current_period_end) });
  else rows.push({ label: sub.status === 'trialing' ? 'First payment' : 'Renews on', value: formatDate(sub.current_period_end) });
  rows.push({ label: 'Current period', value: `${formatDate(sub.current_period_start)} – ${formatDate(sub.current_period_end)}` });
  return rows;
}

function CurrentPlan({ overview, plan, portal }: { overview: BillingOverview; plan: BillingPlan | undefined; portal: ReactNode }) {
  const sub = overview.subscription;
  return (
    <Card size="3" asChild>
      <section aria-label="Current plan">
        <Flex direction="column" gap="4" height="100%">
          <Heading as="h2" size="2" weight="medium" color="gray">
            Current plan
          </Heading>
          <Flex align="center" gap="3" wrap="wrap">
            <Text size="7" weight="bold" className="kpi-value">
              {overview.plan_name}
            </Text>
            {sub && <Badge color={STATUS[sub.status].color} size="2">{STATUS[sub.status].label}</Badge>}
          </Flex>
          {plan && (
            <Text size="2" color="gray">
              {plan.price_monthly_cents === 0 ? 'Free forever' : `${formatUsdCents(plan.price_monthly_cents)} per month`} ·{' '}
              {limitText(plan.max_items, 'imports a month')} · {limitText(plan.max_secondary, 'price watches')}
            </Text>
          )}
          {sub ? (
            <DataList.Root size="2">
              {sub.plan !== overview.current_plan && (
                <DataList.Item>
                  <DataList.Label>Subscription</DataList.Label>
                  <DataList.Value>{PLAN_NAMES[sub.plan]}</DataList.Value>
                </DataList.Item>
              )}
              {subscriptionDates(sub).map((row) => (
                <DataList.Item key={row.label}>
                  <DataList.Label>{row.label}</DataList.Label>
                  <DataList.Value>{row.value}</DataList.Value>
                </DataList.Item>
              ))}
            </DataList.Root>
          ) : (
            <Text as="p" size="2" color="gray">
              No subscription yet. Upgrade for more imports and price watches, and to use the API.
            </Text>
          )}
          {portal && <Box mt="auto">{portal}</Box>}
        </Flex>
      </section>
    </Card>
  );
}

function Usage({ usage }: { usage: BillingOverview['usage'] }) {
  const metric = (name: string) => usage.metrics.find((m) => m.name === name);
  const items = metric('items_used');
  const watches = metric('secondary_used');
  return (
    <Card size="3" asChild>
      <section aria-label="Usage">
        <Flex direction="column" gap="4">
          <Flex justify="between" align="baseline" gap="3" wrap="wrap">
            <Heading as="h2" size="2" weight="medium" color="gray">
              Usage
            </Heading>
            <Text size="1" color="gray">
              {formatPeriod(usage.period_start, usage.period_end)}
            </Text>
          </Flex>
          {items && <UsageBar label="Imports this month" metric={items} unit="imports" />}
          {watches && <UsageBar label="Price watches" metric={watches} unit="price watches" />}
        </Flex>
      </section>
    </Card>
  );
}

function Feature({ on, children }: { on: boolean; children: ReactNode }) {
  return (
    <Flex gap="2" align="center" asChild>
      <li>
        {on ? <CheckIcon color="var(--green-9)" aria-hidden="true" /> : <Cross2Icon color="var(--gray-8)" aria-hidden="true" />}
        <Text size="2" color={on ? undefined : 'gray'}>
          {children}
        </Text>
      </li>
    </Flex>
  );
}

interface PlanAction {
  label: string;
  run?: () => void;
  pending?: boolean;
  variant?: 'solid' | 'soft' | 'outline';
}

function PlanCard({ plan, current, action }: { plan: BillingPlan; current: boolean; action: PlanAction | null }) {
  return (
    <Card size="3" asChild style={current ? { outline: '2px solid var(--accent-8)', outlineOffset: -1 } : undefined}>
      <section aria-label={`${plan.name} plan`}>
        <Flex direction="column" gap="4" height="100%">
          <Flex justify="between" align="center" gap="2">
            <Heading as="h3" size="4">
              {plan.name}
            </Heading>
            {current && <Badge color="indigo">Your plan</Badge>}
          </Flex>
          <Flex align="baseline" gap="1">
            <Text size="8" weight="bold" className="kpi-value">
              {plan.price_monthly_cents === 0 ? formatUsdCents(0) : formatUsdCents(plan.price_monthly_cents)}
            </Text>
            <Text size="2" color="gray">
              / month
            </Text>
          </Flex>
          <Flex direction="column" gap="2" asChild>
            <ul>
              <Feature on>{isUnlimited(plan.max_items) ? 'Unlimited imports' : `${formatNumber(plan.max_items)} imports per month`}</Feature>
              <Feature on>{isUnlimited(plan.max_secondary) ? 'Unlimited price watches' : `${formatNumber(plan.max_secondary)} price watches`}</Feature>
              <Feature on={plan.api_access}>{plan.api_access ? 'API access with keys' : 'No API access'}</Feature>
              {plan.trial_days > 0 && <Feature on>{`${plan.trial_days}-day free trial`}</Feature>}
            </ul>
          </Flex>
          {action && (
            <Box mt="auto" pt="2">
              <Button
                size="3"
                style={{ width: '100%' }}
                variant={action.variant ?? 'solid'}
                disabled={!action.run}
                loading={action.pending}
                onClick={action.run}
              >
                {action.label}
              </Button>
            </Box>
          )}
        </Flex>
      </section>
    </Card>
  );
}

function BillingSkeleton() {
  return (
    <Flex direction="column" gap="5" aria-busy="true" aria-label="Loading billing">
      <Grid columns={{ initial: '1', md: '2' }} gap="4">
        {[0, 1].map((i) => (
          <Card size="3" key={i}>
            <Flex direction="column" gap="3">
              <Skeleton width="40%" height="16px" />
              <Skeleton width="60%" height="32px" />
              <Skeleton height="8px" />
              <Skeleton height="8px" />
            </Flex>
          </Card>
        ))}
      </Grid>
      <Grid columns={{ initial: '1', md: '3' }} gap="4">
        {[0, 1, 2].map((i) => (
          <Card size="3" key={i}>
            <Skeleton height="220px" />
          </Card>
        ))}
      </Grid>
    </Flex>
  );
}

export default function Billing() {
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const outcome = params.get('success') === 'true' ? 'success' : params.get('canceled') === 'true' ? 'canceled' : null;

  const overview = useQuery({
    ...billingOverviewQuery,
    // Live checkout returns before Stripe's webhook lands: keep looking until the plan changes.
    refetchInterval: (query) =>
      outcome === 'success' && query.state.data?.current_plan === 'free' && query.state.dataUpdateCount < WEBHOOK_POLLS ? WEBHOOK_POLL_MS : false,
  });
  const plans = useQuery(plansQuery);
  const me = useQuery(meQuery);

  useEffect(() => {
    if (outcome === 'success') void refreshPlan(queryClient);
  }, [outcome, queryClient]);

  // Keep the top bar's plan badge in step with what billing reports.
  const currentPlan = overview.data?.current_plan;
  useEffect(() => {
    if (currentPlan && me.data && me.data.plan !== currentPlan) void queryClient.invalidateQueries({ queryKey: meQuery.queryKey });
  }, [currentPlan, me.data, queryClient]);

  const checkout = useMutation({
    mutationFn: startCheckout,
    onSuccess: async ({ checkout_url }) => {
      await refreshPlan(queryClient);
      redirectTo(checkout_url);
    },
  });
  const portal = useMutation({
    mutationFn: openPortal,
    onSuccess: ({ portal_url }) => redirectTo(portal_url),
  });

  const dismiss = () => setParams({}, { replace: true });
  const busy = checkout.isPending || portal.isPending;

  let body: ReactNode;
  if (overview.isError || plans.isError) {
    body = (
      <ErrorState
        title="Could not load your billing details"
        error={overview.error ?? plans.error}
        onRetry={() => {
          if (overview.isError) void overview.refetch();
          if (plans.isError) void plans.refetch();
        }}
      />
    );
  } else if (!overview.data || !plans.data) {
    body = <BillingSkeleton />;
  } else {
    const data = overview.data;
    const sub = data.subscription;
    const hasLive = !!sub && LIVE.includes(sub.status);
    const manage = (label = 'Manage billing'): PlanAction => ({ label, run: () => portal.mutate(), pending: portal.isPending, variant: 'soft' });
    const actionFor = (plan: BillingPlan): PlanAction | null => {
      if (plan.tier === data.current_plan) return { label: 'Current plan', variant: 'outline' };
      // One subscription at a time: switching or cancelling goes through Stripe's portal.
      if (hasLive) return manage(plan.tier === 'free' ? 'Cancel in billing portal' : 'Change in billing portal');
      if (plan.tier === 'free') return null;
      const tier = plan.tier as PaidTier;
      return {
        label: `Upgrade to ${plan.name}`,
        run: busy ? undefined : () => checkout.mutate(tier),
        pending: checkout.isPending && checkout.variables === tier,
      };
    };
    body = (
      <Flex direction="column" gap="6">
        {sub?.status === 'past_due' || sub?.status === 'unpaid' ? (
          <Banner color="amber" icon={<ExclamationTriangleIcon />}>
            Your last payment did not go through. Update your payment method in the billing portal to keep your {PLAN_NAMES[sub.plan]} plan.
          </Banner>
        ) : null}
        <Grid columns={{ initial: '1', md: '2' }} gap="4">
          <CurrentPlan
            overview={data}
            plan={plans.data.find((p) => p.tier === data.current_plan)}
            portal={
              sub ? (
                <Button variant="soft" size="2" loading={portal.isPending} onClick={() => portal.mutate()}>
                  <ExternalLinkIcon /> Manage billing
                </Button>
              ) : null
            }
          />
          <Usage usage={data.usage} />
        </Grid>
        <Box asChild>
          <section aria-labelledby="plans-heading">
            <Heading as="h2" size="4" mb="1" id="plans-heading">
              Plans
            </Heading>
            <Text as="p" size="2" color="gray" mb="4">
              Prices in US dollars, billed monthly. Downgrading never deletes anything: over the new limits you just cannot add more.
            </Text>
            {(checkout.isError || portal.isError) && (
              <Box mb="4">
                <Banner color="red" icon={<ExclamationTriangleIcon />}>
                  {errorMessage(checkout.error ?? portal.error)}
                </Banner>
              </Box>
            )}
            <Grid columns={{ initial: '1', md: '3' }} gap="4">
              {plans.data.map((plan) => (
                <PlanCard key={plan.tier} plan={plan} current={plan.tier === data.current_plan} action={actionFor(plan)} />
              ))}
            </Grid>
          </section>
        </Box>
      </Flex>
    );
  }

  const upgradedTo = overview.data && overview.data.current_plan !== 'free' ? overview.data.plan_name : null;
  return (
    <>
      <PageHeader title="Billing" description="Your plan, subscription and usage." />
      <Flex direction="column" gap="5">
        {outcome === 'success' && (
          <Banner color="green" icon={<CheckCircledIcon />} onDismiss={dismiss}>
            {upgradedTo
              ? `Thank you! You are now on the ${upgradedTo} plan.`
              : 'Thank you! Your payment went through; your new plan will show here in a moment.'}
          </Banner>
        )}
        {outcome === 'canceled' && (
          <Banner color="blue" icon={<InfoCircledIcon />} onDismiss={dismiss}>
            Checkout was canceled. Nothing was charged, and your plan is unchanged.
          </Banner>
        )}
        {body}
      </Flex>
    </>
  );
}

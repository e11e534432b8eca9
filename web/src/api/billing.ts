import { queryOptions, type QueryClient } from '@tanstack/react-query';
import type { InferResponseType } from 'hono/client';
import { api, unwrap } from './client';
import { meQuery, usageQuery } from './queries';

export type BillingOverview = InferResponseType<typeof api.billing.overview.$get, 200>;
export type BillingPlan = InferResponseType<typeof api.billing.plans.$get, 200>[number];
export type Subscription = NonNullable<BillingOverview['subscription']>;
export type PaidTier = Exclude<BillingPlan['tier'], 'free'>;

export const billingOverviewQuery = queryOptions({
  queryKey: ['billing', 'overview'],
  queryFn: () => unwrap(api.billing.overview.$get()),
});

/** The plans table only changes with a deploy. */
export const plansQuery = queryOptions({
  queryKey: ['billing', 'plans'],
  queryFn: () => unwrap(api.billing.plans.$get()),
  staleTime: Infinity,
});

export const startCheckout = (plan: PaidTier) => unwrap(api.billing.checkout.$post({ json: { plan } }));
export const openPortal = () => unwrap(api.billing.portal.$post());

/** Everything that shows the plan: the billing page, the top bar badge, the dashboard cards. */
export function refreshPlan(queryClient: QueryClient) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: billingOverviewQuery.queryKey }),
    queryClient.invalidateQueries({ queryKey: meQuery.queryKey }),
    queryClient.invalidateQueries({ queryKey: usageQuery.queryKey }),
  ]);
}

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { redirectTo } from '../lib/redirect';
import { mockApi, renderApp, signIn, USER } from '../test/utils';

vi.mock('../lib/redirect', () => ({ redirectTo: vi.fn() }));

const PLANS = [
  { tier: 'free', name: 'Free', price_monthly_cents: 0, max_items: 10, max_secondary: 25, trial_days: 0, api_access: false },
  { tier: 'pro', name: 'Pro', price_monthly_cents: 2900, max_items: 100, max_secondary: 500, trial_days: 14, api_access: true },
  { tier: 'enterprise', name: 'Enterprise', price_monthly_cents: 9900, max_items: -1, max_secondary: -1, trial_days: 14, api_access: true },
];

const usage = (plan: string, items: [number, number], watches: [number, number]) => ({
  plan,
  period_start: '2025-05-01',
  period_end: '2025-06-01',
  metrics: [
    { name: 'items_used', label: 'Items Used', used: items[0], limit: items[1] },
    { name: 'secondary_used', label: 'Secondary Items', used: watches[0], limit: watches[1] },
  ],
});

const FREE_OVERVIEW = { current_plan: 'free', plan_name: 'Free', subscription: null, usage: usage('free', [9, 10], [3, 25]) };

const SUBSCRIPTION = {
  id: '7d1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f',
  user_id: USER.id,
  stripe_subscription_id: 'sub_123',
  plan: 'pro',
  status: 'trialing',
  current_period_start: '2025-05-02T10:00:00.000Z',
  current_period_end: '2025-05-16T10:00:00.000Z',
  cancel_at_period_end: false,
  trial_start: '2025-05-02T10:00:00.000Z',
  trial_end: '2025-05-16T10:00:00.000Z',
  created_at: '2025-05-02T10:00:00.000Z',
  updated_at: '2025-05-02T10:00:00.000Z',
};

beforeEach(() => {
  vi.mocked(redirectTo).mockReset();
});

describe('Billing', () => {
  it('shows the plan, usage bars with a near-limit warning, and the three plans', async () => {
    signIn();
    mockApi({
      'GET /api/v1/auth/me': [200, { ...USER, plan: 'free' }],
      'GET /api/v1/billing/overview': [200, FREE_OVERVIEW],
      'GET /api/v1/billing/plans': [200, PLANS],
    });
    renderApp('/billing');

    const current = await screen.findByRole('region', { name: 'Current plan' });
    expect(within(current).getByText('Free')).toBeTruthy();
    expect(within(current).getByText(/No subscription yet/)).toBeTruthy();

    const imports = screen.getByRole('region', { name: 'Imports this month' });
    expect(imports.textContent).toContain('9');
    expect(imports.textContent).toContain('of 10');
    expect(within(imports).getByText(/Close to your limit: 1 imports left/)).toBeTruthy();
    expect(within(imports).getByRole('progressbar', { name: 'Imports this month: 90% of limit' })).toBeTruthy();
    const watches = screen.getByRole('region', { name: 'Price watches' });
    expect(watches.textContent).toContain('of 25');
    expect(within(watches).queryByText(/Close to your limit/)).toBeNull();

    const free = screen.getByRole('region', { name: 'Free plan' });
    expect(within(free).getByRole('button', { name: 'Current plan' })).toHaveProperty('disabled', true);
    const pro = screen.getByRole('region', { name: 'Pro plan' });
    expect(pro.textContent).toContain('$29');
    expect(pro.textContent).toContain('100 imports per month');
    expect(pro.textContent).toContain('14-day free trial');
    const enterprise = screen.getByRole('region', { name: 'Enterprise plan' });
    expect(enterprise.textContent).toContain('$99');
    expect(enterprise.textContent).toContain('Unlimited imports');
    expect(enterprise.textContent).toContain('Unlimited price watches');
  });

  it('upgrading posts the plan and sends the browser to the checkout URL', async () => {
    signIn();
    const { requests } = mockApi({
      'GET /api/v1/auth/me': [200, { ...USER, plan: 'free' }],
      'GET /api/v1/billing/overview': [200, FREE_OVERVIEW],
      'GET /api/v1/billing/plans': [200, PLANS],
      'POST /api/v1/billing/checkout': [201, { checkout_url: 'https://checkout.stripe.com/c/pay/cs_test_1', session_id: 'cs_test_1' }],
    });
    const user = userEvent.setup();
    renderApp('/billing');
    const pro = await screen.findByRole('region', { name: 'Pro plan' });
    await user.click(within(pro).getByRole('button', { name: 'Upgrade to Pro' }));
    await waitFor(() => expect(redirectTo).toHaveBeenCalledWith('https://checkout.stripe.com/c/pay/cs_test_1'));
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({ plan: 'pro' });
  });

  it('shows the API’s reason when checkout is refused', async () => {
    signIn();
    mockApi({
      'GET /api/v1/auth/me': [200, { ...USER, plan: 'free' }],
      'GET /api/v1/billing/overview': [200, FREE_OVERVIEW],
      'GET /api/v1/billing/plans': [200, PLANS],
      'POST /api/v1/billing/checkout': [400, { detail: 'User already has an active subscription' }],
    });
    const user = userEvent.setup();
    renderApp('/billing');
    await user.click(within(await screen.findByRole('region', { name: 'Enterprise plan' })).getByRole('button', { name: 'Upgrade to Enterprise' }));
    expect((await screen.findByRole('alert')).textContent).toContain('User already has an active subscription');
    expect(redirectTo).not.toHaveBeenCalled();
  });

  it('after checkout waits for the new plan, then shows it in the banner and the top bar badge', async () => {
    signIn();
    // Live mode: the browser is back before Stripe's webhook has changed the plan.
    let overviewReads = 0;
    const upgraded = () => overviewReads > 1;
    mockApi({
      'GET /api/v1/auth/me': () => [200, { ...USER, plan: upgraded() ? 'pro' : 'free' }],
      'GET /api/v1/billing/overview': () => {
        overviewReads++;
        return [
          200,
          upgraded()
            ? { current_plan: 'pro', plan_name: 'Pro', subscription: { ...SUBSCRIPTION, status: 'active' }, usage: usage('pro', [9, 100], [3, 500]) }
            : FREE_OVERVIEW,
        ];
      },
      'GET /api/v1/billing/plans': [200, PLANS],
    });
    renderApp('/billing?success=true');
    expect(await screen.findByText(/your new plan will show here in a moment/)).toBeTruthy();
    expect(await screen.findByText('Thank you! You are now on the Pro plan.', {}, { timeout: 6_000 })).toBeTruthy();
    const account = screen.getByRole('group', { name: 'Signed in account' });
    await waitFor(() => expect(account.textContent).toContain('Pro plan'));
    expect(screen.getByRole('region', { name: 'Imports this month' }).textContent).toContain('of 100');
  });

  it('shows the canceled banner, which can be dismissed', async () => {
    signIn();
    mockApi({
      'GET /api/v1/auth/me': [200, { ...USER, plan: 'free' }],
      'GET /api/v1/billing/overview': [200, FREE_OVERVIEW],
      'GET /api/v1/billing/plans': [200, PLANS],
    });
    const user = userEvent.setup();
    const { router } = renderApp('/billing?canceled=true');
    const banner = await screen.findByText(/Checkout was canceled/);
    expect(banner).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Dismiss' }));
    await waitFor(() => expect(screen.queryByText(/Checkout was canceled/)).toBeNull());
    expect(router.state.location.search).toBe('');
  });

  it('a subscriber sees status, trial and renewal dates, and manages billing in the portal', async () => {
    signIn();
    mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/billing/overview': [200, { current_plan: 'pro', plan_name: 'Pro', subscription: SUBSCRIPTION, usage: usage('pro', [100, 100], [0, 500]) }],
      'GET /api/v1/billing/plans': [200, PLANS],
      'POST /api/v1/billing/portal': [200, { portal_url: 'https://billing.stripe.com/p/session/test_1' }],
    });
    const user = userEvent.setup();
    renderApp('/billing');
    const current = await screen.findByRole('region', { name: 'Current plan' });
    expect(within(current).getByText('Free trial')).toBeTruthy();
    expect(within(current).getByText('Trial ends')).toBeTruthy();
    expect(current.textContent).toContain('$29 per month');
    expect(within(screen.getByRole('region', { name: 'Imports this month' })).getByText(/Limit reached/)).toBeTruthy();
    // With a live subscription, other plans are changed through the portal, not a second checkout.
    expect(within(screen.getByRole('region', { name: 'Enterprise plan' })).getByRole('button', { name: 'Change in billing portal' })).toBeTruthy();
    await user.click(within(current).getByRole('button', { name: 'Manage billing' }));
    await waitFor(() => expect(redirectTo).toHaveBeenCalledWith('https://billing.stripe.com/p/session/test_1'));
  });

  it('shows Unlimited for -1 limits and a failed payment warning', async () => {
    signIn();
    mockApi({
      'GET /api/v1/auth/me': [200, { ...USER, plan: 'enterprise' }],
      'GET /api/v1/billing/overview': [
        200,
        { current_plan: 'enterprise', plan_name: 'Enterprise', subscription: { ...SUBSCRIPTION, plan: 'enterprise', status: 'past_due' }, usage: usage('enterprise', [1234, -1], [7, -1]) },
      ],
      'GET /api/v1/billing/plans': [200, PLANS],
    });
    renderApp('/billing');
    const imports = await screen.findByRole('region', { name: 'Imports this month' });
    expect(imports.textContent).toContain('Unlimited');
    expect(imports.textContent).toContain('1,234');
    expect(screen.getByText(/Your last payment did not go through/)).toBeTruthy();
  });

  it('offers a retry when billing cannot be loaded', async () => {
    signIn();
    let fail = true;
    mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/billing/overview': () => (fail ? [503, { detail: 'Service unavailable' }] : [200, FREE_OVERVIEW]),
      'GET /api/v1/billing/plans': [200, PLANS],
    });
    const user = userEvent.setup();
    renderApp('/billing');
    const alert = await screen.findByRole('alert', {}, { timeout: 5_000 });
    expect(alert.textContent).toContain('Could not load your billing details');
    fail = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('region', { name: 'Current plan' })).toBeTruthy();
  });
});

import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { importJobs, priceWatches, subscriptions } from '../db/schema';
import { customerUser, stripeEvent, stripeSubscription, subscriptionRows, userRow } from './billing-support';
import { answer, api, rawCall, registerUser, userWithKey, withDb } from './helpers';

const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HEX16 = /^[0-9a-f]{16}$/;

describe('GET /billing/plans', () => {
  it('lists the three plans in order, publicly', async () => {
    const r = await answer(api().billing.plans.$get());
    expect(r.status).toBe(200);
    expect(r.json).toEqual([
      { tier: 'free', name: 'Free', price_monthly_cents: 0, max_items: 10, max_secondary: 25, trial_days: 0, api_access: false },
      { tier: 'pro', name: 'Pro', price_monthly_cents: 2900, max_items: 100, max_secondary: 500, trial_days: 14, api_access: true },
      { tier: 'enterprise', name: 'Enterprise', price_monthly_cents: 9900, max_items: -1, max_secondary: -1, trial_days: 14, api_access: true },
    ]);
    expect(r.roundTrips).toBe(0);
  });
});

describe('POST /billing/checkout (mock mode)', () => {
  it('subscribes at once: active for 30 days, plan and customer stored, success URL returned', async () => {
    const user = await registerUser('checkout');
    const before = Date.now();
    const r = await answer(api({ token: user.token }).billing.checkout.$post({ json: { plan: 'pro' } }));
    expect(r.status).toBe(201);
    expect(r.roundTrips).toBeLessThanOrEqual(3);
    expect(Object.keys(r.json).sort()).toEqual(['checkout_url', 'session_id']);
    expect(r.json.checkout_url).toBe('http://localhost:3109/billing?success=true');
    expect(r.json.session_id).toMatch(/^cs_mock_[0-9a-f]{16}$/);

    const row = await userRow(user.id);
    expect(row.plan).toBe('pro');
    expect(row.stripeCustomerId).toMatch(/^cus_mock_[0-9a-f]{16}$/);
    const [sub] = await subscriptionRows(user.id);
    expect(sub).toMatchObject({ plan: 'pro', status: 'active', stripePriceId: 'price_mock_pro', cancelAtPeriodEnd: false, trialStart: null, trialEnd: null });
    expect(sub.stripeSubscriptionId.replace('sub_mock_', '')).toMatch(HEX16);
    expect(sub.currentPeriodStart.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    expect(sub.currentPeriodEnd.getTime() - sub.currentPeriodStart.getTime()).toBe(30 * 86_400_000);

    const me = await answer(api({ token: user.token }).auth.me.$get());
    expect(me.json.plan).toBe('pro');
  });

  it('checks in the contract’s order: free plan, then an existing active subscription', async () => {
    const user = await registerUser('checkout');
    const free = await answer(api({ token: user.token }).billing.checkout.$post({ json: { plan: 'free' } }));
    expect(free.status).toBe(400);
    expect(free.json).toEqual({ detail: 'Cannot checkout for free plan' });
    expect((await answer(api({ token: user.token }).billing.checkout.$post({ json: { plan: 'enterprise' } }))).status).toBe(201);
    const again = await answer(api({ token: user.token }).billing.checkout.$post({ json: { plan: 'pro' } }));
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ detail: 'User already has an active subscription' });
    const freeAgain = await answer(api({ token: user.token }).billing.checkout.$post({ json: { plan: 'free' } }));
    expect(freeAgain.json).toEqual({ detail: 'Cannot checkout for free plan' });
    expect((await userRow(user.id)).plan).toBe('enterprise');
  });

  it('a trialing subscription also blocks checkout; a canceled one does not', async () => {
    const user = await customerUser();
    const base = { userId: user.id, plan: 'pro' as const, stripePriceId: 'price_mock_pro', currentPeriodStart: new Date(), currentPeriodEnd: new Date() };
    await withDb((db) => db.insert(subscriptions).values({ ...base, stripeSubscriptionId: `sub_t_${user.id}`, status: 'trialing' }));
    expect((await answer(api({ token: user.token }).billing.checkout.$post({ json: { plan: 'pro' } }))).json).toEqual({
      detail: 'User already has an active subscription',
    });
    const other = await customerUser();
    await withDb((db) => db.insert(subscriptions).values({ ...base, userId: other.id, stripeSubscriptionId: `sub_c_${other.id}`, status: 'canceled' }));
    const r = await answer(api({ token: other.token }).billing.checkout.$post({ json: { plan: 'pro' } }));
    expect(r.status).toBe(201);
    // The customer created earlier is kept.
    expect((await userRow(other.id)).stripeCustomerId).toBe(other.customer);
  });

  it('concurrent checkouts create exactly one subscription', async () => {
    const user = await registerUser('checkout');
    const results = await Promise.all(
      (['pro', 'enterprise', 'pro', 'enterprise'] as const).map((plan) => answer(api({ token: user.token }).billing.checkout.$post({ json: { plan } }))),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 400, 400, 400]);
    for (const r of results.filter((x) => x.status === 400)) expect(r.json).toEqual({ detail: 'User already has an active subscription' });
    const subs = await subscriptionRows(user.id);
    expect(subs).toHaveLength(1);
    expect((await userRow(user.id)).plan).toBe(subs[0].plan);
  });

  it('validates the plan after authentication; needs a JWT (an API key is not enough)', async () => {
    const noAuth = await rawCall('/billing/checkout', { body: { plan: 'gold' } });
    expect(noAuth.status).toBe(401);
    expect(noAuth.json).toEqual({ detail: 'Not authenticated' });
    const user = await registerUser('checkout');
    for (const body of [{ plan: 'gold' }, { tier: 'pro' }, {}]) {
      const r = await rawCall('/billing/checkout', { token: user.token, body });
      expect(r.status).toBe(422);
      expect(r.json.detail[0].loc).toEqual(['body', 'plan']);
    }
    const keyed = await userWithKey(['read', 'write']);
    const byKey = await answer(api({ apiKey: keyed.apiKey }).billing.checkout.$post({ json: { plan: 'enterprise' } }));
    expect(byKey.status).toBe(401);
    const malformed = await rawCall('/billing/checkout', { rawBody: '{"plan":', token: user.token });
    expect(malformed.status).toBe(422);
    expect(malformed.json.detail[0].type).toBe('json_invalid');
  });
});

describe('POST /billing/portal (mock mode)', () => {
  it('needs a billing account, then returns the success URL', async () => {
    const user = await registerUser('portal');
    const none = await answer(api({ token: user.token }).billing.portal.$post());
    expect(none.status).toBe(400);
    expect(none.json).toEqual({ detail: 'User has no billing account' });
    await answer(api({ token: user.token }).billing.checkout.$post({ json: { plan: 'pro' } }));
    const r = await answer(api({ token: user.token }).billing.portal.$post());
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ portal_url: 'http://localhost:3109/billing?success=true' });
    expect(r.roundTrips).toBeLessThanOrEqual(3);
    const keyed = await userWithKey();
    expect((await answer(api({ apiKey: keyed.apiKey }).billing.portal.$post())).status).toBe(401);
  });
});

describe('GET /billing/current and /billing/overview', () => {
  it('answer null and a free overview for a new user', async () => {
    const user = await registerUser('overview');
    const current = await answer(api({ token: user.token }).billing.current.$get());
    expect(current.status).toBe(200);
    expect(current.json).toBeNull();
    expect(current.roundTrips).toBeLessThanOrEqual(2);
    const overview = await answer(api({ token: user.token }).billing.overview.$get());
    expect(overview.status).toBe(200);
    expect(overview.roundTrips).toBeLessThanOrEqual(2);
    expect(overview.json).toMatchObject({ current_plan: 'free', plan_name: 'Free', subscription: null });
    expect(overview.json.usage.metrics).toEqual([
      { name: 'items_used', label: 'Items Used', used: 0, limit: 10 },
      { name: 'secondary_used', label: 'Secondary Items', used: 0, limit: 25 },
    ]);
  });

  it('use the newest of several subscriptions, in the contract’s shape', async () => {
    const user = await customerUser('pro');
    const day = 86_400_000;
    const t0 = Date.now() - 10 * day;
    await withDb((db) =>
      db.insert(subscriptions).values([
        { userId: user.id, stripeSubscriptionId: `sub_old_${user.id}`, stripePriceId: 'price_mock_pro', plan: 'pro', status: 'canceled', currentPeriodStart: new Date(t0), currentPeriodEnd: new Date(t0 + 30 * day), createdAt: new Date(t0) },
        {
          userId: user.id,
          stripeSubscriptionId: `sub_new_${user.id}`,
          stripePriceId: 'price_mock_pro',
          plan: 'pro',
          status: 'trialing',
          currentPeriodStart: new Date(t0 + day),
          currentPeriodEnd: new Date(t0 + 15 * day),
          trialStart: new Date(t0 + day),
          trialEnd: new Date(t0 + 15 * day),
          cancelAtPeriodEnd: true,
          createdAt: new Date(t0 + day),
        },
      ]),
    );
    const current = await answer(api({ token: user.token }).billing.current.$get());
    expect(current.status).toBe(200);
    expect(Object.keys(current.json!).sort()).toEqual(
      ['cancel_at_period_end', 'created_at', 'current_period_end', 'current_period_start', 'id', 'plan', 'status', 'stripe_subscription_id', 'trial_end', 'trial_start', 'updated_at', 'user_id'].sort(),
    );
    expect(current.json).toMatchObject({
      user_id: user.id,
      stripe_subscription_id: `sub_new_${user.id}`,
      plan: 'pro',
      status: 'trialing',
      cancel_at_period_end: true,
      trial_start: new Date(t0 + day).toISOString(),
      trial_end: new Date(t0 + 15 * day).toISOString(),
      current_period_end: new Date(t0 + 15 * day).toISOString(),
    });
    for (const k of ['created_at', 'updated_at', 'current_period_start'] as const) expect(current.json![k]).toMatch(ISO_Z);

    const overview = await answer(api({ token: user.token }).billing.overview.$get());
    expect(overview.json.subscription).toEqual(current.json);
    expect(overview.json).toMatchObject({ current_plan: 'pro', plan_name: 'Pro' });
  });

  it('overview reports real usage against the plan’s limits, readable with an API key', async () => {
    const keyed = await userWithKey(['read'], 'enterprise');
    const other = await registerUser('overview');
    await withDb(async (db) => {
      await db.insert(importJobs).values([
        { userId: keyed.id, source: 'aliexpress' },
        { userId: keyed.id, source: 'cjdropship', status: 'failed' },
        { userId: other.id, source: 'aliexpress' },
      ]);
      await db.insert(priceWatches).values([
        { userId: keyed.id, source: 'aliexpress' },
        { userId: keyed.id, source: 'aliexpress', isActive: false },
      ]);
    });
    const r = await answer(api({ apiKey: keyed.apiKey }).billing.overview.$get());
    expect(r.status).toBe(200);
    expect(r.roundTrips).toBeLessThanOrEqual(2);
    expect(r.json).toMatchObject({ current_plan: 'enterprise', plan_name: 'Enterprise', subscription: null });
    expect(r.json.usage).toMatchObject({ plan: 'enterprise' });
    expect(r.json.usage.metrics).toEqual([
      { name: 'items_used', label: 'Items Used', used: 2, limit: -1 },
      { name: 'secondary_used', label: 'Secondary Items', used: 1, limit: -1 },
    ]);
    const usage = await answer(api({ apiKey: keyed.apiKey }).usage.$get());
    expect(usage.json).toEqual(r.json.usage);
    expect((await answer(api({ apiKey: keyed.apiKey }).billing.current.$get())).status).toBe(200);
    expect((await answer(api().billing.overview.$get())).json).toEqual({ detail: 'Not authenticated. Provide a Bearer token or X-API-Key.' });
  });

  it('a downgrade keeps every row: the oldest watches up to the limit stay active, the rest are paused', async () => {
    const user = await registerUser('downgrade');
    await answer(api({ token: user.token }).billing.checkout.$post({ json: { plan: 'pro' } }));
    await withDb((db) => db.insert(priceWatches).values(Array.from({ length: 30 }, () => ({ userId: user.id, source: 'aliexpress' }))));
    const [sub] = await subscriptionRows(user.id);
    const { stripeCustomerId } = await userRow(user.id);
    const canceled = stripeSubscription({ id: sub.stripeSubscriptionId, customer: stripeCustomerId!, status: 'canceled', price: sub.stripePriceId });
    expect((await answer(api().webhooks.stripe.$post({ json: stripeEvent('customer.subscription.deleted', canceled) }))).status).toBe(200);
    const r = await answer(api({ token: user.token }).billing.overview.$get());
    expect(r.json).toMatchObject({ current_plan: 'free', subscription: { status: 'canceled', plan: 'pro' } });
    expect(r.json.usage.metrics[1]).toEqual({ name: 'secondary_used', label: 'Secondary Items', used: 25, limit: 25 });
    const rows = await withDb((db) => db.select({ pausedReason: priceWatches.pausedReason }).from(priceWatches).where(eq(priceWatches.userId, user.id)));
    expect(rows).toHaveLength(30);
    expect(rows.filter((w) => w.pausedReason === 'plan_limit')).toHaveLength(5);
  });
});

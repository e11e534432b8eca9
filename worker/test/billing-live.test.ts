import { describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { callWith, customerUser, fakeStripe, liveEnv, subscriptionRows, userRow } from './billing-support';
import { registerUser, userWithKey } from './helpers';

interface Received {
  method: string;
  path: string;
  headers: Record<string, string>;
  form: Record<string, string>;
}

/** Live mode against the fake Stripe, with prices known to this test's account. */
async function live(extra: Record<string, string> = {}) {
  const env = liveEnv(extra);
  await fakeStripe(env.STRIPE_SECRET_KEY, '/__control/setup', { prices: ['price_pro_monthly', 'price_enterprise_monthly'] });
  const requests = async (path?: string): Promise<Received[]> =>
    (await fakeStripe(env.STRIPE_SECRET_KEY, '/__control/requests')).filter((r: Received) => !path || r.path === path);
  return { env, requests };
}

describe('POST /billing/checkout (live mode)', () => {
  it('creates the customer once, then a subscription Checkout Session with the plan’s price and trial', async () => {
    const { env, requests } = await live();
    const user = await registerUser('live');
    const r = await callWith(env, '/billing/checkout', { token: user.token, body: { plan: 'pro' } });
    expect(r.status).toBe(201);
    expect(r.roundTrips).toBeLessThanOrEqual(3);
    expect(r.json.session_id).toMatch(/^cs_test_/);
    expect(r.json.checkout_url).toBe(`https://checkout.stripe.com/c/pay/${r.json.session_id}`);

    const [customerCall] = await requests('/v1/customers');
    expect(customerCall.method).toBe('POST');
    expect(customerCall.headers.authorization).toBe(`Bearer ${env.STRIPE_SECRET_KEY}`);
    expect(customerCall.headers['stripe-version']).toBe(Stripe.API_VERSION);
    expect(customerCall.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(customerCall.headers['idempotency-key']).toBe(`sourcepilot-customer-${user.id}`);
    expect(customerCall.form).toEqual({ email: user.email, 'metadata[service]': 'sourcepilot', 'metadata[user_id]': user.id });

    const [customer] = await fakeStripe(env.STRIPE_SECRET_KEY, '/__control/customers');
    const stored = await userRow(user.id);
    expect(stored.stripeCustomerId).toBe(customer.id);
    // The plan changes only when Stripe's webhook says the subscription exists.
    expect(stored.plan).toBe('free');
    expect(await subscriptionRows(user.id)).toHaveLength(0);

    const [session] = await requests('/v1/checkout/sessions');
    expect(session.form).toEqual({
      mode: 'subscription',
      customer: customer.id,
      client_reference_id: user.id,
      'line_items[0][price]': 'price_pro_monthly',
      'line_items[0][quantity]': '1',
      success_url: 'http://localhost:3109/billing?success=true',
      cancel_url: 'http://localhost:3109/billing?canceled=true',
      'metadata[user_id]': user.id,
      'metadata[plan]': 'pro',
      'subscription_data[metadata][user_id]': user.id,
      'subscription_data[metadata][plan]': 'pro',
      'subscription_data[trial_period_days]': '14',
    });

    // A second checkout (say the first was abandoned) reuses the stored customer.
    const again = await callWith(env, '/billing/checkout', { token: user.token, body: { plan: 'enterprise' } });
    expect(again.status).toBe(201);
    // The claim and recording the open session (which the next checkout expires first).
    expect(again.roundTrips).toBeLessThanOrEqual(3);
    expect(await requests('/v1/customers')).toHaveLength(1);
    const sessions = await requests('/v1/checkout/sessions');
    expect(sessions[1].form).toMatchObject({ customer: customer.id, 'line_items[0][price]': 'price_enterprise_monthly', 'metadata[plan]': 'enterprise' });
  });

  it('concurrent checkouts for one user open one Checkout Session: the others get 409, and one customer is stored', async () => {
    const { env, requests } = await live();
    // Slow Stripe so the requests overlap, as they would under load; without idempotency,
    // as after Stripe's 24-hour window, so only our own claim can keep them apart.
    await fakeStripe(env.STRIPE_SECRET_KEY, '/__control/setup', { delay_ms: 300, idempotency: false });
    const user = await registerUser('live');
    const results = await Promise.all(
      (['pro', 'enterprise', 'pro', 'enterprise'] as const).map((plan) => callWith(env, '/billing/checkout', { token: user.token, body: { plan } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    for (const r of results.filter((r) => r.status === 409)) {
      expect(r.json).toEqual({ detail: 'A checkout for this account is already being started. Please try again in a moment.' });
    }
    const sessions = await fakeStripe(env.STRIPE_SECRET_KEY, '/__control/sessions');
    expect(sessions).toHaveLength(1);
    const customers = await fakeStripe(env.STRIPE_SECRET_KEY, '/__control/customers');
    expect(customers).toHaveLength(1);
    expect((await userRow(user.id)).stripeCustomerId).toBe(customers[0].id);
    expect((await requests()).filter((q) => q.method === 'DELETE')).toHaveLength(0);
    // Even if the user pays every checkout page they were given, one subscription comes out.
    const paid = await Promise.all(sessions.map((s: { id: string }) => fakeStripe(env.STRIPE_SECRET_KEY, '/__control/complete-session', { session_id: s.id })));
    expect(paid.filter((p) => p.status === 'complete')).toHaveLength(1);
  });

  it('a new checkout expires the previous open session, so an abandoned page cannot be paid as well', async () => {
    const { env, requests } = await live();
    const user = await registerUser('live');
    const first = await callWith(env, '/billing/checkout', { token: user.token, body: { plan: 'pro' } });
    const second = await callWith(env, '/billing/checkout', { token: user.token, body: { plan: 'enterprise' } });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect((await requests(`/v1/checkout/sessions/${first.json.session_id}/expire`)).map((q) => q.method)).toEqual(['POST']);
    const late = await fakeStripe(env.STRIPE_SECRET_KEY, '/__control/complete-session', { session_id: first.json.session_id });
    expect(late.error).toMatch(/not open/);
    const paid = await fakeStripe(env.STRIPE_SECRET_KEY, '/__control/complete-session', { session_id: second.json.session_id });
    expect(paid.status).toBe('complete');

    // Paid, but Stripe's webhook has not arrived yet: another checkout is refused, and no session is opened.
    const third = await callWith(env, '/billing/checkout', { token: user.token, body: { plan: 'pro' } });
    expect(third.status).toBe(400);
    expect(third.json).toEqual({ detail: 'User already has an active subscription' });
    expect(await fakeStripe(env.STRIPE_SECRET_KEY, '/__control/sessions')).toHaveLength(2);
    // The refusal released the claim: nothing is left locked.
    const fourth = await callWith(env, '/billing/checkout', { token: user.token, body: { plan: 'pro' } });
    expect(fourth.status).toBe(400);
  });

  it('checks free plan and an active subscription before calling Stripe', async () => {
    const { env, requests } = await live();
    const user = await registerUser('live');
    const free = await callWith(env, '/billing/checkout', { token: user.token, body: { plan: 'free' } });
    expect(free.json).toEqual({ detail: 'Cannot checkout for free plan' });
    // A subscription from the mock era (or a webhook) blocks a new checkout.
    await callWith({}, '/billing/checkout', { token: user.token, body: { plan: 'pro' } });
    const busy = await callWith(env, '/billing/checkout', { token: user.token, body: { plan: 'enterprise' } });
    expect(busy.status).toBe(400);
    expect(busy.json).toEqual({ detail: 'User already has an active subscription' });
    expect(await requests()).toHaveLength(0);
  });

  it('answers 503 without calling Stripe when the plan’s price id is not configured', async () => {
    const { env, requests } = await live({ STRIPE_ENTERPRISE_PRICE_ID: '' });
    const user = await registerUser('live');
    const r = await callWith(env, '/billing/checkout', { token: user.token, body: { plan: 'enterprise' } });
    expect(r.status).toBe(503);
    expect(r.json).toEqual({ detail: 'Billing for the enterprise plan is not configured' });
    expect(await requests()).toHaveLength(0);
  });

  it('answers 502 with a plain message when Stripe refuses, without leaking Stripe’s text', async () => {
    const { env } = await live();
    await fakeStripe(env.STRIPE_SECRET_KEY, '/__control/setup', { prices: [] });
    const user = await registerUser('live');
    const r = await callWith(env, '/billing/checkout', { token: user.token, body: { plan: 'pro' } });
    expect(r.status).toBe(502);
    expect(r.json).toEqual({ detail: 'The payment provider could not be reached. Please try again.' });

    const broken = await live({ STRIPE_SECRET_KEY: 'not-a-stripe-key' });
    const other = await registerUser('live');
    const auth = await callWith(broken.env, '/billing/checkout', { token: other.token, body: { plan: 'pro' } });
    expect(auth.status).toBe(502);
    expect((await userRow(other.id)).stripeCustomerId).toBeNull();
  });
});

describe('billing fails closed outside mock mode', () => {
  it('answers 503 for checkout and portal when the Stripe secret key is missing, and grants nothing', async () => {
    const user = await customerUser();
    // An empty key used to mean mock mode (a free plan for anyone); an unset or misspelt BILLING_MODE is Stripe mode.
    for (const overrides of [{ BILLING_MODE: 'stripe' }, { BILLING_MODE: '' }, { BILLING_MODE: 'mok' }]) {
      const env = { ...overrides, STRIPE_SECRET_KEY: '', STRIPE_WEBHOOK_SECRET: '' };
      const checkout = await callWith(env, '/billing/checkout', { token: user.token, body: { plan: 'enterprise' } });
      expect(checkout.status).toBe(503);
      expect(checkout.json).toEqual({ detail: 'Billing is not configured. Please try again later.' });
      const portal = await callWith(env, '/billing/portal', { token: user.token, method: 'POST' });
      expect(portal.status).toBe(503);
      expect(portal.json).toEqual({ detail: 'Billing is not configured. Please try again later.' });
    }
    expect(await subscriptionRows(user.id)).toHaveLength(0);
    expect((await userRow(user.id)).plan).toBe('free');
  });
});

describe('POST /billing/portal (live mode)', () => {
  it('opens a Billing Portal session for the stored customer, returning to the success URL', async () => {
    const { env, requests } = await live({ STRIPE_BILLING_SUCCESS_URL: 'https://app.example/billing?success=true' });
    const user = await registerUser('live');
    const none = await callWith(env, '/billing/portal', { token: user.token, method: 'POST' });
    expect(none.status).toBe(400);
    expect(none.json).toEqual({ detail: 'User has no billing account' });

    await callWith(env, '/billing/checkout', { token: user.token, body: { plan: 'pro' } });
    const r = await callWith(env, '/billing/portal', { token: user.token, method: 'POST' });
    expect(r.status).toBe(200);
    expect(r.json.portal_url).toMatch(/^https:\/\/billing\.stripe\.com\/p\/session\/test_/);
    const [portal] = await requests('/v1/billing_portal/sessions');
    const { stripeCustomerId } = await userRow(user.id);
    expect(portal.form).toEqual({ customer: stripeCustomerId, return_url: 'https://app.example/billing?success=true' });
    expect(portal.headers.authorization).toBe(`Bearer ${env.STRIPE_SECRET_KEY}`);

    const keyed = await userWithKey();
    expect((await callWith(env, '/billing/portal', { apiKey: keyed.apiKey, method: 'POST' })).status).toBe(401);
  });
});

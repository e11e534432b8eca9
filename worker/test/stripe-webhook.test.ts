import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { subscriptions, users } from '../db/schema';
import {
  callWith,
  customerUser,
  epoch,
  eventRows,
  fakeStripe,
  liveEnv,
  signed,
  stripeEvent,
  stripeSubscription,
  subscriptionRow,
  subscriptionRows,
  uid,
  userRow,
  WEBHOOK_SECRET,
} from './billing-support';
import { rawCall, registerUser, withDb } from './helpers';

const PATH = '/webhooks/stripe';
const now = () => epoch(new Date());

/** Mock mode (the test default): unsigned events are accepted. */
const post = (event: unknown) => rawCall(PATH, { body: event });

/** Secret configured: every event must carry a valid Stripe-Signature. */
const signedEnv = { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_PRO_PRICE_ID: 'price_pro_monthly', STRIPE_ENTERPRISE_PRICE_ID: 'price_enterprise_monthly' };
async function postSigned(event: unknown, overrides: Record<string, string> = signedEnv) {
  const payload = JSON.stringify(event);
  return callWith(overrides, PATH, { rawBody: payload, headers: { 'Stripe-Signature': await signed(payload) } });
}

describe('POST /webhooks/stripe in mock mode (BILLING_MODE=mock, no webhook secret)', () => {
  it('applies an unsigned subscription event: row, plan and trial dates', async () => {
    const user = await customerUser();
    const trialStart = now() - 3600;
    const trialEnd = trialStart + 14 * 86_400;
    const sub = stripeSubscription({ customer: user.customer, status: 'trialing', trialStart, trialEnd, periodStart: trialStart, periodEnd: trialEnd });
    const event = stripeEvent('customer.subscription.created', sub);
    const r = await post(event);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: 'ok' });
    expect(r.roundTrips).toBeLessThanOrEqual(3);

    const row = await subscriptionRow(sub.id);
    expect(row).toMatchObject({ userId: user.id, plan: 'pro', status: 'trialing', stripePriceId: 'price_mock_pro', cancelAtPeriodEnd: false });
    expect(row.trialStart?.getTime()).toBe(trialStart * 1000);
    expect(row.trialEnd?.getTime()).toBe(trialEnd * 1000);
    expect(row.currentPeriodStart.getTime()).toBe(trialStart * 1000);
    expect(row.currentPeriodEnd.getTime()).toBe(trialEnd * 1000);
    expect((await userRow(user.id)).plan).toBe('pro');
    expect(await eventRows(event.id)).toHaveLength(1);
  });

  it('answers invalid JSON with 400 "Invalid JSON payload" (not the generic 422)', async () => {
    const r = await rawCall(PATH, { rawBody: '{"id": "evt_1", ' });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ detail: 'Invalid JSON payload' });
  });

  it('answers 200 for ignored types, non-event JSON and unknown customers, changing nothing', async () => {
    const user = await customerUser('pro');
    for (const body of [
      stripeEvent('charge.succeeded', { id: uid('ch_'), object: 'charge' }),
      [1, 2, 3],
      { hello: 'world' },
      stripeEvent('customer.subscription.updated', { id: 42, customer: user.customer }),
      stripeEvent('customer.subscription.updated', stripeSubscription({ customer: uid('cus_unknown_'), status: 'canceled' })),
    ]) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body)).toBe(200);
      expect(r.json).toEqual({ status: 'ok' });
    }
    expect((await userRow(user.id)).plan).toBe('pro');
    expect(await subscriptionRows(user.id)).toHaveLength(0);
  });

  it('applies a redelivered event only once, even when deliveries race', async () => {
    const user = await customerUser();
    const sub = stripeSubscription({ customer: user.customer, status: 'active' });
    const event = stripeEvent('customer.subscription.updated', sub, now() - 60);
    expect((await post(event)).status).toBe(200);
    // If the redelivery were applied again it would overwrite this (older-stamped) manual state.
    await withDb((db) =>
      db
        .update(subscriptions)
        .set({ status: 'unpaid', stripeStateAt: new Date((now() - 600) * 1000) })
        .where(eq(subscriptions.stripeSubscriptionId, sub.id)),
    );
    const again = await Promise.all([post(event), post(event), post(event)]);
    expect(again.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await subscriptionRow(sub.id)).status).toBe('unpaid');
    expect(await eventRows(event.id)).toHaveLength(1);
  });

  it('ignores an updated event older than the stored state', async () => {
    const user = await customerUser();
    const sub = stripeSubscription({ customer: user.customer, status: 'active' });
    await post(stripeEvent('customer.subscription.created', sub, now() - 300));
    await post(stripeEvent('customer.subscription.updated', { ...sub, status: 'past_due' }, now() - 100));
    const late = await post(stripeEvent('customer.subscription.updated', { ...sub, status: 'active', cancel_at_period_end: true }, now() - 200));
    expect(late.status).toBe(200);
    expect(await subscriptionRow(sub.id)).toMatchObject({ status: 'past_due', cancelAtPeriodEnd: false });
    expect((await userRow(user.id)).plan).toBe('pro');
  });

  it('on a tie, a late created event never overwrites the updated state', async () => {
    const user = await customerUser();
    const sub = stripeSubscription({ customer: user.customer, status: 'incomplete' });
    const t = now() - 50;
    await post(stripeEvent('customer.subscription.updated', { ...sub, status: 'active' }, t));
    await post(stripeEvent('customer.subscription.created', sub, t));
    expect((await subscriptionRow(sub.id)).status).toBe('active');
    expect((await userRow(user.id)).plan).toBe('pro');
  });

  it('never resurrects a deleted subscription with a late or same-second updated event', async () => {
    const user = await customerUser();
    const sub = stripeSubscription({ customer: user.customer, status: 'active' });
    await post(stripeEvent('customer.subscription.created', sub, now() - 300));
    expect((await userRow(user.id)).plan).toBe('pro');
    const deletedAt = now() - 100;
    await post(stripeEvent('customer.subscription.deleted', { ...sub, status: 'canceled' }, deletedAt));
    expect((await subscriptionRow(sub.id)).status).toBe('canceled');
    expect((await userRow(user.id)).plan).toBe('free');

    await post(stripeEvent('customer.subscription.updated', { ...sub, status: 'active' }, deletedAt - 50));
    await post(stripeEvent('customer.subscription.updated', { ...sub, status: 'active' }, deletedAt));
    expect((await subscriptionRow(sub.id)).status).toBe('canceled');
    expect((await userRow(user.id)).plan).toBe('free');
  });

  it('treats customer.subscription.deleted as canceled whatever status it carries', async () => {
    const user = await customerUser('pro');
    const sub = stripeSubscription({ customer: user.customer, status: 'active' });
    await post(stripeEvent('customer.subscription.deleted', sub));
    expect((await subscriptionRow(sub.id)).status).toBe('canceled');
    expect((await userRow(user.id)).plan).toBe('free');
  });

  it('changes nothing for an unknown price id or an unknown status', async () => {
    const user = await customerUser();
    const foreign = stripeSubscription({ customer: user.customer, price: 'price_someone_elses' });
    await post(stripeEvent('customer.subscription.created', foreign));
    expect(await subscriptionRows(user.id)).toHaveLength(0);
    expect((await userRow(user.id)).plan).toBe('free');

    const sub = stripeSubscription({ customer: user.customer, status: 'active', price: 'price_mock_enterprise' });
    await post(stripeEvent('customer.subscription.created', sub, now() - 100));
    await post(stripeEvent('customer.subscription.updated', { ...sub, items: stripeSubscription({ customer: user.customer, price: 'price_unknown' }).items }));
    // A status Stripe may add one day (paused and incomplete_expired have their own rules, below).
    await post(stripeEvent('customer.subscription.updated', { ...sub, status: 'on_hold' }));
    await post(stripeEvent('customer.subscription.updated', { ...sub, status: 'constructor' }));
    expect(await subscriptionRow(sub.id)).toMatchObject({ status: 'active', plan: 'enterprise', stripePriceId: 'price_mock_enterprise' });
    expect((await userRow(user.id)).plan).toBe('enterprise');
  });

  it('survives empty items.data: a new subscription is not invented, a known one keeps its plan', async () => {
    const user = await customerUser();
    const bare = stripeSubscription({ customer: user.customer, price: null });
    expect((await post(stripeEvent('customer.subscription.created', bare))).status).toBe(200);
    expect(await subscriptionRows(user.id)).toHaveLength(0);

    const sub = stripeSubscription({ customer: user.customer, status: 'active', price: 'price_mock_pro' });
    await post(stripeEvent('customer.subscription.created', sub, now() - 100));
    const r = await post(stripeEvent('customer.subscription.updated', { ...sub, status: 'past_due', items: { object: 'list', data: [] } }));
    expect(r.status).toBe(200);
    expect(await subscriptionRow(sub.id)).toMatchObject({ status: 'past_due', plan: 'pro', stripePriceId: 'price_mock_pro' });
  });

  it.each([
    ['active', 'pro', 'pro'],
    ['trialing', 'pro', 'pro'],
    ['active', 'enterprise', 'enterprise'],
    ['past_due', 'pro', 'enterprise'],
    ['unpaid', 'pro', 'enterprise'],
    ['incomplete', 'pro', 'enterprise'],
    ['canceled', 'pro', 'free'],
  ] as const)('status %s on a %s price leaves an enterprise user on %s', async (status, tier, expected) => {
    const user = await customerUser('enterprise');
    const sub = stripeSubscription({ customer: user.customer, status, price: `price_mock_${tier}` });
    await post(stripeEvent('customer.subscription.updated', sub));
    expect(await subscriptionRow(sub.id)).toMatchObject({ status, plan: tier });
    expect((await userRow(user.id)).plan).toBe(expected);
  });

  it('walks a subscription through its life: trial → active → past_due → active → canceled', async () => {
    const user = await customerUser();
    const sub = stripeSubscription({ customer: user.customer, status: 'trialing', trialStart: now() - 1000, trialEnd: now() + 1000 });
    const steps: [string, string, 'free' | 'pro'][] = [
      ['trialing', 'customer.subscription.created', 'pro'],
      ['active', 'customer.subscription.updated', 'pro'],
      ['past_due', 'customer.subscription.updated', 'pro'],
      ['active', 'customer.subscription.updated', 'pro'],
      ['canceled', 'customer.subscription.deleted', 'free'],
    ];
    let t = now() - 500;
    for (const [status, type, plan] of steps) {
      await post(stripeEvent(type, { ...sub, status }, (t += 10)));
      expect((await subscriptionRow(sub.id)).status).toBe(status);
      expect((await userRow(user.id)).plan, `after ${status}`).toBe(plan);
    }
  });

  it('paused (trial ended without a payment method) takes the plan away, stored as unpaid, and a resume gives it back', async () => {
    const user = await customerUser();
    const sub = stripeSubscription({ customer: user.customer, status: 'trialing', price: 'price_mock_pro', trialStart: now() - 1000, trialEnd: now() - 10 });
    await post(stripeEvent('customer.subscription.created', sub, now() - 300));
    expect((await userRow(user.id)).plan).toBe('pro');
    for (const type of ['customer.subscription.updated', 'customer.subscription.paused']) {
      const r = await post(stripeEvent(type, { ...sub, status: 'paused' }, now() - 200));
      expect(r.status).toBe(200);
      expect(await subscriptionRow(sub.id)).toMatchObject({ status: 'unpaid', plan: 'pro' });
      expect((await userRow(user.id)).plan, type).toBe('free');
    }
    // Not terminal: once the customer adds a payment method Stripe resumes it.
    await post(stripeEvent('customer.subscription.resumed', { ...sub, status: 'active' }, now() - 100));
    expect((await subscriptionRow(sub.id)).status).toBe('active');
    expect((await userRow(user.id)).plan).toBe('pro');
  });

  it('incomplete_expired (first payment never came) is stored as canceled, keeps no paid plan and is never revived', async () => {
    const user = await customerUser();
    const live = stripeSubscription({ customer: user.customer, status: 'active', price: 'price_mock_pro' });
    const upgrade = stripeSubscription({ customer: user.customer, status: 'incomplete', price: 'price_mock_enterprise' });
    await post(stripeEvent('customer.subscription.created', live, now() - 400));
    await post(stripeEvent('customer.subscription.created', upgrade, now() - 300));
    await withDb((db) => db.update(users).set({ plan: 'enterprise' }).where(eq(users.id, user.id)));
    await post(stripeEvent('customer.subscription.updated', { ...upgrade, status: 'incomplete_expired' }, now() - 200));
    expect(await subscriptionRow(upgrade.id)).toMatchObject({ status: 'canceled', plan: 'enterprise' });
    // The other live subscription's plan remains; without one the user is on free.
    expect((await userRow(user.id)).plan).toBe('pro');
    await post(stripeEvent('customer.subscription.updated', { ...upgrade, status: 'active' }, now() - 100));
    expect((await subscriptionRow(upgrade.id)).status).toBe('canceled');
    expect((await userRow(user.id)).plan).toBe('pro');

    const alone = await customerUser('pro');
    const expired = stripeSubscription({ customer: alone.customer, status: 'incomplete_expired', price: 'price_mock_pro' });
    await post(stripeEvent('customer.subscription.updated', expired));
    expect((await subscriptionRow(expired.id)).status).toBe('canceled');
    expect((await userRow(alone.id)).plan).toBe('free');
  });

  it('a canceled subscription leaves the plan of another live subscription', async () => {
    const user = await customerUser();
    const older = stripeSubscription({ customer: user.customer, status: 'active', price: 'price_mock_pro' });
    const newer = stripeSubscription({ customer: user.customer, status: 'active', price: 'price_mock_enterprise' });
    await post(stripeEvent('customer.subscription.created', older, now() - 300));
    await post(stripeEvent('customer.subscription.created', newer, now() - 200));
    await post(stripeEvent('customer.subscription.deleted', { ...older, status: 'canceled' }, now() - 100));
    expect((await userRow(user.id)).plan).toBe('enterprise');
  });

  it('invoice.payment_failed marks the subscription past_due and keeps the plan (both invoice shapes)', async () => {
    const user = await customerUser();
    const a = stripeSubscription({ customer: user.customer, status: 'active' });
    const b = stripeSubscription({ customer: user.customer, status: 'trialing' });
    await post(stripeEvent('customer.subscription.created', a, now() - 100));
    await post(stripeEvent('customer.subscription.created', b, now() - 100));
    const invoice = (parent: unknown, legacy?: string) => ({
      id: uid('in_'),
      object: 'invoice',
      customer: user.customer,
      status: 'open',
      attempt_count: 1,
      parent,
      ...(legacy ? { subscription: legacy } : {}),
    });
    await post(stripeEvent('invoice.payment_failed', invoice({ type: 'subscription_details', subscription_details: { subscription: a.id } })));
    await post(stripeEvent('invoice.payment_failed', invoice(null, b.id)));
    expect((await subscriptionRow(a.id)).status).toBe('past_due');
    expect((await subscriptionRow(b.id)).status).toBe('past_due');
    expect((await userRow(user.id)).plan).toBe('pro');

    // A failure older than a recovery does not bring past_due back.
    await post(stripeEvent('customer.subscription.updated', { ...a, status: 'active' }, now() + 5));
    await post(stripeEvent('invoice.payment_failed', invoice({ subscription_details: { subscription: a.id } }), now() - 50));
    expect((await subscriptionRow(a.id)).status).toBe('active');
  });

  it('checkout.session.completed links the customer through metadata.user_id', async () => {
    const user = await registerUser('checkout');
    const customer = uid('cus_');
    const sub = stripeSubscription({ customer, status: 'trialing', price: 'price_mock_pro', trialStart: now(), trialEnd: now() + 14 * 86_400 });
    const session = (subscription: unknown, userId = user.id) => ({
      id: uid('cs_test_'),
      object: 'checkout.session',
      mode: 'subscription',
      status: 'complete',
      payment_status: 'paid',
      customer,
      subscription,
      client_reference_id: userId,
      metadata: { user_id: userId, plan: 'pro' },
    });
    await post(stripeEvent('checkout.session.completed', session(sub.id)));
    const linked = await userRow(user.id);
    expect(linked.stripeCustomerId).toBe(customer);
    expect(linked.plan).toBe('free');
    // Now the subscription events find the user.
    await post(stripeEvent('customer.subscription.created', sub));
    expect((await userRow(user.id)).plan).toBe('pro');

    // An expanded subscription in the session is applied directly.
    const other = await registerUser('checkout');
    const otherCustomer = uid('cus_');
    const expanded = stripeSubscription({ customer: otherCustomer, status: 'active', price: 'price_mock_enterprise' });
    await post(stripeEvent('checkout.session.completed', { ...session(expanded, other.id), customer: otherCustomer }));
    expect(await userRow(other.id)).toMatchObject({ stripeCustomerId: otherCustomer, plan: 'enterprise' });
    expect((await subscriptionRow(expanded.id)).userId).toBe(other.id);
  });

  it('checkout.session.completed never relinks a user who has another customer', async () => {
    const user = await customerUser();
    const r = await post(
      stripeEvent('checkout.session.completed', {
        id: uid('cs_test_'),
        object: 'checkout.session',
        mode: 'subscription',
        customer: uid('cus_'),
        subscription: stripeSubscription({ customer: 'cus_x', price: 'price_mock_pro' }),
        metadata: { user_id: user.id },
      }),
    );
    expect(r.status).toBe(200);
    expect(await userRow(user.id)).toMatchObject({ stripeCustomerId: user.customer, plan: 'free' });
  });
});

describe('POST /webhooks/stripe with a webhook secret', () => {
  it('applies a correctly signed event', async () => {
    const user = await customerUser();
    const sub = stripeSubscription({ customer: user.customer, status: 'active', price: 'price_enterprise_monthly' });
    const r = await postSigned(stripeEvent('customer.subscription.created', sub));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: 'ok' });
    expect(await subscriptionRow(sub.id)).toMatchObject({ plan: 'enterprise', stripePriceId: 'price_enterprise_monthly' });
    expect((await userRow(user.id)).plan).toBe('enterprise');
  });

  it('refuses a bad, missing, foreign or stale signature with 400 and changes nothing', async () => {
    const user = await customerUser();
    const sub = stripeSubscription({ customer: user.customer, status: 'active', price: 'price_pro_monthly' });
    const event = stripeEvent('customer.subscription.created', sub);
    const payload = JSON.stringify(event);
    const tampered = JSON.stringify({ ...event, data: { object: { ...sub, status: 'trialing' } } });
    const cases = [
      callWith(signedEnv, PATH, { rawBody: payload }),
      callWith(signedEnv, PATH, { rawBody: payload, headers: { 'Stripe-Signature': 't=1,v1=deadbeef' } }),
      callWith(signedEnv, PATH, { rawBody: payload, headers: { 'Stripe-Signature': await signed(payload, 'whsec_someone_else') } }),
      callWith(signedEnv, PATH, { rawBody: tampered, headers: { 'Stripe-Signature': await signed(payload) } }),
      // A valid signature from 10 minutes ago: a replayed capture, outside Stripe's 5-minute tolerance.
      callWith(signedEnv, PATH, { rawBody: payload, headers: { 'Stripe-Signature': await signed(payload, WEBHOOK_SECRET, now() - 600) } }),
    ];
    for (const r of await Promise.all(cases)) {
      expect(r.status).toBe(400);
      expect(r.json).toEqual({ detail: 'Invalid webhook signature' });
    }
    expect(await subscriptionRows(user.id)).toHaveLength(0);
    expect(await eventRows(event.id)).toHaveLength(0);
  });

  it('requires the signature in mock mode once a webhook secret is set', async () => {
    const user = await customerUser();
    const event = stripeEvent('customer.subscription.created', stripeSubscription({ customer: user.customer, price: 'price_mock_pro' }));
    const noSecretKey = await callWith({ STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET }, PATH, { body: event });
    expect(noSecretKey.status).toBe(400);
    expect(noSecretKey.json).toEqual({ detail: 'Invalid webhook signature' });
    expect(await subscriptionRows(user.id)).toHaveLength(0);
  });

  it('never accepts an unsigned event outside mock mode: a missing webhook secret is a 503, whatever else is set', async () => {
    const user = await customerUser();
    const event = stripeEvent('customer.subscription.created', stripeSubscription({ customer: user.customer, status: 'active', price: 'price_mock_pro' }));
    // No Stripe secret at all used to mean mock mode; an unset or misspelt BILLING_MODE is Stripe mode too.
    for (const overrides of [
      { BILLING_MODE: 'stripe', STRIPE_SECRET_KEY: '', STRIPE_WEBHOOK_SECRET: '' },
      { BILLING_MODE: 'stripe', STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_WEBHOOK_SECRET: '' },
      { BILLING_MODE: '', STRIPE_SECRET_KEY: '', STRIPE_WEBHOOK_SECRET: '' },
      { BILLING_MODE: 'mok', STRIPE_SECRET_KEY: '', STRIPE_WEBHOOK_SECRET: '' },
    ]) {
      const r = await callWith(overrides, PATH, { body: event });
      expect(r.status).toBe(503);
      expect(r.json).toEqual({ detail: 'Stripe webhooks are not configured' });
    }
    expect(await subscriptionRows(user.id)).toHaveLength(0);
    expect(await eventRows(event.id)).toHaveLength(0);
    expect((await userRow(user.id)).plan).toBe('free');
  });

  it('answers a signed body that is not JSON with 400 "Invalid JSON payload"', async () => {
    const payload = '{"id": "evt_broken",';
    const r = await callWith(signedEnv, PATH, { rawBody: payload, headers: { 'Stripe-Signature': await signed(payload), 'Content-Type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ detail: 'Invalid JSON payload' });
  });

  it('deduplicates signed redeliveries', async () => {
    const user = await customerUser();
    const sub = stripeSubscription({ customer: user.customer, status: 'active', price: 'price_pro_monthly' });
    const event = stripeEvent('customer.subscription.created', sub);
    const results = await Promise.all([postSigned(event), postSigned(event)]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(await eventRows(event.id)).toHaveLength(1);
    expect(await subscriptionRows(user.id)).toHaveLength(1);
  });

  it('live mode: checkout.session.completed reads the new subscription from Stripe and applies it', async () => {
    const env = liveEnv();
    const user = await registerUser('checkout');
    const customer = uid('cus_');
    const sub = stripeSubscription({
      customer,
      status: 'trialing',
      price: 'price_pro_monthly',
      trialStart: now(),
      trialEnd: now() + 14 * 86_400,
      metadata: { user_id: user.id, plan: 'pro' },
    });
    await fakeStripe(env.STRIPE_SECRET_KEY, '/__control/subscriptions', { subscription: sub });
    const event = stripeEvent('checkout.session.completed', {
      id: uid('cs_test_'),
      object: 'checkout.session',
      mode: 'subscription',
      status: 'complete',
      customer,
      subscription: sub.id,
      metadata: { user_id: user.id, plan: 'pro' },
    });
    const r = await postSigned(event, env);
    expect(r.status).toBe(200);
    expect(await userRow(user.id)).toMatchObject({ stripeCustomerId: customer, plan: 'pro' });
    expect(await subscriptionRow(sub.id)).toMatchObject({ userId: user.id, status: 'trialing', plan: 'pro' });
    const reads = (await fakeStripe(env.STRIPE_SECRET_KEY, '/__control/requests')).filter((q: { path: string }) => q.path === `/v1/subscriptions/${sub.id}`);
    expect(reads).toHaveLength(1);
    expect(reads[0].headers.authorization).toBe(`Bearer ${env.STRIPE_SECRET_KEY}`);

    // The subscription.created event Stripe sent earlier arrives late: older state, ignored.
    await postSigned(stripeEvent('customer.subscription.created', { ...sub, status: 'incomplete' }, now() - 30), env);
    expect((await subscriptionRow(sub.id)).status).toBe('trialing');
  });

  it('live mode: when Stripe cannot be read, the customer is still linked and the event acknowledged', async () => {
    const env = liveEnv();
    const user = await registerUser('checkout');
    const customer = uid('cus_');
    const r = await postSigned(
      stripeEvent('checkout.session.completed', { id: uid('cs_test_'), object: 'checkout.session', mode: 'subscription', customer, subscription: uid('sub_missing_'), metadata: { user_id: user.id } }),
      env,
    );
    expect(r.status).toBe(200);
    expect(await userRow(user.id)).toMatchObject({ stripeCustomerId: customer, plan: 'free' });
  });
});

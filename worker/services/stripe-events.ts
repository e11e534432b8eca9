import { watchLimitSql } from './price-watch';
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { log, type Fields, type Level } from '../lib/log';
import type { Tier } from './plans';
import { isMockMode, type Stripe, stripeClient, type StripeEnv, tierForPrice } from './stripe';

type WebhookEnv = StripeEnv;

const KNOWN_STATUSES = ['active', 'trialing', 'past_due', 'canceled', 'unpaid', 'incomplete'] as const;
type Status = (typeof KNOWN_STATUSES)[number];

/**
 * Stripe statuses outside the contract's six (API.md §2.8), stored as the contract status
 * that says the same to a client, and both ending the paid plan:
 * - `incomplete_expired`: the first payment never came; terminal in Stripe, so `canceled`
 *   (never revived).
 * - `paused`: a trial ended without a payment method; nothing is billed until the
 *   customer adds one and Stripe resumes it (then `active` arrives), so `unpaid` (not
 *   terminal), but unlike a real `unpaid` it takes the plan away at once.
 */
const STORED_AS: Record<string, Status> = { incomplete_expired: 'canceled', paused: 'unpaid' };

// Epoch seconds, bounded so a hostile payload cannot produce an invalid Date.
const epoch = z.number().int().min(0).max(253_402_300_799).nullish().catch(null);
const idOf = z
  .union([z.string(), z.object({ id: z.string() })])
  .transform((v) => (typeof v === 'string' ? v : v.id))
  .nullish()
  .catch(null);

const eventSchema = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(100),
  created: epoch,
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

const subscriptionSchema = z.object({
  id: z.string().min(1).max(255),
  customer: idOf,
  status: z.string().nullish().catch(null),
  cancel_at_period_end: z.boolean().nullish().catch(null),
  // Before API version 2025-03-31 the period sat on the subscription; since then on each item.
  current_period_start: epoch,
  current_period_end: epoch,
  trial_start: epoch,
  trial_end: epoch,
  items: z
    .object({
      data: z
        .array(
          z.object({
            price: z.object({ id: z.string().max(255) }).nullish().catch(null),
            current_period_start: epoch,
            current_period_end: epoch,
          }),
        )
        .nullish()
        .catch(null),
    })
    .nullish()
    .catch(null),
});
type StripeSubscription = z.infer<typeof subscriptionSchema>;

const checkoutSessionSchema = z.object({
  mode: z.string().nullish().catch(null),
  customer: idOf,
  subscription: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish().catch(null),
  client_reference_id: z.string().nullish().catch(null),
  metadata: z.object({ user_id: z.string().nullish().catch(null) }).nullish().catch(null),
});

const invoiceSchema = z.object({
  subscription: idOf,
  parent: z
    .object({ subscription_details: z.object({ subscription: idOf }).nullish().catch(null) })
    .nullish()
    .catch(null),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface EventContext {
  id: string;
  type: string;
  /** When Stripe created the event: the state it carries is as of this moment. */
  at: Date;
}

function logEvent(level: Level, msg: string, event: EventContext, extra: Fields = {}) {
  log.at(level, msg, { event_id: event.id, event_type: event.type, ...extra });
}

const toDate = (seconds: number | null | undefined) => (seconds === null || seconds === undefined ? null : new Date(seconds * 1000));
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The record of an applied event, inserted in the same statement as its effect. */
const recordEvent = (event: EventContext) =>
  sql`INSERT INTO stripe_events (id, type) VALUES (${event.id}, ${event.type}) ON CONFLICT (id) DO NOTHING RETURNING id`;

/** Marks an event as handled without any effect (unknown price, status or customer). */
async function recordOnly(db: Db, event: EventContext) {
  await db.execute(sql`${recordEvent(event)}`);
}

/** How the subscription's owner is found. */
type Owner =
  | { by: 'customer'; customer: string }
  /** checkout.session.completed: our own metadata names the user, and the customer is linked to it. */
  | { by: 'user'; userId: string; customer: string | null };

interface SubscriptionState {
  id: string;
  priceId: string | null;
  plan: Tier | null;
  status: Status;
  /** The user loses this subscription's plan (to another live subscription's, or free). */
  endsPlan: boolean;
  periodStart: Date | null;
  periodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  trialStart: Date | null;
  trialEnd: Date | null;
}

type Outcome = { fresh: boolean; matched: boolean; applied: boolean; userPlan: Tier | null };

/**
 * Applies one event's subscription state in one statement, so the event record, the
 * subscription row and the user's plan commit together or not at all:
 * - a redelivered event finds its id in stripe_events and changes nothing;
 * - an event older than the stored state (stripe_state_at) is ignored, and on a tie a
 *   `created` event never overwrites; a canceled subscription stays canceled;
 * - the plan follows the status: active/trialing → the plan, canceled (or a status that
 *   ends the plan, see STORED_AS) → the user's other live subscription's plan or free,
 *   anything else → unchanged.
 */
async function applyState(db: Db, event: EventContext, owner: Owner, state: SubscriptionState | null): Promise<Outcome> {
  const match: SQL =
    owner.by === 'customer'
      ? sql`u.stripe_customer_id = ${owner.customer}`
      : sql`u.id = ${owner.userId} AND (u.stripe_customer_id IS NULL OR u.stripe_customer_id = ${owner.customer})`;
  const linkCustomer = owner.by === 'user' && owner.customer ? owner.customer : null;
  const isCreated = event.type === 'customer.subscription.created';
  const endsPlan = state?.endsPlan ?? false;

  const sub: SQL = state
    ? sql`
      INSERT INTO subscriptions AS s (user_id, stripe_subscription_id, stripe_price_id, plan, status, current_period_start,
                                      current_period_end, cancel_at_period_end, trial_start, trial_end, stripe_state_at)
      SELECT target.user_id, ${state.id}, COALESCE(${state.priceId}, old.stripe_price_id), COALESCE(${state.plan}::plantier, old.plan),
             ${state.status}::subscriptionstatus,
             COALESCE(${iso(state.periodStart)}::timestamptz, old.current_period_start, now()),
             COALESCE(${iso(state.periodEnd)}::timestamptz, old.current_period_end, now() + interval '30 days'),
             ${state.cancelAtPeriodEnd}::boolean, ${iso(state.trialStart)}::timestamptz, ${iso(state.trialEnd)}::timestamptz,
             ${event.at.toISOString()}::timestamptz
      FROM target LEFT JOIN subscriptions old ON old.stripe_subscription_id = ${state.id}
      WHERE COALESCE(${state.plan}::plantier, old.plan) IS NOT NULL
      ON CONFLICT (stripe_subscription_id) DO UPDATE SET
        stripe_price_id = excluded.stripe_price_id, plan = excluded.plan, status = excluded.status,
        current_period_start = excluded.current_period_start, current_period_end = excluded.current_period_end,
        cancel_at_period_end = excluded.cancel_at_period_end, trial_start = excluded.trial_start, trial_end = excluded.trial_end,
        stripe_state_at = excluded.stripe_state_at, updated_at = now()
      WHERE s.user_id = excluded.user_id
        AND (s.status <> 'canceled' OR excluded.status = 'canceled')
        AND (s.stripe_state_at IS NULL OR s.stripe_state_at < excluded.stripe_state_at
             OR (s.stripe_state_at = excluded.stripe_state_at AND NOT ${isCreated}::boolean))
      RETURNING s.id, s.user_id, s.plan, s.status`
    : sql`SELECT NULL::uuid AS id, NULL::uuid AS user_id, NULL::plantier AS plan, NULL::subscriptionstatus AS status WHERE false`;

  const { rows } = await db.execute<{ fresh: number; matched: number; applied: number; user_plan: Tier | null }>(sql`
    WITH ev AS (${recordEvent(event)}),
    target AS (
      SELECT u.id AS user_id FROM users u WHERE ${match} AND EXISTS (SELECT 1 FROM ev) LIMIT 1
    ),
    sub AS (${sub}),
    changed AS (
      UPDATE users SET
        stripe_customer_id = CASE
          WHEN users.stripe_customer_id IS NULL AND ${linkCustomer}::text IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM users x WHERE x.stripe_customer_id = ${linkCustomer})
          THEN ${linkCustomer} ELSE users.stripe_customer_id END,
        plan = CASE
          WHEN sub.status IN ('active', 'trialing') THEN sub.plan
          WHEN sub.status = 'canceled' OR (sub.status IS NOT NULL AND ${endsPlan}::boolean) THEN COALESCE(
            (SELECT o.plan FROM subscriptions o
              WHERE o.user_id = sub.user_id AND o.id <> sub.id AND o.status IN ('active', 'trialing')
              ORDER BY o.created_at DESC LIMIT 1),
            'free')
          ELSE users.plan END,
        updated_at = now()
      FROM target LEFT JOIN sub ON sub.user_id = target.user_id
      WHERE users.id = target.user_id
        AND (sub.status IN ('active', 'trialing', 'canceled') OR (sub.status IS NOT NULL AND ${endsPlan}::boolean)
             OR (users.stripe_customer_id IS NULL AND ${linkCustomer}::text IS NOT NULL))
      RETURNING users.id, users.plan
    ),
    ${watchLimitSql(sql`changed`)}
    SELECT (SELECT count(*) FROM ev)::int AS fresh, (SELECT count(*) FROM target)::int AS matched,
           (SELECT count(*) FROM sub)::int AS applied, (SELECT plan FROM changed) AS user_plan`);
  const r = rows[0];
  return { fresh: r.fresh > 0, matched: r.matched > 0, applied: r.applied > 0, userPlan: r.user_plan };
}

/** Reads what the contract needs from a Stripe Subscription; null (logged) when it cannot be applied. */
function subscriptionState(env: WebhookEnv, event: EventContext, sub: StripeSubscription, forceCanceled: boolean): SubscriptionState | null {
  const received = forceCanceled ? 'canceled' : sub.status;
  const mapped = received && Object.hasOwn(STORED_AS, received) ? STORED_AS[received] : undefined;
  const status = mapped ?? received;
  if (!status || !(KNOWN_STATUSES as readonly string[]).includes(status)) {
    logEvent('warn', 'stripe subscription status not handled', event, { subscription_id: sub.id, status: status ?? null });
    return null;
  }
  const item = sub.items?.data?.[0];
  const priceId = item?.price?.id ?? null;
  const plan = priceId ? tierForPrice(env, priceId) : null;
  if (priceId && !plan) {
    logEvent('warn', 'stripe price not sold by this deployment', event, { subscription_id: sub.id, price_id: priceId });
    return null;
  }
  return {
    id: sub.id,
    priceId,
    plan,
    status: status as Status,
    endsPlan: mapped !== undefined,
    periodStart: toDate(sub.current_period_start ?? item?.current_period_start),
    periodEnd: toDate(sub.current_period_end ?? item?.current_period_end),
    cancelAtPeriodEnd: sub.cancel_at_period_end ?? false,
    trialStart: toDate(sub.trial_start),
    trialEnd: toDate(sub.trial_end),
  };
}

function report(event: EventContext, outcome: Outcome, extra: Record<string, unknown>) {
  if (!outcome.fresh) return logEvent('info', 'stripe event already applied', event, extra);
  if (!outcome.matched) return logEvent('warn', 'stripe event for an unknown customer', event, extra);
  logEvent('info', outcome.applied ? 'stripe event applied' : 'stripe event older than the stored state', event, {
    ...extra,
    user_plan: outcome.userPlan,
  });
}

async function onSubscriptionEvent(db: Db, env: WebhookEnv, event: EventContext, object: Record<string, unknown>) {
  const parsed = subscriptionSchema.safeParse(object);
  if (!parsed.success || !parsed.data.customer) {
    logEvent('warn', 'stripe subscription event without id or customer', event);
    return recordOnly(db, event);
  }
  const sub = parsed.data;
  const state = subscriptionState(env, event, sub, event.type === 'customer.subscription.deleted');
  if (!state) return recordOnly(db, event);
  if (!state.priceId) logEvent('warn', 'stripe subscription without items; keeping the stored plan', event, { subscription_id: sub.id });
  const outcome = await applyState(db, event, { by: 'customer', customer: sub.customer! }, state);
  report(event, outcome, { subscription_id: sub.id, status: state.status });
}

/**
 * The subscription a completed checkout created. Events carry only its id, so live mode
 * reads it from Stripe; if that fails the customer is still linked and the
 * customer.subscription.* events that Stripe sends as well fill in the state.
 */
async function checkoutSubscription(env: WebhookEnv, event: EventContext, value: string | Record<string, unknown>) {
  if (typeof value !== 'string') return value;
  if (isMockMode(env)) return null;
  try {
    const fetched: Stripe.Subscription = await stripeClient(env).subscriptions.retrieve(value);
    return fetched as unknown as Record<string, unknown>;
  } catch (err) {
    logEvent('error', 'could not read the checkout subscription from stripe', event, { subscription_id: value, error: err instanceof Error ? err.message : String(err) });
    return null;
  }
}

async function onCheckoutCompleted(db: Db, env: WebhookEnv, event: EventContext, object: Record<string, unknown>) {
  const parsed = checkoutSessionSchema.safeParse(object);
  const session = parsed.success ? parsed.data : null;
  const userId = session?.metadata?.user_id ?? session?.client_reference_id ?? null;
  if (!session || session.mode !== 'subscription' || !userId || !UUID.test(userId)) {
    logEvent('warn', 'stripe checkout session not from a SourcePilot subscription checkout', event, { mode: session?.mode ?? null });
    return recordOnly(db, event);
  }
  let state: SubscriptionState | null = null;
  let at = event.at;
  if (session.subscription) {
    const raw = await checkoutSubscription(env, event, session.subscription);
    if (raw) {
      // A subscription read from the API now is at least as new as any event sent before.
      if (typeof session.subscription === 'string') at = new Date(Math.max(Date.now(), event.at.getTime()));
      const sub = subscriptionSchema.safeParse(raw);
      state = sub.success ? subscriptionState(env, event, sub.data, false) : null;
    }
  }
  const outcome = await applyState(db, { ...event, at }, { by: 'user', userId, customer: session.customer ?? null }, state);
  report(event, outcome, { user_id: userId, subscription_id: state?.id ?? null });
}

async function onPaymentFailed(db: Db, event: EventContext, object: Record<string, unknown>) {
  const parsed = invoiceSchema.safeParse(object);
  const subscriptionId = parsed.success ? (parsed.data.parent?.subscription_details?.subscription ?? parsed.data.subscription) : null;
  if (!subscriptionId) {
    logEvent('info', 'stripe invoice without subscription', event);
    return recordOnly(db, event);
  }
  // past_due keeps the plan (API.md §2.10), so only the subscription row changes.
  const { rows } = await db.execute<{ fresh: number; applied: number }>(sql`
    WITH ev AS (${recordEvent(event)}),
    sub AS (
      UPDATE subscriptions s SET status = 'past_due', stripe_state_at = ${event.at.toISOString()}::timestamptz, updated_at = now()
      WHERE s.stripe_subscription_id = ${subscriptionId} AND s.status IN ('active', 'trialing')
        AND (s.stripe_state_at IS NULL OR s.stripe_state_at <= ${event.at.toISOString()}::timestamptz)
        AND EXISTS (SELECT 1 FROM ev)
      RETURNING s.id
    )
    SELECT (SELECT count(*) FROM ev)::int AS fresh, (SELECT count(*) FROM sub)::int AS applied`);
  logEvent('info', rows[0].fresh ? (rows[0].applied ? 'stripe event applied' : 'stripe event changed nothing') : 'stripe event already applied', event, {
    subscription_id: subscriptionId,
  });
}

/**
 * Applies a parsed Stripe event. Unknown types are ignored; malformed handled events
 * are recorded and logged, never thrown, so Stripe gets its 200.
 */
export async function handleStripeEvent(db: Db, env: WebhookEnv, payload: unknown): Promise<void> {
  const parsed = eventSchema.safeParse(payload);
  if (!parsed.success) {
    log.warn('stripe webhook payload is not an event');
    return;
  }
  const { id, type, created, data } = parsed.data;
  const event: EventContext = { id, type, at: toDate(created) ?? new Date() };
  switch (type) {
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
    case 'customer.subscription.paused':
    case 'customer.subscription.resumed':
      return onSubscriptionEvent(db, env, event, data.object);
    case 'checkout.session.completed':
      return onCheckoutCompleted(db, env, event, data.object);
    case 'invoice.payment_failed':
      return onPaymentFailed(db, event, data.object);
    default:
      logEvent('info', 'stripe event type not handled', event);
  }
}

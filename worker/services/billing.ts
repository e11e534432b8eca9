import { watchLimitSql } from './price-watch';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import type { Auth, Bindings, User } from '../env';
import { toHex, randomBytes } from '../lib/encoding';
import { describeError, log } from '../lib/log';
import { isoZ } from '../lib/time';
import { Conflict, DomainError, InvalidInput, NotConfigured, Refused, UpstreamFailure } from '../shared/domain-errors';
import { PLANS, TIERS, type Tier } from './plans';
import { configuredPriceId, isMockMode, Stripe, stripeClient, stripeSecret, type StripeEnv } from './stripe';
import { usageCountsSql, usageOut } from './usage';

export const FREE_CHECKOUT = 'Cannot checkout for free plan';
export const ALREADY_SUBSCRIBED = 'User already has an active subscription';
export const NO_BILLING_ACCOUNT = 'User has no billing account';
export const PROVIDER_UNAVAILABLE = 'The payment provider could not be reached. Please try again.';
export const priceNotConfigured = (plan: Tier) => `Billing for the ${plan} plan is not configured`;

const DEFAULT_SUCCESS_URL = 'http://localhost:3109/billing?success=true';
const DEFAULT_CANCEL_URL = 'http://localhost:3109/billing?canceled=true';

type BillingEnv = StripeEnv & Pick<Bindings, 'STRIPE_BILLING_SUCCESS_URL' | 'STRIPE_BILLING_CANCEL_URL'>;

const successUrl = (env: BillingEnv) => env.STRIPE_BILLING_SUCCESS_URL?.trim() || DEFAULT_SUCCESS_URL;
const cancelUrl = (env: BillingEnv) => env.STRIPE_BILLING_CANCEL_URL?.trim() || DEFAULT_CANCEL_URL;

/** `<prefix><16 hex>`: the ids mock mode invents for customers, subscriptions and sessions. */
const mockId = (prefix: string) => `${prefix}${toHex(randomBytes(8))}`;

export const listPlans = () => TIERS.map((tier) => PLANS[tier]);

/** A subscriptions row as Postgres returns it (snake_case columns, timestamps as Date or string). */
type SubscriptionRow = {
  id: string;
  user_id: string;
  stripe_subscription_id: string;
  plan: Tier;
  status: 'active' | 'trialing' | 'past_due' | 'canceled' | 'unpaid' | 'incomplete';
  current_period_start: Date | string;
  current_period_end: Date | string;
  cancel_at_period_end: boolean;
  trial_start: Date | string | null;
  trial_end: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
};

const ts = (v: Date | string | null) => (v === null ? null : isoZ(new Date(v)));

/** The contract's Subscription object. */
export function subscriptionOut(s: SubscriptionRow) {
  return {
    id: s.id,
    user_id: s.user_id,
    stripe_subscription_id: s.stripe_subscription_id,
    plan: s.plan,
    status: s.status,
    current_period_start: ts(s.current_period_start)!,
    current_period_end: ts(s.current_period_end)!,
    cancel_at_period_end: s.cancel_at_period_end,
    trial_start: ts(s.trial_start),
    trial_end: ts(s.trial_end),
    created_at: ts(s.created_at)!,
    updated_at: ts(s.updated_at)!,
  };
}

const SUBSCRIPTION_COLUMNS = sql.raw(
  'id, user_id, stripe_subscription_id, plan, status, current_period_start, current_period_end, cancel_at_period_end, trial_start, trial_end, created_at, updated_at',
);

/** The user's newest subscription (API.md §6: several rows are normal), or null. One round trip. */
export async function currentSubscription(db: Db, userId: string) {
  const { rows } = await db.execute<SubscriptionRow>(sql`
    SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions
    WHERE user_id = ${userId} ORDER BY created_at DESC, id DESC LIMIT 1`);
  return rows[0] ? subscriptionOut(rows[0]) : null;
}

/** Plan, newest subscription and usage counts in one statement. */
export async function billingOverview(db: Db, user: User, now = new Date()) {
  const { rows } = await db.execute<{ subscription: SubscriptionRow | null; items: number; secondary: number }>(sql`
    WITH newest AS (
      SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions
      WHERE user_id = ${user.id} ORDER BY created_at DESC, id DESC LIMIT 1
    )
    SELECT (SELECT row_to_json(newest) FROM newest) AS subscription, ${usageCountsSql(user.id, now)}`);
  const row = rows[0];
  return {
    current_plan: user.plan,
    plan_name: PLANS[user.plan].name,
    subscription: row.subscription ? subscriptionOut(row.subscription) : null,
    usage: usageOut(user.plan, row, now),
  };
}

/** A Stripe failure: logged with Stripe's ids, passed on as an upstream failure without internals. */
function providerError(err: unknown, operation: string): never {
  if (err instanceof DomainError) throw err;
  const e = err as Partial<InstanceType<typeof Stripe.errors.StripeError>>;
  log.error('stripe request failed', {
    operation,
    type: e.type ?? (err instanceof Error ? err.name : typeof err),
    code: e.code ?? null,
    status: e.statusCode ?? null,
    stripe_request_id: e.requestId ?? null,
    error: err instanceof Error ? err.message : String(err),
  });
  throw new UpstreamFailure(PROVIDER_UNAVAILABLE, true);
}

/**
 * Mock checkout: the subscription exists at once, active for 30 days, and the plan changes.
 * The user row's version (xmin) guards the write, so two concurrent checkouts cannot both
 * pass the "no active subscription" check: the loser re-reads and is refused.
 */
async function mockCheckout(db: Db, env: BillingEnv, userId: string, plan: Tier): Promise<CheckoutResult> {
  const priceId = configuredPriceId(env, plan) ?? `price_mock_${plan}`;
  const subscriptionId = mockId('sub_mock_');
  for (let attempt = 0; attempt < 3; attempt++) {
    const { rows: seen } = await db.execute<{ version: string; active: boolean }>(sql`
      SELECT u.xmin::text AS version,
             EXISTS (SELECT 1 FROM subscriptions s WHERE s.user_id = u.id AND s.status IN ('active', 'trialing')) AS active
      FROM users u WHERE u.id = ${userId}`);
    if (!seen[0]) return { kind: 'user_gone' };
    if (seen[0].active) throw new Refused(ALREADY_SUBSCRIBED);
    const { rows } = await db.execute<{ created: number }>(sql`
      WITH u AS (
        UPDATE users SET plan = ${plan}::plantier,
          stripe_customer_id = COALESCE(stripe_customer_id, ${mockId('cus_mock_')}),
          updated_at = now()
        WHERE id = ${userId} AND xmin::text = ${seen[0].version}
        RETURNING id, plan
      ),
      ${watchLimitSql(sql`u`)},
      s AS (
        INSERT INTO subscriptions (user_id, stripe_subscription_id, stripe_price_id, plan, status,
                                   current_period_start, current_period_end, cancel_at_period_end)
        SELECT id, ${subscriptionId}, ${priceId}, ${plan}::plantier, 'active'::subscriptionstatus, now(), now() + interval '30 days', false FROM u
        RETURNING id
      )
      SELECT count(*)::int AS created FROM s`);
    if (rows[0].created === 1) return { kind: 'started', session: { checkout_url: successUrl(env), session_id: mockId('cs_mock_') } };
  }
  // Three lost races in a row: someone else keeps changing this account; let the client retry.
  throw new Conflict('The account changed during checkout. Please try again.');
}

export const CHECKOUT_IN_PROGRESS = 'A checkout for this account is already being started. Please try again in a moment.';

/** How long a live checkout may take (three Stripe calls with their retries) before its claim lapses. */
const CHECKOUT_CLAIM_MS = 120_000;

/**
 * Takes the user's checkout claim in one statement, together with the contract's
 * "no active subscription" check: the upsert applies only while no other checkout holds
 * an unexpired claim, so of concurrent checkouts exactly one goes on to Stripe. Returns
 * the Checkout Session the previous checkout opened, which must be expired first.
 */
async function claimCheckout(db: Db, userId: string, until: Date) {
  const { rows } = await db.execute<{ subscribed: boolean; claimed: boolean; previous: string | null }>(sql`
    WITH active AS (
      SELECT EXISTS (SELECT 1 FROM subscriptions WHERE user_id = ${userId} AND status IN ('active', 'trialing')) AS yes
    ), claim AS (
      INSERT INTO checkout_claims AS c (user_id, session_id, locked_until)
      SELECT ${userId}, NULL, ${until.toISOString()}::timestamptz FROM active WHERE NOT active.yes
      ON CONFLICT (user_id) DO UPDATE SET locked_until = EXCLUDED.locked_until
      WHERE c.locked_until < now()
      RETURNING c.session_id
    )
    SELECT (SELECT yes FROM active) AS subscribed, EXISTS (SELECT 1 FROM claim) AS claimed, (SELECT session_id FROM claim) AS previous`);
  const r = rows[0];
  if (r.subscribed) throw new Refused(ALREADY_SUBSCRIBED);
  if (!r.claimed) throw new Conflict(CHECKOUT_IN_PROGRESS);
  return r.previous;
}

/** Gives the claim up after a failure, so the user can try again at once (best effort: it lapses anyway). */
async function releaseClaim(db: Db, userId: string, until: Date) {
  await db
    .execute(sql`UPDATE checkout_claims SET locked_until = now() WHERE user_id = ${userId} AND locked_until = ${until.toISOString()}::timestamptz`)
    .catch((err) => log.warn('could not release checkout claim', { user_id: userId, error: describeError(err) }));
}

/**
 * Makes the previous checkout's session unpayable. Stripe refuses to expire a session
 * that is no longer open: a completed one means the user has just subscribed (the
 * webhook may not have arrived yet), an expired one is fine.
 */
async function expirePrevious(stripe: Stripe, sessionId: string) {
  try {
    await stripe.checkout.sessions.expire(sessionId);
  } catch (err) {
    const session = await stripe.checkout.sessions.retrieve(sessionId).catch(() => providerError(err, 'checkout.sessions.expire'));
    if (session.status === 'complete') throw new Refused(ALREADY_SUBSCRIBED);
    if (session.status !== 'expired') providerError(err, 'checkout.sessions.expire');
  }
}

/**
 * The user's Stripe customer, created once: the idempotency key makes a retried
 * creation return the same customer. The caller stores it (only if none is stored yet).
 */
async function ensureCustomer(stripe: Stripe, user: User): Promise<string> {
  if (user.stripeCustomerId) return user.stripeCustomerId;
  const customer = await stripe.customers
    .create(
      { email: user.email, metadata: { service: 'sourcepilot', user_id: user.id } },
      { idempotencyKey: `sourcepilot-customer-${user.id}` },
    )
    .catch((err) => providerError(err, 'customers.create'));
  return customer.id;
}

/**
 * A Stripe Checkout Session for the plan. At most one session per user is ever open:
 * the claim admits one checkout at a time (others get 409) and the previous session is
 * expired before a new one is created, so two paid subscriptions cannot come out of it.
 */
async function liveCheckout(db: Db, env: BillingEnv, auth: CheckoutAuth, plan: Tier): Promise<CheckoutResult> {
  let user = auth.user;
  stripeSecret(env, 'STRIPE_SECRET_KEY');
  const priceId = configuredPriceId(env, plan);
  if (!priceId) {
    log.error('stripe price id not configured', { plan });
    throw new NotConfigured(priceNotConfigured(plan));
  }
  const until = new Date(Date.now() + CHECKOUT_CLAIM_MS);
  const previous = await claimCheckout(db, user.id, until);
  // The claim carried the auth check (checkedWithFirstStatement): the whole user row is here now.
  user = await auth.loaded();

  const stripe = stripeClient(env);
  let session: Stripe.Checkout.Session;
  let customer: string;
  try {
    if (previous) await expirePrevious(stripe, previous);
    customer = await ensureCustomer(stripe, user);
    const metadata = { user_id: user.id, plan };
    const trialDays = PLANS[plan].trial_days;
    session = await stripe.checkout.sessions
      .create({
        mode: 'subscription',
        customer,
        client_reference_id: user.id,
        line_items: [{ price: priceId, quantity: 1 }],
        success_url: successUrl(env),
        cancel_url: cancelUrl(env),
        metadata,
        subscription_data: { metadata, ...(trialDays > 0 ? { trial_period_days: trialDays } : {}) },
      })
      .catch((err) => providerError(err, 'checkout.sessions.create'));
    if (!session.url) providerError(new Error('checkout session without url'), 'checkout.sessions.create');
  } catch (err) {
    await releaseClaim(db, user.id, until);
    throw err;
  }

  // Records the open session and frees the claim, only while the claim is still ours.
  const { rows } = await db.execute<{ stored: number }>(sql`
    WITH cus AS (
      UPDATE users SET stripe_customer_id = ${customer}, updated_at = now() WHERE id = ${user.id} AND stripe_customer_id IS NULL
    ), claim AS (
      UPDATE checkout_claims SET session_id = ${session.id}, locked_until = now()
      WHERE user_id = ${user.id} AND locked_until = ${until.toISOString()}::timestamptz
      RETURNING 1
    )
    SELECT count(*)::int AS stored FROM claim`);
  if (rows[0].stored === 0) {
    // The claim lapsed and another checkout took over: this session must not stay payable.
    await expirePrevious(stripe, session.id).catch((err) => log.warn('could not expire a superseded checkout session', { error: describeError(err) }));
    throw new Conflict(CHECKOUT_IN_PROGRESS);
  }
  return { kind: 'started', session: { checkout_url: session.url!, session_id: session.id } };
}

/** A checkout to send the merchant to, or `user_gone`: the user row vanished after authentication. */
export type CheckoutResult = { kind: 'started'; session: { checkout_url: string; session_id: string } } | { kind: 'user_gone' };

/** Checks in the contract's order, then a mock or a Stripe Checkout session. */
/**
 * The signed-in user as the auth middleware gives it: before the first statement only
 * `user.id` may be read; `loaded()` gives the whole row (free once a statement carried it).
 */
type CheckoutAuth = Pick<Auth, 'user' | 'loaded'>;

export async function startCheckout(db: Db, env: BillingEnv, auth: CheckoutAuth, plan: Tier): Promise<CheckoutResult> {
  if (plan === 'free') throw new InvalidInput(FREE_CHECKOUT);
  return isMockMode(env) ? mockCheckout(db, env, auth.user.id, plan) : liveCheckout(db, env, auth, plan);
}

/** Where "Manage billing" goes: the Stripe Billing Portal, or straight back in mock mode. */
export async function openPortal(env: BillingEnv, user: User) {
  if (!user.stripeCustomerId) throw new Refused(NO_BILLING_ACCOUNT);
  if (isMockMode(env)) return { portal_url: successUrl(env) };
  const session = await stripeClient(env)
    .billingPortal.sessions.create({ customer: user.stripeCustomerId, return_url: successUrl(env) })
    .catch((err) => providerError(err, 'billingPortal.sessions.create'));
  return { portal_url: session.url };
}

import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import Stripe from 'stripe';
import app from '../app';
import { stripeEvents, subscriptions, users } from '../db/schema';
import { freshIp, registerUser, withDb, type RawCallOptions } from './helpers';

const BASE = 'http://sourcepilot.test/api/v1';

/** The fake Stripe server's base URL (worker/test/fakes/stripe.ts). */
export const FAKE_STRIPE_URL = (env as unknown as { FAKE_STRIPE_URL: string }).FAKE_STRIPE_URL;

export const WEBHOOK_SECRET = 'whsec_test_sourcepilot';

/**
 * Calls the app directly with bindings that differ from the test defaults (which are
 * mock mode: BILLING_MODE=mock in wrangler.toml's top level), e.g. live Stripe keys pointed at the fake. Same result shape as rawCall().
 */
export async function callWith(overrides: Record<string, string>, path: string, opts: RawCallOptions = {}) {
  const headers: Record<string, string> = { 'CF-Connecting-IP': freshIp(), ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.apiKey) headers['X-API-Key'] = opts.apiKey;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['Content-Type'] ??= 'application/json';
  const request = new Request(`${BASE}${path}`, { method: opts.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const ctx = createExecutionContext();
  const res = await app.fetch(request, { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  let json: any = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
  }
  return { res, status: res.status, json, roundTrips: Number(res.headers.get('X-DB-Round-Trips') ?? NaN) };
}

/** Live-mode bindings with a secret key of its own, so the fake's state is per test. */
export function liveEnv(extra: Record<string, string> = {}) {
  return {
    BILLING_MODE: 'stripe',
    STRIPE_SECRET_KEY: `sk_test_${crypto.randomUUID().replace(/-/g, '')}`,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_BASE: FAKE_STRIPE_URL,
    STRIPE_PRO_PRICE_ID: 'price_pro_monthly',
    STRIPE_ENTERPRISE_PRICE_ID: 'price_enterprise_monthly',
    ...extra,
  };
}

export async function fakeStripe(apiKey: string, path: string, body?: unknown) {
  const res = await fetch(`${FAKE_STRIPE_URL}${path}${body === undefined ? `?api_key=${apiKey}` : ''}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify({ api_key: apiKey, ...body }),
  });
  return res.json() as Promise<any>;
}

export const uid = (prefix: string) => `${prefix}${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
export const epoch = (d: Date) => Math.floor(d.getTime() / 1000);
const DAY = 86_400;

export interface SubscriptionFields {
  id?: string;
  customer: string;
  status?: string;
  price?: string | null;
  /** Epoch seconds; defaults to now. */
  periodStart?: number;
  periodEnd?: number;
  trialStart?: number | null;
  trialEnd?: number | null;
  cancelAtPeriodEnd?: boolean;
  metadata?: Record<string, string>;
}

/**
 * A Subscription as Stripe sends it with API version 2026-10-28: the billing period sits
 * on each subscription item (no top-level current_period_*).
 */
export function stripeSubscription(f: SubscriptionFields) {
  const start = f.periodStart ?? epoch(new Date());
  const end = f.periodEnd ?? start + 30 * DAY;
  const id = f.id ?? uid('sub_');
  return {
    id,
    object: 'subscription',
    billing_cycle_anchor: start,
    cancel_at: null,
    cancel_at_period_end: f.cancelAtPeriodEnd ?? false,
    canceled_at: f.status === 'canceled' ? epoch(new Date()) : null,
    collection_method: 'charge_automatically',
    created: start,
    currency: 'usd',
    customer: f.customer,
    items: {
      object: 'list',
      data:
        f.price === null
          ? []
          : [
              {
                id: uid('si_'),
                object: 'subscription_item',
                current_period_start: start,
                current_period_end: end,
                price: { id: f.price ?? 'price_mock_pro', object: 'price', currency: 'usd', recurring: { interval: 'month', interval_count: 1 }, unit_amount: 2900 },
                quantity: 1,
                subscription: id,
              },
            ],
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    latest_invoice: uid('in_'),
    livemode: false,
    metadata: f.metadata ?? {},
    start_date: start,
    status: f.status ?? 'active',
    trial_end: f.trialEnd ?? null,
    trial_start: f.trialStart ?? null,
  };
}

/** A Stripe Event envelope around `object`. */
export function stripeEvent(type: string, object: unknown, created = epoch(new Date())) {
  return {
    id: uid('evt_'),
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

/**
 * A Stripe-Signature header for `payload`, as Stripe computes it. The async variant of
 * generateTestHeaderString: workerd has only WebCrypto, whose HMAC is asynchronous.
 */
export function signed(payload: string, secret = WEBHOOK_SECRET, timestamp?: number) {
  return Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, timestamp, cryptoProvider: Stripe.createSubtleCryptoProvider() });
}

/** A fresh user whose Stripe customer id is already stored (as after a first checkout). */
export async function customerUser(plan: 'free' | 'pro' | 'enterprise' = 'free') {
  const user = await registerUser('billing');
  const customer = uid('cus_');
  await withDb((db) => db.update(users).set({ stripeCustomerId: customer, plan }).where(eq(users.id, user.id)));
  return { ...user, customer };
}

export const userRow = async (id: string) => (await withDb((db) => db.select().from(users).where(eq(users.id, id))))[0];
export const subscriptionRows = (userId: string) => withDb((db) => db.select().from(subscriptions).where(eq(subscriptions.userId, userId)));
export const subscriptionRow = async (stripeId: string) =>
  (await withDb((db) => db.select().from(subscriptions).where(eq(subscriptions.stripeSubscriptionId, stripeId))))[0];
export const eventRows = (eventId: string) => withDb((db) => db.select().from(stripeEvents).where(eq(stripeEvents.id, eventId)));

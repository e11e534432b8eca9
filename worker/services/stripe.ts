import Stripe from 'stripe';
import { type Bindings, config } from '../env';
import { log } from '../lib/log';
import { NotConfigured } from '../shared/domain-errors';
import { TIERS, type Tier } from './plans';
import { boundedFetch } from '../lib/bounded-body';

export type StripeEnv = Pick<
  Bindings,
  'BILLING_MODE' | 'STRIPE_SECRET_KEY' | 'STRIPE_WEBHOOK_SECRET' | 'STRIPE_PRO_PRICE_ID' | 'STRIPE_ENTERPRISE_PRICE_ID' | 'STRIPE_API_BASE'
>;

export const BILLING_NOT_CONFIGURED = 'Billing is not configured. Please try again later.';
export const WEBHOOK_NOT_CONFIGURED = 'Stripe webhooks are not configured';

/**
 * Mock billing (subscriptions created locally, Stripe never called, unsigned webhooks
 * accepted) only where BILLING_MODE=mock says so: local development and tests. The
 * deploy check refuses it in staging and production.
 */
export const isMockMode = (env: Pick<Bindings, 'BILLING_MODE'>) => config(env).billingMode === 'mock';

/** A Stripe secret Stripe mode cannot work without: missing → 503 (logged), never mock mode. */
export function stripeSecret(env: Pick<Bindings, 'STRIPE_SECRET_KEY' | 'STRIPE_WEBHOOK_SECRET'>, name: 'STRIPE_SECRET_KEY' | 'STRIPE_WEBHOOK_SECRET'): string {
  const value = env[name]?.trim();
  if (value) return value;
  log.error('stripe secret not set; billing refused', { secret: name });
  throw new NotConfigured(name === 'STRIPE_SECRET_KEY' ? BILLING_NOT_CONFIGURED : WEBHOOK_NOT_CONFIGURED);
}

/** The configured Stripe price id of a paid tier, or null when unset. */
export function configuredPriceId(env: StripeEnv, tier: Tier): string | null {
  const id = tier === 'pro' ? env.STRIPE_PRO_PRICE_ID : tier === 'enterprise' ? env.STRIPE_ENTERPRISE_PRICE_ID : '';
  return id?.trim() || null;
}

/**
 * The tier a Stripe price id stands for, or null for a price this deployment does not
 * sell. Mock mode also knows its own `price_mock_<tier>` ids.
 */
export function tierForPrice(env: StripeEnv, priceId: string): Tier | null {
  for (const tier of TIERS) {
    if (tier === 'free') continue;
    if (configuredPriceId(env, tier) === priceId) return tier;
    if (isMockMode(env) && priceId === `price_mock_${tier}`) return tier;
  }
  return null;
}

/** The largest Stripe API answer read (one object or a short list). */
const STRIPE_MAX_BYTES = 1024 * 1024;

/**
 * A Stripe client for one request, on the fetch HTTP client (Workers have no Node http).
 * STRIPE_API_BASE (tests, local fakes) moves host, port and protocol; empty means api.stripe.com.
 */
export function stripeClient(env: StripeEnv): Stripe {
  const base = env.STRIPE_API_BASE?.trim();
  const target = base ? new URL(base) : null;
  return new Stripe(stripeSecret(env, 'STRIPE_SECRET_KEY'), {
    httpClient: Stripe.createFetchHttpClient(boundedFetch(STRIPE_MAX_BYTES)),
    maxNetworkRetries: 2,
    timeout: 15_000,
    telemetry: false,
    ...(target
      ? {
          host: target.hostname,
          port: target.port || (target.protocol === 'http:' ? '80' : '443'),
          protocol: target.protocol === 'http:' ? 'http' : 'https',
        }
      : {}),
  });
}

/** Verifies a webhook body against its Stripe-Signature header with WebCrypto; throws when it does not match. */
export function verifyWebhook(rawBody: string, signature: string, secret: string) {
  return Stripe.webhooks.constructEventAsync(rawBody, signature, secret, undefined, Stripe.createSubtleCryptoProvider());
}

export { Stripe };

import Stripe from 'stripe';
import type { Bindings } from '../env';
import { TIERS, type Tier } from './plans';
import { boundedFetch } from '../lib/bounded-body';

type StripeEnv = Pick<
  Bindings,
  'STRIPE_SECRET_KEY' | 'STRIPE_WEBHOOK_SECRET' | 'STRIPE_PRO_PRICE_ID' | 'STRIPE_ENTERPRISE_PRICE_ID' | 'STRIPE_API_BASE'
>;

/** Without a secret key billing runs in mock mode: subscriptions are created locally, Stripe is never called. */
export const isMockMode = (env: Pick<Bindings, 'STRIPE_SECRET_KEY'>) => !env.STRIPE_SECRET_KEY?.trim();

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
  return new Stripe(env.STRIPE_SECRET_KEY.trim(), {
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

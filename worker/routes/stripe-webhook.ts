import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { badRequest } from '../lib/errors';
import { describeError, log } from '../lib/log';
import { routeDocs } from '../lib/openapi';
import { withDb } from '../middleware/request';
import { handleStripeEvent } from '../services/stripe-events';
import { isMockMode, Stripe, verifyWebhook } from '../services/stripe';

const INVALID_SIGNATURE = 'Invalid webhook signature';
const INVALID_JSON = 'Invalid JSON payload';

const doc = routeDocs('webhooks');

/**
 * POST /webhooks/stripe. The signature is checked over the raw body whenever a webhook
 * secret is configured; unsigned events are accepted only in mock mode (no Stripe keys
 * at all). Once the body is parsed the answer is always 200, so Stripe stops retrying.
 * Mounted before the app's JSON check, so it takes its per-request pool here.
 */
export const stripeWebhookRoutes = new Hono<AppEnv>().post('/', doc({ summary: 'Stripe webhook (signed)', status: 200, errors: { 400: 'Invalid webhook signature or Invalid JSON payload' } }), withDb, async (c) => {
  const raw = await c.req.text();
  const secret = c.env.STRIPE_WEBHOOK_SECRET?.trim();
  let payload: unknown;
  if (secret) {
    try {
      payload = await verifyWebhook(raw, c.req.header('Stripe-Signature') ?? '', secret);
    } catch (err) {
      if (err instanceof Stripe.errors.StripeSignatureVerificationError) throw badRequest(INVALID_SIGNATURE);
      if (err instanceof SyntaxError) throw badRequest(INVALID_JSON);
      // Signed and parsed, but not a snapshot event (e.g. a v2 thin notification): nothing of ours.
      log.warn('stripe webhook not a snapshot event', { error: describeError(err) });
      return c.json({ status: 'ok' }, 200);
    }
  } else if (!isMockMode(c.env)) {
    // Live keys without a webhook secret: nothing can be verified, so nothing is trusted.
    log.error('STRIPE_WEBHOOK_SECRET is not set; stripe webhook refused');
    throw badRequest(INVALID_SIGNATURE);
  } else {
    try {
      payload = JSON.parse(raw);
    } catch {
      throw badRequest(INVALID_JSON);
    }
  }
  await handleStripeEvent(c.var.db, c.env, payload);
  return c.json({ status: 'ok' }, 200);
});

import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { badRequest } from '../lib/errors';
import { describeError, log } from '../lib/log';
import { routeDocs } from '../lib/openapi';
import { withDb } from '../middleware/request';
import { handleStripeEvent } from '../services/stripe-events';
import { isMockMode, Stripe, stripeSecret, verifyWebhook, WEBHOOK_NOT_CONFIGURED } from '../services/stripe';

const INVALID_SIGNATURE = 'Invalid webhook signature';
const INVALID_JSON = 'Invalid JSON payload';

const doc = routeDocs('webhooks');

/**
 * POST /webhooks/stripe. Stripe mode verifies every event's signature over the raw body
 * and answers 503 (logged) while STRIPE_WEBHOOK_SECRET is missing, so Stripe retries
 * once it is set; unsigned events are accepted only in mock mode without a webhook
 * secret. Once the body is parsed the answer is always 200, so Stripe stops retrying.
 * Mounted before the app's JSON check, so it takes its per-request pool here.
 */
export const stripeWebhookRoutes = new Hono<AppEnv>().post(
  '/',
  doc({ summary: 'Stripe webhook (signed)', status: 200, errors: { 400: 'Invalid webhook signature or Invalid JSON payload', 503: WEBHOOK_NOT_CONFIGURED } }),
  withDb,
  async (c) => {
    const raw = await c.req.text();
    const secret = isMockMode(c.env) ? c.env.STRIPE_WEBHOOK_SECRET?.trim() : stripeSecret(c.env, 'STRIPE_WEBHOOK_SECRET');
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
    } else {
      try {
        payload = JSON.parse(raw);
      } catch {
        throw badRequest(INVALID_JSON);
      }
    }
    await handleStripeEvent(c.var.db, c.env, payload);
    return c.json({ status: 'ok' }, 200);
  },
);

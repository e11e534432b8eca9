import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { ApiError } from '../lib/errors';
import { routeDocs } from '../lib/openapi';
import { withDb } from '../middleware/request';
import { handleCjWebhook, verifyCjWebhook } from '../services/cj-webhooks';

const doc = routeDocs('webhooks');

/**
 * POST /webhooks/cj: CJ's product, variant and stock webhooks (INTEGRATIONS §3e). The
 * `sign` header covers the raw body, so this is mounted before the app's JSON check and
 * takes its pool here. A verified change of a watched product queues that product's
 * price checks (PRICE_QUEUE) and answers at once: CJ wants 200 within 3 s.
 */
export const cjWebhookRoutes = new Hono<AppEnv>().post(
  '/',
  doc({
    summary: 'CJ Dropshipping webhook (signed with the account openId)',
    status: 200,
    description: 'PRODUCT / VARIANT / STOCK messages queue the price checks of the watched product; other types are answered 200 and ignored',
    errors: { 401: 'Invalid webhook signature' },
  }),
  withDb,
  async (c) => {
    const message = await verifyCjWebhook(await c.req.text(), c.req.header('sign'));
    if (!message) throw new ApiError(401, 'Invalid webhook signature');
    const queued = await handleCjWebhook(c.var.db, c.env.PRICE_QUEUE, message);
    return c.json({ status: 'ok', queued }, 200);
  },
);

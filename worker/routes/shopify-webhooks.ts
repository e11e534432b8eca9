import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { ApiError } from '../lib/errors';
import { routeDocs } from '../lib/openapi';
import { withDb } from '../middleware/request';
import { handleShopifyWebhook, verifyShopifyWebhook } from '../services/shopify-webhooks';

const INVALID_SIGNATURE = 'Invalid webhook signature';

const doc = routeDocs('webhooks');

/**
 * POST /webhooks/shopify (API.md §8.2). The HMAC covers the raw body, so this is
 * mounted before the app's JSON check and takes its per-request pool here. Shopify's
 * app review expects 401 for a bad signature, on the privacy topics too.
 */
export const shopifyWebhookRoutes = new Hono<AppEnv>().post(
  '/',
  doc({
    summary: 'Shopify webhook (signed with the app secret)',
    status: 200,
    description: '`app/uninstalled`, `shop/redact`, `customers/data_request`, `customers/redact`; a repeated delivery is answered 200 and ignored',
    errors: { 401: 'Invalid webhook signature' },
  }),
  withDb,
  async (c) => {
    const raw = await c.req.text();
    if (!(await verifyShopifyWebhook(c.env, raw, c.req.header('X-Shopify-Hmac-Sha256')))) throw new ApiError(401, INVALID_SIGNATURE);
    const outcome = await handleShopifyWebhook(c.var.db, c.env, {
      topic: c.req.header('X-Shopify-Topic') ?? '',
      shop: c.req.header('X-Shopify-Shop-Domain') ?? '',
      webhookId: c.req.header('X-Shopify-Webhook-Id') || null,
      eventId: c.req.header('X-Shopify-Event-Id') || null,
    });
    return c.json({ status: 'ok', outcome }, 200);
  },
);

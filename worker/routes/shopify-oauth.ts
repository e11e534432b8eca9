import { Hono } from 'hono';
import { z } from 'zod';
import { config, type AppEnv } from '../env';
import { routeDocs } from '../lib/openapi';
import { ApiError, invalid } from '../lib/errors';
import { storableString } from '../lib/safe-text';
import { validate } from '../lib/validate';
import { requireUser } from '../middleware/auth';
import { completeInstall, dashboardOrigin, shopOrigin, ShopifyAppNotConfigured, startInstall } from '../services/shopify-oauth';

const installBody = z.object({ shop: storableString().min(1).max(255) });

const SHOP_RULE = 'Enter the shop name (my-store), its my-store.myshopify.com address or https://my-store.myshopify.com';

/** Shopify's redirect comes back here; the app's configuration must allow this URL. */
const callbackUrl = (requestUrl: string) => `${new URL(requestUrl).origin}/api/v1/connections/shopify/callback`;

const doc = routeDocs('connections');

/** Shopify app install (API.md §8.1). Mounted before /connections, whose routes all need a user: the callback is public. */
export const shopifyOauthRoutes = new Hono<AppEnv>()
  .post(
    '/install',
    doc({ summary: 'Start installing the Shopify app on a shop', status: 200, description: '`{authorize_url}`: send the merchant there', errors: { 503: 'The Shopify app is not configured on this server' } }),
    requireUser, validate('json', installBody), async (c) => {
    const { shop } = c.req.valid('json');
    const origin = shopOrigin(shop, config(c.env).allowLocalStores);
    if (!origin) throw invalid(['body', 'shop'], 'value_error', SHOP_RULE, shop);
    try {
      return c.json({ authorize_url: await startInstall(c.var.db, c.env, c.var.auth.user.id, origin, callbackUrl(c.req.url)) }, 200);
    } catch (err) {
      if (err instanceof ShopifyAppNotConfigured) throw new ApiError(503, err.message);
      throw err;
    }
  })
  .get('/callback', doc({ summary: "Shopify's install redirect (public, signed by Shopify)", status: 302, description: 'Redirects to the dashboard with `connected=<conn_id>` or `error=<code>`' }), async (c) => {
    const result = await completeInstall(c.var.db, c.env, new URL(c.req.url).searchParams);
    const to = new URL('/connections', dashboardOrigin(c.env));
    to.searchParams.set(result.ok ? 'connected' : 'error', result.ok ? result.connectionId : result.error);
    return c.redirect(to.toString(), 302);
  });

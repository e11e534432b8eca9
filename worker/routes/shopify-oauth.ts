import { Hono } from 'hono';
import { z } from 'zod';
import { config, type AppEnv } from '../env';
import { routeDocs } from '../lib/openapi';
import { ApiError, invalid } from '../lib/errors';
import { storableString } from '../lib/safe-text';
import { validate } from '../lib/validate';
import { checkedWithFirstStatement, requireUser } from '../middleware/auth';
import { tokenPair } from '../lib/jwt';
import { attachPendingInstall, claimPendingInstall, completeInstall, dashboardOrigin, shopOrigin, ShopifyAppNotConfigured, startInstall, startLaunch } from '../services/shopify-oauth';
import { tokenPairSchema } from './serialize';

const installBody = z.object({ shop: storableString().min(1).max(255) });
const pendingParam = z.object({ code: z.string().regex(/^[0-9a-f]{48}$/, 'A one-time install code') });
const claimedSchema = tokenPairSchema.extend({ connection_id: z.uuid(), account_created: z.boolean() });
const attachedSchema = z.object({ connection_id: z.uuid() });

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
  .get('/callback', doc({ summary: "Shopify's install redirect (public, signed by Shopify)", status: 302, description: 'Redirects to `<dashboard>/connections` with `connected=<conn_id>` or `error=<code>`; an install that started in Shopify (`/launch`) goes to `<dashboard>/shopify/welcome?install=<one-time code>&shop=<host>` instead' }), async (c) => {
    const result = await completeInstall(c.var.db, c.env, new URL(c.req.url).searchParams);
    if (result.ok && 'pending' in result) {
      // Started in Shopify: the merchant picks an account on the welcome page.
      const to = new URL('/shopify/welcome', dashboardOrigin(c.env));
      to.searchParams.set('install', result.pending);
      to.searchParams.set('shop', new URL(result.shop).host);
      return c.redirect(to.toString(), 302);
    }
    const to = new URL('/connections', dashboardOrigin(c.env));
    to.searchParams.set(result.ok ? 'connected' : 'error', result.ok ? result.connectionId : result.error);
    return c.redirect(to.toString(), 302);
  })
  .get(
    '/launch',
    doc({
      summary: 'The app URL: an install that starts in Shopify (public, signed by Shopify)',
      status: 302,
      description:
        "Shopify opens it with `shop`, `host`, `timestamp` and `hmac`. Verified (HMAC in constant time, timestamp ≤ 10 minutes, a myshopify.com shop), it redirects at once to the shop's authorize screen with a state bound to no user; the callback then sends the merchant to `<dashboard>/shopify/welcome?install=<one-time code>&shop=<host>`. Refused: `302` to `<dashboard>/shopify/welcome?error=<code>`.",
    }),
    async (c) => {
      const result = await startLaunch(c.var.db, c.env, new URL(c.req.url).searchParams, callbackUrl(c.req.url));
      if (result.ok) return c.redirect(result.authorizeUrl, 302);
      const to = new URL('/shopify/welcome', dashboardOrigin(c.env));
      to.searchParams.set('error', result.error);
      return c.redirect(to.toString(), 302);
    },
  )
  .post(
    '/pending/:code/account',
    doc({
      summary: "Give an install from Shopify to the shop's own account and sign in (public: the one-time code is the proof)",
      status: 200,
      description: "A token pair for the shop's account (created on the shop's first install from Shopify, the same one after), with the connection. The code is single use and valid 10 minutes.",
      body: claimedSchema,
      errors: { 404: 'The install expired or was already used' },
    }),
    validate('param', pendingParam),
    async (c) => {
      const claimed = await claimPendingInstall(c.var.db, c.env.ENCRYPTION_KEY, c.req.valid('param').code);
      return c.json({ ...(await tokenPair(c.env.JWT_SECRET_KEY, claimed.userId)), connection_id: claimed.connectionId, account_created: claimed.created }, 200);
    },
  )
  .post(
    '/pending/:code/attach',
    doc({
      summary: 'Attach an install from Shopify to the signed-in account',
      status: 200,
      description: "The caller's connection for the shop, created or updated. The code is single use and valid 10 minutes.",
      body: attachedSchema,
      errors: { 404: 'The install expired or was already used' },
    }),
    checkedWithFirstStatement,
    requireUser,
    validate('param', pendingParam),
    async (c) => c.json({ connection_id: await attachPendingInstall(c.var.db, c.env.ENCRYPTION_KEY, c.req.valid('param').code, c.var.auth.user.id) }, 200),
  );

import { Hono } from 'hono';
import { z } from 'zod';
import { config, type AppEnv } from '../env';
import { routeDocs } from '../lib/openapi';
import { badRequest } from '../lib/errors';
import { storableString } from '../lib/safe-text';
import { validate } from '../lib/validate';
import { requireUser } from '../middleware/auth';
import { dashboardOrigin } from '../services/shopify-oauth';
import { completeWooAuthorization, startWooAuthorization } from '../services/woo-auth';

const authorizeBody = z.object({ store_url: storableString().min(1).max(500) });

/** WooCommerce's delivery (class-wc-auth.php): the key id, our opaque user_id and the keys. */
const callbackBody = z.object({
  key_id: z.union([z.number(), storableString().max(50)]).optional(),
  user_id: z.union([storableString().min(1).max(100), z.number()]).transform(String),
  consumer_key: storableString().min(1).max(200),
  consumer_secret: storableString().min(1).max(200),
  key_permissions: storableString().max(20).optional(),
});

const UNKNOWN_REQUEST = 'Unknown, used or expired authorization request';

const doc = routeDocs('connections');

/** WooCommerce app authorization (API.md §8.3). Mounted before /connections, whose routes all need a user: the callback is public. */
export const wooAuthRoutes = new Hono<AppEnv>()
  .post(
    '/authorize',
    doc({ summary: 'Start connecting a WooCommerce store through its approve screen', status: 200, description: '`{authorize_url}`: send the merchant there' }),
    requireUser,
    validate('json', authorizeBody),
    async (c) => {
      const { store_url } = c.req.valid('json');
      const origin = new URL(c.req.url).origin;
      const authorize_url = await startWooAuthorization(c.var.db, config(c.env).allowLocalStores, c.var.auth.user.id, store_url, {
        callbackUrl: `${origin}/api/v1/connections/woocommerce/callback`,
        returnUrl: `${dashboardOrigin(c.env)}/connections`,
      });
      return c.json({ authorize_url }, 200);
    },
  )
  .post(
    '/callback',
    doc({ summary: "WooCommerce's key delivery (public; the user_id is the single-use value of /authorize)", status: 200, errors: { 400: UNKNOWN_REQUEST } }),
    validate('json', callbackBody),
    async (c) => {
      const result = await completeWooAuthorization(c.var.db, c.env.ENCRYPTION_KEY, c.req.valid('json'));
      if (!result.ok) throw badRequest(result.reason === 'bad_keys' ? 'The delivered keys are not read/write WooCommerce REST keys' : UNKNOWN_REQUEST);
      return c.json({ status: 'ok' as const }, 200);
    },
  );

import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { ApiError } from '../lib/errors';
import { validate } from '../lib/validate';
import { routeDocs } from '../lib/openapi';
import { checkedWithFirstStatement, requireJwt, requireUser, USER_GONE } from '../middleware/auth';
import { billingOverview, currentSubscription, listPlans, openPortal, startCheckout } from '../services/billing';
import { TIERS } from '../services/plans';
import { planListSchema, subscriptionSchema } from './serialize';

const checkoutBody = z.object({ plan: z.enum(TIERS) });

const doc = routeDocs('billing');

export const billingRoutes = new Hono<AppEnv>()
  .get('/plans', doc({ summary: 'Plans and their limits', status: 200, body: planListSchema }), (c) => c.json(listPlans(), 200))
  .post(
    '/checkout',
    doc({
      summary: 'Start a Stripe Checkout for a plan',
      status: 201,
      errors: { 409: 'Another checkout for this account is being started', 503: 'Billing is not configured' },
    }),
    checkedWithFirstStatement,
    requireJwt,
    validate('json', checkoutBody),
    async (c) => {
      const r = await startCheckout(c.var.db, c.env, c.var.auth, c.req.valid('json').plan);
      if (r.kind === 'user_gone') throw new ApiError(401, USER_GONE);
      return c.json(r.session, 201);
    },
  )
  .post('/portal', doc({ summary: 'Open the Stripe billing portal', status: 200, errors: { 503: 'Billing is not configured' } }), requireJwt, async (c) =>
    c.json(await openPortal(c.env, c.var.auth.user), 200),
  )
  .get('/current', doc({ summary: 'The current subscription', status: 200, body: subscriptionSchema }), requireUser, async (c) =>
    c.json(await currentSubscription(c.var.db, c.var.auth.user.id), 200),
  )
  .get('/overview', doc({ summary: 'Plan, subscription and usage in one answer', status: 200 }), requireUser, async (c) =>
    c.json(await billingOverview(c.var.db, c.var.auth.user), 200),
  );

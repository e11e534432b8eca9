import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { ApiError } from '../lib/errors';
import { validate } from '../lib/validate';
import { requireJwt, requireUser, USER_GONE } from '../middleware/auth';
import { billingOverview, currentSubscription, listPlans, openPortal, startCheckout } from '../services/billing';
import { TIERS } from '../services/plans';

const checkoutBody = z.object({ plan: z.enum(TIERS) });

export const billingRoutes = new Hono<AppEnv>()
  .get('/plans', (c) => c.json(listPlans(), 200))
  .post('/checkout', requireJwt, validate('json', checkoutBody), async (c) => {
    const r = await startCheckout(c.var.db, c.env, c.var.auth.user, c.req.valid('json').plan);
    if (r.kind === 'user_gone') throw new ApiError(401, USER_GONE);
    return c.json(r.session, 201);
  })
  .post('/portal', requireJwt, async (c) => c.json(await openPortal(c.env, c.var.auth.user), 200))
  .get('/current', requireUser, async (c) => c.json(await currentSubscription(c.var.db, c.var.auth.user.id), 200))
  .get('/overview', requireUser, async (c) => c.json(await billingOverview(c.var.db, c.var.auth.user), 200));

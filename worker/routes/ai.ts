import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { validate } from '../lib/validate';
import { routeDocs } from '../lib/openapi';
import { requireUser } from '../middleware/auth';
import { limitPerUser } from '../middleware/rate-limit';
import { scoreSupplier, sourcingSuggestions } from '../services/ai';

const scoreBody = z.object({ supplier_url: z.string().min(1).max(2000) });

const doc = routeDocs('ai');
const AI_ERRORS = {
  429: "Over the per-minute limit or the plan's daily AI allowance; Retry-After says when to try again",
  502: 'The AI gateway failed or answered unreadably',
  503: 'AI gateway not configured',
};

export const aiRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .use(limitPerUser('AI_LIMITER'))
  .get('/suggestions', doc({ summary: 'AI sourcing ideas', status: 200, errors: AI_ERRORS }), async (c) =>
    // A metered GET: the allowance's statement needs the plan, so the user loads first.
    c.json(await sourcingSuggestions(c.env, c.var.db, await c.var.auth.loaded()), 200),
  )
  .post('/score-supplier', doc({ summary: 'AI score of a supplier', status: 200, errors: AI_ERRORS }), validate('json', scoreBody), async (c) =>
    c.json(await scoreSupplier(c.env, c.var.db, c.var.auth.user, c.req.valid('json').supplier_url), 200),
  );

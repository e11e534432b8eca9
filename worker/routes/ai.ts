import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { validate } from '../lib/validate';
import { requireUser } from '../middleware/auth';
import { scoreSupplier, sourcingSuggestions } from '../services/ai';

const scoreBody = z.object({ supplier_url: z.string().min(1).max(2000) });

export const aiRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .get('/suggestions', async (c) => c.json(await sourcingSuggestions(c.env, c.var.db, c.var.auth.user.id), 200))
  .post('/score-supplier', validate('json', scoreBody), async (c) =>
    c.json(await scoreSupplier(c.env, c.var.auth.user.id, c.req.valid('json').supplier_url), 200),
  );

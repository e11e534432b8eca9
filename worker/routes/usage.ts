import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { requireUser } from '../middleware/auth';
import { getUsage } from '../services/usage';

export const usageRoutes = new Hono<AppEnv>().get('/', requireUser, async (c) => {
  const { user } = c.var.auth;
  return c.json(await getUsage(c.var.db, user.id, user.plan), 200);
});

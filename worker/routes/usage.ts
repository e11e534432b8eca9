import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { routeDocs } from '../lib/openapi';
import { requireUser } from '../middleware/auth';
import { getUsage } from '../services/usage';
import { usageSchema } from './serialize';

const doc = routeDocs('usage');

export const usageRoutes = new Hono<AppEnv>().get(
  '/',
  doc({ summary: "This billing month's usage against the plan", status: 200, body: usageSchema }),
  requireUser,
  async (c) => {
    return c.json(await getUsage(c.var.db, c.var.auth.user), 200);
  },
);

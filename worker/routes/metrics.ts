import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { validate } from '../lib/validate';
import { routeDocs } from '../lib/openapi';
import { requireUser } from '../middleware/auth';
import { requireServiceKey } from '../middleware/service-key';
import { adminMetrics, merchantStats, parseWindow } from '../services/metrics';
import { merchantStatsSchema } from './serialize';

/** `?from=&to=`: ISO dates or timestamps; both optional (default: the last 30 days). */
const windowQuery = z.object({ from: z.string().max(64).optional(), to: z.string().max(64).optional() });

const adminDoc = routeDocs('admin');
const statsDoc = routeDocs('stats');

/** Key metrics: the operator's across all users, and each merchant's own. Mounted at the API root. */
export const metricsRoutes = new Hono<AppEnv>()
  .get(
    '/admin/metrics',
    adminDoc({ summary: 'Platform key metrics (service key)', status: 200 }),
    requireServiceKey('Admin metrics require the platform service key'),
    validate('query', windowQuery),
    async (c) => c.json(await adminMetrics(c.var.db, parseWindow(c.req.valid('query'))), 200),
  )
  .get(
    '/stats',
    statsDoc({ summary: "The merchant's own key figures", status: 200, body: merchantStatsSchema }),
    requireUser,
    validate('query', windowQuery),
    async (c) => c.json(await merchantStats(c.var.db, c.var.auth.user.id, parseWindow(c.req.valid('query'))), 200),
  );

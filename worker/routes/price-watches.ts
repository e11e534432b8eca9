import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { ApiError, badRequest, notFound } from '../lib/errors';
import { validate } from '../lib/validate';
import { routeDocs } from '../lib/openapi';
import { checkedWithFirstStatement, requireUser } from '../middleware/auth';
import { limitPerUser } from '../middleware/rate-limit';
import { advanceDemoPrice, demoControlsEnabled } from '../services/demo-prices';
import { loadUserWatch, priceCheckDeps, syncUserWatches } from '../services/price-check';
import {
  createWatch,
  deleteWatch,
  importForWatch,
  listWatches,
  REPRICE_NEEDS_PRODUCT,
  updateWatch,
  watchHistory,
  watchLimitDetail,
  watchOut,
  watchTarget,
  WATCH_NOT_FOUND,
  type WatchTarget,
} from '../services/price-watch';
import { catalogueFor, supplierSourceOf } from '../shared/sources';
import { priceWatchListSchema, priceWatchSchema } from './serialize';

const threshold = z.number().min(0).max(999.99);

const createBody = z
  .object({
    // Required unless the watch comes from an import (which supplies both).
    product_url: z.string().max(2000).optional(),
    source: z.string().max(50).optional(),
    threshold_percent: threshold.default(10),
    connection_id: z.uuid().nullish(),
    import_job_id: z.uuid().nullish(),
    auto_reprice: z.boolean().default(false),
  })
  .superRefine((b, ctx) => {
    if (b.import_job_id) return;
    for (const field of ['product_url', 'source'] as const) {
      if (b[field] === undefined) ctx.addIssue({ code: 'invalid_type', expected: 'string', path: [field], input: undefined, message: 'Field required' });
    }
  });

const updateBody = z.object({
  threshold_percent: threshold.nullish(),
  is_active: z.boolean().nullish(),
  auto_reprice: z.boolean().nullish(),
});

const listQuery = z.object({ connection_id: z.uuid().optional() });
const historyQuery = z.object({ limit: z.coerce.number().int().min(1).max(5000).default(500) });
const watchParam = z.object({ watch_id: z.uuid() });

const doc = routeDocs('price-watches');

export const priceWatchRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .post(
    '/',
    doc({
      summary: 'Watch a supplier price (from a URL or a completed import)',
      status: 201,
      body: priceWatchSchema,
      errors: { 400: 'Unwatchable import or auto-reprice without a store product', 403: 'Price watch limit reached for the plan', 404: 'Import job not found' },
    }),
    validate('json', createBody),
    async (c) => {
      const body = c.req.valid('json');
      const { db, auth } = c.var;
      let target: WatchTarget;
      let productUrl: string | null;
      let storeId = body.connection_id ?? null;
      if (body.import_job_id) {
        const job = await importForWatch(db, auth.user.id, body.import_job_id);
        if (!job) throw notFound('Import job not found');
        if (job.source === 'manual') throw badRequest('A manual import has no supplier price to watch');
        if (job.status !== 'completed') throw badRequest(`Only a completed import can be watched; this one is ${job.status}`);
        productUrl = job.source_url;
        target = job.source_product_id
          ? { source: job.source, sourceProductId: job.source_product_id, lastError: null }
          : watchTarget(job.source_url ?? '', job.source);
        storeId = job.store_id ?? storeId;
      } else {
        productUrl = body.product_url!;
        target = watchTarget(productUrl, body.source!);
      }
      const r = await createWatch(db, auth.user, {
        productUrl,
        target,
        storeId,
        thresholdPercent: body.threshold_percent,
        autoReprice: body.auto_reprice,
        importJobId: body.import_job_id ?? null,
      });
      if (r.kind === 'no_store_product') throw badRequest(REPRICE_NEEDS_PRODUCT);
      if (r.kind === 'limit') throw new ApiError(403, watchLimitDetail(auth.user.plan));
      return c.json(watchOut(r.watch), 201);
    },
  )
  .get('/', doc({ summary: 'List price watches with recent prices', status: 200, body: priceWatchListSchema }), validate('query', listQuery), async (c) => {
    return c.json(await listWatches(c.var.db, c.var.auth.user.id, c.req.valid('query').connection_id), 200);
  })
  .post('/sync', doc({ summary: "Check the caller's price watches now", status: 200 }), checkedWithFirstStatement, limitPerUser('SYNC_LIMITER'), async (c) => {
    return c.json(await syncUserWatches(c.env, c.var.db, priceCheckDeps(c.env), c.var.auth.user.id), 200);
  })
  .put(
    '/:watch_id',
    doc({
      summary: 'Change threshold, pause or auto-reprice',
      status: 200,
      body: priceWatchSchema,
      errors: { 403: 'Price watch limit reached for the plan (re-activating)', 404: 'Price watch not found' },
    }),
    validate('param', watchParam),
    validate('json', updateBody),
    async (c) => {
      const body = c.req.valid('json');
      const { db, auth } = c.var;
      const r = await updateWatch(db, auth.user, c.req.valid('param').watch_id, {
        thresholdPercent: body.threshold_percent,
        isActive: body.is_active,
        autoReprice: body.auto_reprice,
      });
      if (r.kind === 'not_found') throw notFound(WATCH_NOT_FOUND);
      if (r.kind === 'no_store_product') throw badRequest(REPRICE_NEEDS_PRODUCT);
      if (r.kind === 'limit') throw new ApiError(403, watchLimitDetail(auth.user.plan));
      return c.json(watchOut(r.watch), 200);
    },
  )
  .delete(
    '/:watch_id',
    doc({ summary: 'Delete a price watch', status: 204, errors: { 404: 'Price watch not found' } }),
    validate('param', watchParam),
    async (c) => {
      if (!(await deleteWatch(c.var.db, c.var.auth.user.id, c.req.valid('param').watch_id))) throw notFound(WATCH_NOT_FOUND);
      return c.body(null, 204);
    },
  )
  .get(
    '/:watch_id/history',
    doc({ summary: 'Price history of a watch', status: 200, errors: { 404: 'Price watch not found' } }),
    validate('param', watchParam),
    validate('query', historyQuery),
    async (c) => {
      const items = await watchHistory(c.var.db, c.var.auth.user.id, c.req.valid('param').watch_id, c.req.valid('query').limit);
      if (!items) throw notFound(WATCH_NOT_FOUND);
      return c.json({ items }, 200);
    },
  )
  // Dev-only (DEMO_CATALOGUE and ALLOW_LOCAL_STORES on): moves a demo product to its next price window.
  .post(
    '/:watch_id/demo-advance',
    doc({ summary: 'Move a demo product to its next price (local development only)', status: 200 }),
    validate('param', watchParam),
    async (c) => {
      if (!demoControlsEnabled(c.env)) throw new ApiError(404, 'Not Found');
      const w = await loadUserWatch(c.var.db, c.var.auth.user.id, c.req.valid('param').watch_id);
      if (!w) throw notFound(WATCH_NOT_FOUND);
      const source = supplierSourceOf(w.source);
      if (!source || !w.source_product_id) throw badRequest("This watch can't be checked, so it has no demo price");
      if (catalogueFor(source, { hasAccount: w.live, demoOn: true }) === 'live') throw badRequest('This watch is checked against your supplier account, not the demo catalogue');
      const shift = await advanceDemoPrice(c.env, source, w.source_product_id);
      return c.json({ source, source_product_id: w.source_product_id, shift }, 200);
    },
  );

import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { ApiError, badRequest, notFound } from '../lib/errors';
import { validate } from '../lib/validate';
import { routeDocs } from '../lib/openapi';
import { checkedWithFirstStatement, requireUser } from '../middleware/auth';
import { limitPerUser } from '../middleware/rate-limit';
import {
  JOB_STATUSES,
  cancelImport,
  createImports,
  enqueueJobs,
  getImport,
  importHistoryOf,
  importLimitDetail,
  jobOut,
  listImports,
  overLimit,
  retryImport,
  type CreateResult,
} from '../services/imports';
import { manualProductSchema } from '../services/manual-product';
import { pricingRuleSchema } from '../shared/pricing';
import { canonicalSource, invalidSourceDetail } from '../shared/sources';
import { importJobListSchema, importJobSchema } from './serialize';

/** Free-form config, stored as sent; the pricing keys and a manual product must be valid. */
const config = z
  .record(z.string(), z.unknown())
  .and(
    pricingRuleSchema.partial().extend({
      product: manualProductSchema.optional(),
      review: z.boolean().optional().meta({ description: 'Keep the product in the import list for review instead of pushing it (default: the account setting)' }),
    }),
  )
  .nullish();

const single = z.object({
  product_url: z.string().min(1).max(2000),
  source: z.string().max(50),
  store_id: z.uuid().nullish(),
  config,
});
const bulk = z.object({
  product_urls: z.array(z.string().min(1).max(2000)).min(1).max(50),
  source: z.string().max(50),
  store_id: z.uuid().nullish(),
  config,
});
const listQuery = z.object({
  skip: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  store_id: z.uuid().optional(),
  status: z.enum(JOB_STATUSES).optional(),
});
const jobParam = z.object({ job_id: z.uuid() });

type Body = z.infer<typeof single> | z.infer<typeof bulk>;

function checkManual(source: string, cfg: Body['config']) {
  if (source === 'manual' && !cfg?.product) {
    throw new ApiError(400, 'A manual import needs the product in config.product (title, price, images, variants)');
  }
}

const doc = routeDocs('imports');

export const importRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .post(
    '/',
    doc({
      summary: 'Import a product (queued)',
      status: 201,
      body: importJobSchema,
      errors: { 400: 'Invalid source, or a manual import without config.product', 403: 'Import limit reached for the plan', 404: 'Store connection not found' },
    }),
    checkedWithFirstStatement,
    limitPerUser('IMPORT_LIMITER'),
    validate('json', single),
    async (c) => {
      const body = c.req.valid('json');
      const result = await admit(c, body, [body.product_url], {});
      return c.json(jobOut(result.jobs[0]), 201);
    },
  )
  .post(
    '/bulk',
    doc({
      summary: 'Import up to 50 products (queued)',
      status: 201,
      body: z.array(importJobSchema),
      errors: { 400: 'Invalid source, or a manual import without config.product', 403: 'Import limit reached for the plan (count + batch)', 404: 'Store connection not found' },
    }),
    checkedWithFirstStatement,
    limitPerUser('IMPORT_LIMITER'),
    validate('json', bulk),
    async (c) => {
      const body = c.req.valid('json');
      const result = await admit(c, body, body.product_urls, { bulk: true });
      return c.json(result.jobs.map(jobOut), 201);
    },
  )
  .get(
    '/',
    doc({ summary: 'List import jobs, newest first', status: 200, body: importJobListSchema }),
    validate('query', listQuery),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await listImports(c.var.db, c.var.auth.user.id, { skip: q.skip, limit: q.limit, storeId: q.store_id, status: q.status }), 200);
    },
  )
  .get(
    '/:job_id',
    doc({ summary: 'One import job', status: 200, body: importJobSchema, errors: { 404: 'Import job not found' } }),
    validate('param', jobParam),
    async (c) => {
      const job = await getImport(c.var.db, c.var.auth.user.id, c.req.valid('param').job_id);
      if (!job) throw notFound('Import job not found');
      return c.json(jobOut(job), 200);
    },
  )
  .get(
    '/:job_id/history',
    doc({ summary: "An import job's history, oldest first", status: 200, errors: { 404: 'Import job not found' } }),
    validate('param', jobParam),
    async (c) => {
      const items = await importHistoryOf(c.var.db, c.var.auth.user.id, c.req.valid('param').job_id);
      if (!items) throw notFound('Import job not found');
      return c.json({ items }, 200);
    },
  )
  .post(
    '/:job_id/cancel',
    doc({
      summary: 'Cancel a pending or running import',
      status: 200,
      body: importJobSchema,
      errors: { 400: 'Only pending or running jobs can be cancelled', 404: 'Import job not found' },
    }),
    checkedWithFirstStatement,
    validate('param', jobParam),
    async (c) => {
      const r = await cancelImport(c.var.db, c.var.auth.user.id, c.req.valid('param').job_id);
      if (r.kind === 'not_found') throw notFound('Import job not found');
      if (r.kind === 'refused')
        throw badRequest(`Cannot cancel job in '${r.status}' status. Only pending or running jobs can be cancelled.`);
      return c.json(jobOut(r.job), 200);
    },
  )
  .post(
    '/:job_id/retry',
    doc({
      summary: 'Retry a failed or cancelled import',
      status: 200,
      body: importJobSchema,
      errors: { 400: 'Only failed or cancelled jobs can be retried', 404: 'Import job not found' },
    }),
    checkedWithFirstStatement,
    limitPerUser('IMPORT_LIMITER'),
    validate('param', jobParam),
    async (c) => {
      const r = await retryImport(c.var.db, c.var.auth.user.id, c.req.valid('param').job_id);
      if (r.kind === 'not_found') throw notFound('Import job not found');
      if (r.kind === 'refused')
        throw badRequest(`Cannot retry job in '${r.status}' status. Only failed or cancelled jobs can be retried.`);
      await enqueueJobs(c.env.IMPORT_QUEUE, [r.job.id]);
      return c.json(jobOut(r.job), 200);
    },
  );

/**
 * The checks of API.md §2.3 in the contract's order (plan limit, then source, then the
 * store), then one atomic insert and one enqueue for the whole batch.
 */
async function admit(
  c: { var: AppEnv['Variables']; env: AppEnv['Bindings'] },
  body: Body,
  urls: string[],
  historyDetails: Record<string, unknown>,
): Promise<Extract<CreateResult, { kind: 'created' }>> {
  const { db, auth } = c.var;
  const source = canonicalSource(body.source);
  if (!source) {
    const user = await auth.loaded();
    if (await overLimit(db, user, urls.length)) throw new ApiError(403, importLimitDetail(user.plan));
    throw badRequest(invalidSourceDetail(body.source));
  }
  checkManual(source, body.config);
  const result = await createImports(db, auth.user, {
    urls,
    source,
    storeId: body.store_id ?? null,
    config: body.config ?? null,
    reviewByDefault: true,
    historyDetails,
  });
  if (result.kind === 'limit') throw new ApiError(403, importLimitDetail(result.plan));
  if (result.kind === 'store_not_found') throw notFound('Store connection not found');
  if (result.kind !== 'created') throw new Error(`unexpected import admission result ${result.kind}`);
  await enqueueJobs(c.env.IMPORT_QUEUE, result.jobs.map((j) => j.id));
  return result;
}


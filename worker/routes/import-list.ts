import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { ApiError, notFound } from '../lib/errors';
import { routeDocs } from '../lib/openapi';
import { validate } from '../lib/validate';
import { checkedWithFirstStatement, requireUser } from '../middleware/auth';
import { limitPerUser } from '../middleware/rate-limit';
import { enqueueJobs, jobOut } from '../services/imports';
import { deleteItem, getItem, listItems, pushItems, repriceItems, setReviewDefault, updateItem, type PushResult } from '../services/import-list';
import { MAX_BULK_ITEMS } from '../shared/import-list';
import { pricingRuleSchema } from '../shared/pricing';
import { IMPORT_SOURCES } from '../shared/sources';
import { importJobSchema, importListConflictSchema, importListItemSchema, importListSchema, importListSettingsSchema, repricePreviewSchema } from './serialize';

/** API.md §8.5. Thin: validation here, the rules in services/import-list.ts and shared/import-list.ts. */

const text = (max: number) => z.string().max(max);
const boolQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

const listQuery = z.object({
  skip: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  store_id: z.uuid().optional(),
  source: z.enum(IMPORT_SOURCES).optional(),
  pushed: boolQuery.optional(),
  supplier_changed: boolQuery.optional().meta({ description: 'Items whose supplier data changed since they were made' }),
  q: z.string().trim().min(1).max(255).optional().meta({ description: 'Search in titles' }),
});
const itemParam = z.object({ item_id: z.uuid() });
const price = z.number().min(0).max(1_000_000);

const edits = z
  .object({
    version: z.number().int().min(1),
    title: text(255).optional(),
    description_html: text(100_000).optional(),
    tags: z.array(z.string().min(1).max(255)).max(250).optional(),
    product_type: text(255).nullable().optional(),
    vendor: text(255).nullable().optional(),
    images: z.array(z.string().min(1).max(2000)).max(50).optional(),
    variants: z
      .array(z.object({ key: z.string().min(1).max(255), selected: z.boolean().optional(), price: price.nullable().optional(), compare_at: price.nullable().optional() }))
      .max(2048)
      .optional(),
    rename_options: z
      .array(z.object({ name: z.string().min(1).max(255), new_name: z.string().min(1).max(255).optional(), values: z.record(z.string().max(255), z.string().min(1).max(255)).optional() }))
      .max(10)
      .optional(),
    drop_options: z.array(z.object({ name: z.string().min(1).max(255), keep_value: z.string().max(255).nullable().optional() })).max(10).optional(),
    store_id: z.uuid().nullable().optional(),
    pricing: pricingRuleSchema.optional(),
  })
  .strict();

const pushOne = z.object({ store_id: z.uuid().nullable().optional() });
const pushMany = z.object({ item_ids: z.array(z.uuid()).min(1).max(MAX_BULK_ITEMS), store_id: z.uuid().nullable().optional() });
const reprice = z.object({ item_ids: z.array(z.uuid()).min(1).max(MAX_BULK_ITEMS), rule: pricingRuleSchema, dry_run: z.boolean().default(true) });
const settings = z.object({ review_by_default: z.boolean() });

const doc = routeDocs('import-list');

function pushed(r: PushResult) {
  if (r.kind === 'not_found') throw notFound('Import list item not found');
  if (r.kind === 'store_not_found') throw notFound('Store connection not found');
  if (r.kind === 'busy') throw new ApiError(409, 'An item is already being pushed; wait for it to finish');
  return r.jobs;
}

export const importListRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .get('/', doc({ summary: 'The import list, newest first', status: 200, body: importListSchema }), validate('query', listQuery), async (c) => {
    const q = c.req.valid('query');
    return c.json(
      await listItems(c.var.db, c.var.auth.user.id, { skip: q.skip, limit: q.limit, storeId: q.store_id, source: q.source, pushed: q.pushed, supplierChanged: q.supplier_changed, q: q.q }),
      200,
    );
  })
  .get('/settings', doc({ summary: 'Import list settings of the account', status: 200, body: importListSettingsSchema }), async (c) =>
    // No statement of its own: the user row comes from the auth check, sent alone (one round trip).
    c.json({ review_by_default: (await c.var.auth.loaded()).importReview }, 200),
  )
  .put(
    '/settings',
    doc({ summary: 'Set whether imports land in the import list by default', status: 200, body: importListSettingsSchema }),
    validate('json', settings),
    async (c) => c.json(await setReviewDefault(c.var.db, c.var.auth.user.id, c.req.valid('json').review_by_default), 200),
  )
  .post(
    '/push',
    doc({
      summary: `Push up to ${MAX_BULK_ITEMS} items to a store (queued)`,
      status: 202,
      body: z.array(importJobSchema),
      description: 'The import jobs that carry the pushes (one per item, the item’s own job re-run)',
      errors: { 404: 'An item or the store connection was not found', 409: 'An item is already being pushed' },
    }),
    checkedWithFirstStatement,
    limitPerUser('IMPORT_LIMITER'),
    validate('json', pushMany),
    async (c) => {
      const body = c.req.valid('json');
      const jobs = pushed(await pushItems(c.var.db, c.var.auth.user.id, body.item_ids, body.store_id ?? null));
      await enqueueJobs(c.env.IMPORT_QUEUE, jobs.map((j) => j.id));
      return c.json(jobs.map(jobOut), 202);
    },
  )
  .post(
    '/reprice',
    doc({
      summary: 'Re-apply a pricing rule to items (preview with dry_run)',
      status: 200,
      body: repricePreviewSchema,
      description: 'Per variant: old price → new price and margin. Nothing is written when `dry_run` is true (the default).',
    }),
    checkedWithFirstStatement,
    validate('json', reprice),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(await repriceItems(c.var.db, c.var.auth.user.id, body.item_ids, body.rule, body.dry_run), 200);
    },
  )
  .get('/:item_id', doc({ summary: 'One import list item', status: 200, body: importListItemSchema, errors: { 404: 'Import list item not found' } }), validate('param', itemParam), async (c) =>
    c.json(await getItem(c.var.db, c.var.auth.user.id, c.req.valid('param').item_id), 200),
  )
  .put(
    '/:item_id',
    doc({
      summary: 'Edit an import list item',
      status: 200,
      body: importListItemSchema,
      description: 'The edited item (version + 1). A stale `version` answers 409 `{"detail", "current": ImportListItem}`.',
      errors: { 404: 'Import list item or store connection not found', 409: 'The item changed since it was read; `current` is the item now' },
    }),
    checkedWithFirstStatement,
    validate('param', itemParam),
    validate('json', edits),
    async (c) => {
      const r = await updateItem(c.var.db, c.var.auth.user.id, c.req.valid('param').item_id, c.req.valid('json'));
      if (r.kind === 'conflict') {
        const body: z.infer<typeof importListConflictSchema> = { detail: 'This item was changed elsewhere. Review the current version and apply your edit again.', current: r.item };
        return c.json(body, 409);
      }
      return c.json(r.item, 200);
    },
  )
  .delete('/:item_id', doc({ summary: 'Remove an item from the import list', status: 204, errors: { 404: 'Import list item not found' } }), validate('param', itemParam), async (c) => {
    await deleteItem(c.var.db, c.var.auth.user.id, c.req.valid('param').item_id);
    return c.body(null, 204);
  })
  .post(
    '/:item_id/push',
    doc({
      summary: 'Push one item to a store (queued)',
      status: 202,
      body: importJobSchema,
      errors: { 404: 'Import list item or store connection not found', 409: 'The item is already being pushed' },
    }),
    checkedWithFirstStatement,
    limitPerUser('IMPORT_LIMITER'),
    validate('param', itemParam),
    validate('json', pushOne),
    async (c) => {
      const jobs = pushed(await pushItems(c.var.db, c.var.auth.user.id, [c.req.valid('param').item_id], c.req.valid('json').store_id ?? null));
      await enqueueJobs(c.env.IMPORT_QUEUE, jobs.map((j) => j.id));
      return c.json(jobOut(jobs[0]), 202);
    },
  );

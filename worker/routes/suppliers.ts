import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { badRequest, notFound } from '../lib/errors';
import { storable, storableString as text } from '../lib/safe-text';
import { validate } from '../lib/validate';
import { routeDocs } from '../lib/openapi';
import { requireUser } from '../middleware/auth';
import {
  createSupplierAccount,
  deleteSupplierAccount,
  duplicateAccountDetail,
  listSupplierAccounts,
  supplierAccountOut,
  updateSupplierAccount,
} from '../services/suppliers';
import { cjPointsToday } from '../services/cj-points';
import { enableCjWebhooks } from '../services/cj-webhooks';
import { cjPointsUsageSchema, cjWebhookSyncSchema, supplierAccountListSchema, supplierAccountSchema } from './serialize';

const NOT_FOUND = 'Supplier account not found';

/** Credential values are secrets of any printable kind; nested objects are not credentials. */
const credentials = z.record(text().max(100), z.union([text().max(4000), z.number(), z.boolean(), z.null()])).refine((c) => Object.keys(c).length <= 50, {
  message: 'At most 50 credential fields',
});

/** Non-secret adapter options; the known ones are checked, others are kept as sent. */
const settings = z
  .object({
    ship_to_country: text().regex(/^[A-Z]{2}$/, 'Use a two-letter country code such as US').optional(),
    /** CJ: the warehouse (inventory country) to restrict products to; absent = every warehouse. */
    warehouse_country: text().regex(/^[A-Z]{2}$/, 'Use a two-letter country code such as CN or US').nullish(),
    target_currency: text().regex(/^[A-Z]{3}$/, 'Use a three-letter currency code such as USD').optional(),
    target_language: text().regex(/^[a-z]{2}(_[A-Z]{2})?$/, 'Use a language code such as en or en_US').optional(),
  })
  .catchall(z.union([text().max(500), z.number(), z.boolean(), z.null()]))
  .refine((s) => Object.keys(s).length <= 30 && Object.keys(s).every(storable), { message: 'At most 30 settings, with plain-text names' });

const createBody = z.object({
  name: text().min(1).max(255),
  platform: text().min(1).max(100),
  credentials: credentials.nullish(),
  settings: settings.nullish(),
});

const updateBody = z.object({
  name: text().min(1).max(255).nullish(),
  platform: text().min(1).max(100).nullish(),
  credentials: credentials.nullish(),
  settings: settings.nullish(),
  is_active: z.boolean().nullish(),
});

const idParam = z.object({ account_id: z.uuid() });

const doc = routeDocs('suppliers');

export const supplierAccountRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .get('/', doc({ summary: 'List supplier accounts (credentials masked)', status: 200, body: supplierAccountListSchema }), async (c) => {
    const rows = await listSupplierAccounts(c.var.db, c.var.auth.user.id);
    return c.json({ items: rows.map(supplierAccountOut) }, 200);
  })
  .get('/points-usage', doc({ summary: "Today's CJ points spent on price checks, per CJ account", status: 200, body: cjPointsUsageSchema }), async (c) => {
    return c.json({ items: await cjPointsToday(c.var.db, c.var.auth.user.id, new Date()) }, 200);
  })
  .post(
    '/',
    doc({
      summary: 'Add a supplier account',
      status: 201,
      body: supplierAccountSchema,
      errors: { 400: 'An account with this name and platform already exists' },
    }),
    validate('json', createBody),
    async (c) => {
      const body = c.req.valid('json');
      const row = await createSupplierAccount(c.var.db, c.env.ENCRYPTION_KEY, c.var.auth.user.id, body);
      if (!row) throw badRequest(duplicateAccountDetail(body.name, body.platform));
      return c.json(supplierAccountOut(row), 201);
    },
  )
  .post(
    '/:account_id/cj-webhooks',
    doc({
      summary: "Turn on CJ's product and stock webhooks for a CJ account and subscribe its watched products",
      status: 200,
      body: cjWebhookSyncSchema,
      errors: { 400: 'Not an active CJ account with an API key', 404: 'Supplier account not found' },
    }),
    validate('param', idParam),
    async (c) => {
      const callbackUrl = `${new URL(c.req.url).origin}/api/v1/webhooks/cj`;
      return c.json(await enableCjWebhooks(c.env, c.var.db, c.var.auth.user.id, c.req.valid('param').account_id, callbackUrl), 200);
    },
  )
  .put(
    '/:account_id',
    doc({
      summary: 'Change a supplier account',
      status: 200,
      body: supplierAccountSchema,
      errors: { 400: 'An account with this name and platform already exists', 404: 'Supplier account not found' },
    }),
    validate('param', idParam),
    validate('json', updateBody),
    async (c) => {
      const outcome = await updateSupplierAccount(c.var.db, c.env.ENCRYPTION_KEY, c.var.auth.user.id, c.req.valid('param').account_id, c.req.valid('json'));
      if (outcome.kind === 'not_found') throw notFound(NOT_FOUND);
      if (outcome.kind === 'duplicate') throw badRequest(outcome.detail);
      return c.json(supplierAccountOut(outcome.row), 200);
    },
  )
  .delete(
    '/:account_id',
    doc({ summary: 'Delete a supplier account', status: 204, errors: { 404: 'Supplier account not found' } }),
    validate('param', idParam),
    async (c) => {
      if (!(await deleteSupplierAccount(c.var.db, c.var.auth.user.id, c.req.valid('param').account_id))) throw notFound(NOT_FOUND);
      return c.body(null, 204);
    },
  );

import { Hono } from 'hono';
import { z } from 'zod';
import { config, type AppEnv } from '../env';
import { notFound } from '../lib/errors';
import { storableString } from '../lib/safe-text';
import { validate } from '../lib/validate';
import { routeDocs } from '../lib/openapi';
import { checkedWithFirstStatement, requireUser } from '../middleware/auth';
import { limitPerUser } from '../middleware/rate-limit';
import {
  connectionOut,
  createConnection,
  deleteConnection,
  listConnections,
  setDefaultConnection,
  testConnection,
  updateConnection,
  type StoreRules,
} from '../services/connections';
import { connectionListSchema, connectionSchema } from './serialize';

const NOT_FOUND = 'Store connection not found';

const text = storableString;

const createBody = z.object({
  store_name: text().min(1).max(255),
  platform: text().min(1).max(50),
  store_url: text().min(1).max(500),
  api_key: text().max(500).nullish(),
  /** A merchant's own Shopify Dev Dashboard app, instead of api_key (API.md §8.1). */
  client_id: text().max(255).nullish(),
  client_secret: text().max(500).nullish(),
});

const updateBody = z.object({
  store_name: text().min(1).max(255).nullish(),
  store_url: text().max(500).nullish(),
  api_key: text().max(500).nullish(),
  is_default: z.boolean().nullish(),
});

const idParam = z.object({ conn_id: z.uuid() });

const rules = (env: AppEnv['Bindings']): StoreRules => ({ ENCRYPTION_KEY: env.ENCRYPTION_KEY, allowLocal: config(env).allowLocalStores });

const doc = routeDocs('connections');

export const connectionRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .get('/', doc({ summary: 'List store connections', status: 200, body: connectionListSchema }), async (c) => {
    const rows = await listConnections(c.var.db, c.var.auth.user.id);
    return c.json({ items: rows.map((r) => connectionOut(r, config(c.env).demoStoreOrigin)) }, 200);
  })
  .post(
    '/',
    doc({ summary: 'Connect a store', status: 201, body: connectionSchema, errors: { 409: 'Store URL already connected', 502: 'Shopify did not answer the token request' } }),
    validate('json', createBody),
    async (c) => {
      const body = c.req.valid('json');
      const row = await createConnection(c.var.db, rules(c.env), c.var.auth.user.id, body);
      return c.json(connectionOut(row, config(c.env).demoStoreOrigin), 201);
    },
  )
  .put(
    '/:conn_id',
    doc({
      summary: 'Change a store connection',
      status: 200,
      body: connectionSchema,
      errors: { 404: 'Store connection not found', 409: 'Store URL already connected' },
    }),
    validate('param', idParam),
    validate('json', updateBody),
    async (c) => {
      const row = await updateConnection(c.var.db, rules(c.env), c.var.auth.user.id, c.req.valid('param').conn_id, c.req.valid('json'));
      if (!row) throw notFound(NOT_FOUND);
      return c.json(connectionOut(row, config(c.env).demoStoreOrigin), 200);
    },
  )
  .delete(
    '/:conn_id',
    doc({ summary: 'Disconnect a store', status: 204, errors: { 404: 'Store connection not found' } }),
    validate('param', idParam),
    async (c) => {
      if (!(await deleteConnection(c.var.db, c.var.auth.user.id, c.req.valid('param').conn_id))) throw notFound(NOT_FOUND);
      return c.body(null, 204);
    },
  )
  .post(
    '/:conn_id/default',
    doc({ summary: 'Make a store the default import target', status: 200, errors: { 404: 'Store connection not found' } }),
    validate('param', idParam),
    async (c) => {
      if (!(await setDefaultConnection(c.var.db, rules(c.env), c.var.auth.user.id, c.req.valid('param').conn_id))) throw notFound(NOT_FOUND);
      return c.json({ status: 'ok' as const }, 200);
    },
  )
  .post(
    '/:conn_id/test',
    doc({ summary: "Check a connection's credentials against the store", status: 200, errors: { 404: 'Store connection not found' } }),
    checkedWithFirstStatement,
    limitPerUser('CONNECTION_TEST_LIMITER'),
    validate('param', idParam),
    async (c) => {
      const result = await testConnection(c.var.db, c.env, c.var.auth.user.id, c.req.valid('param').conn_id);
      if (!result) throw notFound(NOT_FOUND);
      return c.json(result, 200);
    },
  );

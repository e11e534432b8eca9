import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { ApiError, notFound } from '../lib/errors';
import { validate } from '../lib/validate';
import { routeDocs } from '../lib/openapi';
import { requireJwt } from '../middleware/auth';
import { createApiKey, listApiKeys, revokeApiKey } from '../services/api-keys';
import { API_ACCESS_DENIED, PLANS } from '../services/plans';
import { apiKeyListSchema, createdApiKeySchema } from './serialize';

const createBody = z.object({
  name: z.string().min(1).max(255),
  // `admin` is reserved: users may request read and write only.
  scopes: z.array(z.enum(['read', 'write'])).min(1).max(2).default(['read']),
});
const idParam = z.object({ key_id: z.uuid() });

const doc = routeDocs('api-keys');

export const apiKeyRoutes = new Hono<AppEnv>()
  .use(requireJwt)
  .post(
    '/',
    doc({
      summary: 'Create an API key (the raw key is shown once)',
      status: 201,
      body: createdApiKeySchema,
      errors: { 403: 'API access requires the Pro or Enterprise plan' },
    }),
    validate('json', createBody),
    async (c) => {
      const { user } = c.var.auth;
      if (!PLANS[user.plan].api_access) throw new ApiError(403, API_ACCESS_DENIED);
      const { name, scopes } = c.req.valid('json');
      return c.json(await createApiKey(c.var.db, user.id, name, [...new Set(scopes)]), 201);
    },
  )
  .get('/', doc({ summary: 'List API keys', status: 200, body: apiKeyListSchema }), async (c) => c.json(await listApiKeys(c.var.db, c.var.auth.user.id), 200))
  .delete('/:key_id', doc({ summary: 'Revoke an API key', status: 204, errors: { 404: 'API key not found' } }), validate('param', idParam), async (c) => {
    if (!(await revokeApiKey(c.var.db, c.var.auth.user.id, c.req.valid('param').key_id))) throw notFound('API key not found');
    return c.body(null, 204);
  });

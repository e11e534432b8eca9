import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { validate } from '../lib/validate';
import { routeDocs } from '../lib/openapi';
import { checkedWithFirstStatement, requireUser } from '../middleware/auth';
import { limitPerUser } from '../middleware/rate-limit';
import { previewProduct, searchProducts } from '../services/products';
import { parseSource } from '../shared/sources';

const searchQuery = z.object({
  // A blank query is as empty as no query.
  q: z.string().trim().min(1).max(500),
  // Any other value is the contract's 400 (parseSource), not a 422.
  source: z.string().default('aliexpress'),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(20),
});

const previewBody = z.object({ url: z.string().min(1).max(2000) });

const doc = routeDocs('products');
const LIMITED = 'Daily supplier call limit reached (Retry-After: seconds to 00:00 UTC)';
const SUPPLIER_FAILED = 'The supplier failed or timed out';

export const productRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .use(limitPerUser('CATALOGUE_LIMITER'))
  .get(
    '/search',
    doc({
      summary: 'Search a supplier catalogue',
      status: 200,
      errors: { 400: 'Invalid source, or no supplier account while the demo catalogue is off', 429: LIMITED, 502: SUPPLIER_FAILED },
    }),
    validate('query', searchQuery),
    async (c) => {
      const { q, source, page, page_size } = c.req.valid('query');
      const body = await searchProducts(c.env, c.var.db, c.var.auth.user.id, { q, source: parseSource(source), page, pageSize: page_size });
      return c.json(body, 200);
    },
  )
  .post(
    '/preview',
    doc({
      summary: 'Preview a supplier product from its URL',
      status: 200,
      errors: {
        400: 'Not an http(s) URL, an unsupported supplier URL or no product id in it',
        404: 'The supplier has no such product',
        429: LIMITED,
        502: SUPPLIER_FAILED,
      },
    }),
    checkedWithFirstStatement,
    validate('json', previewBody),
    async (c) => {
      return c.json(await previewProduct(c.env, c.var.db, c.var.auth.user.id, c.req.valid('json').url), 200);
    },
  );

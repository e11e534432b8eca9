import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { ApiError } from '../lib/errors';
import { describeMiddleware, errorResponses } from '../lib/openapi';
import { safeEqual } from '../lib/encoding';

/**
 * Routes only the Dropshipping Platform may call: `X-Service-Key` must equal the
 * PLATFORM_SERVICE_KEY secret (constant-time compare). With no secret configured the
 * route is off. A user's JWT or API key never qualifies, so anything else is a 403
 * with `detail` (checked before any validator, like authentication).
 */
export const requireServiceKey = (detail: string) =>
  describeMiddleware(
    createMiddleware<AppEnv>(async (c, next) => {
      const expected = c.env.PLATFORM_SERVICE_KEY;
      const given = c.req.header('X-Service-Key');
      if (!expected || !given || !safeEqual(given, expected)) throw new ApiError(403, detail);
      await next();
    }),
    { security: [{ serviceKey: [] }], responses: errorResponses({ 403: detail }) },
  );

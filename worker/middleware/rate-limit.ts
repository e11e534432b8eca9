import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { describeMiddleware, errorResponses } from '../lib/openapi';
import { clientIp, rateLimit } from '../lib/rate-limit';

/** Per-user limiters (wrangler.toml `[[ratelimits]]`, the same in every environment). */
export type UserLimiter = 'IMPORT_LIMITER' | 'CATALOGUE_LIMITER' | 'SYNC_LIMITER' | 'CONNECTION_TEST_LIMITER' | 'AI_LIMITER';

/**
 * Counts the request against the user's own budget on `limiter` and against the
 * client address's budget on API_IP_LIMITER (many accounts behind one address share
 * that one). Runs after authentication, before validation, so malformed requests count
 * too. Over either limit: 429 with Retry-After.
 */
export const limitPerUser = (limiter: UserLimiter) =>
  describeMiddleware(
    createMiddleware<AppEnv>(async (c, next) => {
      await rateLimit(c.env[limiter], `user:${c.var.auth.user.id}`);
      await rateLimit(c.env.API_IP_LIMITER, `ip:${clientIp(c.req)}`);
      await next();
    }),
    { responses: errorResponses({ 429: 'Too many requests; the Retry-After header says when to try again' }) },
  );

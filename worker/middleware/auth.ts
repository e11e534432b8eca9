import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { ApiError } from '../lib/errors';
import { describeMiddleware, errorResponses } from '../lib/openapi';
import { userFromApiKey, userFromToken } from '../services/auth';
import { API_ACCESS_DENIED, PLANS } from '../services/plans';

const WWW_AUTH = { 'WWW-Authenticate': 'Bearer' };

/** A valid token whose user no longer exists (or was deactivated). */
export const USER_GONE = 'User not found or inactive';

function bearerToken(header: string | undefined): string | null {
  const m = /^bearer\s+(.*)$/i.exec(header ?? '');
  const token = m?.[1].trim();
  return token ? token : null;
}

/** JWT access token only; X-API-Key is ignored (auth, api-keys and checkout routes). */
export const requireJwt = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearerToken(c.req.header('Authorization'));
  if (!token) throw new ApiError(401, 'Not authenticated', WWW_AUTH);
  const found = await userFromToken(c.var.db, c.env.JWT_SECRET_KEY, token, 'access');
  if (!found.ok) {
    const detail = { invalid: 'Invalid or expired token', no_sub: 'Invalid token payload', no_user: USER_GONE }[found.reason];
    throw new ApiError(401, detail, WWW_AUTH);
  }
  c.set('auth', { user: found.user, via: 'jwt', scopes: [] });
  await next();
});

/**
 * A JWT access token, else an X-API-Key. Keys work only on plans with API access
 * and only within their scopes: `read` for GET/HEAD, `write` for everything else.
 */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearerToken(c.req.header('Authorization'));
  if (token) {
    const found = await userFromToken(c.var.db, c.env.JWT_SECRET_KEY, token, 'access');
    if (found.ok) {
      c.set('auth', { user: found.user, via: 'jwt', scopes: [] });
      return next();
    }
  }
  const rawKey = c.req.header('X-API-Key');
  const keyed = rawKey ? await userFromApiKey(c.var.db, rawKey) : null;
  if (!keyed) throw new ApiError(401, 'Not authenticated. Provide a Bearer token or X-API-Key.', WWW_AUTH);
  if (!PLANS[keyed.user.plan].api_access) throw new ApiError(403, API_ACCESS_DENIED);
  const needed = c.req.method === 'GET' || c.req.method === 'HEAD' ? 'read' : 'write';
  if (!keyed.scopes.includes(needed)) throw new ApiError(403, `API key lacks the '${needed}' scope`);
  c.set('auth', { user: keyed.user, via: 'api_key', scopes: keyed.scopes });
  await next();
});

// What GET /openapi.json says about every route behind these two (security and answers).
describeMiddleware(requireJwt, {
  security: [{ bearerAuth: [] }],
  responses: errorResponses({ 401: 'Not authenticated, or the token is invalid or expired' }),
});
describeMiddleware(requireUser, {
  security: [{ bearerAuth: [] }, { apiKeyAuth: [] }],
  responses: errorResponses({
    401: 'Not authenticated: neither a valid bearer token nor a valid X-API-Key',
    403: "The API key's plan has no API access, or the key lacks the scope the method needs",
  }),
});

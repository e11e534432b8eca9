import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv, User } from '../env';
import { ApiError } from '../lib/errors';
import { describeMiddleware, errorResponses } from '../lib/openapi';
import { ACTIVE_USER_PRELUDE, NO_ACTIVE_USER_CODE, subjectOfToken, userFromApiKey, userFromJson, userFromToken } from '../services/auth';
import { API_ACCESS_DENIED, PLANS } from '../services/plans';

const WWW_AUTH = { 'WWW-Authenticate': 'Bearer' };

/** A valid token whose user no longer exists (or was deactivated). */
export const USER_GONE = 'User not found or inactive';
const NOT_AUTHENTICATED = 'Not authenticated. Provide a Bearer token or X-API-Key.';

function bearerToken(header: string | undefined): string | null {
  const m = /^bearer\s+(.*)$/i.exec(header ?? '');
  const token = m?.[1].trim();
  return token ? token : null;
}

/**
 * The user of a verified token, read lazily (issue 18): `id` is the token's subject; the
 * other fields arrive with the request's first statement. Reading one earlier is a
 * programming error, reported as such rather than answered with a wrong value.
 */
function deferredUser(id: string, current: () => User | undefined): User {
  return new Proxy({ id } as User, {
    get(target, prop) {
      if (prop === 'id') return id;
      const user = current();
      if (user) return Reflect.get(user, prop);
      if (typeof prop === 'symbol' || prop === 'then' || prop === 'toJSON') return Reflect.get(target, prop);
      throw new Error(`auth.user.${prop} was read before the user row arrived: await c.var.auth.loaded() first (middleware/auth.ts)`);
    },
    has: (target, prop) => prop in (current() ?? target),
    ownKeys: (target) => Reflect.ownKeys(current() ?? target),
    getOwnPropertyDescriptor: (target, prop) => {
      const d = Reflect.getOwnPropertyDescriptor(current() ?? target, prop);
      return d && { ...d, configurable: true };
    },
  });
}

/**
 * Authenticates a verified bearer token without a round trip of its own: the active-user
 * check becomes the prelude of the request's database (RequestDb.prelude), sent in the
 * same HTTP transaction as the route's first statement. If the user is gone the prelude
 * raises, the transaction rolls back (nothing the route sent with it takes effect), every
 * statement rejects with the 401 and the route's answer is replaced by it. A route that
 * sends no statement gets the check alone after it ran, before its answer leaves.
 *
 * Writes (anything but GET/HEAD) load the user before the route runs: they read the plan
 * for their limits up front, and their side effects outside the database (queue
 * messages, store and supplier calls) must never run for a user who is gone. That costs
 * the write its one extra round trip (budget: 2).
 */
async function withTokenUser(c: Context<AppEnv>, userId: string, gone: () => ApiError, next: () => Promise<void>) {
  const rdb = c.var.requestDb;
  let user: User | undefined;
  const row = rdb.prelude({
    text: ACTIVE_USER_PRELUDE,
    params: [userId],
    failedHere: (err) => (err as { code?: string } | null)?.code === NO_ACTIVE_USER_CODE,
    failure: gone,
  });
  row.then(
    (rows) => {
      user = userFromJson(rows[0]!.user as Record<string, unknown>);
    },
    () => undefined,
  );
  const loaded = async () => {
    await rdb.settle();
    // settle() resolved the prelude's promise; its continuation may not have run yet.
    return user ?? userFromJson((await row)[0]!.user as Record<string, unknown>);
  };
  c.set('auth', { user: deferredUser(userId, () => user), loaded, via: 'jwt', scopes: [] });
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') await loaded();
  await next();
  // Throws the 401 when the check failed (whatever the route answered) or fails now.
  await rdb.settle();
}

function loadedAuth(user: User, via: 'jwt' | 'api_key', scopes: string[]) {
  return { user, loaded: async () => user, via, scopes };
}

/** JWT access token only; X-API-Key is ignored (auth, api-keys and checkout routes). */
export const requireJwt = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearerToken(c.req.header('Authorization'));
  if (!token) throw new ApiError(401, 'Not authenticated', WWW_AUTH);
  const subject = await subjectOfToken(c.env.JWT_SECRET_KEY, token, 'access');
  if (!subject.ok) {
    const detail = { invalid: 'Invalid or expired token', no_sub: 'Invalid token payload', no_user: USER_GONE }[subject.reason];
    throw new ApiError(401, detail, WWW_AUTH);
  }
  await withTokenUser(c, subject.userId, () => new ApiError(401, USER_GONE, WWW_AUTH), next);
});

/**
 * A JWT access token, else an X-API-Key. Keys work only on plans with API access
 * and only within their scopes: `read` for GET/HEAD, `write` for everything else.
 * An API key costs its own round trip (one statement resolves, stamps and counts it):
 * the user's id, which every route's statement is keyed by, is only known after it.
 */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearerToken(c.req.header('Authorization'));
  const rawKey = c.req.header('X-API-Key');
  if (token) {
    const subject = await subjectOfToken(c.env.JWT_SECRET_KEY, token, 'access');
    if (subject.ok && !rawKey) {
      return withTokenUser(c, subject.userId, () => new ApiError(401, NOT_AUTHENTICATED, WWW_AUTH), next);
    }
    if (subject.ok) {
      // Both headers: the token's user if active, else the key (as before issue 18).
      const found = await userFromToken(c.var.db, c.env.JWT_SECRET_KEY, token, 'access');
      if (found.ok) {
        c.set('auth', loadedAuth(found.user, 'jwt', []));
        return next();
      }
    }
  }
  const keyed = rawKey ? await userFromApiKey(c.var.db, rawKey) : null;
  if (!keyed) throw new ApiError(401, NOT_AUTHENTICATED, WWW_AUTH);
  if (!PLANS[keyed.user.plan].api_access) throw new ApiError(403, API_ACCESS_DENIED);
  const needed = c.req.method === 'GET' || c.req.method === 'HEAD' ? 'read' : 'write';
  if (!keyed.scopes.includes(needed)) throw new ApiError(403, `API key lacks the '${needed}' scope`);
  c.set('auth', loadedAuth(keyed.user, 'api_key', keyed.scopes));
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

import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import type { AppEnv, Auth, User } from '../env';
import { ApiError } from '../lib/errors';
import { describeMiddleware, errorResponses } from '../lib/openapi';
import type { PreludeSpec } from '../db/client';
import { sha256Hex } from '../lib/encoding';
import { forgetOwner, knownOwner, rememberOwner } from '../services/api-key-owners';
import {
  ACTIVE_USER_PRELUDE,
  API_KEY_PRELUDE,
  API_KEY_USED,
  API_PLANS,
  KEY_REFUSED_CODE,
  NO_ACTIVE_USER_CODE,
  subjectOfToken,
  userFromJson,
  userFromToken,
} from '../services/auth';
import { API_ACCESS_DENIED } from '../services/plans';

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

const isRead = (c: Context<AppEnv>) => c.req.method === 'GET' || c.req.method === 'HEAD';

/**
 * Marks a write whose credential check may ride with its first statement, as every read's
 * does, instead of costing a round trip of its own before the route: the route's first
 * action is a database statement, it reads no field of the user but `id` before that
 * statement (a later one awaits `loaded()`) and calls nothing outside the database before
 * it, so nothing happens for a user who is gone or a key that is refused: the statement
 * and everything batched with it roll back with the 401/403. Placed in the route's own
 * chain (`.post(path, doc(...), checkedWithFirstStatement, ...)`); the auth middlewares
 * find it among the request's matched handlers. `worker/test/write-check.test.ts` proves
 * each marked route keeps that promise.
 */
export const checkedWithFirstStatement = createMiddleware<AppEnv>(async (_c, next) => next());

const checksWithFirstStatement = (c: Context<AppEnv>) => matchedRoutes(c).some((r) => r.handler === checkedWithFirstStatement);

const pgCode = (err: unknown) => (err as { code?: string } | null)?.code;

/**
 * Authenticates a request without a round trip of its own: the check of its credential
 * (`spec`) becomes the prelude of the request's database (RequestDb.prelude), sent in the
 * same HTTP transaction as the route's first statement. If the check fails it raises, the
 * transaction rolls back (nothing the route sent with it takes effect), every statement
 * rejects with the check's error and the route's answer is replaced by it. A route that
 * sends no statement gets the check alone after it ran, before its answer leaves.
 *
 * `userId` is who the credential says it is (a token's subject, a key's cached owner);
 * null when unknown, and then the check is sent alone first (one round trip) since every
 * statement of the route is keyed by the user's id.
 *
 * Writes (anything but GET/HEAD) load the user before the route runs: they read the plan
 * for their limits up front, and their side effects outside the database (queue
 * messages, store and supplier calls) must never run for a user who is gone or a key that
 * is refused. That costs the write its one extra round trip (budget: 2). A write marked
 * `checkedWithFirstStatement` (above) is checked like a read.
 */
async function withPrelude(
  c: Context<AppEnv>,
  userId: string | null,
  via: Auth['via'],
  spec: PreludeSpec,
  userOf: (row: Record<string, unknown>) => User,
  next: () => Promise<void>,
): Promise<User | undefined> {
  const rdb = c.var.requestDb;
  let user: User | undefined;
  const row = rdb.prelude(spec).then((rows) => (user = userOf(rows[0]!)));
  row.catch(() => undefined);
  const loaded = async () => {
    await rdb.settle();
    // settle() resolved the prelude's promise; its continuation may not have run yet.
    return user ?? (await row);
  };
  const id = userId ?? (await loaded()).id;
  c.set('auth', { user: deferredUser(id, () => user), loaded, via });
  if (!isRead(c) && !checksWithFirstStatement(c)) await loaded();
  await next();
  // Throws the check's error when it failed (whatever the route answered) or fails now;
  // sends the check's record if no statement carried it.
  await rdb.finish();
  return user;
}

function tokenCheck(userId: string, gone: () => ApiError): PreludeSpec {
  return {
    text: ACTIVE_USER_PRELUDE,
    params: [userId],
    failedHere: (err) => pgCode(err) === NO_ACTIVE_USER_CODE,
    failure: gone,
  };
}

const tokenUser = (row: Record<string, unknown>) => userFromJson(row.user as Record<string, unknown>);

/** JWT access token only; X-API-Key is ignored (auth, api-keys and checkout routes). */
export const requireJwt = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearerToken(c.req.header('Authorization'));
  if (!token) throw new ApiError(401, 'Not authenticated', WWW_AUTH);
  const subject = await subjectOfToken(c.env.JWT_SECRET_KEY, token, 'access');
  if (!subject.ok) {
    const detail = { invalid: 'Invalid or expired token', no_sub: 'Invalid token payload', no_user: USER_GONE }[subject.reason];
    throw new ApiError(401, detail, WWW_AUTH);
  }
  await withPrelude(c, subject.userId, 'jwt', tokenCheck(subject.userId, () => new ApiError(401, USER_GONE, WWW_AUTH)), tokenUser, next);
});

/**
 * An X-API-Key: its owner is looked up at the edge (services/api-key-owners.ts) so the
 * key's check (API_KEY_PRELUDE: valid, active, plan with API access, the method's scope;
 * stamped and counted) rides with the route's first statement like a token's. A key not
 * known at the edge yet is checked alone first, and its owner remembered.
 */
async function withApiKey(c: Context<AppEnv>, rawKey: string, next: () => Promise<void>) {
  const hash = await sha256Hex(rawKey);
  const owner = await knownOwner(c.env.AUTH_CACHE, hash);
  const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
  const spec: PreludeSpec = {
    text: API_KEY_PRELUDE,
    params: [hash, owner, isRead(c) ? 'read' : 'write', API_PLANS],
    record: { text: API_KEY_USED, params: [hash] },
    failedHere: (err) => pgCode(err) === NO_ACTIVE_USER_CODE || pgCode(err) === KEY_REFUSED_CODE,
    failure: (err) => {
      if (pgCode(err) === NO_ACTIVE_USER_CODE) {
        // Revoked, expired, its user gone, or (never by itself) a wrong cached owner.
        if (owner) forgetOwner(c.env.AUTH_CACHE, hash, waitUntil);
        return new ApiError(401, NOT_AUTHENTICATED, WWW_AUTH);
      }
      if ((err as Error).message === 'plan') return new ApiError(403, API_ACCESS_DENIED);
      return new ApiError(403, `API key lacks the '${isRead(c) ? 'read' : 'write'}' scope`);
    },
  };
  const keyUser = (row: Record<string, unknown>) => tokenUser(row.key as Record<string, unknown>);
  const user = await withPrelude(c, owner, 'api_key', spec, keyUser, next);
  if (!owner && user) rememberOwner(c.env.AUTH_CACHE, hash, user.id, waitUntil);
}

/**
 * A JWT access token, else an X-API-Key. Keys work only on plans with API access
 * and only within their scopes: `read` for GET/HEAD, `write` for everything else.
 */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearerToken(c.req.header('Authorization'));
  const rawKey = c.req.header('X-API-Key');
  if (token) {
    const subject = await subjectOfToken(c.env.JWT_SECRET_KEY, token, 'access');
    if (subject.ok && !rawKey) {
      return void (await withPrelude(c, subject.userId, 'jwt', tokenCheck(subject.userId, () => new ApiError(401, NOT_AUTHENTICATED, WWW_AUTH)), tokenUser, next));
    }
    if (subject.ok) {
      // Both headers: the token's user if active, else the key (as before issue 18).
      const found = await userFromToken(c.var.db, c.env.JWT_SECRET_KEY, token, 'access');
      if (found.ok) {
        c.set('auth', { user: found.user, loaded: async () => found.user, via: 'jwt' });
        return next();
      }
    }
  }
  if (!rawKey) throw new ApiError(401, NOT_AUTHENTICATED, WWW_AUTH);
  await withApiKey(c, rawKey, next);
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

import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { createDb } from '../db/client';
import { ValidationError } from '../lib/errors';
import { log } from '../lib/log';
import { jsonTooDeep } from '../lib/safe-text';

const JSON_TYPE = /^application\/([a-z.-]+\+)?json/i;

/**
 * Rejects a malformed JSON body with 422 before authentication runs (API.md §0.1).
 * Reads the body as text so routes that need the raw bytes still get them. Nesting past
 * MAX_JSON_DEPTH counts as malformed and is found by a scan of the text before it is
 * parsed: such a body costs no parse, no database work and no recursion anywhere.
 */
export const parseJsonFirst = createMiddleware<AppEnv>(async (c, next) => {
  const type = c.req.header('Content-Type');
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && (!type || JSON_TYPE.test(type))) {
    const raw = await c.req.text();
    if (raw.trim()) {
      const deep = jsonTooDeep(raw, ['body']);
      if (deep) throw new ValidationError([deep]);
      try {
        JSON.parse(raw);
      } catch (err) {
        throw new ValidationError([
          { type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error: (err as Error).message } },
        ]);
      }
    }
  }
  await next();
});

/** One pool per request, closed after the response with waitUntil. */
export const withDb = createMiddleware<AppEnv>(async (c, next) => {
  const { db, pool, roundTrips } = createDb(c.env);
  c.set('db', db);
  c.set('roundTrips', roundTrips);
  try {
    await next();
  } finally {
    if (c.env.EXPOSE_DB_ROUND_TRIPS === 'true') c.header('X-DB-Round-Trips', String(roundTrips.count));
    c.executionCtx.waitUntil(pool.end());
  }
});

/** One structured JSON log line per request. */
export const accessLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  await next();
  log.at(c.res.status >= 500 ? 'error' : 'info', 'request', {
    request_id: c.var.requestId,
    user_id: c.var.auth?.user.id ?? null,
    method: c.req.method,
    route: c.req.routePath,
    path: c.req.path,
    status: c.res.status,
    duration_ms: Date.now() - started,
  });
});

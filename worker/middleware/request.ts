import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { createRequestDb } from '../db/client';
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

/**
 * The request's database: Neon's HTTP query path (issue 18), one HTTPS exchange per
 * statement or per `db.batch([...])`, no session to open or close. The auth middleware
 * rides its check on the first exchange (RequestDb.prelude). No request path needs an
 * interactive transaction: multi-step writes are single statements (CTEs) or one batch.
 */
export const withDb = createMiddleware<AppEnv>(async (c, next) => {
  const requestDb = createRequestDb(c.env);
  c.set('db', requestDb.db);
  c.set('requestDb', requestDb);
  c.set('roundTrips', requestDb.roundTrips);
  try {
    await next();
  } finally {
    if (c.env.EXPOSE_DB_ROUND_TRIPS === 'true') c.header('X-DB-Round-Trips', String(requestDb.roundTrips.count));
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

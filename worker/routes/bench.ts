import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { isOn, type AppEnv } from '../env';
import { notFound } from '../lib/errors';

/**
 * GET /__bench/floor: the HTTP benchmark's floor, one trivial query through the same
 * middleware, pool and driver as every route (scripts/bench/http.ts reports each route
 * as a multiple of it). It exists only while the BENCH var is on, which no environment
 * in wrangler.toml sets: the benchmark passes it to `wrangler dev` itself.
 */
export const benchRoutes = new Hono<AppEnv>()
  .use(async (c, next) => {
    if (!isOn(c.env.BENCH)) throw notFound('Not Found');
    await next();
  })
  .get('/floor', async (c) => {
    const { rows } = await c.var.db.execute<{ one: number }>(sql`select 1 as one`);
    return c.json({ one: rows[0]?.one ?? null }, 200);
  });

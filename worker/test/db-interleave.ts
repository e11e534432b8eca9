import { env } from 'cloudflare:workers';
import { createHttpDb, type Db } from '../db/client';
import { expect } from 'vitest';

/**
 * Runs a service function on the request path's driver (Neon HTTP: one statement, one
 * round trip) with a pause after its first statement, where `between` runs: another
 * request racing it, or the merchant's edit. A race that needs two requests in flight
 * at once is so played in a fixed order, on the embedded database and on PostgreSQL
 * alike (no transaction is open at the pause). Answers what `run` answered and how many
 * round trips it took.
 */
export async function pausedAfterFirstStatement<T>(run: (db: Db) => Promise<T>, between: () => Promise<unknown>): Promise<{ result: T; roundTrips: number }> {
  const { db, roundTrips } = createHttpDb(env);
  let paused = false;
  const execute = db.execute.bind(db) as (...args: unknown[]) => Promise<unknown>;
  const wrapped = new Proxy(db, {
    get(target, prop) {
      if (prop !== 'execute') return Reflect.get(target, prop, target);
      return async (...args: unknown[]) => {
        const out = await execute(...args);
        if (!paused) {
          paused = true;
          await between();
        }
        return out;
      };
    },
  }) as unknown as Db;
  const result = await run(wrapped);
  expect(paused, 'the service sent no statement to pause after').toBe(true);
  return { result, roundTrips: roundTrips.count };
}

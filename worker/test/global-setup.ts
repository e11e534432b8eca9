import type { TestProject } from 'vitest/node';
import { syncDevVars } from '../../scripts/dev-vars';
import { startLocalDb } from '../../scripts/local-db';
import { applyMigrations } from '../../scripts/migrate';
import { startFakes } from './fakes';

/**
 * Starts what the worker tests talk to: an in-memory embedded Postgres (or the server
 * named by DATABASE_URL; CI runs the suite again against a real PostgreSQL) and the
 * fake supplier, store and Stripe servers.
 */
export default async function setup(project: TestProject) {
  syncDevVars();
  const db = await startLocalDb(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {});
  await applyMigrations(db.databaseUrl, db.wsProxy);
  project.provide('databaseUrl', db.databaseUrl);
  project.provide('dbWsProxy', db.wsProxy);
  project.provide('dbHttpEndpoint', db.httpEndpoint);
  project.provide('embeddedDb', !process.env.DATABASE_URL);
  const fakes = await startFakes();
  project.provide('fakeBindings', fakes.bindings);
  return async () => {
    await fakes.stop();
    await db.stop();
  };
}

/**
 * Applies the drizzle-kit migrations in migrations/ (idempotent: applied ones are
 * recorded in drizzle.__drizzle_migrations). Works against Neon directly, and against
 * the embedded or any other Postgres through the local WebSocket bridge.
 *
 *   npm run db:migrate                      # the embedded database under .data/
 *   DATABASE_URL=postgres://… npm run db:migrate
 */
import { fileURLToPath } from 'node:url';
import { Pool, neonConfig } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import { migrate } from 'drizzle-orm/neon-serverless/migrator';
import ws from 'ws';
import { startLocalDb } from './local-db';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

const isNeon = (url: string) => /\.neon\.tech$/i.test(new URL(url).hostname);

/** Applies pending migrations through the given bridge (or directly to Neon when none). */
export async function applyMigrations(databaseUrl: string, wsProxy?: string): Promise<void> {
  neonConfig.webSocketConstructor = ws;
  if (wsProxy) {
    neonConfig.wsProxy = () => `${wsProxy}/v2`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    await migrate(drizzle({ client: pool }), { migrationsFolder: MIGRATIONS_DIR });
  } finally {
    await pool.end();
  }
}

async function main() {
  const url = process.env.DATABASE_URL;
  if (url && isNeon(url)) {
    await applyMigrations(url);
  } else {
    const db = await startLocalDb(url ? { databaseUrl: url } : { dataDir: '.data/pglite' });
    try {
      await applyMigrations(db.databaseUrl, db.wsProxy);
    } finally {
      await db.stop();
    }
  }
  console.log('migrations applied');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

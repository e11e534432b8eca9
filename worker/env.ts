import type { Db, RoundTrips } from './db/client';
import type { users } from './db/schema';

/** Bindings from wrangler.toml (generated into worker-configuration.d.ts) plus test-only switches. */
export type Bindings = Env & {
  /** Tests set this to read the per-request statement count from X-DB-Round-Trips. */
  EXPOSE_DB_ROUND_TRIPS?: string;
  /** `npm run bench:http` sets this to serve the benchmark's floor route (never set in wrangler.toml). */
  BENCH?: string;
};

export type User = typeof users.$inferSelect;

export interface Auth {
  user: User;
  via: 'jwt' | 'api_key';
  /** Scopes of the API key used, when `via` is `api_key`. */
  scopes: string[];
}

export type AppEnv = {
  Bindings: Bindings;
  Variables: {
    db: Db;
    roundTrips: RoundTrips;
    auth: Auth;
    requestId: string;
  };
};

export const isOn = (v: string | undefined) => ['1', 'true', 'on', 'yes'].includes((v ?? '').toLowerCase());

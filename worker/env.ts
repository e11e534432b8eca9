import type { Db, RequestDb, RoundTrips } from './db/client';
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
  /**
   * The signed-in user. On a read with a bearer token the user row arrives with the
   * request's first statement (the auth prelude, see middleware/auth.ts): until then only
   * `id` (the token's subject) can be read; reading another field earlier throws. A route
   * that needs the plan (or any other field) before its first statement awaits `loaded()`.
   */
  user: User;
  /** The user row, loaded (one round trip of its own if no statement has carried it yet). */
  loaded(): Promise<User>;
  via: 'jwt' | 'api_key';
}

export type AppEnv = {
  Bindings: Bindings;
  Variables: {
    db: Db;
    /** The request's database (db above is its drizzle client), with the auth prelude. */
    requestDb: RequestDb;
    roundTrips: RoundTrips;
    auth: Auth;
    requestId: string;
  };
};

export const isOn = (v: string | undefined) => ['1', 'true', 'on', 'yes'].includes((v ?? '').toLowerCase());

/** The variables `config` reads. Optional, so queue, cron and script code can pass the subset they have. */
export interface ConfigEnv {
  IMPORT_CONCURRENCY?: string;
  PRICE_SYNC_INTERVAL_MINUTES?: string;
  SUPPLIER_REQUEST_TIMEOUT_MS?: string;
  SUPPLIER_DAILY_CALL_LIMIT?: string;
  STORE_REQUEST_TIMEOUT_MS?: string;
  /** How long a WooCommerce product create that timed out may still be saving (seconds; default 300). */
  WOO_CREATE_SETTLE_SECONDS?: string;
  HEALTH_DB_TIMEOUT_MS?: string;
  DEMO_CATALOGUE?: string;
  ALLOW_LOCAL_STORES?: string;
  BILLING_MODE?: string;
  DEMO_IMAGES_ORIGIN?: string;
  DEMO_STORE_URL?: string;
}

/** An http(s) origin from a var (path and trailing slash dropped), or null when unset or not a URL. */
const originOf = (v: string | undefined): string | null => {
  try {
    const url = new URL((v ?? '').trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
};

/** Supplier calls per user and UTC day when SUPPLIER_DAILY_CALL_LIMIT is unset or unreadable. */
export const DEFAULT_DAILY_SUPPLIER_CALLS = 2_000;

const positive = (v: string | undefined, fallback: number) => {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};
const positiveInt = (v: string | undefined, fallback: number) => {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

/** The configuration read from variables: a missing or unreadable value falls back to its default. */
export function config(env: ConfigEnv) {
  return {
    /**
     * Import messages of one batch processed at once: enough to overlap supplier and
     * store latency; `npm run bench:pipeline` measures the trade-off.
     */
    importConcurrency: Math.min(positiveInt(env.IMPORT_CONCURRENCY, 4), 50),
    priceSyncIntervalMinutes: positive(env.PRICE_SYNC_INTERVAL_MINUTES, 60),
    supplierTimeoutMs: positive(env.SUPPLIER_REQUEST_TIMEOUT_MS, 15_000),
    supplierDailyCallLimit: positiveInt(env.SUPPLIER_DAILY_CALL_LIMIT, DEFAULT_DAILY_SUPPLIER_CALLS),
    storeTimeoutMs: positive(env.STORE_REQUEST_TIMEOUT_MS, 20_000),
    /**
     * A WooCommerce product create that timed out may still be running in PHP: the store
     * downloads every `{src}` image (download_url's own timeout is 300 s) before it saves
     * the product, so for this long nothing creates the product again.
     */
    wooCreateSettleMs: positive(env.WOO_CREATE_SETTLE_SECONDS, 300) * 1000,
    /** How long the database may take to answer /health's `select 1` before it counts as unavailable. */
    healthDbTimeoutMs: positive(env.HEALTH_DB_TIMEOUT_MS, 2_000),
    demoCatalogue: isOn(env.DEMO_CATALOGUE),
    allowLocalStores: isOn(env.ALLOW_LOCAL_STORES),
    /**
     * `mock` only when BILLING_MODE says so exactly: anything else (unset, a typo) is
     * Stripe, which without its secrets refuses to sell rather than giving plans away.
     */
    /** Where demo catalogue pictures are served (this worker's public origin); null = inline data: pictures. */
    demoImagesOrigin: originOf(env.DEMO_IMAGES_ORIGIN),
    /** The local demo store `npm run dev` starts; connections to it say `demo: true`. */
    demoStoreOrigin: originOf(env.DEMO_STORE_URL),
    billingMode: (env.BILLING_MODE?.trim().toLowerCase() === 'mock' ? 'mock' : 'stripe') as 'mock' | 'stripe',
  };
}

export type Config = ReturnType<typeof config>;

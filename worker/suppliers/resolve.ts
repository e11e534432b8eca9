import { and, desc, eq, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { supplierAccounts } from '../db/schema';
import { config } from '../env';
import { decryptJson, supplierCredentials } from '../lib/secrets';
import { Refused } from '../shared/domain-errors';
import { AliExpressAdapter, type AliExpressTokenSource } from './aliexpress';
import { aliExpressApp } from '../services/aliexpress-oauth';
import { AliExpressTokens, reauthMessage, staticToken } from '../services/aliexpress-tokens';
import type { AlertEnv } from '../services/alerts';
import { CjAdapter } from './cj';
import { DemoAdapter } from './demo';
import { meterSupplierCalls } from './quota';
import { ACCOUNT_PLATFORM, catalogueFor, hasLiveApi, PLATFORMS_FOR, SOURCE_ALIASES, type SupplierSource } from '../shared/sources';
import type { SupplierAdapter } from './types';

/** The bindings the adapters need (a subset of Env, so queue and cron code can pass theirs). */
export type SupplierEnv = Pick<Env, 'ALIEXPRESS_API_BASE' | 'CJ_API_BASE' | 'SUPPLIER_REQUEST_TIMEOUT_MS' | 'DEMO_CATALOGUE' | 'ENCRYPTION_KEY' | 'PREVIEW_CACHE'> &
  AlertEnv & {
    /** SourcePilot's AliExpress app (accounts linked through it, API.md §8.4). */
    ALIEXPRESS_APP_KEY?: string;
    ALIEXPRESS_APP_SECRET?: string;
    DEMO_IMAGES_ORIGIN?: string;
  };

export const SPOCKET_NO_API =
  "Spocket has no public API, so SourcePilot cannot fetch Spocket products. Push them to your store with Spocket's own app, or import them as manual products.";

export interface ResolvedSupplier {
  adapter: SupplierAdapter;
  /**
   * Distinguishes what answered, for cache keys: `demo`, or the supplier account and
   * its last change (so live and demo entries never mix, and new settings take effect).
   */
  scope: string;
  /** The supplier account that answers (live only): CJ's points budget is kept per account. */
  accountId?: string;
  /** The live adapter without the daily call meter (CJ webhook management). */
  unmetered?: SupplierAdapter;
}

type Bag = Record<string, unknown>;
const pick = (bag: Bag, ...names: string[]): string | null => {
  for (const n of names) {
    const v = bag[n];
    if (typeof v === 'string' && v.trim()) return v.trim();
    if (typeof v === 'number') return String(v);
  }
  return null;
};

const connectFirst = (platform: string) => new Refused(`Connect a ${platform} supplier account first`);

/** The user's newest active supplier account with credentials for `source` (one round trip). */
async function liveAccount(db: Db, userId: string, source: SupplierSource) {
  const [account] = await db
    .select({
      id: supplierAccounts.id,
      userId: supplierAccounts.userId,
      name: supplierAccounts.name,
      credentials: supplierAccounts.credentials,
      settings: supplierAccounts.settings,
      updatedAt: supplierAccounts.updatedAt,
      authType: supplierAccounts.authType,
      status: supplierAccounts.status,
      tokenVersion: supplierAccounts.tokenVersion,
      tokenExpiresAt: supplierAccounts.tokenExpiresAt,
    })
    .from(supplierAccounts)
    .where(
      and(
        eq(supplierAccounts.userId, userId),
        eq(supplierAccounts.isActive, true),
        isNotNull(supplierAccounts.credentials),
        inArray(sql`lower(${supplierAccounts.platform})`, PLATFORMS_FOR[source]),
      ),
    )
    .orderBy(desc(supplierAccounts.updatedAt))
    .limit(1);
  return account;
}

/**
 * liveAccount's filter for set-based checks: whether user `userId` has an active
 * supplier account with credentials for the source a stored watch `source` names
 * (any case; aliases accepted). The platform pairs and aliases travel as parameters.
 */
export function hasLiveAccountSql(userId: SQL, source: SQL): SQL {
  const pairs = sql.join(
    Object.entries(PLATFORMS_FOR).flatMap(([s, platforms]) => platforms.map((p) => sql`(${s}::text, ${p}::text)`)),
    sql`, `,
  );
  return sql`EXISTS (SELECT 1 FROM supplier_accounts a JOIN (VALUES ${pairs}) AS pf(source, platform) ON pf.platform = lower(a.platform)
    WHERE a.user_id = ${userId} AND a.is_active AND a.credentials IS NOT NULL
      AND pf.source = COALESCE(${JSON.stringify(SOURCE_ALIASES)}::jsonb ->> lower(${source}), lower(${source})))`;
}

/**
 * The adapter that answers for `source` on behalf of a user, as catalogueFor decides:
 * the live API through their supplier account, else the demo catalogue, else a 400
 * asking for an account (or, for Spocket, which has no API, saying so).
 */
export async function resolveSupplier(env: SupplierEnv, db: Db, userId: string, source: SupplierSource): Promise<ResolvedSupplier> {
  const account = hasLiveApi(source) ? await liveAccount(db, userId, source) : undefined;
  const catalogue = catalogueFor(source, { hasAccount: account !== undefined, demoOn: config(env).demoCatalogue });
  if (catalogue === 'demo') {
    // Cached previews carry their picture URLs: another image origin is another cache scope.
    const images = config(env).demoImagesOrigin;
    return { adapter: new DemoAdapter(source, images), scope: images ? `demo-${images.replace(/[^a-z0-9]+/gi, '-')}` : 'demo' };
  }
  if (!account) throw hasLiveApi(source) ? connectFirst(ACCOUNT_PLATFORM[source]) : new Refused(SPOCKET_NO_API);

  let creds: Bag;
  try {
    creds = await decryptJson<Bag>(env.ENCRYPTION_KEY, account.credentials!, supplierCredentials(account));
  } catch {
    throw new Refused(`The credentials of supplier account '${account.name}' cannot be read. Enter them again in Suppliers.`);
  }
  const settings = (account.settings ?? {}) as Bag;
  const timeout = config(env).supplierTimeoutMs;
  const scope = `acct-${account.id}-${account.updatedAt.getTime()}`;

  if (source === 'aliexpress') {
    let appKey: string | null;
    let appSecret: string | null;
    let tokens: AliExpressTokenSource;
    if (account.authType === 'oauth') {
      // Linked through SourcePilot's app: its key and secret, and tokens that refresh themselves.
      if (account.status !== 'connected') throw new Refused(reauthMessage(account.name));
      ({ appKey, appSecret } = aliExpressApp(env));
      const accessToken = pick(creds, 'access_token');
      if (!accessToken) throw new Refused(reauthMessage(account.name));
      tokens = new AliExpressTokens(db, env, account.id, account.userId, account.name, {
        token: accessToken,
        version: account.tokenVersion,
        expiresAt: account.tokenExpiresAt?.getTime() ?? null,
      });
    } else {
      appKey = pick(creds, 'app_key', 'appKey');
      appSecret = pick(creds, 'app_secret', 'appSecret');
      const accessToken = pick(creds, 'access_token', 'accessToken', 'session');
      if (!appKey || !appSecret || !accessToken) {
        throw new Refused(`Supplier account '${account.name}' needs app_key, app_secret and access_token for the AliExpress API.`);
      }
      tokens = staticToken(accessToken);
    }
    const adapter = new AliExpressAdapter(
      env.ALIEXPRESS_API_BASE,
      { appKey, appSecret, tokens },
      {
        shipToCountry: (pick(settings, 'ship_to_country', 'shipToCountry') ?? 'US').toUpperCase(),
        targetCurrency: (pick(settings, 'target_currency', 'targetCurrency') ?? 'USD').toUpperCase(),
        targetLanguage: pick(settings, 'target_language', 'targetLanguage', 'language') ?? 'en',
        simplify: settings.simplify === true || settings.simplify === 'true',
      },
      timeout,
    );
    return { adapter: meterSupplierCalls(env, db, userId, adapter), scope };
  }

  const apiKey = pick(creds, 'api_key', 'apiKey');
  if (!apiKey) throw new Refused(`Supplier account '${account.name}' needs an api_key for the CJ Dropshipping API.`);
  const rate = Number(pick(settings, 'requests_per_second', 'rate_limit_per_second', 'qps') ?? 1);
  const adapter = new CjAdapter(
    env.CJ_API_BASE,
    apiKey,
    {
      requestsPerSecond: Number.isFinite(rate) && rate > 0 ? rate : 1,
      shipToCountry: pick(settings, 'ship_to_country', 'shipToCountry')?.toUpperCase() ?? null,
      warehouseCountry: pick(settings, 'warehouse_country', 'warehouseCountry')?.toUpperCase() ?? null,
    },
    env.PREVIEW_CACHE,
    timeout,
  );
  return { adapter: meterSupplierCalls(env, db, userId, adapter), scope, accountId: account.id, unmetered: adapter };
}

/** The adapter alone (import pipeline, price watch); see resolveSupplier. */
export async function supplierFor(env: SupplierEnv, db: Db, userId: string, source: SupplierSource): Promise<SupplierAdapter> {
  return (await resolveSupplier(env, db, userId, source)).adapter;
}

import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { IMPORT_JOB_STATUSES } from '../shared/import-jobs';
import { IMPORT_SOURCES } from '../shared/sources';

export const planTier = pgEnum('plantier', ['free', 'pro', 'enterprise']);
export const importJobStatus = pgEnum('importjobstatus', IMPORT_JOB_STATUSES);
export const importSource = pgEnum('importsource', IMPORT_SOURCES);
export const subscriptionStatus = pgEnum('subscriptionstatus', [
  'active',
  'trialing',
  'past_due',
  'canceled',
  'unpaid',
  'incomplete',
]);

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => ts('created_at').notNull().defaultNow();
const updatedAt = () => ts('updated_at').notNull().defaultNow();
const id = () => uuid('id').primaryKey().defaultRandom();
const userId = () =>
  uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' });

export const users = pgTable(
  'users',
  {
    id: id(),
    email: varchar('email', { length: 255 }).notNull().unique(),
    hashedPassword: varchar('hashed_password', { length: 255 }),
    isActive: boolean('is_active').notNull().default(true),
    plan: planTier('plan').notNull().default('free'),
    stripeCustomerId: varchar('stripe_customer_id', { length: 255 }).unique(),
    externalPlatformId: varchar('external_platform_id', { length: 255 }),
    externalStoreId: varchar('external_store_id', { length: 255 }),
    /** Account default: imports land in the import list for review instead of the store (#17). */
    importReview: boolean('import_review').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('users_external_platform_id_idx').on(t.externalPlatformId),
    index('users_external_store_id_idx').on(t.externalStoreId),
    /** Sign-up cohorts for the conversion metric. */
    index('users_created_at_idx').on(t.createdAt),
  ],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: id(),
    userId: userId(),
    name: varchar('name', { length: 255 }).notNull(),
    keyHash: varchar('key_hash', { length: 64 }).notNull().unique(),
    keyPrefix: varchar('key_prefix', { length: 20 }).notNull(),
    scopes: varchar('scopes', { length: 50 }).array().notNull().default(sql`'{read}'`),
    isActive: boolean('is_active').notNull().default(true),
    lastUsedAt: ts('last_used_at'),
    expiresAt: ts('expires_at'),
    createdAt: createdAt(),
  },
  (t) => [index('api_keys_user_id_idx').on(t.userId)],
);

export const subscriptions = pgTable(
  'subscriptions',
  {
    id: id(),
    userId: userId(),
    stripeSubscriptionId: varchar('stripe_subscription_id', { length: 255 }).notNull().unique(),
    stripePriceId: varchar('stripe_price_id', { length: 255 }).notNull(),
    plan: planTier('plan').notNull(),
    status: subscriptionStatus('status').notNull(),
    currentPeriodStart: ts('current_period_start').notNull(),
    currentPeriodEnd: ts('current_period_end').notNull(),
    cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
    trialStart: ts('trial_start'),
    trialEnd: ts('trial_end'),
    /**
     * `created` of the newest Stripe event (or API read) applied to this row: webhooks
     * arrive out of order, and an older event must never overwrite a newer state.
     */
    stripeStateAt: ts('stripe_state_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('subscriptions_user_id_idx').on(t.userId, t.createdAt)],
);

/** Import jobs. Usage counts a user's rows per billing month (every status). */
export const importJobs = pgTable(
  'import_jobs',
  {
    id: id(),
    userId: userId(),
    storeId: uuid('store_id'),
    source: importSource('source').notNull(),
    sourceUrl: varchar('source_url', { length: 2000 }),
    sourceProductId: varchar('source_product_id', { length: 255 }),
    status: importJobStatus('status').notNull().default('pending'),
    productData: jsonb('product_data'),
    config: jsonb('config'),
    errorMessage: varchar('error_message', { length: 2000 }),
    createdProductId: varchar('created_product_id', { length: 255 }),
    progressPercent: integer('progress_percent').notNull().default(0),
    /** Delivery attempts of the queue message that ran the job. */
    attempts: integer('attempts').notNull().default(0),
    /** Non-fatal notes from the push (e.g. option axes folded to fit Shopify's limits). */
    warnings: jsonb('warnings'),
    /**
     * Set on jobs that must be unique among the user's pending and running ones
     * (TrendScout auto-imports: the product URL); the unique index below makes two
     * identical concurrent webhooks create one job. A manual retry clears it.
     */
    dedupeKey: varchar('dedupe_key', { length: 2000 }),
    /**
     * The run that holds the job: a fresh id at every claim. Every write after the claim
     * is conditional on it, so a run that was cancelled and retried (or swept as stale)
     * can no longer complete, release or fail the job's newer run.
     */
    runId: uuid('run_id'),
    /** When the current run claimed the job; the sweep returns runs older than the lease to the queue. */
    claimedAt: ts('claimed_at'),
    startedAt: ts('started_at'),
    finishedAt: ts('finished_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('import_jobs_active_dedupe_uq')
      .on(t.userId, t.dedupeKey)
      .where(sql`${t.dedupeKey} IS NOT NULL AND ${t.status} IN ('pending', 'running')`),
    index('import_jobs_user_created_idx').on(t.userId, t.createdAt),
    index('import_jobs_store_id_idx').on(t.storeId),
    index('import_jobs_status_idx').on(t.status),
    index('import_jobs_source_product_id_idx').on(t.sourceProductId),
    /** Admin metrics over every user's jobs in a time window, answered from the index alone. */
    index('import_jobs_created_status_idx').on(t.createdAt, t.status, t.finishedAt),
  ],
);

/** Price watches; usage counts the active ones against max_secondary. */
export const priceWatches = pgTable(
  'price_watches',
  {
    id: id(),
    userId: userId(),
    storeId: uuid('store_id'),
    source: varchar('source', { length: 50 }).notNull(),
    sourceProductId: varchar('source_product_id', { length: 255 }),
    productUrl: varchar('product_url', { length: 2000 }),
    sourceUrl: varchar('source_url', { length: 2000 }),
    thresholdPercent: numeric('threshold_percent', { precision: 5, scale: 2 }).notNull().default('10.0'),
    lastPrice: numeric('last_price', { precision: 10, scale: 2 }),
    currentPrice: numeric('current_price', { precision: 10, scale: 2 }),
    priceChanged: boolean('price_changed').notNull().default(false),
    lastCheckedAt: ts('last_checked_at'),
    isActive: boolean('is_active').notNull().default(true),
    /**
     * Why an inactive watch is paused: `plan_limit` when a plan change left the user over
     * the plan's active-watch limit (resumed, oldest first, when room returns); null when
     * the merchant paused it (or it is active).
     */
    pausedReason: varchar('paused_reason', { length: 20 }),
    currency: varchar('currency', { length: 3 }),
    /** Units in stock at the last check (sum over variants); 0 = out of stock. */
    lastStock: integer('last_stock'),
    lastError: varchar('last_error', { length: 2000 }),
    /** When the scheduled sync should look at this watch next. */
    nextCheckAt: ts('next_check_at').notNull().defaultNow(),
    /** Update the store price through the connector when the supplier price moves. */
    autoReprice: boolean('auto_reprice').notNull().default(false),
    /** The import this watch was created from (pricing rule and store product for repricing). */
    importJobId: uuid('import_job_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('price_watches_user_active_idx').on(t.userId, t.isActive),
    index('price_watches_due_idx').on(t.nextCheckAt).where(sql`${t.isActive}`),
    index('price_watches_store_id_idx').on(t.storeId),
    index('price_watches_source_product_idx').on(t.source, t.sourceProductId),
    index('price_watches_plan_paused_idx').on(t.userId).where(sql`${t.pausedReason} = 'plan_limit'`),
  ],
);

/**
 * Active price watches per user as admitted against max_secondary: the gate that keeps
 * the plan limit atomic. Every statement that creates, deletes, pauses or resumes a
 * watch adjusts `active` in the same statement; admission takes the row lock through a
 * conditional upsert, so concurrent creations serialise on it (a count inside one
 * statement alone cannot see rows another transaction commits meanwhile).
 */
export const priceWatchQuota = pgTable('price_watch_quota', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  active: integer('active').notNull(),
  updatedAt: updatedAt(),
});

/** Store connections (the import targets). */
export const storeConnections = pgTable(
  'store_connections',
  {
    id: id(),
    userId: userId(),
    storeName: varchar('store_name', { length: 255 }).notNull(),
    platform: varchar('platform', { length: 50 }).notNull(),
    storeUrl: varchar('store_url', { length: 500 }).notNull(),
    /** AES-GCM envelope (lib/secrets.ts) of the store credential; never returned. */
    apiKey: varchar('api_key', { length: 2000 }),
    /** The shop's own name, as reported by the last successful connection test. */
    shopName: varchar('shop_name', { length: 255 }),
    isDefault: boolean('is_default').notNull().default(false),
    /** How the credential was obtained: `oauth`, `client_credentials`, `token` (pasted) or `keys` (WooCommerce). */
    authType: varchar('auth_type', { length: 20 }).notNull().default('token'),
    /** `connected`, `needs_reauth` or `uninstalled` (API.md §8.1). */
    status: varchar('status', { length: 20 }).notNull().default('connected'),
    /** The scopes the store granted, as it listed them; null when unknown (pasted tokens). */
    scopes: text('scopes').array(),
    statusDetail: varchar('status_detail', { length: 500 }),
    /** AES-GCM envelope of the refresh token of an expiring access token; never returned. */
    refreshToken: varchar('refresh_token', { length: 2000 }),
    tokenExpiresAt: ts('token_expires_at'),
    refreshTokenExpiresAt: ts('refresh_token_expires_at'),
    /** Bumped by every token write: a refresh stores its result only over the version it read. */
    tokenVersion: integer('token_version').notNull().default(0),
    /** Until when one consumer holds the right to refresh the token (one refresh per connection at a time). */
    refreshClaimedUntil: ts('refresh_claimed_until'),
    /** Client id of the merchant's own Dev Dashboard app (`auth_type = 'client_credentials'`). */
    clientId: varchar('client_id', { length: 255 }),
    /** AES-GCM envelope of that app's client secret, used to renew its access token; never returned. */
    clientSecret: varchar('client_secret', { length: 2000 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('store_connections_user_id_idx').on(t.userId),
    uniqueIndex('store_connections_user_url_uq').on(t.userId, t.storeUrl),
    uniqueIndex('store_connections_one_default_uq').on(t.userId).where(sql`${t.isDefault}`),
  ],
);

/** Keys used per day, for API-key usage metrics (bumped as each request with the key ends: sp_api_key_used, migration 0019). */
export const apiKeyUsage = pgTable(
  'api_key_usage',
  {
    keyId: uuid('key_id')
      .notNull()
      .references(() => apiKeys.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    requests: integer('requests').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.day] }), index('api_key_usage_day_idx').on(t.day)],
);

export const supplierAccounts = pgTable(
  'supplier_accounts',
  {
    id: id(),
    userId: userId(),
    name: varchar('name', { length: 255 }).notNull(),
    platform: varchar('platform', { length: 100 }).notNull(),
    /** AES-GCM envelope (lib/secrets.ts) of the credentials object; never returned. */
    credentials: text('credentials'),
    /** The credentials' keys with masked values ("••••" + last 4), as the API shows them. */
    credentialsMask: jsonb('credentials_mask'),
    /** Non-secret options: ship_to_country, target_currency, language, rate limit. */
    settings: jsonb('settings'),
    isActive: boolean('is_active').notNull().default(true),
    lastSyncedAt: ts('last_synced_at'),
    /** How the credentials were obtained: `pasted` (the merchant's own app) or `oauth` (SourcePilot's app, API.md §8.4). */
    authType: varchar('auth_type', { length: 20 }).notNull().default('pasted'),
    /** `connected` or `needs_reauth` (API.md §8.4). */
    status: varchar('status', { length: 20 }).notNull().default('connected'),
    statusDetail: varchar('status_detail', { length: 500 }),
    /** Expiry of the access token (oauth accounts); null when unknown (pasted). */
    tokenExpiresAt: ts('token_expires_at'),
    /** Expiry of the refresh token; a refresh does not move it (INTEGRATIONS §3d). */
    refreshTokenExpiresAt: ts('refresh_token_expires_at'),
    /** Bumped by every token write: a refresh stores its result only over the version it read. */
    tokenVersion: integer('token_version').notNull().default(0),
    /** Until when one consumer holds the right to refresh the token (one refresh per account at a time). */
    refreshClaimedUntil: ts('refresh_claimed_until'),
    /** When the merchant was alerted that the account needs re-authorization (once per authorization). */
    reauthAlertedAt: ts('reauth_alerted_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('supplier_accounts_user_id_idx').on(t.userId),
    index('supplier_accounts_platform_idx').on(t.platform),
    uniqueIndex('supplier_accounts_user_name_platform_uq').on(t.userId, t.name, t.platform),
  ],
);

export const importHistory = pgTable(
  'import_history',
  {
    id: id(),
    userId: userId(),
    importJobId: uuid('import_job_id')
      .notNull()
      .references(() => importJobs.id, { onDelete: 'cascade' }),
    action: varchar('action', { length: 50 }).notNull(),
    details: jsonb('details'),
    createdAt: createdAt(),
  },
  (t) => [
    index('import_history_job_idx').on(t.importJobId, t.createdAt),
    index('import_history_user_id_idx').on(t.userId),
    index('import_history_action_idx').on(t.action),
  ],
);

/**
 * Which store product a supplier product became, per connection: re-imports update it
 * and repricing finds its variants.
 */
export const storeProducts = pgTable(
  'store_products',
  {
    id: id(),
    userId: userId(),
    storeId: uuid('store_id')
      .notNull()
      .references(() => storeConnections.id, { onDelete: 'cascade' }),
    source: importSource('source').notNull(),
    sourceProductId: varchar('source_product_id', { length: 255 }).notNull(),
    storeProductId: varchar('store_product_id', { length: 255 }).notNull(),
    /** Supplier variant key → store variant id. */
    variantMap: jsonb('variant_map').notNull().default(sql`'{}'::jsonb`),
    /** The pricing rule the product was priced with (reused by repricing). */
    pricing: jsonb('pricing'),
    lastJobId: uuid('last_job_id'),
    /**
     * The currency of the prices SourcePilot wrote to the store product. A re-import or
     * reprice never writes prices in another currency (conversion only with a rate
     * recorded in the pricing rule's exchange_rates). Null on rows from before 0010.
     */
    currency: varchar('currency', { length: 3 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('store_products_store_source_uq').on(t.storeId, t.source, t.sourceProductId), index('store_products_user_id_idx').on(t.userId)],
);

/**
 * Who is pushing a supplier product into a store right now: the find → push → map step
 * of an import claims its (store, source, product) row first, so two jobs for the same
 * product never both create one; the second waits and then updates the first one's
 * product. A claim lasts until its run records the mapping or gives up, or until
 * `claimed_until` passes (a consumer that died), and the import sweep frees the claims
 * of the runs it returns to the queue.
 */
export const storeProductClaims = pgTable(
  'store_product_claims',
  {
    storeId: uuid('store_id')
      .notNull()
      .references(() => storeConnections.id, { onDelete: 'cascade' }),
    source: importSource('source').notNull(),
    sourceProductId: varchar('source_product_id', { length: 255 }).notNull(),
    jobId: uuid('job_id').notNull(),
    runId: uuid('run_id').notNull(),
    claimedUntil: ts('claimed_until').notNull(),
    /**
     * The run is over, but a push it made may still be saving in the store (a WooCommerce
     * create that timed out): the claim is held until `claimed_until` so nothing creates
     * the product again, and a job meeting it waits that long instead of polling.
     */
    settling: boolean('settling').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.source, t.sourceProductId] }), index('store_product_claims_run_idx').on(t.runId)],
);

/**
 * The import list (#17): supplier products kept for review and editing before they go to
 * a store. Every item comes from one import job (a `config.review` import, or a job that
 * completed without a store); pushing the item re-runs that job with the item's product,
 * so a supplier product counts once against the plan however often it is pushed.
 */
export const importListItems = pgTable(
  'import_list_items',
  {
    id: id(),
    userId: userId(),
    /** The import job the item came from and that carries its pushes. */
    importJobId: uuid('import_job_id')
      .notNull()
      .references(() => importJobs.id, { onDelete: 'cascade' }),
    /** Target store (null = the default store at push time). */
    storeId: uuid('store_id').references(() => storeConnections.id, { onDelete: 'set null' }),
    source: importSource('source').notNull(),
    sourceProductId: varchar('source_product_id', { length: 255 }).notNull(),
    sourceUrl: varchar('source_url', { length: 2000 }),
    /** Copy of product.title for search and sorting. */
    title: varchar('title', { length: 255 }).notNull(),
    /** The supplier data the item came from (ProductData as first priced), for "which edited items does a supplier change affect". */
    supplierData: jsonb('supplier_data').notNull(),
    /** The merchant's product (ImportListProduct): what a push sends. */
    product: jsonb('product').notNull(),
    /** Top-level product fields the merchant edited (they win over supplier data on a re-push). */
    editedFields: text('edited_fields').array().notNull().default(sql`'{}'`),
    /** Bumped by every edit; an edit names the version it read (stale → 409). */
    version: integer('version').notNull().default(1),
    /** Set when a push completed: where the product went. */
    pushedAt: ts('pushed_at'),
    pushedStoreId: uuid('pushed_store_id'),
    storeProductId: varchar('store_product_id', { length: 255 }),
    /** A later supplier check found different supplier data (price / stock / variants). */
    supplierChangedAt: ts('supplier_changed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('import_list_items_job_uq').on(t.importJobId),
    index('import_list_items_user_created_idx').on(t.userId, t.createdAt),
    index('import_list_items_source_product_idx').on(t.source, t.sourceProductId),
  ],
);

/** Price history of a watch. */
export const pricePoints = pgTable(
  'price_points',
  {
    id: id(),
    watchId: uuid('watch_id')
      .notNull()
      .references(() => priceWatches.id, { onDelete: 'cascade' }),
    price: numeric('price', { precision: 12, scale: 2 }).notNull(),
    currency: varchar('currency', { length: 3 }).notNull(),
    stock: integer('stock'),
    observedAt: ts('observed_at').notNull().defaultNow(),
  },
  (t) => [
    index('price_points_watch_observed_idx').on(t.watchId, t.observedAt),
    /** Checks in a time window across all watches (price change detection rate). */
    index('price_points_observed_idx').on(t.observedAt),
  ],
);

/** A price move beyond the threshold or a stock-out, and where it was delivered. */
export const priceAlerts = pgTable(
  'price_alerts',
  {
    id: id(),
    userId: userId(),
    watchId: uuid('watch_id')
      .notNull()
      .references(() => priceWatches.id, { onDelete: 'cascade' }),
    kind: varchar('kind', { length: 30 }).notNull(),
    oldPrice: numeric('old_price', { precision: 12, scale: 2 }),
    newPrice: numeric('new_price', { precision: 12, scale: 2 }),
    changePercent: numeric('change_percent', { precision: 8, scale: 2 }),
    details: jsonb('details'),
    delivery: jsonb('delivery'),
    createdAt: createdAt(),
  },
  (t) => [
    index('price_alerts_user_created_idx').on(t.userId, t.createdAt),
    index('price_alerts_watch_idx').on(t.watchId),
    /** Detected price changes in a time window across all users. */
    index('price_alerts_kind_created_idx').on(t.kind, t.createdAt),
  ],
);

/** Where a user's price alerts go. */
export const alertSettings = pgTable('alert_settings', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  email: varchar('email', { length: 255 }),
  emailEnabled: boolean('email_enabled').notNull().default(false),
  /** When the address was confirmed through the emailed link; alerts are emailed only after it. */
  emailVerifiedAt: ts('email_verified_at'),
  /** SHA-256 (hex) of the pending confirmation token; null once confirmed or without an address. */
  emailConfirmHash: varchar('email_confirm_hash', { length: 64 }),
  /** When the pending confirmation was issued (the link is valid for a day; resends at most once a minute). */
  emailConfirmSentAt: ts('email_confirm_sent_at'),
  webhookUrl: varchar('webhook_url', { length: 2000 }),
  /** AES-GCM envelope of the HMAC secret used to sign outgoing webhooks. */
  webhookSecret: text('webhook_secret'),
  webhookEnabled: boolean('webhook_enabled').notNull().default(false),
  updatedAt: updatedAt(),
});

/** Store price updates made by auto-repricing. */
export const repriceEvents = pgTable(
  'reprice_events',
  {
    id: id(),
    userId: userId(),
    watchId: uuid('watch_id')
      .notNull()
      .references(() => priceWatches.id, { onDelete: 'cascade' }),
    storeId: uuid('store_id'),
    storeProductId: varchar('store_product_id', { length: 255 }),
    oldCost: numeric('old_cost', { precision: 12, scale: 2 }),
    newCost: numeric('new_cost', { precision: 12, scale: 2 }),
    newPrice: numeric('new_price', { precision: 12, scale: 2 }),
    status: varchar('status', { length: 20 }).notNull(),
    error: varchar('error', { length: 2000 }),
    createdAt: createdAt(),
  },
  (t) => [index('reprice_events_watch_idx').on(t.watchId, t.createdAt)],
);

/** Stripe events already applied (webhook deduplication). */
export const stripeEvents = pgTable('stripe_events', {
  id: varchar('id', { length: 255 }).primaryKey(),
  type: varchar('type', { length: 100 }).notNull(),
  processedAt: ts('processed_at').notNull().defaultNow(),
});

/**
 * Shopify webhook deliveries already applied (deduplication): one row per key, `event:<X-Shopify-Event-Id>`
 * (the same across duplicate deliveries of one event) and `webhook:<X-Shopify-Webhook-Id>`.
 */
export const shopifyWebhookEvents = pgTable('shopify_webhook_events', {
  id: varchar('id', { length: 300 }).primaryKey(),
  topic: varchar('topic', { length: 100 }).notNull(),
  shop: varchar('shop', { length: 255 }).notNull(),
  processedAt: ts('processed_at').notNull().defaultNow(),
});

/**
 * Imports admitted per user and billing month: the gate that keeps the plan limit
 * atomic (a conditional upsert on this row serialises concurrent imports). Usage and
 * metrics still count import_jobs itself.
 */
export const importQuota = pgTable(
  'import_quota',
  {
    userId: userId(),
    month: date('month', { mode: 'string' }).notNull(),
    used: integer('used').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.month] })],
);

/**
 * Each user's live Stripe checkout: taken in one conditional upsert (which also checks
 * for an active subscription) while a checkout is being started, so concurrent
 * checkouts cannot each open a Checkout Session; `session_id` is the one open session,
 * expired at Stripe before another is created. At most one can ever be paid.
 */
export const checkoutClaims = pgTable('checkout_claims', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  sessionId: varchar('session_id', { length: 255 }),
  lockedUntil: ts('locked_until').notNull(),
});

/** A per-user, per-UTC-day call counter (admitted through lib/daily-quota.ts). */
function dailyCallCounter(name: string) {
  return pgTable(
    name,
    {
      userId: userId(),
      day: date('day', { mode: 'string' }).notNull(),
      calls: integer('calls').notNull(),
    },
    (t) => [primaryKey({ columns: [t.userId, t.day] })],
  );
}

/**
 * Supplier API calls made for each user per UTC day (live search and product fetches):
 * a conditional upsert on this row admits a call only while the day's count is under
 * SUPPLIER_DAILY_CALL_LIMIT, so one merchant cannot drain a shared supplier quota.
 */
export const supplierCallUsage = dailyCallCounter('supplier_call_usage');

/**
 * LLM gateway calls (`/ai/*`) made for each user per UTC day, admitted the same way
 * against the plan's AI_DAILY_REQUESTS, so no user can loop the gateway at our cost.
 */
export const aiCallUsage = dailyCallCounter('ai_call_usage');

/**
 * Shopify installs under way: the `state` sent to Shopify's authorize screen, bound to
 * the user who started it and the shop; consumed (deleted) by the callback, so each is
 * used once, and honoured for 10 minutes.
 */
export const shopifyOauthStates = pgTable(
  'shopify_oauth_states',
  {
    state: varchar('state', { length: 64 }).primaryKey(),
    /** Null for an install that started in Shopify (the app URL): no user is known yet. */
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    shopOrigin: varchar('shop_origin', { length: 500 }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('shopify_oauth_states_created_at_idx').on(t.createdAt)],
);

/** Single-use states of AliExpress seller authorizations in progress (API.md §8.4). */
export const aliexpressOauthStates = pgTable(
  'aliexpress_oauth_states',
  {
    state: varchar('state', { length: 64 }).primaryKey(),
    userId: userId(),
    /** The account name the merchant asked for (null: the default name). */
    accountName: varchar('account_name', { length: 255 }),
    createdAt: createdAt(),
  },
  (t) => [index('aliexpress_oauth_states_created_at_idx').on(t.createdAt)],
);

/**
 * WooCommerce app authorizations in flight (API.md §8.3): the opaque `user_id` handed to
 * the store's /wc-auth/v1/authorize, bound to the SourcePilot user and the store. Single
 * use: the callback stamps `used_at` and the digest of the keys it stored, so a repeated
 * identical callback is answered 200 again and any other reuse is refused.
 */
export const wooAuthRequests = pgTable(
  'woo_auth_requests',
  {
    token: varchar('token', { length: 64 }).primaryKey(),
    userId: userId(),
    storeUrl: varchar('store_url', { length: 500 }).notNull(),
    usedAt: ts('used_at'),
    keyDigest: varchar('key_digest', { length: 64 }),
    createdAt: createdAt(),
  },
  (t) => [index('woo_auth_requests_created_at_idx').on(t.createdAt)],
);

/**
 * An install that started in Shopify, completed (code exchanged) but not yet given to an
 * account: the merchant picks a new account for the shop or one they sign in to. Keyed
 * by the SHA-256 of the one-time code in the welcome link; single use, 10 minutes.
 */
export const shopifyPendingInstalls = pgTable(
  'shopify_pending_installs',
  {
    codeHash: varchar('code_hash', { length: 64 }).primaryKey(),
    shopOrigin: varchar('shop_origin', { length: 500 }).notNull(),
    /** The token answer, encrypted (lib/secrets.ts). */
    tokens: text('tokens').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('shopify_pending_installs_created_at_idx').on(t.createdAt)],
);

/** The SourcePilot account an install from Shopify created for a shop (one per shop). */
export const shopifyShopAccounts = pgTable('shopify_shop_accounts', {
  shopOrigin: varchar('shop_origin', { length: 500 }).primaryKey(),
  userId: uuid('user_id')
    .notNull()
    .unique()
    .references(() => users.id, { onDelete: 'cascade' }),
  createdAt: createdAt(),
});

/**
 * CJ points a supplier account spent on price checks per UTC day (CJ meters its API in
 * points since 2026-06-01: 50,000 a day per account; INTEGRATIONS §3e). A conditional
 * upsert admits a chunk's products within the day's allowance, which grows through the
 * day so checks are spread; `skipped` counts the product checks left for later.
 */
export const supplierPointsUsage = pgTable(
  'supplier_points_usage',
  {
    accountId: uuid('account_id')
      .notNull()
      .references(() => supplierAccounts.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    points: integer('points').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    /** Products admitted by the latest admission (read back by the upsert that sets it). */
    lastGrant: integer('last_grant').notNull().default(0),
    /** Price-check points allowed by the latest admission (the spread allowance at that time). */
    allowance: integer('allowance').notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.day] })],
);

/**
 * CJ webhooks of a supplier account (INTEGRATIONS §3e): CJ's `openId` (the key of the
 * `sign` header, and how a message names its account) and when product/stock webhooks
 * were enabled for our callback URL.
 */
export const cjWebhookAccounts = pgTable(
  'cj_webhook_accounts',
  {
    accountId: uuid('account_id')
      .primaryKey()
      .references(() => supplierAccounts.id, { onDelete: 'cascade' }),
    openId: varchar('open_id', { length: 100 }).notNull(),
    callbackUrl: varchar('callback_url', { length: 2000 }),
    enabledAt: ts('enabled_at'),
    updatedAt: updatedAt(),
  },
  (t) => [index('cj_webhook_accounts_open_id_idx').on(t.openId)],
);

/** Products subscribed to CJ's product webhook, per supplier account. */
export const cjWebhookSubscriptions = pgTable(
  'cj_webhook_subscriptions',
  {
    accountId: uuid('account_id')
      .notNull()
      .references(() => supplierAccounts.id, { onDelete: 'cascade' }),
    productId: varchar('product_id', { length: 255 }).notNull(),
    subscribedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.productId] })],
);

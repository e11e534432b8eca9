import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';

export const planTier = pgEnum('plantier', ['free', 'pro', 'enterprise']);
export const importJobStatus = pgEnum('importjobstatus', ['pending', 'running', 'completed', 'failed', 'cancelled']);
export const importSource = pgEnum('importsource', ['aliexpress', 'cjdropship', 'spocket', 'manual']);
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
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('users_external_platform_id_idx').on(t.externalPlatformId), index('users_external_store_id_idx').on(t.externalStoreId)],
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
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('subscriptions_user_id_idx').on(t.userId, t.createdAt)],
);

/** Import jobs; the import pipeline fills in the rest. Usage counts rows per billing month. */
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
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('import_jobs_user_created_idx').on(t.userId, t.createdAt),
    index('import_jobs_store_id_idx').on(t.storeId),
    index('import_jobs_status_idx').on(t.status),
    index('import_jobs_source_product_id_idx').on(t.sourceProductId),
  ],
);

/** Price watches; usage counts the active ones. */
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
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('price_watches_user_active_idx').on(t.userId, t.isActive),
    index('price_watches_store_id_idx').on(t.storeId),
    index('price_watches_source_product_idx').on(t.source, t.sourceProductId),
  ],
);

/** Store connections; the dashboard's "connected stores" KPI counts them. */
export const storeConnections = pgTable(
  'store_connections',
  {
    id: id(),
    userId: userId(),
    storeName: varchar('store_name', { length: 255 }).notNull(),
    platform: varchar('platform', { length: 50 }).notNull(),
    storeUrl: varchar('store_url', { length: 500 }).notNull(),
    apiKey: varchar('api_key', { length: 2000 }),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('store_connections_user_id_idx').on(t.userId),
    uniqueIndex('store_connections_user_url_uq').on(t.userId, t.storeUrl),
    uniqueIndex('store_connections_one_default_uq').on(t.userId).where(sql`${t.isDefault}`),
  ],
);

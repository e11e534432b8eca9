import { z } from 'zod';
import type { User } from '../env';
import type { tokenPair } from '../lib/jwt';
import { isoZ } from '../lib/time';
import type { createApiKey, listApiKeys } from '../services/api-keys';
import type { currentSubscription, listPlans } from '../services/billing';
import type { connectionOut } from '../services/connections';
import { JOB_STATUSES, type jobOut, type listImports } from '../services/imports';
import type { itemOut, listItems, repriceItems } from '../services/import-list';
import type { merchantStats } from '../services/metrics';
import { TIERS } from '../services/plans';
import type { listWatches, watchOut } from '../services/price-watch';
import type { supplierAccountOut } from '../services/suppliers';
import type { getUsage } from '../services/usage';
import { IMPORT_SOURCES } from '../shared/sources';

export const userOut = (u: User) => ({
  id: u.id,
  email: u.email,
  is_active: u.isActive,
  plan: u.plan,
  created_at: isoZ(u.createdAt)!,
});

/*
 * The success bodies GET /openapi.json documents. Each must agree with what its route
 * sends: `ResponseSchemasAgree` below fails type-checking when a serializer and its
 * schema differ in any field.
 */

const timestamp = z.string().meta({ description: 'ISO 8601 timestamp (UTC)' });
const tier = z.enum(TIERS);
const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const tokenPairSchema = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal('bearer'),
});

export const userSchema = z.object({ id: z.uuid(), email: z.string(), is_active: z.boolean(), plan: tier, created_at: timestamp });
/** GET /auth/me: the user, the account's import-list default and what this deployment offers. */
export const meSchema = userSchema.extend({
  import_review: z.boolean().meta({ description: 'Imports land in the import list for review by default' }),
  features: z.object({ ai: z.boolean().meta({ description: 'An AI gateway is configured (/ai/* answer instead of 503)' }) }),
});

export const importJobSchema = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  store_id: z.uuid().nullable(),
  source: z.enum(IMPORT_SOURCES),
  product_url: z.string().nullable(),
  source_product_id: z.string().nullable(),
  status: z.enum(JOB_STATUSES),
  product_data: z.record(z.string(), z.unknown()).nullable(),
  config: z.record(z.string(), z.unknown()).nullable(),
  error_message: z.string().nullable(),
  created_product_id: z.string().nullable(),
  progress_percent: z.number(),
  created_at: timestamp,
  updated_at: timestamp,
  started_at: timestamp.nullable(),
  finished_at: timestamp.nullable(),
});
export const importJobListSchema = z.object({ items: z.array(importJobSchema), total: z.number().int() });

export const priceWatchSchema = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  product_url: z.string().nullable(),
  source: z.string(),
  threshold_percent: z.number(),
  connection_id: z.uuid().nullable(),
  store_id: z.uuid().nullable(),
  is_active: z.boolean(),
  paused_reason: z.enum(['plan_limit']).nullable().meta({
    description: '"plan_limit" when a plan change paused the watch (it resumes, oldest first, when the plan has room); null when active or paused by the merchant',
  }),
  source_product_id: z.string().nullable(),
  source_url: z.string().nullable(),
  last_price: z.number().nullable(),
  current_price: z.number().nullable(),
  price_changed: z.boolean(),
  last_checked_at: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  currency: z.string().nullable(),
  last_stock: z.number().nullable(),
  last_error: z.string().nullable(),
  change_percent: z.number().nullable(),
  auto_reprice: z.boolean(),
  import_job_id: z.uuid().nullable(),
  next_check_at: timestamp,
});
export const priceWatchListSchema = z.object({
  items: z.array(priceWatchSchema.extend({ recent_prices: z.array(z.number()).meta({ description: 'The last 30 observed prices, oldest first' }) })),
  total: z.number().int(),
});

export const connectionSchema = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  store_name: z.string(),
  platform: z.string(),
  store_url: z.string(),
  is_default: z.boolean(),
  auth_type: z.string().meta({ description: '"oauth" (Shopify app install), "client_credentials" (own Dev Dashboard app), "token" (legacy token) or "keys" (WooCommerce)' }),
  status: z.string().meta({ description: '"connected", "needs_reauth" or "uninstalled"' }),
  scopes: z.array(z.string()).nullable().meta({ description: 'Scopes the store granted; null when unknown' }),
  status_detail: z.string().nullable(),
  demo: z.boolean().meta({ description: 'The local demo store of `npm run dev` (its origin is DEMO_STORE_URL); always false elsewhere' }),
  created_at: timestamp,
  updated_at: timestamp,
});
export const connectionListSchema = listOf(connectionSchema);

export const supplierAccountSchema = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  name: z.string(),
  platform: z.string(),
  credentials: z.record(z.string(), z.string().nullable()).nullable().meta({ description: 'The stored credential names, each value masked' }),
  settings: z.record(z.string(), z.unknown()).nullable(),
  is_active: z.boolean(),
  last_synced_at: timestamp.nullable(),
  auth_type: z.string().meta({ description: '"oauth" (linked through SourcePilot\'s AliExpress app) or "pasted" (credentials entered by the merchant)' }),
  status: z.string().meta({ description: '"connected" or "needs_reauth" (link the account again; its calls fail until then)' }),
  status_detail: z.string().nullable().meta({ description: 'Why the account needs re-authorization, in words for the merchant' }),
  token_expires_at: timestamp.nullable().meta({ description: 'When the access token expires (refreshed before then); null when unknown' }),
  refresh_token_expires_at: timestamp.nullable().meta({ description: 'When the authorization itself ends (re-authorize before then); null when unknown' }),
  created_at: timestamp,
  updated_at: timestamp,
});
export const supplierAccountListSchema = listOf(supplierAccountSchema);

export const cjWebhookSyncSchema = z.object({
  enabled: z.boolean(),
  callback_url: z.string().nullable(),
  subscribed: z.number().int().meta({ description: 'Watched products subscribed by this call' }),
  unsubscribed: z.number().int().meta({ description: 'Products without an active watch unsubscribed by this call' }),
});

export const cjPointsUsageSchema = z.object({
  items: z.array(
    z.object({
      account_id: z.uuid(),
      account_name: z.string(),
      day: z.string().meta({ description: 'UTC day, YYYY-MM-DD' }),
      points_used: z.number().int().meta({ description: 'CJ points spent on price checks today' }),
      checks_skipped: z.number().int().meta({ description: 'Product checks skipped today because the allowance was spent (checked at their next interval)' }),
      daily_points: z.number().int().meta({ description: "The account's daily CJ points (50,000 unless the account setting daily_points says more)" }),
      price_check_budget: z.number().int().meta({ description: 'What price checks may spend in a day (80 % of daily_points)' }),
      allowance_now: z.number().int().meta({ description: 'What price checks may have spent by now: the budget is spread over the UTC day' }),
      points_per_check: z.number().int(),
    }),
  ),
});

export const createdApiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  key: z.string().meta({ description: 'The raw key; shown in this answer only' }),
  key_prefix: z.string(),
  scopes: z.array(z.string()),
});
export const apiKeyListSchema = z.array(
  z.object({
    id: z.uuid(),
    name: z.string(),
    key_prefix: z.string(),
    scopes: z.array(z.string()),
    is_active: z.boolean(),
    last_used_at: timestamp.nullable(),
    created_at: timestamp,
  }),
);

export const planListSchema = z.array(
  z.object({
    tier,
    name: z.enum(['Free', 'Pro', 'Enterprise']),
    price_monthly_cents: z.number().int(),
    max_items: z.number().int().meta({ description: 'Imports per billing month; -1 = unlimited' }),
    max_secondary: z.number().int().meta({ description: 'Active price watches; -1 = unlimited' }),
    trial_days: z.number().int(),
    api_access: z.boolean(),
  }),
);

export const subscriptionSchema = z
  .object({
    id: z.uuid(),
    user_id: z.uuid(),
    stripe_subscription_id: z.string(),
    plan: tier,
    status: z.enum(['active', 'trialing', 'past_due', 'canceled', 'unpaid', 'incomplete']),
    current_period_start: timestamp,
    current_period_end: timestamp,
    cancel_at_period_end: z.boolean(),
    trial_start: timestamp.nullable(),
    trial_end: timestamp.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .nullable()
  .meta({ description: 'The newest subscription, or null' });

export const usageSchema = z.object({
  plan: tier,
  period_start: z.string().meta({ description: 'First day of the billing month (YYYY-MM-DD)' }),
  period_end: z.string().meta({ description: 'Last day of the billing month (YYYY-MM-DD)' }),
  metrics: z.array(z.object({ name: z.string(), label: z.string(), used: z.number().int(), limit: z.number().int().meta({ description: '-1 = unlimited' }) })),
});

const rate = z.number().nullable().meta({ description: 'A ratio from 0 to 1; null when there is nothing to divide' });
export const merchantStatsSchema = z.object({
  window: z.object({ from: timestamp, to: timestamp, days: z.number() }),
  imports: z.object({
    total: z.number().int(),
    by_status: z.object(Object.fromEntries(JOB_STATUSES.map((s) => [s, z.number().int()])) as Record<(typeof JOB_STATUSES)[number], z.ZodNumber>),
    success_rate: rate,
    average_duration_seconds: z.number().nullable(),
    per_day: z.number().nullable(),
    per_week: z.number().nullable(),
    per_month: z.number().nullable(),
  }),
  daily: z.array(
    z.object({
      date: z.string(),
      total: z.number().int(),
      completed: z.number().int(),
      failed: z.number().int(),
      cancelled: z.number().int(),
      in_progress: z.number().int(),
      success_rate: rate,
    }),
  ),
  price_watches: z.object({ active: z.number().int(), checks: z.number().int(), changes_detected: z.number().int(), change_detection_rate: rate }),
  connected_stores: z.number().int(),
  api_keys: z.object({ requests: z.number().int(), last_used_at: timestamp.nullable() }),
});

const money = z.number();
const marginSchema = z.object({
  amount: z.number().meta({ description: 'price − cost' }),
  percent: z.number().nullable().meta({ description: '(price − cost) / price × 100; null when the price is 0' }),
});
const listVariantSchema = z.object({
  key: z.string().meta({ description: "The supplier's variant key" }),
  sku: z.string().nullable(),
  options: z.record(z.string(), z.string()),
  cost: money.meta({ description: "The supplier's price" }),
  price: money,
  compare_at: money.nullable(),
  stock: z.number().nullable(),
  image: z.string().nullable(),
  selected: z.boolean().meta({ description: 'Sold (pushed) or not' }),
  manual_price: z.boolean().meta({ description: 'Price set by hand (else the pricing rule)' }),
  merged_keys: z.array(z.string()).meta({ description: 'Supplier variants folded into this one when an option was dropped' }),
  margin: marginSchema,
});
const listProductSchema = z.object({
  title: z.string(),
  description_html: z.string().meta({ description: 'Sanitised HTML (allow-listed tags, no scripts or tracking)' }),
  images: z.array(z.string()),
  supplier_images: z.array(z.string()),
  options: z.array(z.object({ name: z.string(), values: z.array(z.string()) })),
  dropped_options: z.array(z.object({ name: z.string(), keep_value: z.string().nullable() })),
  variants: z.array(listVariantSchema),
  price: money,
  cost: money,
  currency: z.string(),
  tags: z.array(z.string()),
  product_type: z.string().nullable(),
  vendor: z.string().nullable(),
  published: z.boolean(),
  pricing: z.record(z.string(), z.unknown()),
  source: z.string(),
  source_product_id: z.string(),
  source_url: z.string().nullable(),
  supplier_name: z.string().nullable(),
  shipping: z.object({ cost: z.number(), days: z.number().nullable() }).nullable(),
  mode: z.enum(['live', 'demo']),
});
export const importListItemSchema = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  import_job_id: z.uuid().meta({ description: 'The import job the item came from; pushes re-run it' }),
  store_id: z.uuid().nullable().meta({ description: 'Target store; null = the default store at push time' }),
  source: z.enum(IMPORT_SOURCES),
  source_product_id: z.string(),
  source_url: z.string().nullable(),
  title: z.string(),
  status: z.enum(['draft', 'pushing', 'pushed', 'push_failed']),
  error_message: z.string().nullable(),
  version: z.number().int().meta({ description: 'Send it back with an edit; a stale one answers 409 with the current item' }),
  edited_fields: z.array(z.string()),
  product: listProductSchema,
  checks: z.array(z.object({ platform: z.enum(['shopify', 'woocommerce']), ok: z.boolean(), problems: z.array(z.string()) })).meta({
    description: "Each platform's limits (options, variants) checked before a push",
  }),
  pushed: z.boolean(),
  pushed_at: timestamp.nullable(),
  pushed_store_id: z.uuid().nullable(),
  store_product_id: z.string().nullable(),
  supplier_changed: z.boolean().meta({ description: 'A later supplier check found different supplier data than the item was made from' }),
  supplier_changed_at: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});
export const importListSchema = z.object({ items: z.array(importListItemSchema), total: z.number().int(), skip: z.number().int(), limit: z.number().int() });
export const importListConflictSchema = z.object({ detail: z.string(), current: importListItemSchema });
export const repricePreviewSchema = z.object({
  dry_run: z.boolean(),
  conflicts: z.array(z.uuid()).meta({ description: 'Items edited between the read and the write: left as they are (re-price them again)' }),
  items: z.array(
    z.object({
      item_id: z.uuid(),
      title: z.string(),
      currency: z.string(),
      variants: z.array(
        z.object({
          key: z.string(),
          options: z.record(z.string(), z.string()),
          cost: money,
          old_price: money,
          new_price: money,
          old_margin: marginSchema,
          new_margin: marginSchema,
        }),
      ),
    }),
  ),
});
export const importListSettingsSchema = z.object({ review_by_default: z.boolean() });

type Out<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;
type Agrees<S extends z.ZodType, T> = [T] extends [z.output<S>] ? ([z.output<S>] extends [T] ? true : false) : false;
type AllTrue<T extends true[]> = T;

export type ResponseSchemasAgree = AllTrue<
  [
    Agrees<typeof tokenPairSchema, Out<typeof tokenPair>>,
    Agrees<typeof userSchema, Out<typeof userOut>>,
    Agrees<typeof importJobSchema, Out<typeof jobOut>>,
    Agrees<typeof importJobListSchema, Out<typeof listImports>>,
    Agrees<typeof priceWatchSchema, Out<typeof watchOut>>,
    Agrees<typeof priceWatchListSchema, Out<typeof listWatches>>,
    Agrees<typeof connectionSchema, Out<typeof connectionOut>>,
    Agrees<typeof supplierAccountSchema, Out<typeof supplierAccountOut>>,
    Agrees<typeof createdApiKeySchema, Out<typeof createApiKey>>,
    Agrees<typeof apiKeyListSchema, Out<typeof listApiKeys>>,
    Agrees<typeof planListSchema, Out<typeof listPlans>>,
    Agrees<typeof subscriptionSchema, Out<typeof currentSubscription>>,
    Agrees<typeof usageSchema, Out<typeof getUsage>>,
    Agrees<typeof merchantStatsSchema, Out<typeof merchantStats>>,
    Agrees<typeof importListItemSchema, Out<typeof itemOut>>,
    Agrees<typeof importListSchema, Out<typeof listItems>>,
    Agrees<typeof repricePreviewSchema, Out<typeof repriceItems>>,
  ]
>;

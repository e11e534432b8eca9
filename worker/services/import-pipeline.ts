import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { storeConnections } from '../db/schema';
import type { Bindings } from '../env';
import { describeError, log } from '../lib/log';
import { DomainError } from '../shared/domain-errors';
import { connectorFor } from '../stores';
import { StoreError, type StoreConnector, type StoreProductInput } from '../stores/types';
import { detectProductUrl } from '../shared/detect';
import { SupplierError, type NormalizedProduct } from '../suppliers/types';
import type { StoreConnectionRow } from './connections';
import type { JobRow } from './imports';
import { manualProductSchema, normaliseManual } from './manual-product';
import { priceVariants, ruleFromConfig, type PricingRule } from '../shared/pricing';
import type { ProductData } from '../shared/import-jobs';
import { getProductCached } from './products';
import { addToImportList, itemForPush, markItemPushed } from './import-list';

/**
 * The running half of an import job: claim → fetch → normalise → price → push →
 * complete, or release / fail. (Creating, cancelling and retrying jobs is imports.ts.)
 */

/** What the pipeline needs from the catalogue and the store connectors. */
export interface ImportDeps {
  fetchProduct(db: Db, userId: string, source: NormalizedProduct['source'], productId: string, url: string): Promise<NormalizedProduct>;
  /** `db` lets an installed Shopify app's expiring token be refreshed. */
  connectorFor(connection: StoreConnectionRow, db: Db): Promise<StoreConnector>;
}

/** The import pipeline's real dependencies: the cached catalogue and the store connectors. */
export const importDeps = (env: Bindings): ImportDeps => ({
  fetchProduct: (db, userId, source, productId, url) => getProductCached(env, db, userId, source, productId, url),
  connectorFor: async (connection, db) => connectorFor(env, connection, db),
});

type PipelineProduct = Omit<NormalizedProduct, 'source'> & { source: JobRow['source'] };

/** A failure a merchant can act on; `retryable` ones get another attempt. */
class JobFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

function classify(err: unknown): JobFailure {
  if (err instanceof JobFailure) return err;
  if (err instanceof SupplierError) return new JobFailure(err.message, err.retryable);
  if (err instanceof StoreError) return new JobFailure(`The store refused the product: ${err.message}`, err.retryable);
  if (err instanceof DomainError) return new JobFailure(err.message, err.retryable);
  // Unknown errors (network resets, database hiccups) get another attempt. The merchant
  // sees a plain sentence; the log keeps the error, redacted.
  log.error('import step failed unexpectedly', { error: describeError(err) });
  return new JobFailure('SourcePilot hit an internal error while importing this product', true);
}

/** Which delivery of the job this is, as the queue counts them. */
export interface Attempt {
  number: number;
  /** No further delivery will follow a transient failure. */
  last: boolean;
}

/**
 * How an attempt left the job: `settled` (finished, failed for good, or not ours to
 * run: already claimed, finished or cancelled), `released` (a transient failure, back
 * to pending for another attempt) or `exhausted` (a transient failure on the last
 * attempt: failed, and the message belongs in the dead-letter queue).
 */
export type AttemptResult = 'settled' | 'released' | 'exhausted';

/**
 * Runs one attempt of a job. Idempotent under redelivery: only a `pending` job can be
 * claimed, and every later write is conditional on the job still being `running` (so a
 * cancel stops it). Only a database failure outside the pipeline throws.
 */
export async function runImportAttempt(db: Db, deps: ImportDeps, jobId: string, attempt: Attempt): Promise<AttemptResult> {
  const job = await claim(db, jobId);
  if (!job) return 'settled';
  const started = Date.now();
  try {
    const outcome = await runPipeline(db, deps, job);
    log.info('import finished', { job_id: job.id, user_id: job.user_id, outcome, attempt: attempt.number, duration_ms: Date.now() - started });
    return 'settled';
  } catch (err) {
    const failure = classify(err);
    log.warn('import attempt failed', { job_id: job.id, attempt: attempt.number, retryable: failure.retryable, last: attempt.last, error: failure.message });
    if (failure.retryable && !attempt.last) {
      await release(db, job, failure.message);
      return 'released';
    }
    await fail(db, job, failure.message);
    return failure.retryable ? 'exhausted' : 'settled';
  }
}

async function runPipeline(db: Db, deps: ImportDeps, job: JobRow): Promise<'completed' | 'draft' | 'cancelled'> {
  const config = (job.config ?? {}) as Record<string, unknown>;
  // Import list (#17): a review import stays in the list; a push takes the item's product.
  const listItemId = typeof config.import_list_item_id === 'string' ? config.import_list_item_id : null;
  const review = config.review === true && !listItemId;
  const connection = job.store_id && !review ? await loadConnection(db, job) : null;
  if (listItemId) return pushListItem(db, deps, job, listItemId, connection);

  // Fetch (preview cache first) and normalise.
  let product: PipelineProduct;
  if (job.source === 'manual') {
    const manual = manualProductSchema.safeParse(config.product);
    if (!manual.success) throw new JobFailure('A manual import needs a valid product in config.product', false);
    product = normaliseManual(manual.data, job.id, job.source_url);
  } else {
    const detected = detectProductUrl(job.source_url ?? '');
    if (detected.source !== job.source) {
      throw new JobFailure(`This URL is a ${detected.source} product but the import's source is ${job.source}`, false);
    }
    product = await deps.fetchProduct(db, job.user_id, detected.source, detected.productId, job.source_url!);
  }
  if (!product.variants.length) throw new JobFailure('The supplier lists no purchasable variants for this product', false);
  if (!(await progress(db, job, 40, sql`source_product_id = ${product.sourceProductId}`))) return 'cancelled';

  // Price.
  const rule = ruleFromConfig(config);
  const priced = pricedProduct(product, rule);
  if (!(await progress(db, job, 60, sql`product_data = ${JSON.stringify(priced.data)}::jsonb`))) return 'cancelled';

  // Push (or keep as a draft when the user has no store).
  if (!connection) {
    if (!(await complete(db, job, priced.data, null, [], null))) return 'cancelled';
    await addToImportList(db, job, priced.data, review ? job.store_id : null); // import list (#17)
    return 'draft';
  }
  const mapping = await findMapping(db, connection.id, product);
  if (!(await progress(db, job, 75))) return 'cancelled';
  const connector = await deps.connectorFor(connection, db);
  const { input, dropped } = storeSafeImages(priced.input);
  const pushed = await connector.upsertProduct(input, mapping);
  if (dropped) pushed.warnings.push(`${dropped} image(s) without a public http(s) URL were not sent to the store`);
  const data = { ...priced.data, store: { id: connection.id, name: connection.storeName, platform: connection.platform, product_id: pushed.productId, url: pushed.url, created: pushed.created } };
  const ok = await complete(db, job, data, pushed.productId, pushed.warnings, {
    storeId: connection.id,
    variantIds: pushed.variantIds,
    rule,
    sourceProductId: product.sourceProductId,
  });
  return ok ? 'completed' : 'cancelled';
}

const isPublicUrl = (u: string | null) => !!u && /^https?:\/\//i.test(u);

/**
 * Stores fetch images themselves, so only http(s) URLs can go (the demo catalogue's
 * inline SVGs cannot); the rest are dropped and reported as a warning.
 */
function storeSafeImages(input: StoreProductInput) {
  const images = input.images.filter(isPublicUrl);
  let dropped = input.images.length - images.length;
  const variants = input.variants.map((v) => {
    if (v.image && !isPublicUrl(v.image)) dropped++;
    return isPublicUrl(v.image) ? v : { ...v, image: null };
  });
  return { input: { ...input, images, variants }, dropped };
}

/** The priced product: what the store receives, and what the job keeps as product_data. */
export function pricedProduct(product: PipelineProduct, rule: PricingRule) {
  const variants = priceVariants(product.variants, rule, product.currency);
  const title = rule.title_override ?? product.title;
  const tags = rule.tags ?? [];
  const published = rule.publish ?? false;
  const input: StoreProductInput = {
    supplierKey: `${product.source}:${product.sourceProductId}`,
    title,
    descriptionHtml: product.descriptionHtml,
    images: product.images,
    options: product.options,
    variants: variants.map((v) => ({
      supplierKey: v.variant.key,
      sku: v.variant.sku,
      options: v.variant.options,
      price: v.price,
      compareAt: v.compareAt,
      stock: v.variant.stock,
      image: v.variant.image,
    })),
    tags,
    published,
    currency: product.currency,
  };
  const data: ProductData = {
    title,
    description_html: product.descriptionHtml,
    images: product.images,
    options: product.options,
    variants: variants.map((v) => ({
      key: v.variant.key,
      sku: v.variant.sku,
      options: v.variant.options,
      cost: v.cost,
      price: v.price,
      compare_at: v.compareAt,
      stock: v.variant.stock,
      image: v.variant.image,
    })),
    price: Math.min(...variants.map((v) => v.price)),
    cost: product.price,
    currency: product.currency,
    tags,
    published,
    pricing: rule,
    source: product.source,
    source_product_id: product.sourceProductId,
    source_url: product.sourceUrl,
    supplier_name: product.supplierName,
    shipping: product.shipping,
    mode: product.mode,
  };
  return { input, data };
}

async function claim(db: Db, jobId: string): Promise<JobRow | null> {
  const { rows } = await db.execute<{ job: JobRow }>(sql`
    WITH claimed AS (
      UPDATE import_jobs
      SET status = 'running', progress_percent = 10, attempts = attempts + 1,
          started_at = COALESCE(started_at, now()), updated_at = now()
      WHERE id = ${jobId} AND status = 'pending'
      RETURNING *
    ), history AS (
      INSERT INTO import_history (user_id, import_job_id, action, details)
      SELECT user_id, id, 'running', jsonb_build_object('attempt', attempts) FROM claimed
    )
    SELECT row_to_json(claimed) AS job FROM claimed`);
  return rows[0]?.job ?? null;
}

/** Moves a running job on; false when it is no longer running (cancelled meanwhile). */
async function progress(db: Db, job: JobRow, percent: number, extra = sql``): Promise<boolean> {
  const set = extra.queryChunks.length ? sql`, ${extra}` : sql``;
  const { rows } = await db.execute(sql`
    UPDATE import_jobs SET progress_percent = ${percent}, updated_at = now() ${set}
    WHERE id = ${job.id} AND status = 'running' RETURNING id`);
  return rows.length > 0;
}

async function loadConnection(db: Db, job: JobRow): Promise<StoreConnectionRow> {
  const [row] = await db
    .select()
    .from(storeConnections)
    .where(and(eq(storeConnections.id, job.store_id!), eq(storeConnections.userId, job.user_id)));
  if (!row) throw new JobFailure('The target store connection no longer exists. Pick another store and retry.', false);
  return row;
}

async function findMapping(db: Db, storeId: string, product: PipelineProduct): Promise<string | null> {
  const { rows } = await db.execute<{ store_product_id: string }>(sql`
    SELECT store_product_id FROM store_products
    WHERE store_id = ${storeId} AND source = ${product.source} AND source_product_id = ${product.sourceProductId}`);
  return rows[0]?.store_product_id ?? null;
}

interface Mapping {
  storeId: string;
  sourceProductId: string;
  variantIds: Record<string, string>;
  rule: PricingRule;
}

/** Completes a running job, records history and (when pushed) the store mapping, in one statement. */
async function complete(db: Db, job: JobRow, data: unknown, productId: string | null, warnings: string[], mapping: Mapping | null): Promise<boolean> {
  const { rows } = await db.execute<{ id: string }>(sql`
    WITH done AS (
      UPDATE import_jobs
      SET status = 'completed', progress_percent = 100, product_data = ${JSON.stringify(data)}::jsonb,
          created_product_id = ${productId}::text, warnings = ${warnings.length ? JSON.stringify(warnings) : null}::jsonb,
          error_message = NULL, finished_at = now(), updated_at = now()
      WHERE id = ${job.id} AND status = 'running'
      RETURNING id, user_id, source
    ), mapped AS (
      INSERT INTO store_products (user_id, store_id, source, source_product_id, store_product_id, variant_map, pricing, last_job_id)
      SELECT user_id, ${mapping?.storeId ?? null}::uuid, source, ${mapping?.sourceProductId ?? null}::text, ${productId}::text,
             ${JSON.stringify(mapping?.variantIds ?? {})}::jsonb, ${JSON.stringify(mapping?.rule ?? {})}::jsonb, id
      FROM done WHERE ${mapping !== null}::boolean
      ON CONFLICT (store_id, source, source_product_id) DO UPDATE
      SET store_product_id = EXCLUDED.store_product_id, variant_map = EXCLUDED.variant_map,
          pricing = EXCLUDED.pricing, last_job_id = EXCLUDED.last_job_id, updated_at = now()
    ), history AS (
      INSERT INTO import_history (user_id, import_job_id, action, details)
      SELECT user_id, id, 'completed',
             jsonb_build_object('created_product_id', ${productId}::text, 'store_id', ${mapping?.storeId ?? null}::uuid,
                                'draft', ${mapping === null}::boolean, 'warnings', ${JSON.stringify(warnings)}::jsonb)
      FROM done
    )
    SELECT id FROM done`);
  return rows.length > 0;
}

/** A transient failure: back to pending so the redelivered message can claim it again. */
async function release(db: Db, job: JobRow, error: string): Promise<void> {
  await db.execute(sql`
    WITH back AS (
      UPDATE import_jobs SET status = 'pending', error_message = ${`Retrying after: ${error}`.slice(0, 2000)}, updated_at = now()
      WHERE id = ${job.id} AND status = 'running' RETURNING id, user_id
    )
    INSERT INTO import_history (user_id, import_job_id, action, details)
    SELECT user_id, id, 'retry_scheduled', jsonb_build_object('error', ${error}::text) FROM back`);
}

async function fail(db: Db, job: JobRow, error: string): Promise<void> {
  await db.execute(sql`
    WITH failed AS (
      UPDATE import_jobs SET status = 'failed', error_message = ${error.slice(0, 2000)}, finished_at = now(), updated_at = now()
      WHERE id = ${job.id} AND status IN ('running', 'pending') RETURNING id, user_id
    )
    INSERT INTO import_history (user_id, import_job_id, action, details)
    SELECT user_id, id, 'failed', jsonb_build_object('error', ${error}::text) FROM failed`);
}

/* ---------- import list (#17): pushing an item (the job's config names it) ---------- */

/**
 * Pushes an import-list item: the product is the item's (edits win over the supplier data;
 * no supplier fetch, no pricing rule), the store product is the one this store got from
 * the same supplier product before (updated, not duplicated), and the item remembers it.
 */
async function pushListItem(db: Db, deps: ImportDeps, job: JobRow, itemId: string, connection: StoreConnectionRow | null): Promise<'completed' | 'cancelled'> {
  if (!connection) throw new JobFailure('No store to push to: connect a store or choose one for this item', false);
  const { input: raw, data } = await itemForPush(db, job, itemId);
  if (!(await progress(db, job, 60, sql`source_product_id = ${data.source_product_id}, product_data = ${JSON.stringify(data)}::jsonb`))) return 'cancelled';
  const mapping = await findMapping(db, connection.id, { source: job.source, sourceProductId: data.source_product_id } as PipelineProduct);
  if (!(await progress(db, job, 75))) return 'cancelled';
  const connector = await deps.connectorFor(connection, db);
  const { input, dropped } = storeSafeImages(raw);
  const pushed = await connector.upsertProduct(input, mapping);
  if (dropped) pushed.warnings.push(`${dropped} image(s) without a public http(s) URL were not sent to the store`);
  const out = { ...data, store: { id: connection.id, name: connection.storeName, platform: connection.platform, product_id: pushed.productId, url: pushed.url, created: pushed.created } };
  const ok = await complete(db, job, out, pushed.productId, pushed.warnings, {
    storeId: connection.id,
    variantIds: pushed.variantIds,
    rule: data.pricing,
    sourceProductId: data.source_product_id,
  });
  if (ok) await markItemPushed(db, itemId, job.id, connection.id, pushed.productId);
  return ok ? 'completed' : 'cancelled';
}

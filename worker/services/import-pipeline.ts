import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { storeConnections } from '../db/schema';
import type { Bindings } from '../env';
import { describeError, log } from '../lib/log';
import { DomainError } from '../shared/domain-errors';
import { connectorFor } from '../stores';
import { StoreError, type PushResult, type StoreConnector, type StoreProductInput } from '../stores/types';
import { detectProductUrl } from '../shared/detect';
import { SupplierError, type NormalizedProduct } from '../suppliers/types';
import type { StoreConnectionRow } from './connections';
import type { JobRow } from './imports';
import { manualProductSchema, normaliseManual } from './manual-product';
import { currencyMismatch, hasSupplierPrice, priceVariants, ruleFromConfig, toStoreCurrency, type PricingRule } from '../shared/pricing';
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
    /** Not before this many seconds: the store may still be finishing what failed. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

function classify(err: unknown): JobFailure {
  if (err instanceof JobFailure) return err;
  if (err instanceof SupplierError) return new JobFailure(err.message, err.retryable);
  if (err instanceof StoreError) {
    return new JobFailure(`The store refused the product: ${err.message}`, err.retryable, err.settleMs ? Math.ceil(err.settleMs / 1000) : undefined);
  }
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
  /** Told when a released job must not run again for this many seconds (the store may still be finishing). */
  retryAfter?: (seconds: number) => void;
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
 * claimed, the claim gives the run its own `run_id`, and every later write is
 * conditional on the job still being `running` under that run (so a cancel stops it,
 * and a run that was cancelled and retried, or swept as stale, cannot touch the newer
 * run). Only a database failure outside the pipeline throws.
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
    // A run that no longer holds the job (cancelled, retried or swept meanwhile) changes nothing and asks for nothing.
    if (failure.retryable && !attempt.last) {
      if (!(await release(db, job, failure.message))) return 'settled';
      if (failure.retryAfterSeconds) attempt.retryAfter?.(failure.retryAfterSeconds);
      return 'released';
    }
    const failed = await fail(db, job, failure.message);
    return failure.retryable && failed ? 'exhausted' : 'settled';
  }
}

/**
 * The supplier product a job imports: `manual` jobs carry it in config.product, the rest
 * come from the supplier (preview cache first). The one place a job becomes product
 * data; other kinds of job (e.g. an import list) plug in here.
 */
export async function resolveJobProduct(db: Db, deps: ImportDeps, job: JobRow): Promise<PipelineProduct> {
  const config = (job.config ?? {}) as Record<string, unknown>;
  if (job.source === 'manual') {
    const manual = manualProductSchema.safeParse(config.product);
    if (!manual.success) throw new JobFailure('A manual import needs a valid product in config.product', false);
    return normaliseManual(manual.data, job.id, job.source_url);
  }
  const detected = detectProductUrl(job.source_url ?? '');
  if (detected.source !== job.source) {
    throw new JobFailure(`This URL is a ${detected.source} product but the import's source is ${job.source}`, false);
  }
  return deps.fetchProduct(db, job.user_id, detected.source, detected.productId, job.source_url!);
}

/**
 * A variant without a usable supplier price (missing, parsed as 0, or negative) is a
 * supplier error: it is left out with a warning, and a product with none is refused.
 */
function sellableVariants(product: PipelineProduct): { product: PipelineProduct; warnings: string[] } {
  const priced = product.variants.filter((v) => hasSupplierPrice(v.price));
  if (!priced.length) {
    throw new JobFailure('The supplier gives no price for any variant of this product, so it cannot be listed. Try again later or pick another product.', false);
  }
  const left = product.variants.length - priced.length;
  if (!left) return { product, warnings: [] };
  return {
    product: { ...product, variants: priced, price: Math.min(...priced.map((v) => v.price)) },
    warnings: [`${left} variant(s) without a supplier price were left out (the supplier answered no price or a price of 0)`],
  };
}

async function runPipeline(db: Db, deps: ImportDeps, job: JobRow): Promise<'completed' | 'draft' | 'cancelled' | 'completed_after_cancel'> {
  const config = (job.config ?? {}) as Record<string, unknown>;
  // Import list (#17): a review import stays in the list; a push takes the item's product.
  const listItemId = typeof config.import_list_item_id === 'string' ? config.import_list_item_id : null;
  const review = config.review === true && !listItemId;
  const connection = job.store_id && !review ? await loadConnection(db, job) : null;
  if (listItemId) return pushListItem(db, deps, job, listItemId, connection);

  // Fetch (preview cache first) and normalise.
  const fetched = await resolveJobProduct(db, deps, job);
  if (!fetched.variants.length) throw new JobFailure('The supplier lists no purchasable variants for this product', false);
  const { product, warnings } = sellableVariants(fetched);
  if (!(await progress(db, job, 40, sql`source_product_id = ${product.sourceProductId}`))) return 'cancelled';

  // Price, in the store's currency when the rule names one (a store product already
  // priced in another currency is priced again below, once its mapping is read).
  const rule = ruleFromConfig(job.config);
  const provisional = pricedProduct(inCurrency(product, rule.store_currency ?? product.currency, rule), rule);
  if (!(await progress(db, job, 60, sql`product_data = ${JSON.stringify(provisional.data)}::jsonb`))) return 'cancelled';
  if (!connection) {
    if (!(await completeDraft(db, job, provisional.data, warnings))) return 'cancelled';
    await addToImportList(db, job, provisional.data, review ? job.store_id : null);
    return 'draft';
  }

  const key = { storeId: connection.id, source: product.source, sourceProductId: product.sourceProductId };
  const pushed = await pushUnderClaim(db, deps, job, connection, key, (mapping) => {
    // Prices go to the store in the currency its product already has, never another.
    const currency = mapping?.currency ?? provisional.data.currency;
    const priced = currency === provisional.data.currency ? provisional : pricedProduct(inCurrency(product, currency, rule), rule);
    return { input: { ...priced.input, overwrite: config.overwrite === true }, data: priced.data, rule, currency, warnings };
  });
  return pushed.status;
}

/**
 * Find → push → map, holding the (store, supplier, product) claim throughout, so a
 * concurrent job for the same product waits and then updates this one's product.
 * `prepare` builds what is pushed once the existing mapping (and its currency) is known.
 */
async function pushUnderClaim(
  db: Db,
  deps: ImportDeps,
  job: JobRow,
  connection: StoreConnectionRow,
  key: StoreProductKey,
  prepare: (mapping: { storeProductId: string; currency: string | null } | null) => { input: StoreProductInput; data: object; rule: PricingRule; currency: string; warnings: string[] },
): Promise<{ status: 'completed' | 'cancelled' | 'completed_after_cancel'; productId: string | null }> {
  const held = await claimStoreProduct(db, job, key);
  if (!held) return { status: 'cancelled', productId: null };
  let recorded = false;
  let settleMs = 0;
  try {
    const mapping = await findMapping(db, key);
    const out = prepare(mapping);
    if (!(await progress(db, job, 75))) return { status: 'cancelled', productId: null };
    const connector = await deps.connectorFor(connection, db);
    const { input, dropped } = storeSafeImages({ ...out.input, push: { jobId: job.id, runId: job.run_id! } });
    const pushed = await connector.upsertProduct(input, mapping?.storeProductId ?? null);
    pushed.warnings.unshift(...out.warnings);
    if (dropped) pushed.warnings.push(`${dropped} image(s) without a public http(s) URL were not sent to the store`);
    const data = { ...out.data, store: { id: connection.id, name: connection.storeName, platform: connection.platform, product_id: pushed.productId, url: pushed.url, created: pushed.created } };
    const status = await recordPush(db, job, data, pushed, { ...key, variantIds: pushed.variantIds, rule: out.rule, currency: out.currency });
    recorded = true;
    return { status, productId: pushed.productId };
  } catch (err) {
    if (err instanceof StoreError && err.settleMs) settleMs = err.settleMs;
    throw err;
  } finally {
    // A push the store may still be finishing keeps the claim until it had time to: no
    // job (this one's retry included) creates the product again before then.
    if (!recorded) await (settleMs ? holdStoreProduct(db, job, settleMs) : releaseStoreProduct(db, job));
  }
}

/**
 * The supplier product with its costs in `currency`: unchanged when the supplier prices
 * in it, converted with the rule's recorded rate otherwise; no rate stops the import.
 */
function inCurrency(product: PipelineProduct, currency: string, rule: PricingRule): PipelineProduct {
  if (product.currency === currency) return product;
  const convert = (amount: number) => {
    const converted = toStoreCurrency(amount, product.currency, currency, rule);
    if (converted === null) throw new JobFailure(currencyMismatch(product.currency, currency), false);
    return converted;
  };
  const variants = product.variants.map((v) => ({ ...v, price: convert(v.price), compareAt: v.compareAt === null ? null : convert(v.compareAt) }));
  return { ...product, currency, variants, price: Math.min(...variants.map((v) => v.price)) };
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
      SET status = 'running', progress_percent = 10, attempts = attempts + 1, run_id = gen_random_uuid(), claimed_at = now(),
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

/** The job is still running under this run: the fence of every write after the claim. */
const ours = (job: JobRow) => sql`id = ${job.id} AND status = 'running' AND run_id = ${job.run_id}::uuid`;

/** Moves a running job on; false when this run no longer holds it (cancelled, retried or swept meanwhile). */
async function progress(db: Db, job: JobRow, percent: number, extra = sql``): Promise<boolean> {
  const set = extra.queryChunks.length ? sql`, ${extra}` : sql``;
  const { rows } = await db.execute(sql`
    UPDATE import_jobs SET progress_percent = ${percent}, updated_at = now() ${set}
    WHERE ${ours(job)} RETURNING id`);
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

/** Which supplier product in which store: the unit of the find → push → map step. */
interface StoreProductKey {
  storeId: string;
  source: JobRow['source'];
  sourceProductId: string;
}

/** How long a claim on a store product lasts: past the longest a queue consumer can run (15 min). */
export const STORE_PRODUCT_CLAIM_MINUTES = 20;
/** How long a job waits for another job's push of the same product before trying again later. */
const CLAIM_WAIT_MS = 20_000;
const CLAIM_POLL_MS = 250;

/**
 * Claims the store product for this run: one conditional upsert that succeeds when nobody
 * holds it (or the holder's claim ran out) and the job is still ours. While another run
 * holds it, waits (polling) up to CLAIM_WAIT_MS, then gives up with a retryable failure.
 * A claim held for a push the store may still be saving (`settling`, holdStoreProduct)
 * will not be given back sooner than its end, so polling it would only spend the
 * consumer's time: the job gives up at once, asking to be retried when the hold ends.
 * False when the job is no longer ours.
 */
async function claimStoreProduct(db: Db, job: JobRow, key: StoreProductKey): Promise<boolean> {
  const deadline = Date.now() + CLAIM_WAIT_MS;
  for (;;) {
    const { rows } = await db.execute<{ mine: boolean; claimed: boolean; settling_seconds: number | null }>(sql`
      WITH me AS (SELECT id FROM import_jobs WHERE ${ours(job)}), c AS (
        INSERT INTO store_product_claims (store_id, source, source_product_id, job_id, run_id, claimed_until, settling)
        SELECT ${key.storeId}::uuid, ${key.source}::importsource, ${key.sourceProductId}, ${job.id}::uuid, ${job.run_id}::uuid,
               now() + make_interval(mins => ${STORE_PRODUCT_CLAIM_MINUTES}::int), false
        FROM me
        ON CONFLICT (store_id, source, source_product_id) DO UPDATE
        SET job_id = EXCLUDED.job_id, run_id = EXCLUDED.run_id, claimed_until = EXCLUDED.claimed_until, settling = false, created_at = now()
        WHERE store_product_claims.claimed_until < now() OR store_product_claims.run_id = EXCLUDED.run_id
        RETURNING run_id
      )
      SELECT EXISTS (SELECT 1 FROM me) AS mine, EXISTS (SELECT 1 FROM c) AS claimed,
             (SELECT ceil(extract(epoch FROM h.claimed_until - now()))::int FROM store_product_claims h
              WHERE h.store_id = ${key.storeId}::uuid AND h.source = ${key.source}::importsource AND h.source_product_id = ${key.sourceProductId}
                AND h.settling AND h.claimed_until >= now()) AS settling_seconds`);
    if (!rows[0].mine) return false;
    if (rows[0].claimed) return true;
    if (rows[0].settling_seconds !== null) {
      throw new JobFailure(
        'An earlier push of this product may still be being saved by the store; this import tries again once the store had time to finish',
        true,
        Math.max(1, rows[0].settling_seconds),
      );
    }
    if (Date.now() > deadline) {
      throw new JobFailure('Another import of this product into the same store is still being pushed; this one tries again shortly', true);
    }
    await new Promise((r) => setTimeout(r, CLAIM_POLL_MS));
  }
}

/** Gives the store product claim back (the push failed or the job was cancelled before it). */
async function releaseStoreProduct(db: Db, job: JobRow): Promise<void> {
  await db.execute(sql`DELETE FROM store_product_claims WHERE run_id = ${job.run_id}::uuid`);
}

/** Keeps this run's claim for `ms` more (from now), though the run is over: see pushUnderClaim. */
async function holdStoreProduct(db: Db, job: JobRow, ms: number): Promise<void> {
  await db.execute(sql`
    UPDATE store_product_claims SET claimed_until = now() + make_interval(secs => ${ms / 1000}::double precision), settling = true
    WHERE run_id = ${job.run_id}::uuid`);
}

/**
 * The store product this supplier product became, read after the claim (a separate
 * statement, so it sees the mapping the previous holder committed with its release).
 */
async function findMapping(db: Db, key: StoreProductKey): Promise<{ storeProductId: string; currency: string | null } | null> {
  const { rows } = await db.execute<{ store_product_id: string; currency: string | null }>(sql`
    SELECT store_product_id, currency FROM store_products
    WHERE store_id = ${key.storeId} AND source = ${key.source} AND source_product_id = ${key.sourceProductId}`);
  return rows[0] ? { storeProductId: rows[0].store_product_id, currency: rows[0].currency } : null;
}

/**
 * What the pipeline records about a pushed product (store_products). A connector that
 * needs more remembered (e.g. the store's media ids) adds a field here and a column in
 * recordPush's `mapped` statement.
 */
interface Mapping extends StoreProductKey {
  variantIds: Record<string, string>;
  rule: PricingRule;
  /** The currency of the prices written to the store. */
  currency: string;
}

/** Said on a job whose cancel arrived while its product was being pushed. */
export const CANCEL_TOO_LATE =
  'The cancel came too late: the product had already been sent to the store. It stays there, and SourcePilot keeps it linked for re-imports and repricing.';

/**
 * After a push: the mapping (while this run still holds the claim, whatever happened to
 * the job meanwhile, since the product is in the store now), the claim released, and
 * the job completed, in one statement. The job is completed when this run still holds
 * it: `running`, or `cancelled` during the push (the cancel came too late, said in the
 * job's warnings and history). A job retried or swept meanwhile is not touched.
 */
async function recordPush(db: Db, job: JobRow, data: unknown, pushed: PushResult, m: Mapping): Promise<'completed' | 'cancelled' | 'completed_after_cancel'> {
  const { rows } = await db.execute<{ status: string | null; mapped: boolean }>(sql`
    WITH held AS (
      DELETE FROM store_product_claims WHERE run_id = ${job.run_id}::uuid
        AND store_id = ${m.storeId}::uuid AND source = ${m.source} AND source_product_id = ${m.sourceProductId}
      RETURNING store_id
    ), mapped AS (
      INSERT INTO store_products (user_id, store_id, source, source_product_id, store_product_id, variant_map, pricing, currency, last_job_id)
      SELECT ${job.user_id}::uuid, ${m.storeId}::uuid, ${m.source}::importsource, ${m.sourceProductId}, ${pushed.productId},
             ${JSON.stringify(m.variantIds)}::jsonb, ${JSON.stringify(m.rule)}::jsonb, ${m.currency}, ${job.id}::uuid
      FROM held
      ON CONFLICT (store_id, source, source_product_id) DO UPDATE
      SET store_product_id = EXCLUDED.store_product_id, variant_map = EXCLUDED.variant_map, pricing = EXCLUDED.pricing,
          currency = EXCLUDED.currency, last_job_id = EXCLUDED.last_job_id, updated_at = now()
      RETURNING id
    ), cur AS (
      SELECT id, status FROM import_jobs
      WHERE id = ${job.id} AND run_id = ${job.run_id}::uuid AND status IN ('running', 'cancelled') FOR UPDATE
    ), done AS (
      UPDATE import_jobs j
      SET status = 'completed', progress_percent = 100, product_data = ${JSON.stringify(data)}::jsonb,
          created_product_id = ${pushed.productId}::text,
          warnings = CASE WHEN cur.status = 'cancelled' THEN ${JSON.stringify([...pushed.warnings, CANCEL_TOO_LATE])}::jsonb
                          ELSE ${pushed.warnings.length ? JSON.stringify(pushed.warnings) : null}::jsonb END,
          error_message = NULL, finished_at = now(), updated_at = now()
      FROM cur WHERE j.id = cur.id
      RETURNING j.id, cur.status AS previous
    ), history AS (
      INSERT INTO import_history (user_id, import_job_id, action, details)
      SELECT ${job.user_id}::uuid, id, 'completed',
             jsonb_build_object('created_product_id', ${pushed.productId}::text, 'store_id', ${m.storeId}::uuid, 'draft', false,
                                'warnings', ${JSON.stringify(pushed.warnings)}::jsonb, 'cancel_too_late', previous = 'cancelled')
      FROM done
    )
    SELECT (SELECT previous::text FROM done) AS status, EXISTS (SELECT 1 FROM mapped) AS mapped`);
  const r = rows[0];
  if (!r.mapped) {
    // Only when the claim ran out (a push longer than the claim) and another run took it.
    log.error('import pushed a product but lost its store product claim', { job_id: job.id, store_id: m.storeId, store_product_id: pushed.productId });
  }
  return r.status === 'running' ? 'completed' : r.status === 'cancelled' ? 'completed_after_cancel' : 'cancelled';
}

/** Completes a draft (no store): the job and its history, in one statement. */
async function completeDraft(db: Db, job: JobRow, data: unknown, warnings: string[]): Promise<boolean> {
  const { rows } = await db.execute<{ id: string }>(sql`
    WITH done AS (
      UPDATE import_jobs
      SET status = 'completed', progress_percent = 100, product_data = ${JSON.stringify(data)}::jsonb,
          created_product_id = NULL, warnings = ${warnings.length ? JSON.stringify(warnings) : null}::jsonb,
          error_message = NULL, finished_at = now(), updated_at = now()
      WHERE ${ours(job)}
      RETURNING id, user_id
    ), history AS (
      INSERT INTO import_history (user_id, import_job_id, action, details)
      SELECT user_id, id, 'completed',
             jsonb_build_object('created_product_id', NULL, 'store_id', NULL, 'draft', true, 'warnings', ${JSON.stringify(warnings)}::jsonb)
      FROM done
    )
    SELECT id FROM done`);
  return rows.length > 0;
}

/** A transient failure: back to pending so the redelivered message can claim it again. */
async function release(db: Db, job: JobRow, error: string): Promise<boolean> {
  const { rows } = await db.execute(sql`
    WITH back AS (
      UPDATE import_jobs SET status = 'pending', error_message = ${`Retrying after: ${error}`.slice(0, 2000)}, updated_at = now()
      WHERE ${ours(job)} RETURNING id, user_id
    )
    INSERT INTO import_history (user_id, import_job_id, action, details)
    SELECT user_id, id, 'retry_scheduled', jsonb_build_object('error', ${error}::text) FROM back
    RETURNING import_job_id`);
  return rows.length > 0;
}

async function fail(db: Db, job: JobRow, error: string): Promise<boolean> {
  const { rows } = await db.execute(sql`
    WITH failed AS (
      UPDATE import_jobs SET status = 'failed', error_message = ${error.slice(0, 2000)}, finished_at = now(), updated_at = now()
      WHERE ${ours(job)} RETURNING id, user_id
    )
    INSERT INTO import_history (user_id, import_job_id, action, details)
    SELECT user_id, id, 'failed', jsonb_build_object('error', ${error}::text) FROM failed
    RETURNING import_job_id`);
  return rows.length > 0;
}

/* ---------- import list (#17): pushing an item (the job's config names it) ---------- */

/**
 * Pushes an import-list item: the product is the item's (edits win over the supplier data;
 * no supplier fetch, no pricing rule), the store product is the one this store got from
 * the same supplier product before (updated, not duplicated), and the item remembers it.
 */
async function pushListItem(db: Db, deps: ImportDeps, job: JobRow, itemId: string, connection: StoreConnectionRow | null): Promise<'completed' | 'cancelled' | 'completed_after_cancel'> {
  if (!connection) throw new JobFailure('No store to push to: connect a store or choose one for this item', false);
  const { input, data } = await itemForPush(db, job, itemId);
  if (!(await progress(db, job, 60, sql`source_product_id = ${data.source_product_id}, product_data = ${JSON.stringify(data)}::jsonb`))) return 'cancelled';
  const key = { storeId: connection.id, source: job.source, sourceProductId: data.source_product_id };
  const pushed = await pushUnderClaim(db, deps, job, connection, key, (mapping) => {
    // The item's prices are in its currency; a store product priced in another is never overwritten with them.
    if (mapping?.currency && mapping.currency !== data.currency) throw new JobFailure(currencyMismatch(data.currency, mapping.currency), false);
    // The merchant's edits win: title, description, tags and status are written on a re-push too.
    return { input: { ...input, overwrite: true }, data, rule: ruleFromConfig(data.pricing), currency: data.currency, warnings: [] };
  });
  if (pushed.status !== 'cancelled' && pushed.productId) await markItemPushed(db, itemId, job.id, connection.id, pushed.productId);
  return pushed.status;
}

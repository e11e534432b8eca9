import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import type { RowJson } from '../db/rows';
import type { importListItems } from '../db/schema';
import { isoZ } from '../lib/time';
import { InvalidInput, NotFound } from '../shared/domain-errors';
import { sanitizeHtml } from '../shared/html';
import type { ProductData } from '../shared/import-jobs';
import {
  asListProduct,
  dropOption,
  marginOf,
  minPrice,
  platformChecks,
  renameOption,
  repriceProduct,
  type ImportListProduct,
} from '../shared/import-list';
import { priceFor, type PricingRule } from '../shared/pricing';
import type { StoreProductInput } from '../stores/types';
import type { JobRow } from './imports';

/**
 * The import list (#17): supplier products kept for review and editing, pushed later
 * through the import pipeline. Each item belongs to the import job it came from; a push
 * re-runs that job (pending again, `config.import_list_item_id` set), so the pipeline,
 * the job history, retries and the plan count (one per supplier product) are the imports'.
 */

type ItemRow = RowJson<typeof importListItems.$inferSelect> & { job_status?: JobRow['status']; job_error?: string | null };

const ts = (v: string | null) => (v ? isoZ(new Date(v)) : null);

/** Where an item stands: in the list, being pushed, pushed, or its last push failed. */
export type ItemStatus = 'draft' | 'pushing' | 'pushed' | 'push_failed';

function statusOf(r: ItemRow): ItemStatus {
  if (r.job_status === 'pending' || r.job_status === 'running') return 'pushing';
  if (r.job_status === 'failed' && r.store_product_id === null) return 'push_failed';
  return r.pushed_at ? 'pushed' : 'draft';
}

/** The API's ImportListItem. */
export function itemOut(r: ItemRow) {
  const product = asListProduct(r.product as ImportListProduct);
  return {
    id: r.id,
    user_id: r.user_id,
    import_job_id: r.import_job_id,
    store_id: r.store_id,
    source: r.source,
    source_product_id: r.source_product_id,
    source_url: r.source_url,
    title: r.title,
    status: statusOf(r),
    error_message: r.job_status === 'failed' ? (r.job_error ?? null) : null,
    version: r.version,
    edited_fields: r.edited_fields,
    product: {
      ...product,
      description_html: sanitizeHtml(product.description_html ?? ''),
      variants: product.variants.map((v) => ({ ...v, margin: marginOf(v.price, v.cost) })),
    },
    checks: platformChecks(product),
    pushed: r.pushed_at !== null,
    pushed_at: ts(r.pushed_at),
    pushed_store_id: r.pushed_store_id,
    store_product_id: r.store_product_id,
    supplier_changed: r.supplier_changed_at !== null,
    supplier_changed_at: ts(r.supplier_changed_at),
    created_at: ts(r.created_at)!,
    updated_at: ts(r.updated_at)!,
  };
}

export type ImportListItemOut = ReturnType<typeof itemOut>;

const ITEM_SELECT = sql`SELECT i.*, j.status AS job_status, j.error_message AS job_error FROM import_list_items i JOIN import_jobs j ON j.id = i.import_job_id`;

export interface ItemFilter {
  skip: number;
  limit: number;
  storeId?: string;
  source?: string;
  pushed?: boolean;
  q?: string;
  supplierChanged?: boolean;
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The caller's items, newest first, with the total before paging, in one round trip. */
export async function listItems(db: Db, userId: string, f: ItemFilter) {
  const where = sql`i.user_id = ${userId}
    ${f.storeId ? sql`AND i.store_id = ${f.storeId}` : sql``}
    ${f.source ? sql`AND i.source::text = ${f.source}` : sql``}
    ${f.pushed === undefined ? sql`` : f.pushed ? sql`AND i.pushed_at IS NOT NULL` : sql`AND i.pushed_at IS NULL`}
    ${f.supplierChanged === undefined ? sql`` : f.supplierChanged ? sql`AND i.supplier_changed_at IS NOT NULL` : sql`AND i.supplier_changed_at IS NULL`}
    ${f.q ? sql`AND i.title ILIKE ${likePattern(f.q)}` : sql``}`;
  const { rows } = await db.execute<{ total: number; items: ItemRow[] }>(sql`
    SELECT (SELECT count(*)::int FROM import_list_items i WHERE ${where}) AS total,
           COALESCE((SELECT json_agg(row_to_json(p)) FROM (
              ${ITEM_SELECT} WHERE ${where}
              ORDER BY i.created_at DESC, i.id DESC OFFSET ${f.skip} LIMIT ${f.limit}) p), '[]'::json) AS items`);
  return { items: rows[0].items.map(itemOut), total: rows[0].total, skip: f.skip, limit: f.limit };
}

async function readItem(db: Db, userId: string, itemId: string): Promise<ItemRow | null> {
  const { rows } = await db.execute<{ item: ItemRow }>(sql`
    SELECT row_to_json(p) AS item FROM (${ITEM_SELECT} WHERE i.id = ${itemId} AND i.user_id = ${userId}) p`);
  return rows[0]?.item ?? null;
}

export async function getItem(db: Db, userId: string, itemId: string) {
  const row = await readItem(db, userId, itemId);
  if (!row) throw new NotFound('Import list item not found');
  return itemOut(row);
}

/** What a merchant may change on an item (validated by the route's schema first). */
export interface ItemEdits {
  version: number;
  title?: string;
  description_html?: string;
  tags?: string[];
  product_type?: string | null;
  vendor?: string | null;
  /** The images to use, in order, chosen from the supplier's images. */
  images?: string[];
  /** Per variant: sold or not, a price by hand (null = back to the pricing rule), compare-at. */
  variants?: { key: string; selected?: boolean; price?: number | null; compare_at?: number | null }[];
  /** Rename option axes and / or their values (names as they are now). */
  rename_options?: { name: string; new_name?: string; values?: Record<string, string> }[];
  /** Drop whole axes (e.g. "Ships From"); `keep_value` prefers that value's variants (e.g. the kept warehouse). */
  drop_options?: { name: string; keep_value?: string | null }[];
  /** The target store; null = the default store at push time. */
  store_id?: string | null;
  /** The item's pricing rule; variants without a hand-set price follow it. */
  pricing?: PricingRule;
}

export type UpdateResult = { kind: 'ok'; item: ImportListItemOut } | { kind: 'conflict'; item: ImportListItemOut };

const invalid = (field: string, message: string, input: unknown) => new InvalidInput(message, { field: [field], type: 'value_error', input });

/** Applies edits to a product (pure); throws InvalidInput naming the field on a bad edit. */
export function applyEdits(current: ImportListProduct, e: ItemEdits): { product: ImportListProduct; edited: string[] } {
  let p: ImportListProduct = { ...current };
  const edited: string[] = [];
  if (e.title !== undefined) {
    p.title = e.title.trim();
    if (!p.title) throw invalid('title', 'The title must not be empty', e.title);
    edited.push('title');
  }
  if (e.description_html !== undefined) {
    p.description_html = sanitizeHtml(e.description_html);
    edited.push('description_html');
  }
  if (e.tags !== undefined) {
    p.tags = [...new Set(e.tags.map((t) => t.trim()).filter(Boolean))];
    edited.push('tags');
  }
  if (e.product_type !== undefined) {
    p.product_type = e.product_type?.trim() || null;
    edited.push('product_type');
  }
  if (e.vendor !== undefined) {
    p.vendor = e.vendor?.trim() || null;
    edited.push('vendor');
  }
  if (e.images !== undefined) {
    const allowed = new Set(p.supplier_images);
    const bad = e.images.find((u) => !allowed.has(u));
    if (bad !== undefined) throw invalid('images', 'Images must be chosen from the supplier’s images of this product', bad);
    p.images = [...new Set(e.images)];
    edited.push('images');
  }
  if (e.pricing !== undefined) {
    const manual = new Map(p.variants.filter((v) => v.manual_price).map((v) => [v.key, v]));
    p = repriceProduct(p, e.pricing);
    // Hand-set prices stay; the rule prices the rest.
    p.variants = p.variants.map((v) => manual.get(v.key) ?? v);
    edited.push('pricing');
  }
  for (const r of e.rename_options ?? []) {
    if (!p.options.some((o) => o.name === r.name)) throw invalid('rename_options', `There is no option "${r.name}"`, r.name);
    const newName = (r.new_name ?? r.name).trim();
    if (!newName) throw invalid('rename_options', 'An option name must not be empty', r.new_name);
    if (newName !== r.name && p.options.some((o) => o.name === newName)) throw invalid('rename_options', `There is already an option "${newName}"`, newName);
    const values = Object.fromEntries(Object.entries(r.values ?? {}).map(([k, v]) => [k, v.trim()]));
    if (Object.values(values).some((v) => !v)) throw invalid('rename_options', 'An option value must not be empty', r.values);
    p = renameOption(p, r.name, newName, values);
    const opt = p.options.find((o) => o.name === newName)!;
    if (new Set(opt.values).size !== opt.values.length) throw invalid('rename_options', `Two values of "${newName}" would have the same name`, r.values);
    edited.push('options');
  }
  for (const d of e.drop_options ?? []) {
    const next = dropOption(p, d.name, d.keep_value ?? null);
    if (!next) throw invalid('drop_options', `There is no option "${d.name}"`, d.name);
    p = next;
    edited.push('options');
  }
  if (e.variants?.length) {
    const byKey = new Map(e.variants.map((v) => [v.key, v]));
    const unknown = e.variants.find((v) => !p.variants.some((x) => x.key === v.key));
    if (unknown) throw invalid('variants', `No variant "${unknown.key}" (it may have been folded into another when an option was dropped)`, unknown.key);
    p.variants = p.variants.map((v) => {
      const ch = byKey.get(v.key);
      if (!ch) return v;
      const next = { ...v };
      if (ch.selected !== undefined) next.selected = ch.selected;
      if (ch.price === null) {
        const ruled = priceFor(v.cost, p.pricing ?? {}, p.currency);
        Object.assign(next, { price: ruled.price, compare_at: ruled.compareAt, manual_price: false });
      } else if (ch.price !== undefined) {
        Object.assign(next, { price: ch.price, manual_price: true });
      }
      if (ch.compare_at !== undefined) next.compare_at = ch.compare_at;
      if (next.compare_at !== null && next.compare_at <= next.price) next.compare_at = null;
      return next;
    });
    edited.push('variants');
  }
  if (!p.variants.some((v) => v.selected)) throw invalid('variants', 'Keep at least one variant to sell', e.variants ?? null);
  p.price = minPrice(p.variants);
  return { product: p, edited };
}

/**
 * Edits an item: read it, apply the edits, write them only over the version the caller
 * read (two tabs cannot silently overwrite each other: the second gets the current item).
 */
export async function updateItem(db: Db, userId: string, itemId: string, edits: ItemEdits): Promise<UpdateResult> {
  const row = await readItem(db, userId, itemId);
  if (!row) throw new NotFound('Import list item not found');
  if (row.version !== edits.version) return { kind: 'conflict', item: itemOut(row) };
  const { product, edited } = applyEdits(asListProduct(row.product as ImportListProduct), edits);
  const storeSet = edits.store_id !== undefined;
  const { rows } = await db.execute<{ item: ItemRow | null; store_ok: boolean }>(sql`
    WITH store_ok AS (
      SELECT ${!storeSet}::boolean OR ${edits.store_id ?? null}::uuid IS NULL
             OR EXISTS (SELECT 1 FROM store_connections WHERE id = ${edits.store_id ?? null}::uuid AND user_id = ${userId}) AS ok
    ), upd AS (
      UPDATE import_list_items i
      SET product = ${JSON.stringify(product)}::jsonb, title = ${product.title.slice(0, 255)},
          edited_fields = ARRAY(SELECT DISTINCT unnest(i.edited_fields || ${sql.param(edited)}::text[]) ORDER BY 1),
          store_id = CASE WHEN ${storeSet}::boolean THEN ${edits.store_id ?? null}::uuid ELSE i.store_id END,
          version = i.version + 1, updated_at = now()
      FROM store_ok
      WHERE store_ok.ok AND i.id = ${itemId} AND i.user_id = ${userId} AND i.version = ${edits.version}
      RETURNING i.*
    )
    SELECT (SELECT ok FROM store_ok) AS store_ok,
           (SELECT row_to_json(p) FROM (SELECT upd.*, j.status AS job_status, j.error_message AS job_error
                                         FROM upd JOIN import_jobs j ON j.id = upd.import_job_id) p) AS item`);
  if (!rows[0].store_ok) throw new NotFound('Store connection not found');
  if (rows[0].item) return { kind: 'ok', item: itemOut(rows[0].item) };
  // Someone else's edit landed between the read and the write.
  const current = await readItem(db, userId, itemId);
  if (!current) throw new NotFound('Import list item not found');
  return { kind: 'conflict', item: itemOut(current) };
}

/** Removes an item (its import job and history stay). */
export async function deleteItem(db: Db, userId: string, itemId: string): Promise<void> {
  const { rows } = await db.execute(sql`DELETE FROM import_list_items WHERE id = ${itemId} AND user_id = ${userId} RETURNING id`);
  if (!rows.length) throw new NotFound('Import list item not found');
}

export type PushResult = { kind: 'ok'; jobs: JobRow[] } | { kind: 'not_found'; ids: string[] } | { kind: 'store_not_found' } | { kind: 'busy'; ids: string[] };

/**
 * Queues pushes in one statement: each item's import job goes back to `pending` with the
 * item's id in its config and the target store (the given one, else the item's, else the
 * default); its history records `pushed`. An item whose job is already pending or running
 * refuses the whole batch (nothing changes). The caller enqueues the returned jobs.
 */
export async function pushItems(db: Db, userId: string, itemIds: string[], storeId: string | null): Promise<PushResult> {
  const ids = [...new Set(itemIds)];
  const { rows } = await db.execute<{ missing: string[]; busy: string[]; store_ok: boolean; jobs: JobRow[] }>(sql`
    WITH items AS (
      SELECT i.id, i.import_job_id, i.store_id, j.status
      FROM import_list_items i JOIN import_jobs j ON j.id = i.import_job_id
      WHERE i.user_id = ${userId} AND i.id = ANY(${sql.param(ids)}::uuid[])
      FOR UPDATE OF j
    ), target AS (
      SELECT it.id, COALESCE(
        ${storeId}::uuid,
        (SELECT s.id FROM store_connections s WHERE s.id = it.store_id AND s.user_id = ${userId}),
        (SELECT s.id FROM store_connections s WHERE s.user_id = ${userId} AND s.is_default LIMIT 1)) AS store_id
      FROM items it
    ), checks AS (
      SELECT ARRAY(SELECT x FROM unnest(${sql.param(ids)}::uuid[]) x WHERE x NOT IN (SELECT id FROM items)) AS missing,
             ARRAY(SELECT id FROM items WHERE status IN ('pending', 'running')) AS busy,
             (${storeId}::uuid IS NULL OR EXISTS (SELECT 1 FROM store_connections WHERE id = ${storeId}::uuid AND user_id = ${userId})) AS store_ok
    ), go AS (
      SELECT cardinality(missing) = 0 AND cardinality(busy) = 0 AND store_ok AS ok FROM checks
    ), jobs AS (
      UPDATE import_jobs j
      SET status = 'pending', store_id = t.store_id, progress_percent = 0, error_message = NULL, attempts = 0,
          started_at = NULL, finished_at = NULL, dedupe_key = NULL,
          config = (COALESCE(j.config, '{}'::jsonb) - 'review') || jsonb_build_object('import_list_item_id', it.id),
          updated_at = now()
      FROM items it JOIN target t ON t.id = it.id, go
      WHERE go.ok AND j.id = it.import_job_id
      RETURNING j.*
    ), history AS (
      INSERT INTO import_history (user_id, import_job_id, action, details)
      SELECT ${userId}, jobs.id, 'pushed', jsonb_build_object('import_list_item_id', jobs.config->>'import_list_item_id', 'store_id', jobs.store_id)
      FROM jobs
    )
    SELECT checks.missing, checks.busy, checks.store_ok,
           COALESCE((SELECT json_agg(row_to_json(jobs)) FROM jobs), '[]'::json) AS jobs
    FROM checks`);
  const r = rows[0];
  if (r.missing.length) return { kind: 'not_found', ids: r.missing };
  if (!r.store_ok) return { kind: 'store_not_found' };
  if (r.busy.length) return { kind: 'busy', ids: r.busy };
  const order = new Map(ids.map((id, i) => [id, i]));
  const jobs = [...r.jobs].sort(
    (a, b) => (order.get((a.config as Record<string, string>).import_list_item_id) ?? 0) - (order.get((b.config as Record<string, string>).import_list_item_id) ?? 0),
  );
  return { kind: 'ok', jobs };
}

export interface RepricePreview {
  item_id: string;
  title: string;
  currency: string;
  variants: { key: string; options: Record<string, string>; cost: number; old_price: number; new_price: number; old_margin: ReturnType<typeof marginOf>; new_margin: ReturnType<typeof marginOf> }[];
}

/**
 * Re-applies a pricing rule to many items: every variant's old price → new price and
 * margin. With `dryRun` nothing is written; otherwise each item gets the rule (hand-set
 * prices included) and a new version, in one statement.
 */
export async function repriceItems(db: Db, userId: string, itemIds: string[], rule: PricingRule, dryRun: boolean) {
  const ids = [...new Set(itemIds)];
  const { rows } = await db.execute<ItemRow>(sql`${ITEM_SELECT} WHERE i.user_id = ${userId} AND i.id = ANY(${sql.param(ids)}::uuid[])`);
  const found = new Set(rows.map((r) => r.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) throw new InvalidInput('Some items are not in your import list', { field: ['item_ids'], type: 'value_error', input: missing });
  const changes = rows.map((r) => {
    const before = asListProduct(r.product as ImportListProduct);
    const after = repriceProduct(before, rule);
    const preview: RepricePreview = {
      item_id: r.id,
      title: r.title,
      currency: before.currency,
      variants: before.variants.map((v, i) => ({
        key: v.key,
        options: v.options,
        cost: v.cost,
        old_price: v.price,
        new_price: after.variants[i].price,
        old_margin: marginOf(v.price, v.cost),
        new_margin: marginOf(after.variants[i].price, v.cost),
      })),
    };
    return { id: r.id, version: r.version, after, preview };
  });
  let conflicts: string[] = [];
  if (!dryRun && changes.length) {
    const payload = changes.map((c) => ({ id: c.id, version: c.version, product: c.after }));
    // Only over the version read: an item edited meanwhile keeps that edit and is reported.
    const { rows: written } = await db.execute<{ id: string }>(sql`
      UPDATE import_list_items i
      SET product = x.product, version = i.version + 1, updated_at = now(),
          edited_fields = ARRAY(SELECT DISTINCT unnest(i.edited_fields || '{pricing}'::text[]) ORDER BY 1)
      FROM jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) AS x(id uuid, version int, product jsonb)
      WHERE i.id = x.id AND i.user_id = ${userId} AND i.version = x.version
      RETURNING i.id`);
    const done = new Set(written.map((r) => r.id));
    conflicts = changes.filter((c) => !done.has(c.id)).map((c) => c.id);
  }
  const order = new Map(ids.map((id, i) => [id, i]));
  return { dry_run: dryRun, conflicts, items: changes.map((c) => c.preview).sort((a, b) => order.get(a.item_id)! - order.get(b.item_id)!) };
}

/** The account default: imports land in the list for review. */
export async function setReviewDefault(db: Db, userId: string, review: boolean) {
  await db.execute(sql`UPDATE users SET import_review = ${review}, updated_at = now() WHERE id = ${userId}`);
  return { review_by_default: review };
}

/* ---------- the pipeline's side (worker/services/import-pipeline.ts) ---------- */

/** The supplier's ProductData as a fresh list product: description cleaned, nothing edited. */
export function listProductFrom(data: ProductData): ImportListProduct {
  const p = asListProduct({ ...data, description_html: sanitizeHtml(data.description_html ?? '') });
  return { ...p, supplier_images: [...data.images] };
}

/**
 * A review import or a job that completed without a store: its priced product becomes an
 * item (once per job). `targetStoreId` is the store the import named, kept as the item's target.
 */
export async function addToImportList(db: Db, job: JobRow, data: ProductData, targetStoreId: string | null): Promise<void> {
  const product = listProductFrom(data);
  await db.execute(sql`
    INSERT INTO import_list_items (user_id, import_job_id, store_id, source, source_product_id, source_url, title, supplier_data, product)
    SELECT ${job.user_id}, ${job.id}, s.id, ${job.source}, ${data.source_product_id}, ${job.source_url}, ${product.title.slice(0, 255)},
           ${JSON.stringify(data)}::jsonb, ${JSON.stringify(product)}::jsonb
    FROM (SELECT (SELECT id FROM store_connections WHERE id = ${targetStoreId}::uuid AND user_id = ${job.user_id}) AS id) s
    ON CONFLICT (import_job_id) DO NOTHING`);
}

/**
 * What a push sends: the item's product as edited. Fields the merchant did not edit still
 * come from the item's product (the supplier data it was created with).
 */
export async function itemForPush(db: Db, job: JobRow, itemId: string): Promise<{ item: ImportListProduct; input: StoreProductInput; data: ProductData }> {
  const { rows } = await db.execute<{ product: ImportListProduct }>(sql`
    SELECT product FROM import_list_items WHERE id = ${itemId} AND user_id = ${job.user_id} AND import_job_id = ${job.id}`);
  if (!rows[0]) throw new NotFound('This import list item was removed before it could be pushed');
  const p = asListProduct(rows[0].product);
  const problems = platformChecks(p).find((c) => !c.ok && c.problems.some((x) => x.startsWith('Select')));
  if (problems) throw new InvalidInput(problems.problems[0]);
  const sold = p.variants.filter((v) => v.selected);
  const description = sanitizeHtml(p.description_html ?? '');
  const input: StoreProductInput = {
    supplierKey: `${p.source}:${p.source_product_id}`,
    title: p.title,
    descriptionHtml: description,
    images: p.images,
    options: p.options.map((o) => ({ name: o.name, values: o.values.filter((val) => sold.some((v) => v.options[o.name] === val)) })),
    variants: sold.map((v) => ({ supplierKey: v.key, sku: v.sku, options: v.options, price: v.price, compareAt: v.compare_at, stock: v.stock, image: v.image })),
    tags: p.tags,
    productType: p.product_type,
    vendor: p.vendor,
    published: p.published,
    currency: p.currency,
  };
  const data: ProductData = {
    ...p,
    description_html: description,
    variants: sold.map(({ key, sku, options, cost, price, compare_at, stock, image }) => ({ key, sku, options, cost, price, compare_at, stock, image })),
    price: minPrice(sold),
  };
  return { item: p, input, data };
}

/** A push completed: the item remembers where its product went. */
export async function markItemPushed(db: Db, itemId: string, jobId: string, storeId: string, storeProductId: string): Promise<void> {
  await db.execute(sql`
    UPDATE import_list_items SET pushed_at = now(), pushed_store_id = ${storeId}, store_product_id = ${storeProductId}, updated_at = now()
    WHERE id = ${itemId} AND import_job_id = ${jobId}`);
}


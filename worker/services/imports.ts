import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import type { RowJson } from '../db/rows';
import type { importJobs } from '../db/schema';
import type { User } from '../env';
import { describeError, log } from '../lib/log';
import { billingMonth, isoDate, isoZ } from '../lib/time';
import { PLANS, TIERS, type Tier } from './plans';
import { importJobStatus } from '../db/schema';
import type { ImportSource } from '../shared/sources';

export const JOB_STATUSES = importJobStatus.enumValues;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const importLimitDetail = (plan: string) => `Import limit reached for ${plan} plan. Upgrade your plan for more imports.`;

/** An import_jobs row as Postgres returns it through row_to_json. */
export type JobRow = RowJson<typeof importJobs.$inferSelect>;

const ts = (v: string | null) => (v ? isoZ(new Date(v)) : null);

/** The contract's ImportJob, plus the additive started_at / finished_at. */
export function jobOut(j: JobRow) {
  return {
    id: j.id,
    user_id: j.user_id,
    store_id: j.store_id,
    source: j.source,
    product_url: j.source_url,
    source_product_id: j.source_product_id,
    status: j.status,
    product_data: (j.product_data ?? null) as Record<string, unknown> | null,
    config: (j.config ?? null) as Record<string, unknown> | null,
    error_message: j.error_message,
    created_product_id: j.created_product_id,
    progress_percent: j.progress_percent,
    created_at: ts(j.created_at)!,
    updated_at: ts(j.updated_at)!,
    started_at: ts(j.started_at),
    finished_at: ts(j.finished_at),
  };
}

export type ImportJobOut = ReturnType<typeof jobOut>;

export interface NewImports {
  urls: string[];
  source: ImportSource;
  storeId: string | null;
  config: Record<string, unknown> | null;
  /** Merged into each `created` history row (e.g. {bulk: true}). */
  historyDetails?: Record<string, unknown>;
  /**
   * Skip URLs that already have a pending or running job of this user (TrendScout). The
   * new jobs carry the URL as dedupe_key, whose unique index settles concurrent requests.
   */
  dedupe?: boolean;
}

export type CreateResult =
  | { kind: 'created'; jobs: JobRow[] }
  | { kind: 'limit'; plan: Tier }
  | { kind: 'store_not_found' }
  | { kind: 'duplicate'; jobId: string };

/** Each plan's monthly import limit, as parameters for SQL (PLANS is the rule's home). */
const PLAN_MAX_ITEMS = TIERS.map((t) => PLANS[t].max_items);

/**
 * Admits and inserts import jobs in one statement (one round trip): reads the user's plan
 * (its limit) and import-list default, resolves the target store (the given connection,
 * else the default one), takes the plan limit through a conditional upsert on the user's
 * import_quota row (which serialises concurrent imports, so no interleaving can pass the
 * limit), inserts every job and its `created` history row. A batch that does not fit
 * creates nothing. Only the user's id is needed up front, so a request's user check can
 * ride with this statement (checkedWithFirstStatement).
 *
 * `reviewByDefault`: the account's import-list default (#17) applies to a job whose
 * config does not say `review` itself.
 */
export async function createImports(db: Db, user: { id: string }, input: NewImports & { reviewByDefault?: boolean }, now = new Date()): Promise<CreateResult> {
  const { start, end } = billingMonth(now);
  const n = input.urls.length;
  const dedupe = input.dedupe ?? false;
  const config = input.config === null ? null : JSON.stringify(input.config);
  const { rows } = await db.execute<{ plan: Tier; store_ok: boolean; admitted: boolean; over_limit: boolean; duplicate_id: string | null; jobs: JobRow[] }>(sql`
    WITH me AS (
      SELECT u.plan, u.import_review, p.max_items AS lim
      FROM users u JOIN unnest(${sql.param([...TIERS])}::text[], ${sql.param(PLAN_MAX_ITEMS)}::int[]) AS p(tier, max_items) ON p.tier = u.plan::text
      WHERE u.id = ${user.id}
    ), store AS (
      SELECT id FROM store_connections
      WHERE user_id = ${user.id}
        AND CASE WHEN ${input.storeId}::uuid IS NULL THEN is_default ELSE id = ${input.storeId}::uuid END
      LIMIT 1
    ), duplicate AS (
      SELECT id FROM import_jobs
      WHERE ${dedupe} AND user_id = ${user.id} AND source_url = ANY(${sql.param(input.urls)}::text[])
        AND status IN ('pending', 'running')
      LIMIT 1
    ), go AS (
      SELECT (${input.storeId}::uuid IS NULL OR EXISTS (SELECT 1 FROM store)) AND NOT EXISTS (SELECT 1 FROM duplicate) AS ok
    ), month AS (
      SELECT count(*)::int AS cnt FROM import_jobs
      WHERE user_id = ${user.id} AND created_at >= ${start.toISOString()} AND created_at < ${end.toISOString()}
    ), quota AS (
      INSERT INTO import_quota AS q (user_id, month, used)
      SELECT ${user.id}, ${isoDate(start)}, c.cnt + ${n}
      FROM go, month c, me
      WHERE go.ok AND (me.lim < 0 OR c.cnt + ${n} <= me.lim)
      ON CONFLICT (user_id, month) DO UPDATE SET used = q.used + ${n}
      WHERE (SELECT lim FROM me) < 0 OR q.used + ${n} <= (SELECT lim FROM me)
      RETURNING used
    ), jobs AS (
      INSERT INTO import_jobs (user_id, store_id, source, source_url, config, dedupe_key, created_at, updated_at)
      SELECT ${user.id}, (SELECT id FROM store), ${input.source}, u.url,
             CASE WHEN ${input.reviewByDefault ?? false}::boolean AND (SELECT import_review FROM me) AND NOT COALESCE(${config}::jsonb ? 'review', false)
                  THEN COALESCE(${config}::jsonb, '{}'::jsonb) || '{"review": true}'::jsonb
                  ELSE ${config}::jsonb END,
             CASE WHEN ${dedupe} THEN u.url END,
             now() + u.ord * interval '1 microsecond', now() + u.ord * interval '1 microsecond'
      FROM unnest(${sql.param(input.urls)}::text[]) WITH ORDINALITY AS u(url, ord)
      WHERE EXISTS (SELECT 1 FROM quota)
      -- A concurrent identical request committed its job after this statement's snapshot
      -- (so "duplicate" missed it): the unique index turns this insert into nothing.
      ON CONFLICT (user_id, dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'running') DO NOTHING
      RETURNING *
    ), history AS (
      INSERT INTO import_history (user_id, import_job_id, action, details, created_at)
      SELECT ${user.id}, j.id, 'created',
             jsonb_build_object('source_url', j.source_url, 'source', j.source) || ${JSON.stringify(input.historyDetails ?? {})}::jsonb,
             j.created_at
      FROM jobs j
    )
    SELECT (SELECT plan FROM me) AS plan,
           (SELECT ok FROM go) OR EXISTS (SELECT 1 FROM duplicate) AS store_ok,
           EXISTS (SELECT 1 FROM quota) AS admitted,
           -- For the error order of API.md §2.3 (the limit before the store): what overLimit says.
           (SELECT ${overLimitSql(user.id, n, sql`me.lim`, now)} FROM me) AS over_limit,
           (SELECT id FROM duplicate) AS duplicate_id,
           COALESCE((SELECT json_agg(row_to_json(jobs) ORDER BY jobs.created_at) FROM jobs), '[]'::json) AS jobs`);
  const r = rows[0];
  if (r.duplicate_id) return { kind: 'duplicate', jobId: r.duplicate_id };
  if (!r.store_ok) return r.over_limit ? { kind: 'limit', plan: r.plan } : { kind: 'store_not_found' };
  if (!r.admitted) return { kind: 'limit', plan: r.plan };
  if (dedupe && r.jobs.length === 0) return { kind: 'duplicate', jobId: await concurrentDuplicate(db, user.id, input.urls, n, start) };
  return { kind: 'created', jobs: r.jobs };
}

/**
 * A deduplicated insert lost to a concurrent identical request: give back the plan quota
 * it took and name the winner's job. One more statement, only on that race.
 */
async function concurrentDuplicate(db: Db, userId: string, urls: string[], n: number, month: Date): Promise<string> {
  const { rows } = await db.execute<{ id: string }>(sql`
    WITH back AS (
      UPDATE import_quota SET used = used - ${n} WHERE user_id = ${userId} AND month = ${isoDate(month)} AND used >= ${n}
    )
    SELECT id FROM import_jobs
    WHERE user_id = ${userId} AND dedupe_key = ANY(${sql.param(urls)}::text[])
    ORDER BY created_at DESC LIMIT 1`);
  return rows[0].id;
}

/** Whether `n` more imports this billing month would pass `limit` (an SQL int; -1 = none), as SQL. */
function overLimitSql(userId: string, n: number, limit: SQL, now: Date): SQL {
  const { start, end } = billingMonth(now);
  return sql`(${limit} >= 0 AND GREATEST(
      (SELECT count(*)::int FROM import_jobs WHERE user_id = ${userId} AND created_at >= ${start.toISOString()} AND created_at < ${end.toISOString()}),
      COALESCE((SELECT used FROM import_quota WHERE user_id = ${userId} AND month = ${isoDate(start)}), 0)) + ${n} > ${limit})`;
}

/** Whether `n` more imports would pass the plan limit (read-only; for ordering error answers). */
export async function overLimit(db: Db, user: User, n: number, now = new Date()): Promise<boolean> {
  const limit = PLANS[user.plan].max_items;
  if (limit < 0) return false;
  const { rows } = await db.execute<{ over: boolean }>(sql`SELECT ${overLimitSql(user.id, n, sql`${limit}::int`, now)} AS over`);
  return rows[0].over;
}

/** The body of an IMPORT_QUEUE message: one job to run (services/import-pipeline.ts). */
export interface ImportMessage {
  jobId: string;
}

/** Puts jobs on the import queue: one sendBatch per 100. A failed enqueue is logged, not thrown. */
export async function enqueueJobs(queue: Queue<ImportMessage>, jobIds: string[]): Promise<void> {
  try {
    for (let i = 0; i < jobIds.length; i += 100) {
      const chunk = jobIds.slice(i, i + 100);
      if (chunk.length === 1) await queue.send({ jobId: chunk[0] });
      else await queue.sendBatch(chunk.map((jobId) => ({ body: { jobId } })));
    }
  } catch (err) {
    log.error('import enqueue failed', { jobs: jobIds.length, error: describeError(err) });
  }
}

export interface ListFilter {
  skip: number;
  limit: number;
  storeId?: string;
  status?: JobStatus;
}

/** The caller's jobs, newest first, with the total before paging, in one round trip. */
export async function listImports(db: Db, userId: string, f: ListFilter) {
  const where = sql`user_id = ${userId}
    ${f.storeId ? sql`AND store_id = ${f.storeId}` : sql``}
    ${f.status ? sql`AND status = ${f.status}` : sql``}`;
  const { rows } = await db.execute<{ total: number; items: JobRow[] }>(sql`
    SELECT (SELECT count(*)::int FROM import_jobs WHERE ${where}) AS total,
           COALESCE((SELECT json_agg(row_to_json(p)) FROM (
              SELECT * FROM import_jobs WHERE ${where}
              ORDER BY created_at DESC, id DESC OFFSET ${f.skip} LIMIT ${f.limit}) p), '[]'::json) AS items`);
  return { items: rows[0].items.map(jobOut), total: rows[0].total };
}

export async function getImport(db: Db, userId: string, jobId: string): Promise<JobRow | null> {
  const { rows } = await db.execute<{ job: JobRow }>(sql`
    SELECT row_to_json(j) AS job FROM import_jobs j WHERE id = ${jobId} AND user_id = ${userId}`);
  return rows[0]?.job ?? null;
}

export type TransitionResult = { kind: 'not_found' } | { kind: 'refused'; status: JobStatus } | { kind: 'ok'; job: JobRow };

/**
 * Moves a job between statuses in one statement: locks the row, applies the change only
 * from an allowed status and records history with the real previous status.
 */
async function transition(db: Db, userId: string, jobId: string, action: 'cancelled' | 'retried'): Promise<TransitionResult> {
  const from = action === 'cancelled' ? ['pending', 'running'] : ['failed', 'cancelled'];
  const set =
    action === 'cancelled'
      ? sql`status = 'cancelled', finished_at = now(), updated_at = now()`
      : // A retried job is the user's own request now: it leaves TrendScout's dedupe, so it cannot collide with a newer pending one.
        sql`status = 'pending', progress_percent = 0, error_message = NULL, attempts = 0, started_at = NULL, finished_at = NULL, dedupe_key = NULL, updated_at = now()`;
  const { rows } = await db.execute<{ previous: JobStatus | null; job: JobRow | null }>(sql`
    WITH cur AS (
      SELECT id, status FROM import_jobs WHERE id = ${jobId} AND user_id = ${userId} FOR UPDATE
    ), upd AS (
      UPDATE import_jobs j SET ${set}
      FROM cur WHERE j.id = cur.id AND cur.status = ANY(${sql.param(from)}::importjobstatus[])
      RETURNING j.*
    ), history AS (
      INSERT INTO import_history (user_id, import_job_id, action, details)
      SELECT ${userId}, upd.id, ${action}, jsonb_build_object('previous_status', (SELECT status FROM cur)) FROM upd
    )
    SELECT (SELECT status FROM cur) AS previous, (SELECT row_to_json(upd) FROM upd) AS job`);
  const r = rows[0];
  if (!r.previous) return { kind: 'not_found' };
  if (!r.job) return { kind: 'refused', status: r.previous };
  return { kind: 'ok', job: r.job };
}

export const cancelImport = (db: Db, userId: string, jobId: string) => transition(db, userId, jobId, 'cancelled');
export const retryImport = (db: Db, userId: string, jobId: string) => transition(db, userId, jobId, 'retried');

/** History of one of the caller's jobs, oldest first; null when the job is not theirs. */
export async function importHistoryOf(db: Db, userId: string, jobId: string) {
  const { rows } = await db.execute<{ found: boolean; items: { id: string; action: string; details: unknown; created_at: string }[] }>(sql`
    SELECT EXISTS (SELECT 1 FROM import_jobs WHERE id = ${jobId} AND user_id = ${userId}) AS found,
           COALESCE((SELECT json_agg(json_build_object('id', h.id, 'action', h.action, 'details', h.details, 'created_at', h.created_at)
                                      ORDER BY h.created_at, h.id)
                     FROM import_history h WHERE h.import_job_id = ${jobId} AND h.user_id = ${userId}), '[]'::json) AS items`);
  if (!rows[0].found) return null;
  return rows[0].items.map((h) => ({ id: h.id, action: h.action, details: h.details ?? null, created_at: isoZ(new Date(h.created_at))! }));
}

/** A run older than this has stopped: a queue consumer runs at most 15 minutes. */
export const IMPORT_RUN_LEASE_MINUTES = 20;
/** A pending job untouched this long was never (or is no longer) on the queue: the backoff is at most 10 minutes. */
export const STRANDED_PENDING_MINUTES = 30;
/** Runs after which a job that keeps stopping fails instead of going back to the queue (the queue's own delivery limit). */
const MAX_STALE_RUNS = 6;

export interface SweepResult {
  /** Running jobs whose run stopped, back to pending and re-enqueued. */
  requeued: string[];
  /** Running jobs that stopped MAX_STALE_RUNS times: failed. */
  failed: string[];
  /** Pending jobs nobody had sent (a failed enqueue), re-enqueued. */
  stranded: string[];
}

/**
 * The import sweep (cron): a `running` job whose run was claimed longer ago than the lease
 * goes back to `pending` with its run id cleared (so the stopped run, should it ever
 * write again, is fenced out) and its store product claim freed; a `pending` job
 * untouched for STRANDED_PENDING_MINUTES is sent again (its `updated_at` is bumped, so a
 * queue that stays down gets it once per period). A duplicate message is harmless: only
 * one delivery can claim a pending job. One statement, then one enqueue.
 */
export async function sweepImportJobs(db: Db, queue: Queue<ImportMessage>, now = new Date()): Promise<SweepResult> {
  const at = now.toISOString();
  const { rows } = await db.execute<{ requeued: string[]; failed: string[]; stranded: string[] }>(sql`
    WITH stale AS (
      SELECT id, run_id, attempts FROM import_jobs
      WHERE status = 'running'
        AND COALESCE(claimed_at, updated_at) < ${at}::timestamptz - make_interval(mins => ${IMPORT_RUN_LEASE_MINUTES}::int)
      FOR UPDATE SKIP LOCKED
    ), moved AS (
      UPDATE import_jobs j
      SET status = CASE WHEN s.attempts >= ${MAX_STALE_RUNS}::int THEN 'failed'::importjobstatus ELSE 'pending'::importjobstatus END,
          error_message = CASE WHEN s.attempts >= ${MAX_STALE_RUNS}::int
                               THEN 'The import stopped without finishing ' || s.attempts || ' times; retry it to try again'
                               ELSE 'Retrying after: the previous attempt stopped without finishing' END,
          finished_at = CASE WHEN s.attempts >= ${MAX_STALE_RUNS}::int THEN now() ELSE NULL END,
          run_id = NULL, updated_at = now()
      FROM stale s WHERE j.id = s.id
      RETURNING j.id, j.user_id, j.status, s.run_id AS old_run
    ), freed AS (
      DELETE FROM store_product_claims WHERE run_id IN (SELECT old_run FROM moved WHERE old_run IS NOT NULL)
    ), history AS (
      INSERT INTO import_history (user_id, import_job_id, action, details)
      SELECT user_id, id, CASE WHEN status = 'failed' THEN 'failed' ELSE 'retry_scheduled' END,
             jsonb_build_object('error', 'the previous attempt stopped without finishing', 'swept', true)
      FROM moved
    ), stranded AS (
      UPDATE import_jobs SET updated_at = now()
      WHERE status = 'pending' AND updated_at < ${at}::timestamptz - make_interval(mins => ${STRANDED_PENDING_MINUTES}::int)
      RETURNING id
    )
    SELECT COALESCE((SELECT json_agg(id) FROM moved WHERE status = 'pending'), '[]'::json) AS requeued,
           COALESCE((SELECT json_agg(id) FROM moved WHERE status = 'failed'), '[]'::json) AS failed,
           COALESCE((SELECT json_agg(id) FROM stranded), '[]'::json) AS stranded`);
  const r = rows[0];
  await enqueueJobs(queue, [...r.requeued, ...r.stranded]);
  if (r.requeued.length || r.failed.length || r.stranded.length) {
    log.warn('import sweep', { requeued: r.requeued.length, failed: r.failed.length, stranded: r.stranded.length });
  }
  return r;
}

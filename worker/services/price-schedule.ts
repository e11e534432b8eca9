import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import type { RowJson } from '../db/rows';
import type { priceWatches } from '../db/schema';
import { config, type ConfigEnv } from '../env';
import { describeError, log } from '../lib/log';
import { addMinutes } from '../lib/time';
import { supplierSourceOf } from '../shared/sources';

/** Watch ids per chunk: one PRICE_QUEUE message, one load and one write statement (price-check.ts). */
export const CHUNK_SIZE = 100;


/** The body of a PRICE_QUEUE message: one chunk of watch ids. */
export interface PriceMessage {
  watchIds: string[];
}

export const chunkIds = (ids: string[], size: number) => Array.from({ length: Math.ceil(ids.length / size) }, (_, i) => ids.slice(i * size, (i + 1) * size));

/**
 * Messages per sendBatch call: Queues take at most 100 messages and 256 KB per call,
 * and a message of 100 ids is about 3.8 KB.
 */
export const MESSAGES_PER_SEND = 50;

export async function enqueueChunks(queue: Queue<PriceMessage>, chunks: string[][]): Promise<number> {
  let calls = 0;
  for (let i = 0; i < chunks.length; i += MESSAGES_PER_SEND) {
    await queue.sendBatch(chunks.slice(i, i + MESSAGES_PER_SEND).map((watchIds) => ({ body: { watchIds } satisfies PriceMessage, contentType: 'json' as const })));
    calls++;
  }
  return calls;
}

type ClaimedRow = Pick<RowJson<typeof priceWatches.$inferSelect>, 'id' | 'source' | 'source_product_id' | 'user_id'>;

/**
 * Cuts claimed watches (sorted by product) into chunks of at most `size`, starting a new
 * chunk at a product boundary when the next product's watches would not fit, so a
 * product is fetched in one chunk whenever its watchers fit in one.
 */
export function chunkByProduct(rows: ClaimedRow[], size = CHUNK_SIZE): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let i = 0;
  while (i < rows.length) {
    let j = i;
    const key = `${rows[i].source}|${rows[i].source_product_id}`;
    while (j < rows.length && `${rows[j].source}|${rows[j].source_product_id}` === key) j++;
    const ids = rows.slice(i, j).map((r) => r.id);
    if (current.length && current.length + ids.length > size) {
      chunks.push(current);
      current = [];
    }
    for (const id of ids) {
      if (current.length === size) {
        chunks.push(current);
        current = [];
      }
      current.push(id);
    }
    i = j;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

export interface ScheduleOptions {
  /** Due watches per claim statement (keyset page), before same-product siblings. */
  pageSize?: number;
  /** Same-product siblings one page may pull in, as a multiple of the page size. */
  siblingFactor?: number;
  /** Pages per cron run: bounds the run's statements, queue calls and CPU. */
  maxPages?: number;
  /** Watches per run: no further page is claimed once this many are. */
  maxWatches?: number;
}

export interface ScheduleResult {
  claimed: number;
  enqueued: number;
  messages: number;
  sendCalls: number;
  pages: number;
}

/**
 * Defaults: pages of 2,000 due watches plus at most 8,000 same-product siblings; a run
 * stops after 25 pages or once 50,000 watches are claimed, so it claims at most
 * 59,999 (see README "Price watch").
 */
export const SCHEDULE_PAGE_SIZE = 2_000;
export const SCHEDULE_SIBLING_FACTOR = 4;
export const SCHEDULE_MAX_PAGES = 25;
export const SCHEDULE_MAX_WATCHES = 50_000;

/**
 * The cron's work: claims due watches page by page (keyset on (next_check_at, id) over
 * price_watches_due_idx) and puts their ids on PRICE_QUEUE. A page's claim is one
 * statement that pushes next_check_at one interval ahead (so an overlapping run, which
 * also skips locked rows, never enqueues them twice) and pulls in the other due
 * watches of the same products (bounded, whole products first), so a product is
 * fetched once. No supplier I/O here.
 * Watches without a checkable product are claimed (their next check moves on) but not
 * enqueued. If enqueueing fails the page's claim is undone.
 */
export async function schedulePriceChecks(env: ConfigEnv, db: Db, queue: Queue<PriceMessage>, now: Date, opts: ScheduleOptions = {}): Promise<ScheduleResult> {
  const pageSize = opts.pageSize ?? SCHEDULE_PAGE_SIZE;
  const maxPages = opts.maxPages ?? SCHEDULE_MAX_PAGES;
  const maxWatches = opts.maxWatches ?? SCHEDULE_MAX_WATCHES;
  const siblingLimit = pageSize * (opts.siblingFactor ?? SCHEDULE_SIBLING_FACTOR);
  const next = addMinutes(now, config(env).priceSyncIntervalMinutes).toISOString();
  const at = now.toISOString();
  let cursor: { at: string; id: string } = { at: '-infinity', id: '00000000-0000-0000-0000-000000000000' };
  const result: ScheduleResult = { claimed: 0, enqueued: 0, messages: 0, sendCalls: 0, pages: 0 };

  while (result.pages < maxPages && result.claimed < maxWatches) {
    const { rows } = await db.execute<{
      claimed: ClaimedRow[];
      previous: { id: string; at: string }[];
      page_count: number;
      cursor_at: string | null;
      cursor_id: string | null;
    }>(sql`
      WITH page AS (
        SELECT id, next_check_at, next_check_at::text AS at_text FROM price_watches
        WHERE is_active AND next_check_at <= ${at}::timestamptz
          AND (next_check_at, id) > (${cursor.at}::timestamptz, ${cursor.id}::uuid)
        ORDER BY next_check_at, id
        LIMIT ${pageSize}
        FOR UPDATE SKIP LOCKED
      ), siblings AS (
        SELECT w.id, w.next_check_at FROM price_watches w
        WHERE w.is_active AND w.next_check_at <= ${at}::timestamptz
          AND (w.source, w.source_product_id) IN (
            SELECT p.source, p.source_product_id FROM price_watches p JOIN page ON page.id = p.id WHERE p.source_product_id IS NOT NULL)
          AND w.id NOT IN (SELECT id FROM page)
        ORDER BY w.source, w.source_product_id, w.next_check_at, w.id
        LIMIT ${siblingLimit}
        FOR UPDATE OF w SKIP LOCKED
      ), picked AS (
        SELECT id, next_check_at FROM page UNION ALL SELECT id, next_check_at FROM siblings
      ), claimed AS (
        UPDATE price_watches w SET next_check_at = ${next}::timestamptz
        FROM picked WHERE w.id = picked.id
        RETURNING w.id, w.source, w.source_product_id, w.user_id, picked.next_check_at AS previous
      )
      SELECT COALESCE((SELECT json_agg(json_build_object('id', id, 'source', source, 'source_product_id', source_product_id, 'user_id', user_id)
                                       ORDER BY source, source_product_id, user_id, id) FROM claimed), '[]'::json) AS claimed,
             COALESCE((SELECT json_agg(json_build_object('id', id, 'at', previous)) FROM claimed), '[]'::json) AS previous,
             (SELECT count(*)::int FROM page) AS page_count,
             (SELECT at_text FROM page ORDER BY next_check_at DESC, id DESC LIMIT 1) AS cursor_at,
             (SELECT id FROM page ORDER BY next_check_at DESC, id DESC LIMIT 1) AS cursor_id`);
    const r = rows[0];
    result.pages++;
    if (!r.cursor_id) break;
    cursor = { at: r.cursor_at!, id: r.cursor_id };
    result.claimed += r.claimed.length;
    const checkable = r.claimed.filter((c) => c.source_product_id && supplierSourceOf(c.source));
    const chunks = chunkByProduct(checkable);
    try {
      result.sendCalls += await enqueueChunks(queue, chunks);
    } catch (err) {
      // Hand the page back so the next run picks it up, then stop this run.
      await db.execute(sql`
        UPDATE price_watches w SET next_check_at = p.at
        FROM json_to_recordset(${JSON.stringify(r.previous)}::json) AS p(id uuid, at timestamptz)
        WHERE w.id = p.id AND w.next_check_at = ${next}::timestamptz`);
      log.error('price sync enqueue failed', { watches: checkable.length, error: describeError(err) });
      break;
    }
    result.enqueued += checkable.length;
    result.messages += chunks.length;
    if (r.page_count < pageSize) break;
  }
  return result;
}

import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { inArray } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb } from '../db/client';
import { priceWatches, users } from '../db/schema';
import worker from '../index';
import { PRICE_SYNC_CRON } from '../jobs/scheduled';
import { chunkByProduct, schedulePriceChecks, type ScheduleOptions } from '../services/price-schedule';
import { registerUser, setPlan, withDb } from './helpers';
import { aliId, aliUrl, recordingQueue } from './price-helpers';

/*
 * The cron claims every due watch in the shared test database, so each test runs it at
 * its own moment in the past (scheduledTime) and seeds watches due just before: rows of
 * other tests (due now) are never due at those moments, and each test's moment is
 * earlier than the previous test's, so earlier tests' claimed rows stay out of reach.
 */
const at = (iso: string) => new Date(iso);

/*
 * Each test's users (and through them its watches) are deleted afterwards, pass or fail:
 * on a PostgreSQL that outlives the run, rows left due in the past would be claimed by
 * the next run's cron tests.
 */
const created: string[] = [];
async function cronUser() {
  const user = await registerUser();
  // Unlimited watches: the cron also pauses watches beyond a plan's limit (price-watch-downgrade.test.ts).
  await setPlan(user.id, 'enterprise');
  created.push(user.id);
  return user;
}
afterEach(async () => {
  const ids = created.splice(0);
  if (ids.length) await withDb((db) => db.delete(users).where(inArray(users.id, ids)));
});
const HOUR = 3_600_000;

async function seed(userId: string, rows: { due: Date; productId?: string | null; active?: boolean; source?: string }[]) {
  const inserted = await withDb((db) =>
    db
      .insert(priceWatches)
      .values(
        rows.map((r) => {
          const productId = r.productId === undefined ? aliId() : r.productId;
          return {
            userId,
            source: r.source ?? 'aliexpress',
            productUrl: productId ? aliUrl(productId) : 'https://example.com/x',
            sourceProductId: productId,
            nextCheckAt: r.due,
            isActive: r.active ?? true,
          };
        }),
      )
      .returning({ id: priceWatches.id }),
  );
  return inserted.map((r) => r.id);
}

const nextChecks = async (ids: string[]) =>
  new Map((await withDb((db) => db.select({ id: priceWatches.id, next: priceWatches.nextCheckAt }).from(priceWatches).where(inArray(priceWatches.id, ids)))).map((r) => [r.id, r.next.getTime()]));

async function runCron(scheduledTime: Date, queue: Queue) {
  const controller = createScheduledController({ scheduledTime, cron: PRICE_SYNC_CRON });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, { ...env, PRICE_QUEUE: queue }, ctx);
  await waitOnExecutionContext(ctx);
}

async function scheduleDirect(now: Date, queue: Queue, opts: ScheduleOptions) {
  const { db, pool, roundTrips } = createDb(env);
  try {
    return { ...(await schedulePriceChecks(env, db, queue, now, opts)), statements: roundTrips.statements };
  } finally {
    await pool.end();
  }
}

describe('price sync cron', () => {
  it('enqueues the due active watches in chunks and claims them one interval ahead', async () => {
    const now = at('1999-06-01T12:00:00Z');
    const user = await cronUser();
    const due = await seed(user.id, Array.from({ length: 130 }, (_, i) => ({ due: new Date(now.getTime() - (i + 1) * 60_000) })));
    const [later] = await seed(user.id, [{ due: new Date(now.getTime() + 60_000) }]);
    const [paused] = await seed(user.id, [{ due: new Date(now.getTime() - HOUR), active: false }]);
    const [uncheckable] = await seed(user.id, [{ due: new Date(now.getTime() - HOUR), productId: null }]);
    const [manual] = await seed(user.id, [{ due: new Date(now.getTime() - HOUR), source: 'manual' }]);

    const q = recordingQueue();
    await runCron(now, q.queue);
    const sent = q.ids();
    expect(new Set(sent)).toEqual(new Set(due));
    expect(sent).toHaveLength(due.length);
    for (const call of q.calls) {
      expect(call.length).toBeLessThanOrEqual(100);
      for (const m of call) expect((m.body as { watchIds: string[] }).watchIds.length).toBeLessThanOrEqual(100);
    }
    const next = await nextChecks([...due, later, paused, uncheckable, manual]);
    for (const id of due) expect(next.get(id)).toBe(now.getTime() + HOUR);
    // Claimed (so they are not looked at again every run) but never sent to a supplier.
    expect(next.get(uncheckable)).toBe(now.getTime() + HOUR);
    expect(next.get(manual)).toBe(now.getTime() + HOUR);
    expect(next.get(later)).toBe(now.getTime() + 60_000);
    expect(next.get(paused)).toBe(now.getTime() - HOUR);

    // Claimed watches are not due again: the next run sends nothing.
    const again = recordingQueue();
    await runCron(new Date(now.getTime() + 30_000), again.queue);
    expect(again.ids()).toEqual([]);
  });

  it('never enqueues a watch twice when runs overlap', async () => {
    const now = at('1998-03-01T08:00:00Z');
    const user = await cronUser();
    const due = await seed(user.id, Array.from({ length: 240 }, (_, i) => ({ due: new Date(now.getTime() - (i % 60) * 1000) })));
    const a = recordingQueue();
    const b = recordingQueue();
    const c = recordingQueue();
    await Promise.all([
      runCron(now, a.queue),
      runCron(now, b.queue),
      scheduleDirect(now, c.queue, { pageSize: 25 }),
    ]);
    const all = [...a.ids(), ...b.ids(), ...c.ids()];
    expect(all).toHaveLength(due.length);
    expect(new Set(all)).toEqual(new Set(due));
  });

  it('caps the pages of one run and leaves the rest due for the next', async () => {
    const now = at('1997-01-01T00:00:00Z');
    const user = await cronUser();
    const due = await seed(user.id, Array.from({ length: 45 }, (_, i) => ({ due: new Date(now.getTime() - (i + 1) * 1000) })));
    const first = recordingQueue();
    const r = await scheduleDirect(now, first.queue, { pageSize: 10, maxPages: 3 });
    expect(r).toMatchObject({ claimed: 30, enqueued: 30, pages: 3 });
    // One claim statement per page, nothing per watch.
    expect(r.statements).toBe(3);
    // Oldest due first.
    expect(new Set(first.ids())).toEqual(new Set(due.slice(15)));
    const second = recordingQueue();
    expect(await scheduleDirect(now, second.queue, { pageSize: 10, maxPages: 3 })).toMatchObject({ claimed: 15, pages: 2 });
    expect(new Set(second.ids())).toEqual(new Set(due.slice(0, 15)));
  });

  it("pulls a product's other due watches into the same page and chunk", async () => {
    const now = at('1996-01-01T00:00:00Z');
    const user = await cronUser();
    const other = await cronUser();
    const [p, q] = [aliId(), aliId()];
    const t = (min: number) => new Date(now.getTime() - min * 60_000);
    // Page size 2 takes the two oldest (p and q); their siblings come along, from any user.
    const ids = await seed(user.id, [
      { due: t(50), productId: p },
      { due: t(40), productId: q },
      { due: t(30), productId: aliId() },
      { due: t(20), productId: q },
      { due: t(10), productId: p },
    ]);
    const [otherP] = await seed(other.id, [{ due: t(5), productId: p }]);
    const rec = recordingQueue();
    const r = await scheduleDirect(now, rec.queue, { pageSize: 2, maxPages: 1 });
    expect(r.claimed).toBe(5);
    const chunks = rec.calls.flat().map((m) => (m.body as { watchIds: string[] }).watchIds);
    expect(chunks).toHaveLength(1);
    expect(new Set(chunks[0])).toEqual(new Set([ids[0], ids[4], otherP, ids[1], ids[3]]));
    // The same product's watches sit side by side.
    const pos = (id: string) => chunks[0].indexOf(id);
    expect(Math.abs(pos(ids[0]) - pos(ids[4]))).toBeLessThanOrEqual(2);
  });

  it('bounds what one page and one run may claim', async () => {
    const now = at('1995-06-01T00:00:00Z');
    const user = await cronUser();
    const p = aliId();
    const popular = await seed(user.id, Array.from({ length: 6 }, (_, i) => ({ due: new Date(now.getTime() - (60 - i) * 60_000), productId: p })));
    const rec = recordingQueue();
    // A page of 2 pulls in at most 2 more of the product's watches.
    expect(await scheduleDirect(now, rec.queue, { pageSize: 2, siblingFactor: 1, maxPages: 1 })).toMatchObject({ claimed: 4 });
    expect(new Set(rec.ids())).toEqual(new Set(popular.slice(0, 4)));

    const later = at('1995-05-01T00:00:00Z');
    await seed(user.id, Array.from({ length: 45 }, (_, i) => ({ due: new Date(later.getTime() - (i + 1) * 1000) })));
    const capped = await scheduleDirect(later, recordingQueue().queue, { pageSize: 10, maxWatches: 15 });
    expect(capped).toMatchObject({ claimed: 20, pages: 2 });
  });

  it('hands a page back when the queue refuses it', async () => {
    const now = at('1994-06-01T00:00:00Z');
    const user = await cronUser();
    const due = await seed(user.id, Array.from({ length: 5 }, (_, i) => ({ due: new Date(now.getTime() - (i + 1) * 1000) })));
    const before = await nextChecks(due);
    const failing = recordingQueue({ failOnCall: 1 });
    const r = await scheduleDirect(now, failing.queue, {});
    expect(r).toMatchObject({ enqueued: 0, messages: 0 });
    expect(await nextChecks(due)).toEqual(before);
    const retry = recordingQueue();
    await scheduleDirect(now, retry.queue, {});
    expect(new Set(retry.ids())).toEqual(new Set(due));
  });

  it('feeds the real PRICE_QUEUE, whose consumer checks the watches', async () => {
    const now = at('1993-06-01T00:00:00Z');
    const user = await cronUser();
    const due = await seed(user.id, Array.from({ length: 3 }, () => ({ due: new Date(now.getTime() - 1000) })));
    await runCron(now, env.PRICE_QUEUE);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const rows = await withDb((db) => db.select().from(priceWatches).where(inArray(priceWatches.id, due)));
      if (rows.every((r) => r.lastCheckedAt && r.currentPrice)) break;
      if (Date.now() > deadline) throw new Error('the queued chunk was never checked');
      await new Promise((res) => setTimeout(res, 200));
    }
  }, 30_000);

  it('ignores crons it does not know', async () => {
    const q = recordingQueue();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: at('1992-01-01T00:00:00Z'), cron: '0 0 * * *' }), { ...env, PRICE_QUEUE: q.queue }, ctx);
    await waitOnExecutionContext(ctx);
    expect(q.calls).toEqual([]);
  });
});

describe('chunking', () => {
  it('cuts chunks at product boundaries', () => {
    const rows = (product: string, n: number) => Array.from({ length: n }, (_, i) => ({ id: `${product}-${i}`, source: 'aliexpress', source_product_id: product, user_id: 'u' }));
    const chunks = chunkByProduct([...rows('a', 60), ...rows('b', 50), ...rows('c', 30), ...rows('d', 250)], 100);
    expect(chunks.map((c) => c.length)).toEqual([60, 80, 100, 100, 50]);
    expect(chunks[1].every((id) => id.startsWith('b') || id.startsWith('c'))).toBe(true);
  });
});

import { env } from 'cloudflare:workers';
import { eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { importHistory, importJobs, storeProductClaims, storeProducts } from '../db/schema';
import { CANCEL_TOO_LATE, importDeps, runImportAttempt, type AttemptResult, type ImportDeps } from '../services/import-pipeline';
import { sweepImportJobs, type ImportMessage } from '../services/imports';
import { processImportMessage } from '../jobs/import-consumer';
import type { StoreConnector } from '../stores/types';
import { answer, api, registerUser, setPlan, withDb, type TestUser } from './helpers';
import { fakeShopifyShop, fakeWooStore } from './store-fakes';

/**
 * The import pipeline under interleavings (issue #14): one store product per (store,
 * supplier, product) whatever runs at once, every write after the claim fenced on the
 * run that claimed, a cancel during the push, and the sweep of stopped and stranded jobs.
 * The pipeline runs here as the queue consumer runs it (runImportAttempt), with the real
 * catalogue and the fake Shopify; only the timing of the store call is stretched.
 */

const aliUrl = (id: string | number = Math.floor(1e15 + Math.random() * 9e15)) => `https://www.aliexpress.com/item/${id}.html`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function shopifyUser() {
  const user = await registerUser('runs');
  await setPlan(user.id, 'pro');
  const shop = await fakeShopifyShop();
  const conn = await answer(api({ token: user.token }).connections.$post({ json: { store_name: shop.name, platform: 'shopify', store_url: shop.storeUrl, api_key: shop.token } }));
  expect(conn.status).toBe(201);
  return { user, shop, connectionId: (conn.json as { id: string }).id };
}

/** A pending job that is not on the queue (the test hands the consumer its runs). */
async function unqueuedJob(user: TestUser, storeId: string | null, url: string, values: Partial<typeof importJobs.$inferInsert> = {}) {
  const [row] = await withDb((db) => db.insert(importJobs).values({ userId: user.id, storeId, source: 'aliexpress', sourceUrl: url, ...values }).returning({ id: importJobs.id }));
  return row.id;
}

/**
 * A meeting point for store pushes: each waits until `parties` pushes have arrived (then
 * all go at once, as concurrent consumers would) or `timeoutMs` passed. A connector's
 * find-by-supplier-key then create are separate store calls, so pushes released together
 * both find nothing (a real store's product search also lags its writes).
 */
function gate(parties: number, timeoutMs: number) {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return async () => {
    if (++arrived >= parties) open();
    await Promise.race([opened, sleep(timeoutMs)]);
  };
}

/**
 * The real dependencies, with each store push (upsertProduct) first waiting the next of
 * `delays` (ms) and then at `meet`, and `beforeFetch` awaited before the supplier fetch:
 * a slow store, pushes at the same moment, or a consumer that stalls.
 */
function stretched(delays: number[], beforeFetch?: () => Promise<void>, meet?: () => Promise<void>): ImportDeps & { pushes: () => number } {
  const real = importDeps(env);
  let pushes = 0;
  return {
    pushes: () => pushes,
    fetchProduct: async (...args) => {
      if (beforeFetch) await beforeFetch();
      return real.fetchProduct(...args);
    },
    connectorFor: async (connection, db) => {
      const c = await real.connectorFor(connection, db);
      const wrapped: StoreConnector = {
        testConnection: () => c.testConnection(),
        upsertProduct: async (input, existing) => {
          const delay = delays[pushes++] ?? 0;
          if (delay) await sleep(delay);
          if (meet) await meet();
          return c.upsertProduct(input, existing);
        },
        updateVariantPrices: (...a) => c.updateVariantPrices(...a),
        findProductBySupplierKey: (k) => c.findProductBySupplierKey(k),
      };
      return wrapped;
    },
  };
}

/** One run of the consumer on its own database pool, as a separate queue invocation has. */
const run = (deps: ImportDeps, jobId: string, attempt = 1): Promise<AttemptResult> => withDb((db) => runImportAttempt(db, deps, jobId, { number: attempt, last: false }));

const jobRow = async (id: string) => (await withDb((db) => db.select().from(importJobs).where(eq(importJobs.id, id))))[0];
const actions = async (id: string) =>
  (await withDb((db) => db.select().from(importHistory).where(eq(importHistory.importJobId, id)).orderBy(importHistory.createdAt, importHistory.id))).map((h) => h.action);
const mappings = (storeId: string) => withDb((db) => db.select().from(storeProducts).where(eq(storeProducts.storeId, storeId)));
const claims = (storeId: string) => withDb((db) => db.select().from(storeProductClaims).where(eq(storeProductClaims.storeId, storeId)));

describe('exactly one store product per (store, supplier, product)', () => {
  it('two concurrent jobs for the same product make one store product: the second updates the first one’s', async () => {
    const { user, shop, connectionId } = await shopifyUser();
    const url = aliUrl();
    const a = await unqueuedJob(user, connectionId, url);
    const b = await unqueuedJob(user, connectionId, url);
    // Both pushes would go at once: without the claim each finds no product and creates one.
    const deps = stretched([], undefined, gate(2, 1500));
    const [ra, rb] = await Promise.all([run(deps, a), run(deps, b)]);
    expect([ra, rb]).toEqual(['settled', 'settled']);

    const products = await shop.products();
    expect(products).toHaveLength(1);
    const [ja, jb] = [await jobRow(a), await jobRow(b)];
    expect(ja.status).toBe('completed');
    expect(jb.status).toBe('completed');
    expect(ja.createdProductId).toBe(products[0].id);
    expect(jb.createdProductId).toBe(products[0].id);
    const rows = await mappings(connectionId);
    expect(rows).toHaveLength(1);
    expect(rows[0].storeProductId).toBe(products[0].id);
    expect(rows[0].currency).toBe('USD');
    expect(await claims(connectionId)).toHaveLength(0);
  }, 30_000);

  it('five concurrent jobs for one product still make one store product', async () => {
    const { user, shop, connectionId } = await shopifyUser();
    const url = aliUrl();
    const ids = await Promise.all(Array.from({ length: 5 }, () => unqueuedJob(user, connectionId, url)));
    const deps = stretched([], undefined, gate(5, 1000));
    await Promise.all(ids.map((id) => run(deps, id)));
    expect(await shop.products()).toHaveLength(1);
    const rows = await withDb((db) => db.select().from(importJobs).where(inArray(importJobs.id, ids)));
    expect(rows.map((r) => r.status)).toEqual(Array(5).fill('completed'));
    expect(new Set(rows.map((r) => r.createdProductId)).size).toBe(1);
    expect(await mappings(connectionId)).toHaveLength(1);
  }, 60_000);
});

describe('every write after the claim is fenced on the run', () => {
  it('cancel, then retry, while the first run still pushes: the stale run neither completes nor releases the new run', async () => {
    const { user, shop, connectionId } = await shopifyUser();
    const jobId = await unqueuedJob(user, connectionId, aliUrl());
    const caller = api({ token: user.token });
    // Run 1 pushes slowly; run 2's push is slow too, so it is still running when run 1 ends.
    const deps = stretched([1500, 1500]);
    const first = run(deps, jobId);
    await sleep(500);
    expect((await answer(caller.imports[':job_id'].cancel.$post({ param: { job_id: jobId } }))).status).toBe(200);
    expect((await answer(caller.imports[':job_id'].retry.$post({ param: { job_id: jobId } }))).status).toBe(200);
    const second = run(deps, jobId);

    expect(await first).toBe('settled');
    // Run 1's push went through and its mapping is kept, but the job belongs to run 2.
    const during = await jobRow(jobId);
    expect(during.status).toBe('running');
    expect(during.createdProductId).toBeNull();
    expect(await actions(jobId)).not.toContain('completed');

    expect(await second).toBe('settled');
    const done = await jobRow(jobId);
    expect(done.status).toBe('completed');
    const products = await shop.products();
    expect(products).toHaveLength(1);
    expect(done.createdProductId).toBe(products[0].id);
    expect((await mappings(connectionId)).map((m) => m.storeProductId)).toEqual([products[0].id]);
    expect((await actions(jobId)).filter((a) => a === 'completed')).toHaveLength(1);
  }, 30_000);

  it('a stale run’s transient failure does not put the new run back to pending', async () => {
    const { user, shop, connectionId } = await shopifyUser();
    const jobId = await unqueuedJob(user, connectionId, aliUrl());
    const caller = api({ token: user.token });
    await shop.fail(503, 1, { delayMs: 1500 });
    const deps = stretched([0, 1500]);
    const first = run(deps, jobId);
    await sleep(500);
    await answer(caller.imports[':job_id'].cancel.$post({ param: { job_id: jobId } }));
    await answer(caller.imports[':job_id'].retry.$post({ param: { job_id: jobId } }));
    const second = run(deps, jobId);
    // Run 1 fails with a retryable 503 after the retry: nothing to release, no redelivery asked for.
    expect(await first).toBe('settled');
    expect((await jobRow(jobId)).status).toBe('running');
    expect(await actions(jobId)).not.toContain('retry_scheduled');
    expect(await second).toBe('settled');
    expect((await jobRow(jobId)).status).toBe('completed');
    expect(await shop.products()).toHaveLength(1);
  }, 30_000);
});

describe('a cancel during the push', () => {
  it('comes too late: the product stays in the store, the job completes with a warning and keeps the mapping', async () => {
    const { user, shop, connectionId } = await shopifyUser();
    const jobId = await unqueuedJob(user, connectionId, aliUrl());
    const deps = stretched([1200]);
    const running = run(deps, jobId);
    await sleep(500);
    const cancelled = await answer(api({ token: user.token }).imports[':job_id'].cancel.$post({ param: { job_id: jobId } }));
    expect(cancelled.status).toBe(200);
    expect(await running).toBe('settled');

    const products = await shop.products();
    expect(products).toHaveLength(1);
    const job = (await answer(api({ token: user.token }).imports[':job_id'].$get({ param: { job_id: jobId } }))).json as { status: string; created_product_id: string };
    expect(job.status).toBe('completed');
    expect(job.created_product_id).toBe(products[0].id);
    const row = await jobRow(jobId);
    expect(row.warnings).toContain(CANCEL_TOO_LATE);
    expect(await actions(jobId)).toEqual(['running', 'cancelled', 'completed']);
    expect((await mappings(connectionId)).map((m) => m.storeProductId)).toEqual([products[0].id]);
  }, 30_000);
});

/** A queue that records what it is sent. */
function recordingQueue() {
  const sent: string[] = [];
  const queue = {
    send: async (body: ImportMessage) => void sent.push(body.jobId),
    sendBatch: async (msgs: Iterable<MessageSendRequest<ImportMessage>>) => void [...msgs].forEach((m) => sent.push(m.body.jobId)),
  } as unknown as Queue<ImportMessage>;
  return { queue, sent };
}

describe('the import sweep', () => {
  it('returns a run that stopped (claimed longer ago than the lease) to the queue; the stopped run is fenced out', async () => {
    const { user, shop, connectionId } = await shopifyUser();
    const jobId = await unqueuedJob(user, connectionId, aliUrl());
    // Run 1 claims the job and then hangs before fetching: a consumer that died.
    let resume!: () => void;
    const hung = new Promise<void>((r) => (resume = r));
    const first = run(stretched([], () => hung), jobId);
    for (let i = 0; i < 50 && (await jobRow(jobId)).status !== 'running'; i++) await sleep(50);
    await withDb((db) => db.execute(sql`UPDATE import_jobs SET claimed_at = now() - interval '25 minutes' WHERE id = ${jobId}`));

    const q = recordingQueue();
    const swept = await withDb((db) => sweepImportJobs(db, q.queue));
    expect(swept.requeued).toContain(jobId);
    expect(q.sent).toContain(jobId);
    const back = await jobRow(jobId);
    expect(back.status).toBe('pending');
    expect(back.runId).toBeNull();
    expect((await actions(jobId)).at(-1)).toBe('retry_scheduled');

    // The re-sent message runs the job; then the stopped run wakes up and can change nothing.
    expect(await run(stretched([]), jobId, 2)).toBe('settled');
    resume();
    expect(await first).toBe('settled');
    const done = await jobRow(jobId);
    expect(done.status).toBe('completed');
    expect(await shop.products()).toHaveLength(1);
    expect((await actions(jobId)).filter((a) => a === 'completed')).toHaveLength(1);
  }, 30_000);

  it('frees the store product claim of a stopped run, and fails a job that stopped six times', async () => {
    const { user, connectionId } = await shopifyUser();
    const runId = crypto.randomUUID();
    const stopped = await unqueuedJob(user, connectionId, aliUrl(), { status: 'running', runId, attempts: 1 });
    const tired = await unqueuedJob(user, connectionId, aliUrl(), { status: 'running', runId: crypto.randomUUID(), attempts: 6 });
    await withDb(async (db) => {
      await db.execute(sql`UPDATE import_jobs SET claimed_at = now() - interval '25 minutes' WHERE id IN (${stopped}, ${tired})`);
      await db.insert(storeProductClaims).values({ storeId: connectionId, source: 'aliexpress', sourceProductId: '1', jobId: stopped, runId, claimedUntil: new Date(Date.now() + 600_000) });
    });
    const q = recordingQueue();
    const swept = await withDb((db) => sweepImportJobs(db, q.queue));
    expect(swept.requeued).toContain(stopped);
    expect(swept.failed).toContain(tired);
    expect(q.sent).not.toContain(tired);
    expect(await claims(connectionId)).toHaveLength(0);
    const t = await jobRow(tired);
    expect(t.status).toBe('failed');
    expect(t.errorMessage).toMatch(/stopped without finishing 6 times/);
  });

  it('re-sends a stranded pending job (its enqueue failed) and leaves fresh pending and recent running jobs alone', async () => {
    const { user, shop, connectionId } = await shopifyUser();
    const stranded = await unqueuedJob(user, connectionId, aliUrl());
    const fresh = await unqueuedJob(user, connectionId, aliUrl());
    const busy = await unqueuedJob(user, connectionId, aliUrl(), { status: 'running', runId: crypto.randomUUID() });
    await withDb((db) => db.execute(sql`UPDATE import_jobs SET updated_at = now() - interval '45 minutes', created_at = now() - interval '45 minutes' WHERE id = ${stranded}`));
    await withDb((db) => db.execute(sql`UPDATE import_jobs SET claimed_at = now() - interval '2 minutes' WHERE id = ${busy}`));

    const q = recordingQueue();
    const swept = await withDb((db) => sweepImportJobs(db, q.queue));
    expect(swept.stranded).toContain(stranded);
    expect(q.sent).toContain(stranded);
    expect(q.sent).not.toContain(fresh);
    expect(q.sent).not.toContain(busy);
    expect((await jobRow(busy)).status).toBe('running');
    // Sent once per period: a second sweep right after does not send it again.
    const again = recordingQueue();
    await withDb((db) => sweepImportJobs(db, again.queue));
    expect(again.sent).not.toContain(stranded);

    expect(await run(stretched([]), stranded)).toBe('settled');
    expect((await jobRow(stranded)).status).toBe('completed');
    expect(await shop.products()).toHaveLength(1);
  }, 30_000);
});

describe('a WooCommerce product create that timed out while the site kept saving', () => {
  it('the job waits for the store: the claim outlives the failed run, an eager redelivery is sent back until it ends, and then updates the one product', async () => {
    const user = await registerUser('runs');
    await setPlan(user.id, 'pro');
    const store = await fakeWooStore();
    const conn = await answer(api({ token: user.token }).connections.$post({ json: { store_name: store.name, platform: 'woocommerce', store_url: store.storeUrl, api_key: store.apiKey } }));
    expect(conn.status).toBe(201);
    const storeId = (conn.json as { id: string }).id;
    // The client gives up after 300 ms; the site saves the product after 1 s; it may take up to 2 s.
    const deps = importDeps({ ...env, STORE_REQUEST_TIMEOUT_MS: '300', WOO_CREATE_SETTLE_SECONDS: '2' });
    await store.slowCreate(1000);
    const jobId = await unqueuedJob(user, storeId, aliUrl());
    const waits: number[] = [];
    const failedAt = Date.now();
    const first = await withDb((db) => runImportAttempt(db, deps, jobId, { number: 1, last: false, retryAfter: (s) => waits.push(s) }));
    expect(first).toBe('released');
    // The consumer delays the redelivery past the store's settle time.
    expect(waits).toEqual([2]);
    expect((await jobRow(jobId)).errorMessage).toMatch(/may still be being saved by the store/);
    const [held] = await claims(storeId);
    expect(held.claimedUntil.getTime()).toBeGreaterThan(Date.now() + 1000);

    // A redelivery that comes at once (or another job for the product) cannot create it again,
    // and does not poll a hold that will not end sooner: it asks to come back when it ends.
    const eager: number[] = [];
    const beforeEager = Date.now();
    expect(await withDb((db) => runImportAttempt(db, deps, jobId, { number: 2, last: false, retryAfter: (s) => eager.push(s) }))).toBe('released');
    expect(Date.now() - beforeEager).toBeLessThan(1500);
    expect(eager).toHaveLength(1);
    expect(eager[0]).toBeGreaterThanOrEqual(1);
    expect(eager[0]).toBeLessThanOrEqual(2);
    expect((await jobRow(jobId)).errorMessage).toMatch(/may still be being saved by the store; this import tries again/);
    expect((await store.requests()).filter((r) => r.method === 'POST' && r.path === '/products')).toHaveLength(1);
    // Delivered when the hold ended, the job finds the product the site saved and updates it.
    await sleep(Math.max(0, held.claimedUntil.getTime() - Date.now()) + 200);
    expect(await run(deps, jobId, 3)).toBe('settled');
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(2000);
    const job = await jobRow(jobId);
    expect(job.status).toBe('completed');
    const products = await store.products();
    expect(products).toHaveLength(1);
    expect(job.createdProductId).toBe(products[0].id);
    expect((await mappings(storeId)).map((m) => m.storeProductId)).toEqual([products[0].id]);
    expect(await claims(storeId)).toEqual([]);
    expect((await store.requests()).filter((r) => r.method === 'POST' && r.path === '/products')).toHaveLength(1);
  });

  it('the queue consumer delays the redelivery past the settle time when that is longer than the backoff', async () => {
    const user = await registerUser('runs');
    await setPlan(user.id, 'pro');
    const store = await fakeWooStore();
    const conn = await answer(api({ token: user.token }).connections.$post({ json: { store_name: store.name, platform: 'woocommerce', store_url: store.storeUrl, api_key: store.apiKey } }));
    const deps = importDeps({ ...env, STORE_REQUEST_TIMEOUT_MS: '300', WOO_CREATE_SETTLE_SECONDS: '45' });
    await store.slowCreate(600);
    const jobId = await unqueuedJob(user, (conn.json as { id: string }).id, aliUrl());
    const calls: { retry?: { delaySeconds?: number }; acked?: boolean } = {};
    const message = { id: 'm-1', body: { jobId }, attempts: 1, timestamp: new Date(), ack: () => (calls.acked = true), retry: (o?: { delaySeconds?: number }) => (calls.retry = o ?? {}) };
    await withDb((db) => processImportMessage(db, deps, message as unknown as Message<unknown>));
    // The first backoff is 10 s; the store may still be saving for 45 s.
    expect(calls).toEqual({ retry: { delaySeconds: 45 } });
  });
});

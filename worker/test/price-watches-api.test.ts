import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { importJobs, pricePoints, priceWatches } from '../db/schema';
import { answer, api, rawCall, registerUser, setPlan, userWithKey, withDb } from './helpers';
import { aliId, aliUrl, createWatch } from './price-helpers';

const CONTRACT_KEYS = [
  'id',
  'user_id',
  'product_url',
  'source',
  'threshold_percent',
  'connection_id',
  'store_id',
  'is_active',
  'source_product_id',
  'source_url',
  'last_price',
  'current_price',
  'price_changed',
  'last_checked_at',
  'created_at',
  'updated_at',
];
const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('POST /price-watches', () => {
  it('creates a watch in the contract shape, with the product id parsed from the URL', async () => {
    const user = await registerUser();
    const id = aliId();
    const conn = crypto.randomUUID();
    const r = await answer(api({ token: user.token })['price-watches'].$post({ json: { product_url: aliUrl(id), source: 'aliexpress', threshold_percent: 7.5, connection_id: conn } }));
    expect(r.status).toBe(201);
    expect(r.roundTrips).toBeLessThanOrEqual(3);
    for (const k of CONTRACT_KEYS) expect(r.json).toHaveProperty(k);
    expect(r.json).toMatchObject({
      user_id: user.id,
      product_url: aliUrl(id),
      source: 'aliexpress',
      threshold_percent: 7.5,
      connection_id: conn,
      store_id: conn,
      is_active: true,
      source_product_id: id,
      source_url: null,
      last_price: null,
      current_price: null,
      price_changed: false,
      last_checked_at: null,
      last_error: null,
      auto_reprice: false,
      import_job_id: null,
    });
    expect(typeof r.json.threshold_percent).toBe('number');
    expect(r.json.created_at).toMatch(ISO_Z);
    expect(r.json.updated_at).toMatch(ISO_Z);
    // Due at once: the next cron run checks it.
    expect(new Date(r.json.next_check_at).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('defaults the threshold to 10 and keeps the contract loose about source and URL', async () => {
    const user = await registerUser();
    const plain = await createWatch(user, { product_url: aliUrl(), source: 'aliexpress' });
    expect(plain.threshold_percent).toBe(10);
    expect(plain.connection_id).toBeNull();

    // Any URL is accepted, but a watch that can never be checked says why.
    const unsupported = await createWatch(user, { product_url: 'https://example.com/p/1', source: 'aliexpress' });
    expect(unsupported.source_product_id).toBeNull();
    expect(unsupported.last_error).toMatch(/can't be checked: Unsupported supplier URL/);
    const empty = await createWatch(user, { product_url: '', source: 'whatever' });
    expect(empty.last_error).toMatch(/can't be checked/);
    const noId = await createWatch(user, { product_url: 'https://www.aliexpress.com/store/123', source: 'aliexpress' });
    expect(noId.last_error).toMatch(/Could not find a product id in the URL/);
    const mismatch = await createWatch(user, { product_url: 'https://cjdropshipping.com/x-p-ABC123.html', source: 'aliexpress' });
    expect(mismatch.source_product_id).toBeNull();
    expect(mismatch.last_error).toMatch(/URL is a CJ Dropshipping product but the watch's source is 'aliexpress'/);

    // cjdropshipping is the alias of cjdropship (§6); the output stays cjdropship.
    const cj = await createWatch(user, { product_url: 'https://www.cjdropshipping.com/product/lamp-p-ABC-123.html', source: 'cjdropshipping' });
    expect(cj).toMatchObject({ source: 'cjdropship', source_product_id: 'ABC-123', last_error: null });
    const spocket = await createWatch(user, { product_url: 'https://app.spocket.co/product/sp004-12345678', source: 'spocket' });
    expect(spocket.source_product_id).toBe('sp004-12345678');
  });

  it('answers 422 for every malformed field, after authentication', async () => {
    const user = await registerUser();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ source: 'aliexpress' }, 'product_url', 'missing'],
      [{ product_url: aliUrl() }, 'source', 'missing'],
      [{ product_url: 'x'.repeat(2001), source: 'aliexpress' }, 'product_url', 'string_too_long'],
      [{ product_url: aliUrl(), source: 's'.repeat(51) }, 'source', 'string_too_long'],
      [{ product_url: aliUrl(), source: 'aliexpress', threshold_percent: -0.01 }, 'threshold_percent', 'greater_than_equal'],
      [{ product_url: aliUrl(), source: 'aliexpress', threshold_percent: 1000 }, 'threshold_percent', 'less_than_equal'],
      [{ product_url: aliUrl(), source: 'aliexpress', threshold_percent: 999.995 }, 'threshold_percent', 'less_than_equal'],
      [{ product_url: aliUrl(), source: 'aliexpress', threshold_percent: 'ten' }, 'threshold_percent', 'float_parsing'],
      [{ product_url: aliUrl(), source: 'aliexpress', connection_id: 'not-a-uuid' }, 'connection_id', 'uuid_parsing'],
      [{ product_url: aliUrl(), source: 'aliexpress', import_job_id: 'nope' }, 'import_job_id', 'uuid_parsing'],
      [{ product_url: aliUrl(), source: 'aliexpress', auto_reprice: 'yes' }, 'auto_reprice', 'boolean_type'],
      [{ product_url: 12, source: 'aliexpress' }, 'product_url', 'string_type'],
    ];
    for (const [body, field, type] of cases) {
      const r = await answer(api({ token: user.token })['price-watches'].$post({ json: body }));
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.json.detail[0]).toMatchObject({ type, loc: ['body', field] });
    }
    expect((await answer(api({ token: user.token })['price-watches'].$post({ json: { product_url: aliUrl(), source: 'aliexpress', threshold_percent: 999.99 } }))).status).toBe(201);
    expect((await rawCall('/price-watches', { token: user.token, rawBody: '{"product_url":' })).json.detail[0].type).toBe('json_invalid');
    const anonymous = await answer(api()['price-watches'].$post({ json: { source: 's'.repeat(60) } }));
    expect(anonymous.status).toBe(401);
  });

  it('creates a watch from a completed import, and refuses foreign or unfinished ones', async () => {
    const user = await registerUser();
    const other = await registerUser();
    const productId = aliId();
    const storeId = crypto.randomUUID();
    const [done, pending, manual, foreign] = await withDb((db) =>
      db
        .insert(importJobs)
        .values([
          { userId: user.id, source: 'aliexpress', sourceUrl: aliUrl(productId), sourceProductId: productId, status: 'completed', storeId },
          { userId: user.id, source: 'aliexpress', sourceUrl: aliUrl(), status: 'pending' },
          { userId: user.id, source: 'manual', sourceUrl: 'manual://mug', status: 'completed' },
          { userId: other.id, source: 'aliexpress', sourceUrl: aliUrl(), sourceProductId: aliId(), status: 'completed' },
        ])
        .returning({ id: importJobs.id }),
    );
    const r = await answer(api({ token: user.token })['price-watches'].$post({ json: { import_job_id: done.id, threshold_percent: 5 } }));
    expect(r.status).toBe(201);
    expect(r.roundTrips).toBeLessThanOrEqual(3);
    expect(r.json).toMatchObject({
      source: 'aliexpress',
      source_product_id: productId,
      product_url: aliUrl(productId),
      store_id: storeId,
      connection_id: storeId,
      import_job_id: done.id,
      threshold_percent: 5,
      last_error: null,
    });
    expect((await answer(api({ token: user.token })['price-watches'].$post({ json: { import_job_id: foreign.id } }))).json).toEqual({ detail: 'Import job not found' });
    expect((await answer(api({ token: user.token })['price-watches'].$post({ json: { import_job_id: crypto.randomUUID() } }))).status).toBe(404);
    const unfinished = await answer(api({ token: user.token })['price-watches'].$post({ json: { import_job_id: pending.id } }));
    expect(unfinished.status).toBe(400);
    expect(unfinished.json.detail).toBe('Only a completed import can be watched; this one is pending');
    expect((await answer(api({ token: user.token })['price-watches'].$post({ json: { import_job_id: manual.id } }))).json.detail).toBe('A manual import has no supplier price to watch');
  });

  it('refuses auto-reprice without an imported store product', async () => {
    const user = await registerUser();
    const r = await answer(api({ token: user.token })['price-watches'].$post({ json: { product_url: aliUrl(), source: 'aliexpress', auto_reprice: true } }));
    expect(r.status).toBe(400);
    expect(r.json.detail).toMatch(/^Auto-reprice needs a store product/);
  });
});

describe('plan limit on active watches', () => {
  it('stops a free plan at 25 active watches, counting pauses and resumes', async () => {
    const user = await registerUser();
    await withDb((db) => db.insert(priceWatches).values(Array.from({ length: 24 }, () => ({ userId: user.id, source: 'aliexpress', productUrl: aliUrl() }))));
    const last = await createWatch(user, { product_url: aliUrl(), source: 'aliexpress' });
    const over = await answer(api({ token: user.token })['price-watches'].$post({ json: { product_url: aliUrl(), source: 'aliexpress' } }));
    expect(over.status).toBe(403);
    expect(over.json).toEqual({ detail: 'Price watch limit reached for free plan. Upgrade your plan for more price watches.' });

    // Pausing frees a place; resuming beyond the limit is refused like creating.
    const paused = await answer(api({ token: user.token })['price-watches'][':watch_id'].$put({ param: { watch_id: last.id }, json: { is_active: false } }));
    expect(paused.json.is_active).toBe(false);
    const usage = await answer(api({ token: user.token }).usage.$get());
    expect(usage.json.metrics[1]).toMatchObject({ name: 'secondary_used', used: 24, limit: 25 });
    await createWatch(user, { product_url: aliUrl(), source: 'aliexpress' });
    const resume = await answer(api({ token: user.token })['price-watches'][':watch_id'].$put({ param: { watch_id: last.id }, json: { is_active: true } }));
    expect(resume.status).toBe(403);
    expect(resume.json.detail).toBe('Price watch limit reached for free plan. Upgrade your plan for more price watches.');
    // Threshold edits of a paused watch are still fine.
    expect((await answer(api({ token: user.token })['price-watches'][':watch_id'].$put({ param: { watch_id: last.id }, json: { threshold_percent: 3 } }))).status).toBe(200);

    // Deleting an active watch frees a place too, and then the resume fits.
    const list = await answer(api({ token: user.token })['price-watches'].$get({ query: {} }));
    const active = list.json.items.find((w: { is_active: boolean; id: string }) => w.is_active && w.id !== last.id);
    expect((await answer(api({ token: user.token })['price-watches'][':watch_id'].$delete({ param: { watch_id: active!.id } }))).status).toBe(204);
    const resumed = await answer(api({ token: user.token })['price-watches'][':watch_id'].$put({ param: { watch_id: last.id }, json: { is_active: true } }));
    expect(resumed.status).toBe(200);
    expect(resumed.json.is_active).toBe(true);

    await setPlan(user.id, 'pro');
    const pro = await registerUser();
    await setPlan(pro.id, 'enterprise');
    expect((await answer(api({ token: user.token })['price-watches'].$post({ json: { product_url: aliUrl(), source: 'aliexpress' } }))).status).toBe(201);
    expect((await answer(api({ token: pro.token })['price-watches'].$post({ json: { product_url: aliUrl(), source: 'aliexpress' } }))).status).toBe(201);
  });
});

describe('GET /price-watches', () => {
  it("lists the caller's watches newest first, filtered by connection, with recent prices", async () => {
    const user = await registerUser();
    const other = await registerUser();
    const conn = crypto.randomUUID();
    const a = await createWatch(user, { product_url: aliUrl(), source: 'aliexpress', connection_id: conn });
    const b = await createWatch(user, { product_url: aliUrl(), source: 'aliexpress' });
    await createWatch(other, { product_url: aliUrl(), source: 'aliexpress' });
    await withDb((db) =>
      db.insert(pricePoints).values([
        { watchId: a.id, price: '10.00', currency: 'USD', observedAt: new Date(Date.now() - 2000) },
        { watchId: a.id, price: '11.50', currency: 'USD', observedAt: new Date(Date.now() - 1000) },
      ]),
    );
    const r = await answer(api({ token: user.token })['price-watches'].$get({ query: {} }));
    expect(r.status).toBe(200);
    expect(r.roundTrips).toBeLessThanOrEqual(2);
    expect(Object.keys(r.json).sort()).toEqual(['items', 'total']);
    expect(r.json.total).toBe(2);
    expect(r.json.items.map((w: { id: string }) => w.id)).toEqual([b.id, a.id]);
    expect(r.json.items[1].recent_prices).toEqual([10, 11.5]);
    expect(r.json.items[0].recent_prices).toEqual([]);

    const filtered = await answer(api({ token: user.token })['price-watches'].$get({ query: { connection_id: `${conn}` } }));
    expect(filtered.json).toMatchObject({ total: 1, items: [{ id: a.id }] });
    expect((await answer(api({ token: user.token })['price-watches'].$get({ query: { connection_id: 'nope' } }))).status).toBe(422);
  });

  it('works with an API key: read lists, write creates', async () => {
    const reader = await userWithKey(['read']);
    expect((await answer(api({ apiKey: reader.apiKey })['price-watches'].$get({ query: {} }))).status).toBe(200);
    expect((await answer(api({ apiKey: reader.apiKey })['price-watches'].$post({ json: { product_url: aliUrl(), source: 'aliexpress' } }))).status).toBe(403);
    const writer = await userWithKey(['read', 'write']);
    expect((await answer(api({ apiKey: writer.apiKey })['price-watches'].$post({ json: { product_url: aliUrl(), source: 'aliexpress' } }))).status).toBe(201);
  });
});

describe('PUT, DELETE and history', () => {
  it('edits threshold, pause state and auto-reprice; others see 404', async () => {
    const user = await registerUser();
    const other = await registerUser();
    const w = await createWatch(user, { product_url: aliUrl(), source: 'aliexpress' });
    const r = await answer(api({ token: user.token })['price-watches'][':watch_id'].$put({ param: { watch_id: w.id }, json: { threshold_percent: 2.25 } }));
    expect(r.status).toBe(200);
    expect(r.roundTrips).toBeLessThanOrEqual(3);
    expect(r.json).toMatchObject({ id: w.id, threshold_percent: 2.25, is_active: true });
    expect(new Date(r.json.updated_at) >= new Date(w.updated_at)).toBe(true);
    const paused = await answer(api({ token: user.token })['price-watches'][':watch_id'].$put({ param: { watch_id: w.id }, json: { is_active: false, threshold_percent: null } }));
    expect(paused.json).toMatchObject({ is_active: false, threshold_percent: 2.25 });
    expect((await answer(api({ token: user.token })['price-watches'][':watch_id'].$put({ param: { watch_id: w.id }, json: {} }))).json.is_active).toBe(false);
    expect((await answer(api({ token: user.token })['price-watches'][':watch_id'].$put({ param: { watch_id: w.id }, json: { auto_reprice: true } }))).status).toBe(400);

    for (const [body, type] of [
      [{ threshold_percent: 1000 }, 'less_than_equal'],
      [{ threshold_percent: -1 }, 'greater_than_equal'],
      [{ is_active: 'no' }, 'boolean_type'],
    ] as const) {
      const bad = await rawCall(`/price-watches/${w.id}`, { token: user.token, method: 'PUT', body });
      expect(bad.status).toBe(422);
      expect(bad.json.detail[0].type).toBe(type);
    }
    expect((await rawCall('/price-watches/not-a-uuid', { token: user.token, method: 'PUT', body: {} })).json.detail[0]).toMatchObject({ type: 'uuid_parsing', loc: ['path', 'watch_id'] });
    const foreign = await answer(api({ token: other.token })['price-watches'][':watch_id'].$put({ param: { watch_id: w.id }, json: { threshold_percent: 1 } }));
    expect(foreign.status).toBe(404);
    expect(foreign.json).toEqual({ detail: 'Price watch not found' });
  });

  it('deletes with 204 once, then 404; foreign ids are 404', async () => {
    const user = await registerUser();
    const other = await registerUser();
    const w = await createWatch(user, { product_url: aliUrl(), source: 'aliexpress' });
    expect((await answer(api({ token: other.token })['price-watches'][':watch_id'].$delete({ param: { watch_id: w.id } }))).json).toEqual({ detail: 'Price watch not found' });
    const r = await answer(api({ token: user.token })['price-watches'][':watch_id'].$delete({ param: { watch_id: w.id } }));
    expect(r.status).toBe(204);
    expect(r.json).toBeNull();
    expect(r.roundTrips).toBeLessThanOrEqual(3);
    expect((await answer(api({ token: user.token })['price-watches'][':watch_id'].$delete({ param: { watch_id: w.id } }))).status).toBe(404);
    expect((await rawCall('/price-watches/123', { token: user.token, method: 'DELETE' })).status).toBe(422);
    const [gone] = await withDb((db) => db.select().from(priceWatches).where(eq(priceWatches.id, w.id)));
    expect(gone).toBeUndefined();
  });

  it('returns the price history oldest first, limited to the newest points', async () => {
    const user = await registerUser();
    const other = await registerUser();
    const w = await createWatch(user, { product_url: aliUrl(), source: 'aliexpress' });
    const t = Date.now();
    await withDb((db) =>
      db.insert(pricePoints).values([
        { watchId: w.id, price: '12.00', currency: 'USD', stock: 40, observedAt: new Date(t - 3000) },
        { watchId: w.id, price: '13.20', currency: 'USD', stock: 0, observedAt: new Date(t - 2000) },
        { watchId: w.id, price: '11.99', currency: 'USD', stock: null, observedAt: new Date(t - 1000) },
      ]),
    );
    const r = await answer(api({ token: user.token })['price-watches'][':watch_id'].history.$get({ param: { watch_id: w.id }, query: {} }));
    expect(r.status).toBe(200);
    expect(r.roundTrips).toBeLessThanOrEqual(2);
    expect(r.json.items).toEqual([
      { price: 12, currency: 'USD', stock: 40, observed_at: new Date(t - 3000).toISOString() },
      { price: 13.2, currency: 'USD', stock: 0, observed_at: new Date(t - 2000).toISOString() },
      { price: 11.99, currency: 'USD', stock: null, observed_at: new Date(t - 1000).toISOString() },
    ]);
    expect((await answer(api({ token: user.token })['price-watches'][':watch_id'].history.$get({ param: { watch_id: w.id }, query: { limit: '2' } }))).json.items.map((p: { price: number }) => p.price)).toEqual([13.2, 11.99]);
    expect((await answer(api({ token: user.token })['price-watches'][':watch_id'].history.$get({ param: { watch_id: w.id }, query: { limit: '0' } }))).status).toBe(422);
    expect((await answer(api({ token: other.token })['price-watches'][':watch_id'].history.$get({ param: { watch_id: w.id }, query: {} }))).json).toEqual({ detail: 'Price watch not found' });
    expect((await rawCall('/price-watches/zzz/history', { token: user.token })).status).toBe(422);
  });
});

describe('POST /price-watches/sync', () => {
  it("checks the caller's active watches now and reports the totals", async () => {
    const user = await registerUser();
    const other = await registerUser();
    const a = await createWatch(user, { product_url: aliUrl(), source: 'aliexpress' });
    await createWatch(user, { product_url: 'https://example.com/nothing', source: 'aliexpress' });
    const paused = await createWatch(user, { product_url: aliUrl(), source: 'aliexpress' });
    await answer(api({ token: user.token })['price-watches'][':watch_id'].$put({ param: { watch_id: paused.id }, json: { is_active: false } }));
    const foreign = await createWatch(other, { product_url: aliUrl(), source: 'aliexpress' });

    const r = await answer(api({ token: user.token })['price-watches'].sync.$post());
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ total_checked: 2, total_changed: 0, total_errors: 1, queued: 0 });
    // auth + load + write; a demo-catalogue user resolves no supplier account.
    expect(r.roundTrips).toBeLessThanOrEqual(3);

    const list = (await answer(api({ token: user.token })['price-watches'].$get({ query: {} }))).json.items as Record<string, any>[];
    const checked = list.find((w) => w.id === a.id)!;
    expect(checked.current_price).toBeGreaterThan(0);
    expect(checked.last_price).toBeNull();
    expect(checked.currency).toBe('USD');
    expect(checked.last_checked_at).toMatch(ISO_Z);
    expect(checked.recent_prices).toEqual([checked.current_price]);
    expect(list.find((w) => w.id === paused.id)!.last_checked_at).toBeNull();
    const [untouched] = await withDb((db) => db.select().from(priceWatches).where(eq(priceWatches.id, foreign.id)));
    expect(untouched.lastCheckedAt).toBeNull();

    const empty = await registerUser();
    expect((await answer(api({ token: empty.token })['price-watches'].sync.$post())).json).toEqual({ total_checked: 0, total_changed: 0, total_errors: 0, queued: 0 });
  });

  it('checks the first 100 inline and queues the rest onto PRICE_QUEUE', async () => {
    const user = await registerUser();
    await setPlan(user.id, 'pro');
    const rows = await withDb((db) =>
      db
        .insert(priceWatches)
        .values(Array.from({ length: 130 }, () => ({ userId: user.id, source: 'aliexpress', productUrl: aliUrl(), sourceProductId: aliId() })).map((v) => ({ ...v, productUrl: aliUrl(v.sourceProductId) })))
        .returning({ id: priceWatches.id }),
    );
    const r = await answer(api({ token: user.token })['price-watches'].sync.$post());
    expect(r.json).toEqual({ total_checked: 100, total_changed: 0, total_errors: 0, queued: 30 });
    // The queue (the real one, in the test runtime) delivers the remaining chunk to the consumer.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const done = await withDb((db) => db.select({ at: priceWatches.lastCheckedAt }).from(priceWatches).where(eq(priceWatches.userId, user.id)));
      if (done.every((d) => d.at !== null)) break;
      if (Date.now() > deadline) throw new Error(`${done.filter((d) => !d.at).length} of ${rows.length} watches never checked`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }, 30_000);
});

import { env } from 'cloudflare:workers';
import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { importJobs } from '../db/schema';
import { sanitizeHtml } from '../shared/html';
import { dropOption, asListProduct, marginOf } from '../shared/import-list';
import { call, registerUser, setPlan, withDb, type TestUser } from './helpers';
import { fakeShopifyShop } from './store-fakes';
import { waitForJob } from './queue-helpers';

const JOB_TIMEOUT = 20_000;

/** A supplier product with a "Ships From" axis: the same colour ships from two warehouses at different costs. */
const shipsFromProduct = (title = 'Travel Mug') => ({
  title,
  price: 4,
  description: '<p>Great mug<script>alert(1)</script><img src="https://t.example/px.gif" width="1" height="1"></p><a href="https://shop.example/m?utm_source=x&id=3" onclick="x()">more</a>',
  images: ['https://img.example/mug-1.jpg', 'https://img.example/mug-2.jpg', 'https://img.example/mug-3.jpg'],
  variants: [
    { sku: 'MUG-RED-CN', options: { Color: 'Red', 'Ships From': 'China' }, price: 4, stock: 100 },
    { sku: 'MUG-RED-US', options: { Color: 'Red', 'Ships From': 'United States' }, price: 6, stock: 20 },
    { sku: 'MUG-BLUE-CN', options: { Color: 'Blue', 'Ships From': 'China' }, price: 4.5, stock: 0 },
    { sku: 'MUG-BLUE-US', options: { Color: 'Blue', 'Ships From': 'United States' }, price: 7, stock: 8 },
  ],
});

/** A manual import kept for review; resolves with the list item it became. */
async function reviewImport(user: TestUser, body: Record<string, unknown> = {}) {
  const created = await call('/imports', {
    token: user.token,
    body: { product_url: `manual://${crypto.randomUUID()}`, source: 'manual', config: { product: shipsFromProduct(), markup_percent: 100, review: true }, ...body },
  });
  expect(created.status).toBe(201);
  const job = await waitForJob(user.token, created.json.id);
  expect(job.status).toBe('completed');
  expect(job.created_product_id).toBeNull();
  const list = await call('/import-list', { token: user.token });
  const item = list.json.items.find((i: { import_job_id: string }) => i.import_job_id === created.json.id);
  expect(item).toBeTruthy();
  return item;
}

async function shopUser() {
  const user = await registerUser('list');
  await setPlan(user.id, 'pro');
  const shop = await fakeShopifyShop();
  const conn = await call('/connections', { token: user.token, body: { store_name: shop.name, platform: 'shopify', store_url: shop.storeUrl, api_key: shop.token } });
  expect(conn.status).toBe(201);
  return { user, shop, connectionId: conn.json.id as string };
}

async function waitForItem(user: TestUser, id: string, status: string) {
  const deadline = Date.now() + JOB_TIMEOUT;
  for (;;) {
    const item = (await call(`/import-list/${id}`, { token: user.token })).json;
    if (item.status === status) return item;
    if (Date.now() > deadline) throw new Error(`item ${id} still ${item.status} (${item.error_message})`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const put = (user: TestUser, id: string, body: unknown) => call(`/import-list/${id}`, { token: user.token, method: 'PUT', body });

describe('import list: landing', () => {
  it('keeps a config.review import in the list even with a store connected, and a store-less import too', async () => {
    const { user, shop, connectionId } = await shopUser();
    const item = await reviewImport(user);
    expect(item.status).toBe('draft');
    expect(item.store_id).toBe(connectionId);
    expect(item.version).toBe(1);
    expect(await shop.products()).toHaveLength(0);
    // The supplier's description arrives cleaned: no script, no tracking pixel, no utm parameter, no handler.
    expect(item.product.description_html).not.toMatch(/script|onclick|utm_source|px\.gif/);
    expect(item.product.description_html).toContain('<p>Great mug');
    expect(item.product.variants.every((v: { selected: boolean }) => v.selected)).toBe(true);
    expect(item.product.variants[0].margin).toEqual(marginOf(item.product.variants[0].price, item.product.variants[0].cost));

    const lone = await registerUser('list-nostore');
    const draft = await reviewImport(lone, { config: { product: shipsFromProduct('No store mug') } });
    expect(draft.store_id).toBeNull();
  });

  it('follows the account default, and /auth/me says it (and that no AI gateway is configured)', async () => {
    const { user, shop } = await shopUser();
    const set = await call('/import-list/settings', { token: user.token, method: 'PUT', body: { review_by_default: true } });
    expect(set.json).toEqual({ review_by_default: true });
    const me = await call('/auth/me', { token: user.token });
    expect(me.json.import_review).toBe(true);
    expect(me.json.features).toEqual({ ai: Boolean((env as { LLM_GATEWAY_URL?: string }).LLM_GATEWAY_URL) });
    const created = await call('/imports', { token: user.token, body: { product_url: 'manual://d', source: 'manual', config: { product: shipsFromProduct() } } });
    expect(created.json.config.review).toBe(true);
    await waitForJob(user.token, created.json.id);
    expect(await shop.products()).toHaveLength(0);
    // An import that says review: false goes straight to the store.
    const direct = await call('/imports', { token: user.token, body: { product_url: 'manual://e', source: 'manual', config: { product: shipsFromProduct(), review: false } } });
    expect((await waitForJob(user.token, direct.json.id)).created_product_id).toMatch(/^gid:/);
  });
});

describe('import list: editing', () => {
  it('drops "Ships From" keeping one supplier variant per colour by the stated rule, renames, prices by hand with the margin', async () => {
    const user = await registerUser('list-edit');
    const item = await reviewImport(user);
    const dropped = await put(user, item.id, { version: 1, title: 'Red or blue travel mug', drop_options: [{ name: 'Ships From' }] });
    expect(dropped.status).toBe(200);
    expect(dropped.json.version).toBe(2);
    expect(dropped.json.edited_fields).toEqual(['options', 'title']);
    const p = dropped.json.product;
    expect(p.options.map((o: { name: string }) => o.name)).toEqual(['Color']);
    // Red: both in stock → the cheaper (China). Blue: China is out of stock → United States.
    expect(p.variants.map((v: { sku: string; merged_keys: string[] }) => [v.sku, v.merged_keys])).toEqual([
      ['MUG-RED-CN', ['MUG-RED-US']],
      ['MUG-BLUE-US', ['MUG-BLUE-CN']],
    ]);
    expect(p.dropped_options).toEqual([{ name: 'Ships From', keep_value: null }]);

    const priced = await put(user, item.id, {
      version: 2,
      rename_options: [{ name: 'Color', new_name: 'Colour', values: { Red: 'Crimson' } }],
      variants: [{ key: 'MUG-RED-CN', price: 12.5 }],
    });
    expect(priced.status).toBe(200);
    const red = priced.json.product.variants.find((v: { key: string }) => v.key === 'MUG-RED-CN');
    expect(red).toMatchObject({ options: { Colour: 'Crimson' }, price: 12.5, manual_price: true, margin: { amount: 8.5, percent: 68 } });
    expect(priced.json.product.options).toEqual([{ name: 'Colour', values: ['Crimson', 'Blue'] }]);
  });

  it('prefers the kept warehouse when asked', () => {
    const base = asListProduct({
      title: 't', description_html: '', images: [], options: [{ name: 'Color', values: ['Red'] }, { name: 'Ships From', values: ['China', 'Spain'] }],
      variants: [
        { key: 'cn', sku: null, options: { Color: 'Red', 'Ships From': 'China' }, cost: 1, price: 2, compare_at: null, stock: 5, image: null },
        { key: 'es', sku: null, options: { Color: 'Red', 'Ships From': 'Spain' }, cost: 3, price: 6, compare_at: null, stock: 5, image: null },
      ],
      price: 2, cost: 1, currency: 'USD', tags: [], published: false, pricing: {}, source: 'manual', source_product_id: 'x', source_url: null, supplier_name: null, shipping: null, mode: 'live',
    });
    expect(dropOption(base, 'Ships From', 'Spain')!.variants.map((v) => v.key)).toEqual(['es']);
    expect(dropOption(base, 'Ships From')!.variants.map((v) => v.key)).toEqual(['cn']);
  });

  it('answers a stale version with 409 and the current item; two concurrent edits of one version: one wins', async () => {
    const user = await registerUser('list-409');
    const item = await reviewImport(user);
    const [a, b] = await Promise.all([put(user, item.id, { version: 1, title: 'Tab A' }), put(user, item.id, { version: 1, title: 'Tab B' })]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    const winner = a.status === 200 ? a : b;
    expect(loser.json.current.version).toBe(2);
    expect(loser.json.current.title).toBe(winner.json.title);
    expect(loser.json.detail).toMatch(/changed elsewhere/);
    const stale = await put(user, item.id, { version: 1, tags: ['x'] });
    expect(stale.status).toBe(409);
    expect((await call(`/import-list/${item.id}`, { token: user.token })).json.version).toBe(2);
  });

  it('validates edits: images from the supplier only, at least one variant, a sanitised description, unknown keys refused', async () => {
    const user = await registerUser('list-valid');
    const item = await reviewImport(user);
    const img = await put(user, item.id, { version: 1, images: ['https://evil.example/x.jpg'] });
    expect(img.status).toBe(422);
    expect(img.json.detail[0].loc).toEqual(['body', 'images']);
    const none = await put(user, item.id, { version: 1, variants: item.product.variants.map((v: { key: string }) => ({ key: v.key, selected: false })) });
    expect(none.status).toBe(422);
    const extra = await put(user, item.id, { version: 1, owner: 'me' });
    expect(extra.status).toBe(422);
    const ok = await put(user, item.id, {
      version: 1,
      description_html: '<h2 onmouseover="x()">Hi</h2><iframe src="https://x"></iframe><a href="javascript:alert(1)">x</a>',
      images: [item.product.images[2], item.product.images[0]],
    });
    expect(ok.status).toBe(200);
    expect(ok.json.product.description_html).toBe('<h2>Hi</h2><a>x</a>');
    expect(ok.json.product.images).toEqual([item.product.images[2], item.product.images[0]]);
    expect(ok.json.checks.find((c: { platform: string }) => c.platform === 'shopify').ok).toBe(true);
  });

  it('keeps other users out (404) and filters by pushed, source and title', async () => {
    const user = await registerUser('list-own');
    const item = await reviewImport(user);
    const other = await registerUser('list-other');
    expect((await call(`/import-list/${item.id}`, { token: other.token })).status).toBe(404);
    expect((await put(other, item.id, { version: 1, title: 'mine' })).status).toBe(404);
    expect((await call(`/import-list/${item.id}`, { token: other.token, method: 'DELETE' })).status).toBe(404);
    expect((await call('/import-list/push', { token: other.token, body: { item_ids: [item.id] } })).status).toBe(404);
    expect((await call('/import-list?q=travel', { token: user.token })).json.total).toBe(1);
    expect((await call('/import-list?q=zzz', { token: user.token })).json.total).toBe(0);
    expect((await call('/import-list?q=100%25', { token: user.token })).json.total).toBe(0);
    expect((await call('/import-list?pushed=true', { token: user.token })).json.total).toBe(0);
    expect((await call('/import-list?source=manual&pushed=false', { token: user.token })).json.total).toBe(1);
    expect((await call('/import-list?source=nope', { token: user.token })).status).toBe(422);
    expect((await call(`/import-list/${item.id}`, { token: user.token, method: 'DELETE' })).status).toBe(204);
    expect((await call('/import-list', { token: user.token })).json.total).toBe(0);
  });
});

describe('import list: pushing', () => {
  it('pushes the edited product through the queue, then updates the same store product on a re-push, counting the import once', async () => {
    const { user, shop, connectionId } = await shopUser();
    const item = await reviewImport(user);
    await put(user, item.id, { version: 1, title: 'Edited mug', drop_options: [{ name: 'Ships From' }], variants: [{ key: 'MUG-RED-CN', price: 15 }] });
    const pushed = await call(`/import-list/${item.id}/push`, { token: user.token, body: {} });
    expect(pushed.status).toBe(202);
    expect(pushed.json.id).toBe(item.import_job_id);
    expect(pushed.json.store_id).toBe(connectionId);
    const done = await waitForItem(user, item.id, 'pushed');
    expect(done.store_product_id).toMatch(/^gid:\/\/shopify\/Product\//);
    let products = (await shop.products()) as unknown as { title: string; options: { name: string }[]; variants: { price: string; sku: string }[] }[];
    expect(products).toHaveLength(1);
    expect(products[0].title).toBe('Edited mug');
    expect(products[0].options.map((o) => o.name)).toEqual(['Color']);
    expect(products[0].variants.map((v) => v.sku).sort()).toEqual(['MUG-BLUE-US', 'MUG-RED-CN']);
    expect(Number(products[0].variants.find((v) => v.sku === 'MUG-RED-CN')!.price)).toBe(15);

    const again = await put(user, item.id, { version: 2, title: 'Edited mug v2' });
    expect(again.status).toBe(200);
    await call(`/import-list/push`, { token: user.token, body: { item_ids: [item.id] } });
    const history = (await call(`/imports/${item.import_job_id}/history`, { token: user.token })).json.items.map((h: { action: string }) => h.action);
    expect(history.filter((a: string) => a === 'pushed')).toHaveLength(2);
    await waitForJob(user.token, item.import_job_id);
    products = (await shop.products()) as never;
    expect(products).toHaveLength(1);
    expect(products[0].title).toBe('Edited mug v2');
    const [{ n }] = await withDb((db) => db.select({ n: count() }).from(importJobs).where(eq(importJobs.userId, user.id)));
    expect(n).toBe(1);
  });

  it('two pushes of one item at once: one is queued, the other refused (409)', async () => {
    const { user } = await shopUser();
    const item = await reviewImport(user);
    const [a, b] = await Promise.all([
      call(`/import-list/${item.id}/push`, { token: user.token, body: {} }),
      call('/import-list/push', { token: user.token, body: { item_ids: [item.id] } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    await waitForItem(user, item.id, 'pushed');
    const history = (await call(`/imports/${item.import_job_id}/history`, { token: user.token })).json.items.map((h: { action: string }) => h.action);
    expect(history.filter((x: string) => x === 'pushed')).toHaveLength(1);
  });

  it('refuses a push while the item is being pushed, an unknown store, more than 50 items, and no store at all fails the job clearly', async () => {
    const { user } = await shopUser();
    const item = await reviewImport(user);
    await withDb((db) => db.update(importJobs).set({ status: 'running' }).where(eq(importJobs.id, item.import_job_id)));
    expect((await call(`/import-list/${item.id}/push`, { token: user.token, body: {} })).status).toBe(409);
    await withDb((db) => db.update(importJobs).set({ status: 'completed' }).where(eq(importJobs.id, item.import_job_id)));
    expect((await call(`/import-list/${item.id}/push`, { token: user.token, body: { store_id: crypto.randomUUID() } })).status).toBe(404);
    const many = Array.from({ length: 51 }, () => crypto.randomUUID());
    expect((await call('/import-list/push', { token: user.token, body: { item_ids: many } })).status).toBe(422);

    const lone = await registerUser('list-lone');
    const draft = await reviewImport(lone);
    expect((await call(`/import-list/${draft.id}/push`, { token: lone.token, body: {} })).status).toBe(202);
    const failed = await waitForItem(lone, draft.id, 'push_failed');
    expect(failed.error_message).toMatch(/No store to push to/);
  });
});

describe('import list: re-pricing and supplier changes', () => {
  it('previews old → new price and margin per variant without writing, then writes', async () => {
    const user = await registerUser('list-reprice');
    const a = await reviewImport(user);
    const b = await reviewImport(user);
    const rule = { markup_percent: 200, round_to: 0.99 };
    const preview = await call('/import-list/reprice', { token: user.token, body: { item_ids: [a.id, b.id], rule, dry_run: true } });
    expect(preview.status).toBe(200);
    expect(preview.json.items.map((i: { item_id: string }) => i.item_id)).toEqual([a.id, b.id]);
    const v = preview.json.items[0].variants[0];
    expect(v).toMatchObject({ cost: 4, old_price: 8, new_price: 12.99, old_margin: { amount: 4, percent: 50 }, new_margin: { amount: 8.99 } });
    expect((await call(`/import-list/${a.id}`, { token: user.token })).json.version).toBe(1);
    const written = await call('/import-list/reprice', { token: user.token, body: { item_ids: [a.id], rule, dry_run: false } });
    expect(written.json.dry_run).toBe(false);
    expect(written.json.conflicts).toEqual([]);
    const after = (await call(`/import-list/${a.id}`, { token: user.token })).json;
    expect(after.version).toBe(2);
    expect(after.product.variants[0].price).toBe(12.99);
    expect(after.product.pricing).toEqual(rule);
  });

});

describe('description sanitiser', () => {
  it('keeps allowed markup and drops scripts, handlers, unsafe URLs and tracking', () => {
    expect(sanitizeHtml('<p class="x">a<b>b</b></p><style>p{}</style><script>x</script>')).toBe('<p>a<b>b</b></p>');
    expect(sanitizeHtml('<img src="https://a.example/i.jpg?utm_medium=x&w=2" alt="A" onerror="x">')).toBe('<img src="https://a.example/i.jpg?w=2" alt="A">');
    expect(sanitizeHtml('<a href="java\tscript:alert(1)">x</a><a href="https://a.example">y</a>')).toBe('<a>x</a><a href="https://a.example/" rel="nofollow noopener">y</a>');
    expect(sanitizeHtml('<img src="https://www.google-analytics.com/collect?x=1">ok <!-- hidden --> 1 < 2')).toBe('ok  1 &lt; 2');
    expect(sanitizeHtml('<div><ul><li>one<li>two</ul>')).toBe('<div><ul><li>one<li>two</li></li></ul></div>');
  });
});

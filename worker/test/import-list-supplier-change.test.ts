import { describe, expect, it } from 'vitest';
import { call, registerUser } from './helpers';
import { checkWatches, createWatch } from './price-helpers';
import { connectAliExpress } from './supplier-helpers';
import { waitForJob } from './queue-helpers';

/*
 * Import list (#17): an item remembers the supplier data it came from, and a price watch
 * that sees the supplier move flags the watcher's items made from that product, so the
 * list can say which (edited) items the change affects.
 */
const numericId = () => `1005${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;

describe('import list: supplier changes seen by price watches', () => {
  it('flags the items of a product whose supplier price moved, and only those', async () => {
    const user = await registerUser('list-watch');
    const ae = await connectAliExpress(user.id);
    const moving = numericId();
    const still = numericId();
    for (const id of [moving, still]) await ae.control('products', { product_id: id, price: 10, stock: 50 });
    const items: Record<string, string> = {};
    for (const id of [moving, still]) {
      const url = `https://www.aliexpress.com/item/${id}.html`;
      const created = await call('/imports', { token: user.token, body: { product_url: url, source: 'aliexpress', config: { review: true } } });
      expect(created.status).toBe(201);
      expect((await waitForJob(user.token, created.json.id)).status).toBe('completed');
      const list = await call('/import-list', { token: user.token });
      items[id] = list.json.items.find((i: { import_job_id: string }) => i.import_job_id === created.json.id).id;
    }
    // The merchant edits the moving product's item.
    const item = await call(`/import-list/${items[moving]}`, { token: user.token });
    expect((await call(`/import-list/${items[moving]}`, { token: user.token, method: 'PUT', body: { version: item.json.version, title: 'My edited title' } })).status).toBe(200);

    const watches = await Promise.all([moving, still].map((id) => createWatch(user, { product_url: `https://www.aliexpress.com/item/${id}.html`, source: 'aliexpress' })));
    expect(await checkWatches(watches.map((w) => w.id))).toMatchObject({ checked: 2, errors: 0 });
    // A baseline check changes nothing in the list.
    expect((await call('/import-list?supplier_changed=true', { token: user.token })).json.items).toEqual([]);

    await ae.control('products', { product_id: moving, price: 13 });
    expect(await checkWatches(watches.map((w) => w.id))).toMatchObject({ checked: 2, errors: 0 });
    const flagged = await call('/import-list?supplier_changed=true', { token: user.token });
    expect(flagged.json.items.map((i: { id: string }) => i.id)).toEqual([items[moving]]);
    expect(flagged.json.items[0].title).toBe('My edited title');

    // Another merchant's items of the same product are theirs to be told about.
    const other = await registerUser('list-watch-other');
    expect((await call('/import-list?supplier_changed=true', { token: other.token })).json.items).toEqual([]);
  });
});

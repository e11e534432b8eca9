import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { demoControlsEnabled, demoPriceFactor, demoWindow, DEMO_WINDOW_MS, DriftingDemoAdapter } from '../services/demo-prices';
import { demoProduct } from '../suppliers/demo';
import { answer, api, registerUser } from './helpers';
import { aliId, aliUrl, checkWatches, createWatch } from './price-helpers';
import { connectAliExpress } from './supplier-helpers';

describe('demo catalogue prices for price watches', () => {
  it('move per six-hour window, always by at least 11 % between neighbouring windows', async () => {
    const id = aliId();
    const base = demoProduct('aliexpress', id).price;
    const at = new Date('2026-03-01T00:00:00Z');
    const prices: number[] = [];
    for (let w = 0; w < 6; w++) {
      let now = new Date(at.getTime() + w * DEMO_WINDOW_MS);
      const adapter = new DriftingDemoAdapter('aliexpress', { ...env, ALLOW_LOCAL_STORES: 'false' }, () => now);
      const quote = (await adapter.getPrices([id])).get(id)!;
      expect(quote.price).toBeCloseTo(base * demoPriceFactor('aliexpress', id, demoWindow(now)), 1);
      // Stable within a window.
      now = new Date(now.getTime() + DEMO_WINDOW_MS - 1);
      expect((await adapter.getPrices([id])).get(id)!.price).toBe(quote.price);
      prices.push(quote.price);
    }
    for (let i = 1; i < prices.length; i++) expect(Math.abs(prices[i] - prices[i - 1]) / prices[i - 1]).toBeGreaterThanOrEqual(0.11);
  });

  it('is only controllable in dev and tests', () => {
    expect(demoControlsEnabled({ DEMO_CATALOGUE: 'on', ALLOW_LOCAL_STORES: 'true' })).toBe(true);
    expect(demoControlsEnabled({ DEMO_CATALOGUE: 'on', ALLOW_LOCAL_STORES: 'false' })).toBe(false);
    expect(demoControlsEnabled({ DEMO_CATALOGUE: 'off', ALLOW_LOCAL_STORES: 'true' })).toBe(false);
  });

  it('moves on a window with the dev control, which the next check reports as a change', async () => {
    const user = await registerUser();
    const other = await registerUser();
    const w = await createWatch(user, { product_url: aliUrl(), source: 'aliexpress' });
    await checkWatches([w.id]);
    const r = await answer(api({ token: user.token })['price-watches'][':watch_id']['demo-advance'].$post({ param: { watch_id: w.id } }));
    expect(r.status).toBe(200);
    expect(r.roundTrips).toBeLessThanOrEqual(2);
    expect(r.json).toMatchObject({ source: 'aliexpress', source_product_id: w.source_product_id, shift: 1 });
    const result = await checkWatches([w.id]);
    expect(result).toMatchObject({ changed: 1, alerts: 1 });
    const watch = (await answer(api({ token: user.token })['price-watches'].$get({ query: {} }))).json.items[0];
    expect(Math.abs(watch.change_percent!)).toBeGreaterThanOrEqual(11);
    expect(watch.price_changed).toBe(true);

    expect((await answer(api({ token: other.token })['price-watches'][':watch_id']['demo-advance'].$post({ param: { watch_id: w.id } }))).json).toEqual({ detail: 'Price watch not found' });
    const bad = await createWatch(user, { product_url: 'https://example.com/x', source: 'aliexpress' });
    expect((await answer(api({ token: user.token })['price-watches'][':watch_id']['demo-advance'].$post({ param: { watch_id: bad.id } }))).status).toBe(400);
    const live = await registerUser();
    await connectAliExpress(live.id);
    const liveWatch = await createWatch(live, { product_url: aliUrl(), source: 'aliexpress' });
    expect((await answer(api({ token: live.token })['price-watches'][':watch_id']['demo-advance'].$post({ param: { watch_id: liveWatch.id } }))).json.detail).toBe(
      'This watch is checked against your supplier account, not the demo catalogue',
    );
  });
});

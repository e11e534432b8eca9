import { config } from '../env';
import { DemoAdapter } from '../suppliers/demo';
import { round2 } from '../lib/round';
import type { SupplierSource } from '../shared/sources';
import type { PriceQuote, SupplierAdapter } from '../suppliers/types';

/**
 * Demo-catalogue prices as price watches see them: the demo catalogue itself is
 * static (a preview is the same every time), so price checks move each demo product's
 * price deterministically per six-hour window — ×0.88, ×1.00, ×1.12 in turn from a
 * per-product starting point — so a local stack shows real changes and alerts. Two
 * neighbouring windows always differ by at least 12 %, beyond the default threshold.
 *
 * Dev-only control: with DEMO_CATALOGUE on and ALLOW_LOCAL_STORES on (local dev and
 * tests only; production turns both off, staging the latter), a product can be moved
 * on to its next window at once (`POST /price-watches/{id}/demo-advance`), which the
 * browser tests use instead of waiting six hours. The shift lives in KV.
 */
export const DEMO_WINDOW_MS = 6 * 3_600_000;
const STEPS = [0.88, 1, 1.12];

/** FNV-1a, so the starting step is stable per product. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The price factor of a demo product in time window `window` (plus any dev shift). */
export function demoPriceFactor(source: SupplierSource, productId: string, window: number): number {
  return STEPS[(hash(`${source}:${productId}`) + window) % STEPS.length];
}

export const demoWindow = (at: Date) => Math.floor(at.getTime() / DEMO_WINDOW_MS);

const shiftKey = (source: SupplierSource, productId: string) => `v1:demo-price-shift:${source}:${productId}`;

/** Whether the dev-only demo price control is on (never in production or staging). */
export function demoControlsEnabled(env: { DEMO_CATALOGUE?: string; ALLOW_LOCAL_STORES?: string }): boolean {
  const { demoCatalogue, allowLocalStores } = config(env);
  return demoCatalogue && allowLocalStores;
}

interface DemoEnv {
  DEMO_CATALOGUE?: string;
  ALLOW_LOCAL_STORES?: string;
  PREVIEW_CACHE: KVNamespace;
}

/** Dev shifts of `ids`, read in bulk (KV answers at most 100 keys per call). */
async function shifts(env: DemoEnv, source: SupplierSource, ids: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!demoControlsEnabled(env)) return out;
  for (let i = 0; i < ids.length; i += 100) {
    const part = ids.slice(i, i + 100);
    const found = await env.PREVIEW_CACHE.get<number>(part.map((id) => shiftKey(source, id)), 'json');
    part.forEach((id) => {
      const v = found.get(shiftKey(source, id));
      if (typeof v === 'number') out.set(id, v);
    });
  }
  return out;
}

/** Moves a demo product to its next price window; returns the new shift. */
export async function advanceDemoPrice(env: DemoEnv, source: SupplierSource, productId: string): Promise<number> {
  const current = (await env.PREVIEW_CACHE.get<number>(shiftKey(source, productId), 'json')) ?? 0;
  await env.PREVIEW_CACHE.put(shiftKey(source, productId), JSON.stringify(current + 1));
  return current + 1;
}

/**
 * The demo catalogue for price checks: the catalogue's own quote with the window
 * factor applied to every variant. Search and product reads pass straight through.
 */
export class DriftingDemoAdapter implements SupplierAdapter {
  readonly mode = 'demo' as const;
  private readonly inner: DemoAdapter;

  constructor(
    readonly source: SupplierSource,
    private readonly env: DemoEnv,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.inner = new DemoAdapter(source);
  }

  search(query: string, page: number, pageSize: number) {
    return this.inner.search(query, page, pageSize);
  }

  getProduct(productId: string, sourceUrl?: string | null) {
    return this.inner.getProduct(productId, sourceUrl);
  }

  async getPrices(productIds: string[]): Promise<Map<string, PriceQuote>> {
    const [quotes, shift] = await Promise.all([this.inner.getPrices(productIds), shifts(this.env, this.source, productIds)]);
    const window = demoWindow(this.now());
    for (const [id, q] of quotes) {
      const f = demoPriceFactor(this.source, id, window + (shift.get(id) ?? 0));
      const variants = q.variants.map((v) => ({ ...v, price: round2(v.price * f) }));
      quotes.set(id, { ...q, variants, price: variants.length ? Math.min(...variants.map((v) => v.price)) : round2(q.price * f) });
    }
    return quotes;
  }
}

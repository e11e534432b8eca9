import type { PriceAlert, PriceWatch } from '../api/price-watch';
import { formatMoney, formatPercentPoints } from './format';
import { SOURCE_LABELS } from './imports';

/** A watch's source as merchants name it, or the stored value for free-text sources. */
export const sourceLabel = (source: string) => SOURCE_LABELS[source as keyof typeof SOURCE_LABELS] ?? source;

/** "AliExpress · 1005001234567890", or the link without its scheme when no product id was read. */
export function watchTitle(w: Pick<PriceWatch, 'source' | 'source_product_id' | 'product_url'>): string {
  if (w.source_product_id) return `${sourceLabel(w.source)} · ${w.source_product_id}`;
  return (w.product_url ?? '').replace(/^https?:\/\/(www\.)?/i, '') || sourceLabel(w.source);
}

export type WatchState = 'plan_paused' | 'paused' | 'error' | 'changed' | 'new' | 'ok';

/** What the status column says, in order of importance. */
export function watchState(w: Pick<PriceWatch, 'is_active' | 'paused_reason' | 'last_error' | 'price_changed' | 'last_checked_at'>): WatchState {
  if (!w.is_active) return w.paused_reason === 'plan_limit' ? 'plan_paused' : 'paused';
  if (w.last_error) return 'error';
  if (w.price_changed) return 'changed';
  if (!w.last_checked_at) return 'new';
  return 'ok';
}

export const STATE_META: Record<WatchState, { label: string; color: 'gray' | 'red' | 'amber' | 'blue' | 'green' }> = {
  plan_paused: { label: 'Paused · plan limit', color: 'amber' },
  paused: { label: 'Paused', color: 'gray' },
  error: { label: 'Needs attention', color: 'red' },
  changed: { label: 'Changed', color: 'amber' },
  new: { label: 'Not checked yet', color: 'blue' },
  ok: { label: 'Watching', color: 'green' },
};

/** A supplier price going up eats margin (red); going down leaves more (green). */
export const changeColor = (pct: number | null): 'red' | 'green' | 'gray' => (pct === null || pct === 0 ? 'gray' : pct > 0 ? 'red' : 'green');

export interface WatchSummary {
  watched: number;
  total: number;
  changed: number;
  errors: number;
  lastSync: string | null;
}

export function summarize(watches: PriceWatch[]): WatchSummary {
  const active = watches.filter((w) => w.is_active);
  const checked = watches.map((w) => w.last_checked_at).filter((t): t is string => !!t);
  return {
    watched: active.length,
    total: watches.length,
    changed: active.filter((w) => w.price_changed).length,
    errors: active.filter((w) => w.last_error).length,
    lastSync: checked.length ? checked.reduce((a, b) => (a > b ? a : b)) : null,
  };
}

/** One line per alert, for the recent-alerts list. */
export function alertText(a: Pick<PriceAlert, 'kind' | 'old_price' | 'new_price' | 'change_percent' | 'currency' | 'details'>): string {
  if (a.kind === 'out_of_stock') return 'Out of stock at the supplier';
  if (a.kind === 'back_in_stock') {
    const stock = (a.details as { stock?: number } | null)?.stock;
    return `Back in stock${typeof stock === 'number' ? ` (${stock} units)` : ''}`;
  }
  const pct = a.change_percent ?? 0;
  return `Price ${pct >= 0 ? 'up' : 'down'} ${formatPercentPoints(Math.abs(pct))}: ${formatMoney(a.old_price, a.currency)} → ${formatMoney(a.new_price, a.currency)}`;
}

/** What a thresholds field may hold (the API's range), or why not. */
export function thresholdProblem(raw: string): string | null {
  if (!raw.trim()) return 'Enter a threshold (0 alerts on every change).';
  const n = Number(raw);
  if (!Number.isFinite(n)) return 'Enter a number.';
  if (n < 0) return 'The threshold cannot be negative.';
  if (n > 999.99) return 'The threshold can be at most 999.99 %.';
  return null;
}

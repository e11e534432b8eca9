import { describe, expect, it } from 'vitest';
import { alertText, changeColor, summarize, thresholdProblem, watchState, watchTitle } from './price-watch';

describe('price watch helpers', () => {
  it('names a watch by supplier and product, else by its link', () => {
    expect(watchTitle({ source: 'cjdropship', source_product_id: 'AB-12', product_url: 'https://cjdropshipping.com/x-p-AB-12.html' })).toBe('CJ Dropshipping · AB-12');
    expect(watchTitle({ source: 'ebay', source_product_id: null, product_url: 'https://www.example.com/p/1' })).toBe('example.com/p/1');
    expect(watchTitle({ source: 'ebay', source_product_id: null, product_url: null })).toBe('ebay');
  });

  it('puts paused before errors before changes', () => {
    const w = { is_active: true, paused_reason: null, last_error: null, price_changed: false, last_checked_at: null };
    expect(watchState(w)).toBe('new');
    expect(watchState({ ...w, last_checked_at: '2025-01-01T00:00:00Z' })).toBe('ok');
    expect(watchState({ ...w, price_changed: true })).toBe('changed');
    expect(watchState({ ...w, price_changed: true, last_error: 'x' })).toBe('error');
    expect(watchState({ ...w, is_active: false, last_error: 'x' })).toBe('paused');
    expect(watchState({ ...w, is_active: false, paused_reason: 'plan_limit' as const })).toBe('plan_paused');
  });

  it('colours a supplier price rise red and a drop green', () => {
    expect(changeColor(3)).toBe('red');
    expect(changeColor(-3)).toBe('green');
    expect(changeColor(0)).toBe('gray');
    expect(changeColor(null)).toBe('gray');
  });

  it('describes alerts', () => {
    expect(alertText({ kind: 'price_change', old_price: 10, new_price: 12, change_percent: 20, currency: 'USD', details: {} })).toBe('Price up 20 %: $10.00 → $12.00');
    expect(alertText({ kind: 'price_change', old_price: 10, new_price: 9, change_percent: -10, currency: 'USD', details: {} })).toBe('Price down 10 %: $10.00 → $9.00');
    expect(alertText({ kind: 'out_of_stock', old_price: 10, new_price: 10, change_percent: 0, currency: 'USD', details: {} })).toBe('Out of stock at the supplier');
    expect(alertText({ kind: 'back_in_stock', old_price: 10, new_price: 10, change_percent: 0, currency: 'USD', details: { stock: 7 } })).toBe('Back in stock (7 units)');
  });

  it('checks thresholds against the API range', () => {
    expect(thresholdProblem('10')).toBeNull();
    expect(thresholdProblem('0')).toBeNull();
    expect(thresholdProblem('999.99')).toBeNull();
    expect(thresholdProblem('')).toMatch(/Enter a threshold/);
    expect(thresholdProblem('-1')).toMatch(/negative/);
    expect(thresholdProblem('1000')).toMatch(/at most 999.99/);
    expect(thresholdProblem('abc')).toMatch(/number/);
  });

  it('summarises active watches only', () => {
    const base = { is_active: true, price_changed: false, last_error: null as string | null, last_checked_at: null as string | null };
    const s = summarize([
      { ...base, price_changed: true, last_checked_at: '2025-01-02T00:00:00Z' },
      { ...base, last_error: 'x', last_checked_at: '2025-01-03T00:00:00Z' },
      { ...base, is_active: false, price_changed: true, last_error: 'y' },
    ] as never);
    expect(s).toEqual({ watched: 2, total: 3, changed: 1, errors: 1, lastSync: '2025-01-03T00:00:00Z' });
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyDigits, priceFor, priceVariants, pricingRuleSchema, ruleFromConfig } from '../shared/pricing';

describe('priceFor', () => {
  it('leaves the cost alone with an empty rule', () => {
    expect(priceFor(12.34, {})).toEqual({ price: 12.34, compareAt: null });
  });

  it('applies multiplier, then percent, then fixed markup', () => {
    expect(priceFor(10, { price_multiplier: 2 })).toEqual({ price: 20, compareAt: null });
    expect(priceFor(10, { markup_percent: 50 })).toEqual({ price: 15, compareAt: null });
    expect(priceFor(10, { price_multiplier: 2, markup_percent: 50, markup_fixed: 1.5 })).toEqual({ price: 31.5, compareAt: null });
  });

  it('avoids float drift (0.1 + 0.2 style) by working in cents', () => {
    expect(priceFor(0.1, { markup_fixed: 0.2 }).price).toBe(0.3);
    expect(priceFor(19.99, { markup_percent: 10 }).price).toBe(21.99);
    expect(priceFor(1.005, {}).price).toBe(1.01);
  });

  it('rounds up to the configured ending', () => {
    expect(priceFor(12.34, { round_to: 0.99 }).price).toBe(12.99);
    expect(priceFor(12.99, { round_to: 0.99 }).price).toBe(12.99);
    expect(priceFor(13.0, { round_to: 0.99 }).price).toBe(13.99);
    expect(priceFor(12.34, { round_to: 0.95 }).price).toBe(12.95);
    expect(priceFor(12.96, { round_to: 0.95 }).price).toBe(13.95);
    expect(priceFor(12.01, { round_to: 0 }).price).toBe(13);
  });

  it('computes compare-at from a percent or from the earlier discount key', () => {
    expect(priceFor(10, { markup_percent: 100, compare_at_percent: 30 })).toEqual({ price: 20, compareAt: 26 });
    expect(priceFor(10, { markup_percent: 100, compare_at_discount: 20 })).toEqual({ price: 20, compareAt: 25 });
    expect(priceFor(10, { markup_percent: 100, compare_at_percent: 30, round_to: 0.99 })).toEqual({ price: 20.99, compareAt: 27.99 });
    expect(priceFor(10, { compare_at_percent: 0 })).toEqual({ price: 10, compareAt: null });
  });

  it('handles zero-decimal currencies', () => {
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('USD')).toBe(2);
    expect(currencyDigits('not-a-currency')).toBe(2);
    expect(priceFor(1234, { markup_percent: 10, round_to: 0.99 }, 'JPY')).toEqual({ price: 1358, compareAt: null });
    expect(priceFor(999.6, {}, 'JPY').price).toBe(1000);
  });
});

describe('pricing properties', () => {
  const rule = fc.record(
    {
      markup_percent: fc.double({ min: 0, max: 1000, noNaN: true }),
      markup_fixed: fc.double({ min: 0, max: 500, noNaN: true }),
      price_multiplier: fc.double({ min: 1, max: 10, noNaN: true }),
      compare_at_percent: fc.double({ min: 0, max: 300, noNaN: true }),
      compare_at_discount: fc.double({ min: 0, max: 95, noNaN: true }),
      round_to: fc.constantFrom(0, 0.49, 0.95, 0.99),
    },
    { requiredKeys: [] },
  );
  const cost = fc.double({ min: 0.01, max: 100_000, noNaN: true }).map((c) => Math.round(c * 100) / 100);
  const currency = fc.constantFrom('USD', 'EUR', 'JPY', 'GBP');

  it('never prices below cost and never shows a compare-at below the price', () => {
    fc.assert(
      fc.property(cost, rule, currency, (c, r, cur) => {
        const { price, compareAt } = priceFor(c, r, cur);
        const digits = currencyDigits(cur);
        const costMinor = Math.round(c * 10 ** digits);
        expect(Math.round(price * 10 ** digits)).toBeGreaterThanOrEqual(costMinor);
        if (compareAt !== null) expect(compareAt).toBeGreaterThan(price);
      }),
      { numRuns: 2000 },
    );
  });

  it('always yields whole minor units and the configured ending', () => {
    fc.assert(
      fc.property(cost, rule, (c, r) => {
        const { price } = priceFor(c, r, 'USD');
        expect(Math.abs(price * 100 - Math.round(price * 100))).toBeLessThan(1e-6);
        if (r.round_to !== undefined) expect(Math.round(price * 100) % 100).toBe(Math.round(r.round_to * 100));
      }),
      { numRuns: 2000 },
    );
  });

  it('is monotonic in cost', () => {
    fc.assert(
      fc.property(cost, cost, rule, (a, b, r) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(priceFor(lo, r).price).toBeLessThanOrEqual(priceFor(hi, r).price);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('rules from config', () => {
  it('keeps only valid pricing keys and prices every variant', () => {
    expect(ruleFromConfig({ markup_percent: 20, note: 'kept elsewhere' })).toEqual({ markup_percent: 20 });
    expect(ruleFromConfig(null)).toEqual({});
    expect(pricingRuleSchema.safeParse({ markup_percent: -5 }).success).toBe(false);
    expect(pricingRuleSchema.safeParse({ round_to: 1 }).success).toBe(false);
    const priced = priceVariants([{ price: 5 }, { price: 7.5 }], { markup_percent: 100 }, 'USD');
    expect(priced.map((p) => [p.cost, p.price])).toEqual([
      [5, 10],
      [7.5, 15],
    ]);
  });
});

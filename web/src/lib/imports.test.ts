import { describe, expect, it } from 'vitest';
import { BULK_MAX, jobDuration, parseBulkUrls, priceExample, pricingRuleFrom, withoutLines, DEFAULT_PRICING } from './imports';

const ali = (id: number | string) => `https://www.aliexpress.com/item/${id}.html`;

describe('parseBulkUrls', () => {
  it('counts one URL per non-blank line and detects the source', () => {
    const parsed = parseBulkUrls(`${ali(1005001)}\n\n   ${ali(1005002)}  \r\n${ali(1005003)}\n`, null);
    expect(parsed.lines.map((l) => l.line)).toEqual([1, 3, 4]);
    expect(parsed.valid).toEqual([ali(1005001), ali(1005002), ali(1005003)]);
    expect(parsed.invalid).toEqual([]);
    expect(parsed.majority).toBe('aliexpress');
    expect(parsed.over).toBe(0);
  });

  it('flags what the API or the pipeline would refuse, with the line number', () => {
    const text = [
      ali(1005001),
      'www.aliexpress.com/item/1.html',
      'https://example.com/item/1.html',
      'https://www.aliexpress.com/store/123',
      'https://cjdropshipping.com/product/lamp-p-ABC123.html',
      ali(1005001),
      `https://www.aliexpress.com/item/1${'0'.repeat(2000)}.html`,
    ].join('\n');
    const parsed = parseBulkUrls(text, 'aliexpress');
    expect(parsed.valid).toEqual([ali(1005001)]);
    expect(parsed.invalid.map((l) => [l.line, l.problem])).toEqual([
      [2, 'Invalid URL: must start with http:// or https://'],
      [3, 'Unsupported supplier URL'],
      [4, 'Could not find a product id in the URL'],
      [5, 'A CJ Dropshipping link; this import is for AliExpress'],
      [6, 'Duplicate of line 1'],
      [7, 'Longer than 2,000 characters'],
    ]);
  });

  it('uses the most common source when none is chosen, and flags the others', () => {
    const cj = 'https://cjdropshipping.com/product/lamp-p-ABC123.html';
    const parsed = parseBulkUrls([cj, ali(1), 'https://www.cjdropshipping.com/product/x-p-XYZ9.html'].join('\n'), null);
    expect(parsed.majority).toBe('cjdropship');
    expect(parsed.invalid.map((l) => l.line)).toEqual([2]);
    expect(parsed.valid).toHaveLength(2);
  });

  it('flags every URL past the 50th and never sends more than 50', () => {
    const urls = Array.from({ length: BULK_MAX + 3 }, (_, i) => ali(1005000000 + i));
    const parsed = parseBulkUrls(urls.join('\n'), 'aliexpress');
    expect(parsed.valid).toHaveLength(BULK_MAX);
    expect(parsed.over).toBe(3);
    expect(parsed.invalid.map((l) => l.line)).toEqual([51, 52, 53]);
    expect(parsed.invalid[0].problem).toBe('Over the 50-link limit');
  });

  it('removes flagged lines by number and keeps the rest as typed', () => {
    expect(withoutLines('a\nb\n\nc', new Set([2, 4]))).toBe('a\n');
  });
});

describe('pricingRuleFrom', () => {
  it('turns the form into the worker rule, skipping empty fields', () => {
    const { rule, errors } = pricingRuleFrom({ ...DEFAULT_PRICING, compare_at_percent: '30', tags: ' summer, ,bestseller, summer ', publish: true });
    expect(errors).toEqual({});
    expect(rule).toEqual({ markup_percent: 50, round_to: 0.99, compare_at_percent: 30, tags: ['summer', 'bestseller'], publish: true });
  });

  it('reports out-of-range and non-numeric fields with the schema bounds', () => {
    const { errors } = pricingRuleFrom({ ...DEFAULT_PRICING, markup_percent: '-5', price_multiplier: '0.5', markup_fixed: 'abc', round_to: '1' });
    expect(errors).toEqual({
      markup_percent: 'Must be at least 0',
      price_multiplier: 'Must be at least 1',
      markup_fixed: 'Enter a number',
      round_to: 'Must be less than 1',
    });
  });

  it('accepts a decimal comma', () => {
    expect(pricingRuleFrom({ ...DEFAULT_PRICING, markup_fixed: '2,5' }).rule.markup_fixed).toBe(2.5);
  });
});

describe('priceExample', () => {
  it('applies markup, charm ending and compare-at with the worker formula', () => {
    expect(priceExample(10, { markup_percent: 40, round_to: 0.99, compare_at_percent: 33 })).toEqual({ cost: 10, price: 14.99, compareAt: 19.99 });
    expect(priceExample(10, {})).toEqual({ cost: 10, price: 10, compareAt: null });
  });
});

describe('durations', () => {
  it('is a dash until the job has finished', () => {
    expect(jobDuration({ started_at: '2025-05-01T10:00:00Z', finished_at: null })).toBe('—');
    expect(jobDuration({ started_at: null, finished_at: null })).toBe('—');
    expect(jobDuration({ started_at: '2025-05-01T10:00:00Z', finished_at: '2025-05-01T10:00:03.5Z' })).toBe('3.5s');
  });
});

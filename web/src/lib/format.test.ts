import { describe, expect, it } from 'vitest';
import { formatDuration, formatElapsed, formatMoney, formatPercent } from './format';

describe('formatDuration', () => {
  it('keeps the two largest units that matter', () => {
    expect(formatDuration(4.25)).toMatch(/^4\.3\s*sec$/);
    expect(formatDuration(42)).toMatch(/^42\s*sec$/);
    expect(formatDuration(72.4)).toMatch(/^1\s*min 12\s*sec$/);
    expect(formatDuration(120)).toMatch(/^2\s*min$/);
    expect(formatDuration(3_600 + 5 * 60 + 9)).toMatch(/^1\s*hr 5\s*min$/);
    expect(formatDuration(3 * 86_400 + 4 * 3_600)).toMatch(/^3\s*days 4\s*hr$/);
    expect(formatDuration(86_400 + 30)).toMatch(/^1\s*day$/);
  });
});

describe('formatElapsed', () => {
  it('reads like a stopwatch', () => {
    expect(formatElapsed(55)).toBe('55ms');
    expect(formatElapsed(2_440)).toBe('2.4s');
    expect(formatElapsed(12_000)).toBe('12s');
    expect(formatElapsed(125_000)).toBe('2m 5s');
    expect(formatElapsed(3_780_000)).toBe('1h 3m');
  });
});

describe('formatPercent', () => {
  it('shows up to one decimal', () => {
    expect(formatPercent(0.8333)).toBe('83.3%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0)).toBe('0%');
  });
});

describe('formatMoney', () => {
  it('prints the currency, defaults to USD, and dashes a missing amount', () => {
    expect(formatMoney(12.5, 'EUR')).toMatch(/12\.50/);
    expect(formatMoney(12.5, 'EUR')).toMatch(/€/);
    expect(formatMoney(3)).toMatch(/\$3\.00/);
    expect(formatMoney(null, 'USD')).toBe('—');
  });

  it('still shows the amount for a currency code Intl does not know', () => {
    expect(formatMoney(7, 'NOT-A-CODE')).toBe('7.00');
  });
});

import { describe, expect, it } from 'vitest';
import { formatDuration, formatPercent } from './stats';

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

describe('formatPercent', () => {
  it('shows up to one decimal', () => {
    expect(formatPercent(0.8333)).toBe('83.3%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0)).toBe('0%');
  });
});

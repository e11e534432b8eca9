import { describe, expect, it } from 'vitest';
import { ApiError, httpErrorFor } from '../lib/errors';
import { InvalidInput } from '../shared/domain-errors';
import { detectProductUrl } from '../shared/detect';
import { parseSource } from '../shared/sources';

const detail = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    const answer = err instanceof InvalidInput ? httpErrorFor(err, () => 'body') : err;
    if (answer instanceof ApiError) return `${answer.status} ${answer.detail}`;
    throw err;
  }
  return 'no error';
};

describe('detectProductUrl', () => {
  it.each([
    ['https://www.aliexpress.com/item/1005006123456789.html', 'aliexpress', '1005006123456789'],
    ['https://m.aliexpress.com/item/1005006123456789.html?spm=a2g0o', 'aliexpress', '1005006123456789'],
    ['https://es.aliexpress.com/i/33012345678.html', 'aliexpress', '33012345678'],
    ['https://de.aliexpress.com/item/1005006123456789.html#reviews', 'aliexpress', '1005006123456789'],
    ['https://aliexpress.ru/item/1005001.html', 'aliexpress', '1005001'],
    ['https://pt.aliexpress.com.br/item/42.html', 'aliexpress', '42'],
    ['HTTPS://WWW.ALIEXPRESS.US/item/77.html', 'aliexpress', '77'],
    ['https://www.aliexpress.com/store/product/x.html?productId=4000123', 'aliexpress', '4000123'],
    ['https://cjdropshipping.com/product/wireless-earbuds-p-1392053744945991680.html', 'cjdropship', '1392053744945991680'],
    ['https://www.cjdropshipping.com/product/set-p-a-p-000B9A0D-8B3F-4E6B-A5DB-2AF4D7A5A0E2.html', 'cjdropship', '000B9A0D-8B3F-4E6B-A5DB-2AF4D7A5A0E2'],
    ['https://app.cjdropshipping.com/product-detail.html?pid=ABC-123', 'cjdropship', 'ABC-123'],
    ['https://cjdropshipping.com/detail?id=99887766', 'cjdropship', '99887766'],
    ['https://spocket.co/product/organic-tee-81a2f', 'spocket', 'organic-tee-81a2f'],
    ['https://app.spocket.co/products/women/sp123-4567/', 'spocket', 'sp123-4567'],
  ])('%s → %s %s', (url, source, productId) => {
    expect(detectProductUrl(url)).toEqual({ source, productId });
  });

  it('matches on the hostname, not on substrings elsewhere in the URL', () => {
    expect(detectProductUrl('https://spocket.co/product/abc?ref=aliexpress')).toEqual({ source: 'spocket', productId: 'abc' });
    expect(detail(() => detectProductUrl('https://evil.example/aliexpress.com/item/1.html'))).toBe('400 Unsupported supplier URL');
    expect(detail(() => detectProductUrl('https://notaliexpress.com/item/1.html'))).toBe('400 Unsupported supplier URL');
  });

  it('rejects non-http URLs, unsupported hosts and URLs without a product id with the contract’s messages', () => {
    expect(detail(() => detectProductUrl('ftp://aliexpress.com/item/1.html'))).toBe('400 Invalid URL: must start with http:// or https://');
    expect(detail(() => detectProductUrl('aliexpress.com/item/1.html'))).toBe('400 Invalid URL: must start with http:// or https://');
    expect(detail(() => detectProductUrl('javascript:alert(1)'))).toBe('400 Invalid URL: must start with http:// or https://');
    expect(detail(() => detectProductUrl('https://detail.1688.com/offer/123456.html'))).toBe('400 Unsupported supplier URL');
    expect(detail(() => detectProductUrl('https://www.amazon.com/dp/B0C123'))).toBe('400 Unsupported supplier URL');
    expect(detail(() => detectProductUrl('http://'))).toBe('400 Unsupported supplier URL');
    expect(detail(() => detectProductUrl('https://www.aliexpress.com/'))).toBe('400 Could not find a product id in the URL');
    expect(detail(() => detectProductUrl('https://www.aliexpress.com/item/abc.html'))).toBe('400 Could not find a product id in the URL');
    expect(detail(() => detectProductUrl('https://cjdropshipping.com/list/earbuds.html'))).toBe('400 Could not find a product id in the URL');
    expect(detail(() => detectProductUrl('https://spocket.co/about'))).toBe('400 Could not find a product id in the URL');
  });
});

describe('parseSource', () => {
  it('accepts the canonical sources and the cjdropshipping alias', () => {
    expect(['aliexpress', 'cjdropship', 'cjdropshipping', 'spocket', 'manual'].map(parseSource)).toEqual(['aliexpress', 'cjdropship', 'cjdropship', 'spocket', 'manual']);
  });

  it('answers anything else with the invalid-source message', () => {
    expect(detail(() => parseSource('1688'))).toBe("400 Invalid source '1688'. Valid sources: aliexpress, cjdropship, manual, spocket");
  });
});

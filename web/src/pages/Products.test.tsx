import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { estimatePrice } from '../api/products';
import { mockApi, renderApp, signIn, USER } from '../test/utils';

// The lazy page loads slowly on a busy machine.
configure({ asyncUtilTimeout: 5_000 });
vi.setConfig({ testTimeout: 30_000 });

const hit = (i: number, mode: 'demo' | 'live' = 'demo') => ({
  title: `Desk Lamp ${i}`,
  price: 10 + i,
  currency: 'USD',
  images: ['data:image/svg+xml,x'],
  variants_summary: [],
  source: 'aliexpress',
  source_url: `https://www.aliexpress.com/item/100500${i}.html`,
  source_product_id: `100500${i}`,
  rating: 4.5,
  order_count: 1200,
  supplier_name: 'Lamp Store',
  shipping_cost: 0,
  shipping_days: 9,
  mode,
});

const PREVIEW = {
  title: 'Desk Lamp 1',
  price: 11,
  currency: 'USD',
  images: ['data:image/svg+xml,a', 'data:image/svg+xml,b'],
  variants: [{ name: 'Color', options: ['Black', 'White'] }],
  source: 'aliexpress',
  source_url: 'https://www.aliexpress.com/item/1005001.html',
  source_product_id: '1005001',
  supplier_name: 'Lamp Store',
  rating: 4.5,
  order_count: 1200,
  shipping_info: { cost: 0, estimated_days: 9 },
  mode: 'demo',
  skus: [
    { key: 'demo-0', sku: 'L-BLK', options: { Color: 'Black' }, price: 11, compare_at: 19.9, stock: 40, image: null },
    { key: 'demo-1', sku: 'L-WHT', options: { Color: 'White' }, price: 12, compare_at: null, stock: 0, image: null },
  ],
};

describe('Products', () => {
  it('searches, labels demo results, pages and opens a preview that imports', async () => {
    signIn();
    const { requests } = mockApi({
      'GET /api/v1/auth/me': [200, { ...USER, features: { ai: false } }],
      'GET /api/v1/ai/suggestions': [503, { detail: 'AI gateway not configured' }],
      'GET /api/v1/products/search': (req) => {
        const page = Number(req.url.searchParams.get('page'));
        return [200, { products: page === 1 ? Array.from({ length: 12 }, (_, i) => hit(i + 1)) : [hit(13), hit(14)], total: 14, page, page_size: 12, source: 'aliexpress' }];
      },
      'POST /api/v1/products/preview': [200, PREVIEW],
      'POST /api/v1/imports': [403, { detail: 'Import limit reached for free plan. Upgrade your plan for more imports.' }],
    });
    const user = userEvent.setup();
    renderApp('/products');

    expect(await screen.findByText('Search a supplier catalogue')).toBeTruthy();
    // No gateway configured (GET /auth/me says so): no ideas panel, and no call that would answer 503.
    await waitFor(() => expect(requests.some((r) => r.path === '/api/v1/auth/me')).toBe(true));
    expect(requests.some((r) => r.path === '/api/v1/ai/suggestions')).toBe(false);
    expect(screen.queryByRole('region', { name: 'Sourcing ideas' })).toBeNull();

    await user.type(screen.getByLabelText('Search products'), 'desk lamp');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByText(/14 products for “desk lamp” on AliExpress/)).toBeTruthy();
    expect(screen.getByText(/These results come from the demo catalogue/)).toBeTruthy();
    expect(screen.getAllByText('Demo catalogue').length).toBeGreaterThan(1);
    const search = requests.find((r) => r.path === '/api/v1/products/search')!;
    expect(Object.fromEntries(search.url.searchParams)).toEqual({ q: 'desk lamp', source: 'aliexpress', page: '1', page_size: '12' });

    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('Page 2 of 2')).toBeTruthy();
    expect(await screen.findByText('Desk Lamp 14')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Preview Desk Lamp 13' }));
    const dialog = await screen.findByRole('dialog');
    expect(await within(dialog).findByRole('table')).toBeTruthy();
    expect(within(dialog).getByText('Out of stock')).toBeTruthy();
    expect(within(dialog).getByText('Free shipping · 9 days')).toBeTruthy();
    const preview = requests.find((r) => r.path === '/api/v1/products/preview')!;
    expect(preview.body).toEqual({ url: 'https://www.aliexpress.com/item/10050013.html' });

    await user.clear(within(dialog).getByLabelText('Markup %'));
    await user.type(within(dialog).getByLabelText('Markup %'), '100');
    expect(within(dialog).getByText(/Selling price from about \$22\.99/)).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'Import product' }));
    expect(await within(dialog).findByText('Import limit reached for free plan. Upgrade your plan for more imports.')).toBeTruthy();
    const created = requests.find((r) => r.path === '/api/v1/imports')!;
    expect(created.body).toEqual({ product_url: PREVIEW.source_url, source: 'aliexpress', config: { markup_percent: 100, round_to: 0.99 } });
  });

  it('shows the API’s message when a pasted URL cannot be previewed, and AI ideas when configured', async () => {
    signIn();
    mockApi({
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/ai/suggestions': [200, { suggestions: [{ title: 'Pet beds', description: 'Bulky but loved', priority: 'high' }, 'Sell more lamps'], generated_at: '2025-05-01T00:00:00Z', provider: 'x', cost_usd: 0 }],
      'POST /api/v1/products/preview': [400, { detail: 'Unsupported supplier URL' }],
    });
    const user = userEvent.setup();
    renderApp('/products');
    const ideas = await screen.findByRole('region', { name: 'Sourcing ideas' });
    expect(await within(ideas).findByText('Pet beds')).toBeTruthy();
    expect(within(ideas).getByText('Sell more lamps')).toBeTruthy();

    await user.type(screen.getByLabelText('Preview a product URL'), 'https://detail.1688.com/offer/1.html');
    await user.click(screen.getByRole('button', { name: 'Preview' }));
    const dialog = await screen.findByRole('dialog');
    expect(await within(dialog).findByText('Unsupported supplier URL')).toBeTruthy();
  });
});

describe('estimatePrice', () => {
  it('marks up in cents and ends on .99 when asked', () => {
    expect(estimatePrice(10, 50, false)).toBe(15);
    expect(estimatePrice(10, 50, true)).toBe(15.99);
    expect(estimatePrice(6.92, 50, true)).toBe(10.99);
    expect(estimatePrice(9.99, 0, true)).toBe(9.99);
    expect(estimatePrice(10, 0, true)).toBe(10.99);
  });
});

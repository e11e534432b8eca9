import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mockApi, renderApp, signIn, USER } from '../../test/utils';

const CJ = {
  id: '22222222-2222-4222-8222-222222222222',
  user_id: USER.id,
  name: 'Main CJ',
  platform: 'cjdropshipping',
  credentials: { api_key: '••••f00d' },
  settings: null,
  is_active: true,
  last_synced_at: null,
  created_at: '2026-11-01T10:00:00Z',
  updated_at: '2026-11-01T10:00:00Z',
};

describe('CjPointsUsage on the Suppliers page', () => {
  it("shows a CJ account's points spent on price checks today and the skipped checks", async () => {
    signIn();
    const { requests } = mockApi({
      [`POST /api/v1/suppliers/accounts/${CJ.id}/cj-webhooks`]: [200, { enabled: true, callback_url: 'https://api.example/api/v1/webhooks/cj', subscribed: 3, unsubscribed: 0 }],
      'GET /api/v1/auth/me': [200, USER],
      'GET /api/v1/suppliers/accounts': [200, { items: [CJ] }],
      'GET /api/v1/suppliers/accounts/points-usage': [
        200,
        {
          items: [
            {
              account_id: CJ.id,
              account_name: CJ.name,
              day: '2026-12-06',
              points_used: 12_340,
              checks_skipped: 17,
              daily_points: 50_000,
              price_check_budget: 40_000,
              allowance_now: 21_666,
              points_per_check: 20,
            },
          ],
        },
      ],
    });
    renderApp('/suppliers');
    const usage = await screen.findByTestId('cj-points', {}, { timeout: 5000 });
    expect(within(usage).getByText('CJ points for price checks today')).toBeTruthy();
    expect(usage.textContent).toMatch(/12,340 of 40,000/);
    expect(usage.textContent).toMatch(/17 checks skipped today/);

    await userEvent.setup().click(within(usage).getByRole('button', { name: 'Turn on CJ webhooks' }));
    expect(await within(usage).findByText(/Webhooks on: 3 watched products subscribed/)).toBeTruthy();
    expect(requests.some((r) => r.method === 'POST' && r.path === `/api/v1/suppliers/accounts/${CJ.id}/cj-webhooks`)).toBe(true);
  });
});

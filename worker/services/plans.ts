export const TIERS = ['free', 'pro', 'enterprise'] as const;
export type Tier = (typeof TIERS)[number];

export interface Plan {
  tier: Tier;
  name: 'Free' | 'Pro' | 'Enterprise';
  price_monthly_cents: number;
  /** Imports per billing month; -1 = unlimited. */
  max_items: number;
  /** Active price watches; -1 = unlimited. */
  max_secondary: number;
  trial_days: number;
  api_access: boolean;
}

export const PLANS: Record<Tier, Plan> = {
  free: { tier: 'free', name: 'Free', price_monthly_cents: 0, max_items: 10, max_secondary: 25, trial_days: 0, api_access: false },
  pro: { tier: 'pro', name: 'Pro', price_monthly_cents: 2900, max_items: 100, max_secondary: 500, trial_days: 14, api_access: true },
  enterprise: { tier: 'enterprise', name: 'Enterprise', price_monthly_cents: 9900, max_items: -1, max_secondary: -1, trial_days: 14, api_access: true },
};

export const API_ACCESS_DENIED = 'API access requires the Pro or Enterprise plan';

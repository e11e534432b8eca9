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

/**
 * LLM gateway calls (`/ai/*`) per user and UTC day. Not part of the contract's Plan
 * object: a cost guard sized for a few ideas and scorings a day on Free and for daily
 * sourcing work on the paid plans, far below what a loop would spend.
 */
export const AI_DAILY_REQUESTS: Record<Tier, number> = { free: 10, pro: 200, enterprise: 1000 };

export const API_ACCESS_DENIED = 'API access requires the Pro or Enterprise plan';

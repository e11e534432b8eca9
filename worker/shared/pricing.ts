import { z } from 'zod';

/**
 * Pricing rules a job's `config` may carry (API.md §6). Unknown config keys are kept
 * by the job; only these shape the price.
 */
export const pricingRuleSchema = z.object({
  markup_percent: z.number().min(0).max(10_000).optional(),
  markup_fixed: z.number().min(0).max(1_000_000).optional(),
  price_multiplier: z.number().min(1).max(100).optional(),
  compare_at_percent: z.number().min(0).max(1_000).optional(),
  /** The earlier service's key: the shown discount, so compare-at = price / (1 - d%). */
  compare_at_discount: z.number().min(0).max(95).optional(),
  /** Fractional ending of every price, e.g. 0.99 or 0.95; 0 rounds up to whole units. */
  round_to: z.number().min(0).lt(1).optional(),
  tags: z.array(z.string().min(1).max(255)).max(250).optional(),
  title_override: z.string().min(1).max(255).optional(),
  publish: z.boolean().optional(),
  /**
   * The currency the store sells in. Default: the supplier's currency at the first push
   * (recorded with the store product). A supplier price in another currency is converted
   * only with a rate from `exchange_rates`; without one the product is not pushed or repriced.
   */
  store_currency: z.string().regex(/^[A-Z]{3}$/).optional(),
  /** Explicit rates: store-currency units per one unit of the keyed currency, e.g. {"EUR": 1.08}. */
  exchange_rates: z.record(z.string().regex(/^[A-Z]{3}$/), z.number().positive().max(1_000_000)).optional(),
});

export type PricingRule = z.infer<typeof pricingRuleSchema>;

/** Minor units of a currency (2 for USD, 0 for JPY), from Intl. */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/**
 * Works in integer minor units so that 0.1 + 0.2 problems never reach a store.
 * `round_to` applies to currencies with minor units; zero-decimal currencies round up
 * to whole units.
 */
function charm(minor: number, scale: number, roundTo: number | undefined): number {
  if (roundTo === undefined || scale === 1) return minor;
  const ending = Math.round(roundTo * scale);
  let p = Math.floor(minor / scale) * scale + ending;
  if (p < minor) p += scale;
  return p;
}

/**
 * The one store-money formatter: the amount rounded to the currency's minor units, as
 * the decimal string stores take ("12.99", "1500" for JPY, "1.250" for KWD).
 */
export function money(amount: number, currency = 'USD'): string {
  const digits = currencyDigits(currency);
  return (toMinor(amount, digits) / 10 ** digits).toFixed(digits);
}

/**
 * Whether a supplier price can be sold: a missing price (parsed as 0), a non-positive or
 * non-finite one is a supplier error, never listed or repriced.
 */
export const hasSupplierPrice = (price: unknown): price is number => typeof price === 'number' && Number.isFinite(price) && price > 0;

/**
 * A supplier amount in the store's currency: as is when the currencies agree, converted
 * with the rule's recorded rate otherwise (rounded to the store currency's minor units),
 * null when there is no rate (the caller stops and says so).
 */
export function toStoreCurrency(amount: number, from: string, to: string, rule: PricingRule): number | null {
  if (from === to) return amount;
  const rate = rule.exchange_rates?.[from];
  if (rate === undefined) return null;
  const digits = currencyDigits(to);
  return toMinor(amount * rate, digits) / 10 ** digits;
}

/** Why a price in `from` cannot be written to a store selling in `to`. */
export const currencyMismatch = (from: string, to: string) =>
  `The supplier prices this product in ${from} but the store product's prices are in ${to}; SourcePilot converts only with a rate you record ` +
  `(pricing rule "exchange_rates": {"${from}": <${to} per ${from}>}), so no price was sent to the store.`;

/** Decimal → minor units; 12 significant digits absorb float error, so 1.005 is 100.5 cents (not 100.4999…). */
const toMinor = (amount: number, digits: number) => Math.round(Number((amount * 10 ** digits).toPrecision(12)));

export interface PricedAmount {
  price: number;
  compareAt: number | null;
}

/** The selling price and compare-at price of one supplier cost under a rule. */
export function priceFor(cost: number, rule: PricingRule, currency = 'USD'): PricedAmount {
  const digits = currencyDigits(currency);
  const scale = 10 ** digits;
  const costMinor = toMinor(cost, digits);
  const multiplied = costMinor * (rule.price_multiplier ?? 1);
  const marked = multiplied * (1 + (rule.markup_percent ?? 0) / 100) + toMinor(rule.markup_fixed ?? 0, digits);
  // Never sell below cost, whatever the rule or float drift says.
  const priceMinor = Math.max(costMinor, charm(Math.ceil(marked - 1e-6), scale, rule.round_to));

  let compareMinor: number | null = null;
  if (rule.compare_at_percent !== undefined) {
    compareMinor = Math.ceil(priceMinor * (1 + rule.compare_at_percent / 100) - 1e-6);
  } else if (rule.compare_at_discount !== undefined && rule.compare_at_discount > 0) {
    compareMinor = Math.ceil(priceMinor / (1 - rule.compare_at_discount / 100) - 1e-6);
  }
  if (compareMinor !== null) {
    compareMinor = Math.max(priceMinor, charm(compareMinor, scale, rule.round_to));
    if (compareMinor === priceMinor) compareMinor = null;
  }
  return { price: priceMinor / scale, compareAt: compareMinor === null ? null : compareMinor / scale };
}

export interface PricedVariant<V> {
  variant: V;
  cost: number;
  price: number;
  compareAt: number | null;
}

/** Applies the rule to every variant; costs are the supplier's variant prices. */
export function priceVariants<V extends { price: number }>(variants: V[], rule: PricingRule, currency: string): PricedVariant<V>[] {
  return variants.map((variant) => ({ variant, cost: variant.price, ...priceFor(variant.price, rule, currency) }));
}

/** The pricing keys of a stored job config (invalid ones were refused at creation). */
export function ruleFromConfig(config: unknown): PricingRule {
  const parsed = pricingRuleSchema.safeParse(config ?? {});
  return parsed.success ? parsed.data : {};
}

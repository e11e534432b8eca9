import { formatMoney } from '../../lib/format';

/** The shipping line of a product: its cost (or "Free shipping") and delivery days, when known. */
export function shippingText(cost: number | null | undefined, days: number | null | undefined, currency: string) {
  if (cost === null || cost === undefined) return days ? `Ships in about ${days} days` : 'Shipping quoted at checkout';
  const price = cost === 0 ? 'Free shipping' : `Shipping ${formatMoney(cost, currency)}`;
  return days ? `${price} · ${days} days` : price;
}

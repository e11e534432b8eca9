import type { StoreProductInput, StoreVariantInput } from './types';

export interface ShapedProduct {
  options: { name: string; values: string[] }[];
  variants: StoreVariantInput[];
  warnings: string[];
}

/** Option axes that only say where a variant ships from: the first to go when a store caps options. */
const SHIP_FROM = /^(ships?|shipping|ship)\s*from$|^(warehouse|origin|ships from country)$/i;

const DEFAULT_OPTION = { name: 'Title', value: 'Default Title' };

const comboKey = (names: string[], options: Record<string, string>) => JSON.stringify(names.map((n) => options[n] ?? ''));

/**
 * Fits a product into a store's option and variant limits. Ship-from axes are dropped
 * first (keeping the first variant, in supplier order, of each remaining combination);
 * remaining extra axes are folded into the last allowed one ("M / Red"); variants past
 * the cap are cut. Every adjustment is reported as a warning.
 */
export function fitOptions(input: StoreProductInput, maxOptions: number, maxVariants: number): ShapedProduct {
  const warnings: string[] = [];
  let options = input.options.filter((o) => o.name.trim() && o.values.length > 0).map((o) => ({ name: o.name.trim(), values: [...o.values] }));
  let variants = input.variants.map((v) => ({ ...v, options: { ...v.options } }));

  if (options.length === 0 && variants.length > 1) {
    // Variants without named options still need something to tell them apart.
    options = [{ name: 'Variant', values: [] }];
    variants = variants.map((v, i) => ({ ...v, options: { Variant: v.sku || `Variant ${i + 1}` } }));
  }

  while (options.length > maxOptions) {
    const shipFrom = options.find((o) => SHIP_FROM.test(o.name));
    if (!shipFrom) break;
    options = options.filter((o) => o !== shipFrom);
    const before = variants.length;
    variants = dedupe(variants, options.map((o) => o.name));
    warnings.push(
      `Dropped the option "${shipFrom.name}" (the store allows ${maxOptions} options)` +
        (before > variants.length ? `; kept one variant per remaining combination (${before - variants.length} removed)` : ''),
    );
  }

  if (options.length > maxOptions) {
    const keep = options.slice(0, maxOptions - 1);
    const folded = options.slice(maxOptions - 1);
    const name = folded.map((o) => o.name).join(' / ');
    variants = variants.map((v) => {
      const value = folded.map((o) => v.options[o.name] ?? '').join(' / ');
      const rest = Object.fromEntries(keep.map((o) => [o.name, v.options[o.name] ?? '']));
      return { ...v, options: { ...rest, [name]: value } };
    });
    options = [...keep, { name, values: [] }];
    warnings.push(`Combined the options ${folded.map((o) => `"${o.name}"`).join(', ')} into "${name}" (the store allows ${maxOptions} options)`);
  }

  const names = options.map((o) => o.name);
  // Every variant needs a value for every option; suppliers sometimes leave one out.
  variants = variants.map((v) => ({ ...v, options: Object.fromEntries(names.map((n) => [n, (v.options[n] ?? '').trim() || 'Default'])) }));
  const unique = dedupe(variants, names);
  if (unique.length < variants.length) warnings.push(`Removed ${variants.length - unique.length} duplicate variant(s) with identical options`);
  variants = unique;

  if (variants.length > maxVariants) {
    warnings.push(`Kept the first ${maxVariants} of ${variants.length} variants (the store's limit per product)`);
    variants = variants.slice(0, maxVariants);
  }

  // Option values in first-seen order, limited to the variants that remain.
  options = options.map((o) => ({ name: o.name, values: [...new Set(variants.map((v) => v.options[o.name]))] }));

  if (options.length === 0) {
    options = [{ name: DEFAULT_OPTION.name, values: [DEFAULT_OPTION.value] }];
    variants = variants.slice(0, 1).map((v) => ({ ...v, options: { [DEFAULT_OPTION.name]: DEFAULT_OPTION.value } }));
  }
  return { options, variants, warnings };
}

function dedupe(variants: StoreVariantInput[], names: string[]): StoreVariantInput[] {
  const seen = new Set<string>();
  return variants.filter((v) => {
    const key = comboKey(names, v.options);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Woo and Shopify both show a struck-through price only when it is above the price. */
export const compareAtAbove = (v: { price: number; compareAt: number | null }) => (v.compareAt != null && v.compareAt > v.price ? v.compareAt : null);

import type { ProductData, ProductDataVariant } from './import-jobs';
import { priceFor, type PricingRule } from './pricing';

/**
 * The import list's product rules (#17), browser-safe: the dashboard's editor shows the
 * same margins, limits and drop-axis outcome the API applies.
 */

/** One variant of an import-list item: the supplier variant, the merchant's price and choice. */
export interface ImportListVariant extends ProductDataVariant {
  /** Sold (pushed) or not. */
  selected: boolean;
  /** The price was set by hand (a pricing rule leaves it alone only when re-priced in bulk explicitly). */
  manual_price: boolean;
  /** Supplier variants folded into this one when an option axis was dropped (they are not sold). */
  merged_keys: string[];
}

/** What an item keeps as its product (the supplier's ProductData, edited). */
export interface ImportListProduct extends Omit<ProductData, 'variants'> {
  product_type: string | null;
  vendor: string | null;
  variants: ImportListVariant[];
  /** The supplier's full image list (the merchant chooses `images` from it). */
  supplier_images: string[];
  /** Axes the merchant dropped, with the rule that chose the kept variants. */
  dropped_options: { name: string; keep_value: string | null }[];
}

/** Platform limits checked before a push (the connectors' own caps come from here too). */
export const PLATFORM_LIMITS: Record<'shopify' | 'woocommerce', { options: number | null; variants: number; label: string }> = {
  // Shopify: 3 options, 2048 variants per product (GraphQL Admin productSet, 2024-07+).
  shopify: { options: 3, variants: 2048, label: 'Shopify' },
  // WooCommerce has no option cap; SourcePilot writes at most 2048 variations.
  woocommerce: { options: null, variants: 2048, label: 'WooCommerce' },
};

/** Up to 50 items per bulk push / re-price (API.md §8.5). */
export const MAX_BULK_ITEMS = 50;

/** The rule that picks the supplier variant kept when dropping an axis makes variants identical. */
export const DROP_AXIS_RULE =
  'Among the variants that become identical, the one kept is: one with the chosen value of the dropped option (e.g. the kept warehouse) first, then one you had selected, then one in stock, then the cheapest, then the first in the supplier’s order.';

const inStock = (v: ProductDataVariant) => v.stock === null || v.stock > 0;

/** Normalises stored product data (older drafts lack the list's fields) into an ImportListProduct. */
export function asListProduct(data: ProductData | ImportListProduct): ImportListProduct {
  const d = data as Partial<ImportListProduct> & ProductData;
  return {
    ...d,
    product_type: d.product_type ?? null,
    vendor: d.vendor ?? null,
    supplier_images: d.supplier_images ?? [...(d.images ?? [])],
    dropped_options: d.dropped_options ?? [],
    tags: d.tags ?? [],
    images: d.images ?? [],
    options: d.options ?? [],
    variants: (d.variants ?? []).map((v) => ({
      ...v,
      selected: (v as Partial<ImportListVariant>).selected ?? true,
      manual_price: (v as Partial<ImportListVariant>).manual_price ?? false,
      merged_keys: (v as Partial<ImportListVariant>).merged_keys ?? [],
    })),
  };
}

/**
 * Drops one option axis. Variants that become identical in the remaining options keep one
 * supplier variant by DROP_AXIS_RULE; the others are folded into it (`merged_keys`) and no
 * longer sold. Returns null when the axis does not exist.
 */
export function dropOption(p: ImportListProduct, name: string, keepValue: string | null = null): ImportListProduct | null {
  if (!p.options.some((o) => o.name === name)) return null;
  const options = p.options.filter((o) => o.name !== name);
  const groups = new Map<string, ImportListVariant[]>();
  for (const v of p.variants) {
    const key = JSON.stringify(options.map((o) => v.options[o.name] ?? ''));
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  const rank = (v: ImportListVariant, i: number) => [
    keepValue !== null && v.options[name] === keepValue ? 0 : 1,
    v.selected ? 0 : 1,
    inStock(v) ? 0 : 1,
    v.cost,
    i,
  ];
  const variants: ImportListVariant[] = [];
  for (const group of groups.values()) {
    const ranked = group.map((v) => ({ v, r: rank(v, p.variants.indexOf(v)) })).sort((a, b) => {
      for (let k = 0; k < a.r.length; k++) if (a.r[k] !== b.r[k]) return a.r[k] - b.r[k];
      return 0;
    });
    const kept = ranked[0].v;
    const { [name]: _dropped, ...rest } = kept.options;
    variants.push({
      ...kept,
      options: rest,
      selected: group.some((v) => v.selected),
      merged_keys: [...kept.merged_keys, ...ranked.slice(1).flatMap((x) => [x.v.key, ...x.v.merged_keys])],
    });
  }
  // Values no remaining variant uses disappear from the option lists.
  const used = options.map((o) => ({ name: o.name, values: o.values.filter((val) => variants.some((v) => v.options[o.name] === val)) }));
  return { ...p, options: used, variants, dropped_options: [...p.dropped_options, { name, keep_value: keepValue }] };
}

/** Renames an option axis and / or its values (every variant follows). */
export function renameOption(p: ImportListProduct, name: string, newName: string, values: Record<string, string>): ImportListProduct {
  const mapValue = (v: string) => values[v] ?? v;
  return {
    ...p,
    options: p.options.map((o) => (o.name === name ? { name: newName, values: o.values.map(mapValue) } : o)),
    variants: p.variants.map((v) => {
      if (!(name in v.options)) return v;
      const options: Record<string, string> = {};
      for (const [k, val] of Object.entries(v.options)) options[k === name ? newName : k] = k === name ? mapValue(val) : val;
      return { ...v, options };
    }),
  };
}

export interface Margin {
  /** price − cost, in the currency. */
  amount: number;
  /** (price − cost) / price × 100, one decimal; null when the price is 0. */
  percent: number | null;
}

/** The margin of selling at `price` what costs `cost` (shipping not included). */
export function marginOf(price: number, cost: number): Margin {
  const amount = Math.round((price - cost) * 100) / 100;
  return { amount, percent: price > 0 ? Math.round(((price - cost) / price) * 1000) / 10 : null };
}

/** Prices every variant by a rule (manual prices included: the merchant asked for it). */
export function repriceProduct(p: ImportListProduct, rule: PricingRule): ImportListProduct {
  const variants = p.variants.map((v) => {
    const { price, compareAt } = priceFor(v.cost, rule, p.currency);
    return { ...v, price, compare_at: compareAt, manual_price: false };
  });
  return { ...p, variants, pricing: rule, price: minPrice(variants) };
}

export const minPrice = (variants: { price: number; selected?: boolean }[]) => {
  const sold = variants.filter((v) => v.selected !== false);
  return sold.length ? Math.min(...sold.map((v) => v.price)) : 0;
};

export interface PlatformCheck {
  platform: 'shopify' | 'woocommerce';
  ok: boolean;
  problems: string[];
}

/** What each platform would refuse or change, explained before the push. */
export function platformChecks(p: ImportListProduct): PlatformCheck[] {
  const sold = p.variants.filter((v) => v.selected);
  return (Object.keys(PLATFORM_LIMITS) as (keyof typeof PLATFORM_LIMITS)[]).map((platform) => {
    const limit = PLATFORM_LIMITS[platform];
    const problems: string[] = [];
    if (sold.length === 0) problems.push('Select at least one variant to sell');
    if (limit.options !== null && p.options.length > limit.options) {
      problems.push(`${limit.label} allows ${limit.options} options; this product has ${p.options.length}. Drop or rename an option first.`);
    }
    if (sold.length > limit.variants) problems.push(`${limit.label} allows ${limit.variants} variants; ${sold.length} are selected.`);
    return { platform, ok: problems.length === 0, problems };
  });
}

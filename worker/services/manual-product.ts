import { z } from 'zod';
import type { NormalizedProduct } from '../suppliers/types';

/** A `manual` import carries its product in config.product; the fetch stage is skipped. */
export const manualProductSchema = z.object({
  title: z.string().min(1).max(255),
  price: z.number().min(0).max(1_000_000),
  currency: z.string().length(3).optional(),
  description: z.string().max(100_000).optional(),
  images: z.array(z.string().min(1).max(2000)).max(50).optional(),
  sku: z.string().max(255).optional(),
  variants: z
    .array(
      z.object({
        name: z.string().min(1).max(255).optional(),
        options: z.record(z.string().max(255), z.string().max(255)).optional(),
        sku: z.string().max(255).optional(),
        price: z.number().min(0).max(1_000_000).optional(),
        compare_at: z.number().min(0).max(1_000_000).optional(),
        stock: z.number().int().min(0).optional(),
        image: z.string().max(2000).optional(),
      }),
    )
    .max(2048)
    .optional(),
});

export type ManualProduct = z.infer<typeof manualProductSchema>;

/** The normalised product of a manual import (variants default to one at the product price). */
export function normaliseManual(p: ManualProduct, jobId: string, sourceUrl: string | null): Omit<NormalizedProduct, 'source'> & { source: 'manual' } {
  const variants = (p.variants?.length ? p.variants : [{ sku: p.sku, price: p.price }]).map((v, i) => {
    const options = v.options ?? (v.name ? { Title: v.name } : { Title: 'Default' });
    return {
      key: v.sku ?? `manual-${i + 1}`,
      sku: v.sku ?? null,
      options,
      price: v.price ?? p.price,
      compareAt: v.compare_at ?? null,
      stock: v.stock ?? null,
      image: v.image ?? null,
    };
  });
  const names = [...new Set(variants.flatMap((v) => Object.keys(v.options)))];
  return {
    source: 'manual',
    sourceProductId: `manual-${jobId}`,
    sourceUrl,
    title: p.title,
    descriptionHtml: p.description ?? '',
    images: p.images ?? [],
    options: names.map((name) => ({ name, values: [...new Set(variants.map((v) => v.options[name]).filter(Boolean))] })),
    variants,
    currency: (p.currency ?? 'USD').toUpperCase(),
    price: Math.min(...variants.map((v) => v.price)),
    shipping: null,
    rating: null,
    orderCount: null,
    supplierName: null,
    mode: 'live',
  };
}

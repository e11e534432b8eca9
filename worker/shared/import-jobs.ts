import type { PricingRule } from './pricing';

/** An import job's states, in lifecycle order; the `importjobstatus` database enum is built from this list. */
export const IMPORT_JOB_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ImportJobStatus = (typeof IMPORT_JOB_STATUSES)[number];

/** One priced variant as an import job keeps it (`product_data.variants[]`). */
export interface ProductDataVariant {
  key: string;
  sku: string | null;
  options: Record<string, string>;
  cost: number;
  price: number;
  compare_at: number | null;
  stock: number | null;
  image: string | null;
}

/**
 * What a finished import job keeps as `product_data`: the priced product as the store
 * received it (the dashboard reads it back through the API, so it lives here).
 */
export interface ProductData {
  title: string;
  description_html: string;
  images: string[];
  options: { name: string; values: string[] }[];
  variants: ProductDataVariant[];
  price: number;
  cost: number;
  currency: string;
  tags: string[];
  published: boolean;
  pricing: PricingRule;
  source: string;
  source_product_id: string;
  source_url: string | null;
  supplier_name: string | null;
  shipping: { cost: number; days: number | null } | null;
  mode: 'live' | 'demo';
}

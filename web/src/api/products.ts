import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { InferRequestType, InferResponseType } from 'hono/client';
import { SOURCE_LABEL, SUPPLIER_SOURCES, supplierLabel, type SupplierSource } from '../../../worker/shared/sources';
import { api, unwrap } from './client';

const products = api.products;

export type ProductSearch = InferResponseType<typeof products.search.$get, 200>;
export type ProductHit = ProductSearch['products'][number];
export type ProductPreview = InferResponseType<typeof products.preview.$post, 200>;
export type { SupplierSource };
export type ImportRequest = InferRequestType<typeof api.imports.$post>['json'];
export type AiSuggestions = InferResponseType<typeof api.ai.suggestions.$get, 200>;

export const SOURCES: { value: SupplierSource; label: string }[] = SUPPLIER_SOURCES.map((value) => ({ value, label: SOURCE_LABEL[value] }));

/** Narrows a query-string value to a source the search knows. */
export const isSource = (v: string | null): v is SupplierSource => SOURCES.some((s) => s.value === v);

export const sourceLabel = supplierLabel;

export const PAGE_SIZE = 12;

export const productSearchQuery = (q: string, source: SupplierSource, page: number) =>
  queryOptions({
    queryKey: ['products', 'search', source, q, page],
    queryFn: () => unwrap(products.search.$get({ query: { q, source, page: String(page), page_size: String(PAGE_SIZE) } })),
    enabled: q.trim().length > 0,
    placeholderData: keepPreviousData,
    staleTime: 5 * 60_000,
  });

/** Previews are cached by the API for 24 h; the dashboard keeps them for the session. */
export const productPreviewQuery = (url: string) =>
  queryOptions({
    queryKey: ['products', 'preview', url],
    queryFn: () => unwrap(products.preview.$post({ json: { url } })),
    staleTime: Infinity,
  });

/** Model calls cost money: ask once per session. A 503 means no gateway is configured. */
export const aiSuggestionsQuery = queryOptions({
  queryKey: ['ai', 'suggestions'],
  queryFn: () => unwrap(api.ai.suggestions.$get()),
  staleTime: Infinity,
  retry: false,
  refetchOnWindowFocus: false,
});

export const createImport = (body: ImportRequest) => unwrap(api.imports.$post({ json: body }));

/**
 * What a supplier price becomes under a markup and an optional .99 ending, for the
 * preview only: the import job prices every variant with the server's pricing engine.
 */
export function estimatePrice(cost: number, markupPercent: number, roundTo99: boolean): number {
  const cents = Math.ceil(Math.round(cost * 100) * (1 + markupPercent / 100) - 1e-6);
  if (!roundTo99) return Math.max(cents, Math.round(cost * 100)) / 100;
  let charm = Math.floor(cents / 100) * 100 + 99;
  if (charm < cents) charm += 100;
  return charm / 100;
}

import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { InferRequestType, InferResponseType } from 'hono/client';
import { IMPORT_JOB_STATUSES, type ProductData } from '../../../worker/shared/import-jobs';
import { api, unwrap } from './client';
import { connectionsQuery } from './stores';

const imports = api.imports;
const job = imports[':job_id'];

export type ImportJob = InferResponseType<typeof imports.$get, 200>['items'][number];
export type ImportStatus = ImportJob['status'];
export type ImportSource = ImportJob['source'];
export type HistoryEntry = InferResponseType<typeof job.history.$get, 200>['items'][number];
export type StoreConnection = InferResponseType<typeof api.connections.$get, 200>['items'][number];
export type NewImport = InferRequestType<typeof imports.$post>['json'];
export type NewBulkImport = InferRequestType<typeof imports.bulk.$post>['json'];

/** Where a pushed product landed; the pipeline adds it to product_data after the store answered. */
export interface StoreRef {
  id: string;
  name: string;
  platform: string;
  product_id: string;
  url: string | null;
  created: boolean;
}

/**
 * `product_data` after processing: the priced product. Stored JSON outlives code
 * changes, so every field is treated as possibly missing.
 */
export type PricedProduct = Partial<ProductData> & { store?: StoreRef };

export const productOf = (j: ImportJob): PricedProduct | null => (j.product_data as PricedProduct | null) ?? null;

export const STATUSES: ImportStatus[] = [...IMPORT_JOB_STATUSES];

/** A job the queue has not finished with: its row still changes. */
export const isActive = (j: Pick<ImportJob, 'status'>) => j.status === 'pending' || j.status === 'running';
export const canCancel = isActive;
export const canRetry = (j: Pick<ImportJob, 'status'>) => j.status === 'failed' || j.status === 'cancelled';

/** How often a page with unfinished jobs asks again. */
export const POLL_MS = 1_500;

export interface ImportFilter {
  status?: ImportStatus;
  storeId?: string;
  skip: number;
  limit: number;
}

export const importKeys = {
  all: ['imports'] as const,
  list: (f: ImportFilter) => ['imports', 'list', f] as const,
  counts: ['imports', 'counts'] as const,
  job: (id: string) => ['imports', 'job', id] as const,
  history: (id: string) => ['imports', 'job', id, 'history'] as const,
};

export const importListQuery = (f: ImportFilter) =>
  queryOptions({
    queryKey: importKeys.list(f),
    queryFn: () =>
      unwrap(
        imports.$get({
          query: {
            skip: String(f.skip),
            limit: String(f.limit),
            ...(f.status ? { status: f.status } : {}),
            ...(f.storeId ? { store_id: f.storeId } : {}),
          },
        }),
      ),
    // Paging and filtering keep the old rows on screen until the new ones arrive.
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.items.some(isActive) ? POLL_MS : false),
  });

export type ImportCounts = Record<'total' | ImportStatus, number>;

/** The summary cards: one `limit=1` list per status, asked in parallel, using only `total`. */
export const importCountsQuery = queryOptions({
  queryKey: importKeys.counts,
  queryFn: async (): Promise<ImportCounts> => {
    const count = (status?: ImportStatus) =>
      unwrap(imports.$get({ query: { limit: '1', ...(status ? { status } : {}) } })).then((r) => r.total);
    const [total, ...byStatus] = await Promise.all([count(), ...STATUSES.map((s) => count(s))]);
    return { total, ...(Object.fromEntries(STATUSES.map((s, i) => [s, byStatus[i]])) as Record<ImportStatus, number>) };
  },
});

export const importJobQuery = (id: string) =>
  queryOptions({
    queryKey: importKeys.job(id),
    queryFn: () => unwrap(job.$get({ param: { job_id: id } })),
    refetchInterval: (query) => (query.state.data && isActive(query.state.data) ? POLL_MS : false),
  });

export const importHistoryQuery = (id: string) =>
  queryOptions({
    queryKey: importKeys.history(id),
    queryFn: () => unwrap(job.history.$get({ param: { job_id: id } })).then((r) => r.items),
  });

/** The merchant's stores, for the target and filter selects (one query shared with the Connections page). */
export const storeConnectionsQuery = connectionsQuery;

export const createImport = (body: NewImport) => unwrap(imports.$post({ json: body }));
export const createBulkImport = (body: NewBulkImport) => unwrap(imports.bulk.$post({ json: body }));
export const cancelImport = (id: string) => unwrap(job.cancel.$post({ param: { job_id: id } }));
export const retryImport = (id: string) => unwrap(job.retry.$post({ param: { job_id: id } }));

import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { InferRequestType, InferResponseType } from 'hono/client';
import { api, unwrap } from './client';
import { ApiError } from './errors';

const list = api['import-list'];
const item = list[':item_id'];

export type ImportListItem = InferResponseType<typeof item.$get, 200>;
export type ImportListVariant = ImportListItem['product']['variants'][number];
export type ItemEdits = InferRequestType<typeof item.$put>['json'];
export type RepricePreview = InferResponseType<typeof list.reprice.$post, 200>;
export type RepriceBody = InferRequestType<typeof list.reprice.$post>['json'];

export interface ListFilter {
  skip: number;
  limit: number;
  q?: string;
  storeId?: string;
  source?: ImportListItem['source'];
  pushed?: boolean;
}

export const importListKeys = {
  all: ['import-list'] as const,
  list: (f: ListFilter) => ['import-list', 'list', f] as const,
  item: (id: string) => ['import-list', 'item', id] as const,
  settings: ['import-list', 'settings'] as const,
};

/** Pushes in flight change the rows: ask again while any is pushing. */
export const LIST_POLL_MS = 1_500;
/** Otherwise slower: review imports still running land in the list when they finish. */
export const LIST_IDLE_POLL_MS = 5_000;
export const isPushing = (i: Pick<ImportListItem, 'status'>) => i.status === 'pushing';

export const importListQuery = (f: ListFilter) =>
  queryOptions({
    queryKey: importListKeys.list(f),
    queryFn: () =>
      unwrap(
        list.$get({
          query: {
            skip: String(f.skip),
            limit: String(f.limit),
            ...(f.q ? { q: f.q } : {}),
            ...(f.storeId ? { store_id: f.storeId } : {}),
            ...(f.source ? { source: f.source } : {}),
            ...(f.pushed === undefined ? {} : { pushed: f.pushed ? 'true' : 'false' }),
          },
        }),
      ),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.items.some(isPushing) ? LIST_POLL_MS : LIST_IDLE_POLL_MS),
  });

export const importListItemQuery = (id: string) =>
  queryOptions({
    queryKey: importListKeys.item(id),
    queryFn: () => unwrap(item.$get({ param: { item_id: id } })),
    refetchInterval: (query) => (query.state.data && isPushing(query.state.data) ? LIST_POLL_MS : false),
  });

export const importListSettingsQuery = queryOptions({
  queryKey: importListKeys.settings,
  queryFn: () => unwrap(list.settings.$get()),
});

/** An edit made over a version someone else already changed: `current` is the item now. */
export class EditConflict extends ApiError {
  constructor(
    detail: string,
    readonly current: ImportListItem,
  ) {
    super(409, detail);
  }
}

/** Saves edits; a stale version throws EditConflict carrying the current item. */
export async function saveItem(id: string, json: ItemEdits): Promise<ImportListItem> {
  const res = await item.$put({ param: { item_id: id }, json });
  if (res.status === 409) {
    const body = (await res.json()) as unknown as { detail: string; current: ImportListItem };
    throw new EditConflict(body.detail, body.current);
  }
  return unwrap(Promise.resolve(res));
}

export const importListApi = {
  remove: (id: string) => unwrap(item.$delete({ param: { item_id: id } })),
  pushOne: (id: string, storeId: string | null) => unwrap(item.push.$post({ param: { item_id: id }, json: { store_id: storeId } })),
  push: (ids: string[], storeId: string | null) => unwrap(list.push.$post({ json: { item_ids: ids, store_id: storeId } })),
  reprice: (json: RepriceBody) => unwrap(list.reprice.$post({ json })),
  setReviewDefault: (review: boolean) => unwrap(list.settings.$put({ json: { review_by_default: review } })),
};

import { queryOptions } from '@tanstack/react-query';
import type { InferRequestType, InferResponseType } from 'hono/client';
import { api, unwrap } from './client';

const watches = api['price-watches'];
const watch = watches[':watch_id'];

export type PriceWatch = InferResponseType<typeof watches.$get, 200>['items'][number];
export type CreatedPriceWatch = InferResponseType<typeof watches.$post, 201>;
export type NewPriceWatch = InferRequestType<typeof watches.$post>['json'];
export type PriceWatchPatch = InferRequestType<typeof watch.$put>['json'];
export type PricePoint = InferResponseType<typeof watch.history.$get, 200>['items'][number];
export type SyncResult = InferResponseType<typeof watches.sync.$post, 200>;
export type AlertSettings = InferResponseType<typeof api.alerts.settings.$get, 200>;
export type SavedAlertSettings = InferResponseType<typeof api.alerts.settings.$put, 200>;
export type AlertSettingsInput = InferRequestType<typeof api.alerts.settings.$put>['json'];
export type PriceAlert = InferResponseType<typeof api.alerts.$get, 200>['items'][number];

export const priceWatchKeys = {
  all: ['price-watches'] as const,
  list: ['price-watches', 'list'] as const,
  history: (id: string) => ['price-watches', 'history', id] as const,
  alerts: ['price-watches', 'alerts'] as const,
  settings: ['price-watches', 'alert-settings'] as const,
};

export const priceWatchesQuery = queryOptions({
  queryKey: priceWatchKeys.list,
  queryFn: () => unwrap(watches.$get({ query: {} })),
});

export const priceHistoryQuery = (id: string) =>
  queryOptions({
    queryKey: priceWatchKeys.history(id),
    queryFn: () => unwrap(watch.history.$get({ param: { watch_id: id }, query: { limit: '1000' } })).then((r) => r.items),
  });

export const recentAlertsQuery = queryOptions({
  queryKey: priceWatchKeys.alerts,
  queryFn: () => unwrap(api.alerts.$get({ query: { limit: '20' } })).then((r) => r.items),
});

export const alertSettingsQuery = queryOptions({
  queryKey: priceWatchKeys.settings,
  queryFn: () => unwrap(api.alerts.settings.$get()),
});

export const priceWatchApi = {
  create: (json: NewPriceWatch) => unwrap(watches.$post({ json })),
  update: (id: string, json: PriceWatchPatch) => unwrap(watch.$put({ param: { watch_id: id }, json })),
  remove: (id: string) => unwrap(watch.$delete({ param: { watch_id: id } })),
  sync: () => unwrap(watches.sync.$post()),
  saveAlertSettings: (json: AlertSettingsInput) => unwrap(api.alerts.settings.$put({ json })),
  resendConfirmation: () => unwrap(api.alerts.settings['confirm-email'].$post()),
  /** Public: the token from the emailed link is the credential. */
  confirmEmail: (token: string) => unwrap(api.alerts.email.confirm.$post({ json: { token } })),
};

/** Completed supplier imports: what a watch can be created from. */
export const completedImportsQuery = queryOptions({
  queryKey: ['imports', 'list', { status: 'completed', skip: 0, limit: 100, forWatch: true }],
  queryFn: () => unwrap(api.imports.$get({ query: { status: 'completed', limit: '100' } })).then((r) => r.items.filter((j) => j.source !== 'manual')),
});

import { queryOptions } from '@tanstack/react-query';
import type { InferRequestType, InferResponseType } from 'hono/client';
import { ACCOUNT_PLATFORM, SOURCE_LABEL, SUPPLIER_SOURCES, supplierSourceOf, type AccountPlatform, type SupplierSource } from '../../../worker/shared/sources';
import { api, unwrap } from './client';

const connection = api.connections[':conn_id'];
const account = api.suppliers.accounts[':account_id'];

export type Connection = InferResponseType<typeof api.connections.$get, 200>['items'][number];
export type NewConnection = InferRequestType<typeof api.connections.$post>['json'];
export type ConnectionPatch = InferRequestType<typeof connection.$put>['json'];
export type ConnectionTest = InferResponseType<typeof connection.test.$post, 200>;

export type SupplierAccount = InferResponseType<typeof api.suppliers.accounts.$get, 200>['items'][number];
export type NewSupplierAccount = InferRequestType<typeof api.suppliers.accounts.$post>['json'];
export type SupplierAccountPatch = InferRequestType<typeof account.$put>['json'];

/** The user's store connections, default first (the key the import dialogs share). */
export const connectionsQuery = queryOptions({
  queryKey: ['connections'],
  queryFn: () => unwrap(api.connections.$get()),
});

export const supplierAccountsQuery = queryOptions({
  queryKey: ['supplier-accounts'],
  queryFn: () => unwrap(api.suppliers.accounts.$get()),
});

export type CjPointsUsage = InferResponseType<(typeof api.suppliers.accounts)['points-usage']['$get'], 200>['items'][number];

/** Today's CJ points spent on price checks, per CJ account (one list shared by the cards). */
export const cjPointsUsageQuery = queryOptions({
  queryKey: ['supplier-accounts', 'points-usage'],
  queryFn: () => unwrap(api.suppliers.accounts['points-usage'].$get()),
});

/** Turns on CJ's product and stock webhooks for a CJ account and subscribes its watched products. */
export const cjWebhooksApi = {
  enable: (id: string) => unwrap(account['cj-webhooks'].$post({ param: { account_id: id } })),
};

export const connectionsApi = {
  create: (json: NewConnection) => unwrap(api.connections.$post({ json })),
  update: (id: string, json: ConnectionPatch) => unwrap(connection.$put({ param: { conn_id: id }, json })),
  remove: (id: string) => unwrap(connection.$delete({ param: { conn_id: id } })),
  makeDefault: (id: string) => unwrap(connection.default.$post({ param: { conn_id: id } })),
  test: (id: string) => unwrap(connection.test.$post({ param: { conn_id: id } })),
  /** Starts the Shopify app install: the shop's authorize URL to send the browser to (API.md §8.1). */
  installShopify: (shop: string) => unwrap(api.connections.shopify.install.$post({ json: { shop } })),
  /** Starts WooCommerce's app authorization: the store's approve screen URL (API.md §8.3). */
  authorizeWoo: (storeUrl: string) => unwrap(api.connections.woocommerce.authorize.$post({ json: { store_url: storeUrl } })),
};

/** Where the browser goes next; a seam so component tests can watch the redirect. */
export const browser = { go: (url: string) => window.location.assign(url) };

export const supplierAccountsApi = {
  create: (json: NewSupplierAccount) => unwrap(api.suppliers.accounts.$post({ json })),
  update: (id: string, json: SupplierAccountPatch) => unwrap(account.$put({ param: { account_id: id }, json })),
  remove: (id: string) => unwrap(account.$delete({ param: { account_id: id } })),
  /** Starts linking an AliExpress account through SourcePilot's app (API.md §8.4): answers the URL to send the browser to. */
  authorizeAliExpress: (name?: string) => unwrap(api.suppliers.accounts.aliexpress.authorize.$post({ json: name ? { name } : {} })),
};

export type StorePlatform = 'shopify' | 'woocommerce';

/** How the dashboard names and colours a platform; free-text platforms fall back to their own name. */
export const STORE_PLATFORMS: Record<StorePlatform, { label: string; color: 'green' | 'purple' }> = {
  shopify: { label: 'Shopify', color: 'green' },
  woocommerce: { label: 'WooCommerce', color: 'purple' },
};

export function storePlatformOf(platform: string): StorePlatform | null {
  const p = platform.trim().toLowerCase();
  return p === 'shopify' || p === 'woocommerce' ? p : null;
}

/** Supplier `platform` values as the accounts store them (API.md §3.5: `cjdropshipping`). */
export type SupplierPlatform = AccountPlatform;

type PlatformColor = 'orange' | 'blue' | 'teal';
const PLATFORM_COLOR: Record<SupplierSource, PlatformColor> = { aliexpress: 'orange', cjdropship: 'blue', spocket: 'teal' };

export const SUPPLIER_PLATFORMS = Object.fromEntries(
  SUPPLIER_SOURCES.map((s) => [ACCOUNT_PLATFORM[s], { label: SOURCE_LABEL[s], color: PLATFORM_COLOR[s] }]),
) as Record<SupplierPlatform, { label: string; color: PlatformColor }>;

/** The stored spelling of a supplier account's platform (any case, either CJ spelling), or null. */
export function supplierPlatformOf(platform: string): SupplierPlatform | null {
  const source = supplierSourceOf(platform);
  return source ? ACCOUNT_PLATFORM[source] : null;
}

import type { Db } from '../db/client';
import type { storeConnections } from '../db/schema';
import { config } from '../env';
import { connectionSecret, decryptSecret } from '../lib/secrets';
import { checkStoreUrl, parseWooKey, storePlatform } from '../lib/store-url';
import { REAUTH_MESSAGE, ShopifyTokens, type ShopifyTokenEnv } from '../services/shopify-tokens';
import { ShopifyConnector } from './shopify';
import { StoreError, type StoreConnector } from './types';
import { WooCommerceConnector } from './woocommerce';

/** The bindings a connector needs (a subset of Env, so queue and cron code can pass theirs). */
export interface StoreEnv extends ShopifyTokenEnv {
  ENCRYPTION_KEY: string;
  SHOPIFY_API_VERSION: string;
  STORE_REQUEST_TIMEOUT_MS: string;
  WOO_CREATE_SETTLE_SECONDS?: string;
  ALLOW_LOCAL_STORES?: string;
}

/** `status` when the caller loaded it: a connection that is not `connected` is never called. */
type ConnectionRow = Pick<typeof storeConnections.$inferSelect, 'id' | 'userId' | 'platform' | 'storeUrl' | 'apiKey'> &
  Partial<Pick<typeof storeConnections.$inferSelect, 'status' | 'authType'>>;

const NOT_CONNECTED: Record<string, string> = {
  needs_reauth: REAUTH_MESSAGE,
  uninstalled: 'SourcePilot was uninstalled from this store; reconnect it on the Connections page to import or reprice again',
};

/**
 * The connector for a store connection, with its key decrypted. Throws a permanent
 * StoreError a merchant can act on when the platform has no connector, the URL breaks
 * the store URL rules (checked again here: a row may predate a rule change), the
 * connection needs reconnecting (API.md §8.1), or no usable credentials are saved.
 * An installed app's expiring token is refreshed through `db` when one is given
 * (services/shopify-tokens.ts); without it the stored token is used as it is.
 */
export async function connectorFor(env: StoreEnv, connection: ConnectionRow, db?: Db): Promise<StoreConnector> {
  const platform = storePlatform(connection.platform);
  if (!platform) {
    throw new StoreError(`SourcePilot cannot connect to "${connection.platform}" stores; supported platforms are shopify and woocommerce`, false);
  }
  if (connection.status && connection.status !== 'connected') {
    throw new StoreError(NOT_CONNECTED[connection.status] ?? 'This store is not connected; reconnect it on the Connections page', false);
  }
  const url = checkStoreUrl(platform, connection.storeUrl, config(env).allowLocalStores);
  if (!url.ok) throw new StoreError(url.msg, false);
  if (!connection.apiKey) {
    throw new StoreError(
      platform === 'shopify'
        ? 'No access token is saved for this store; edit the connection and add the Admin API access token'
        : 'No API keys are saved for this store; edit the connection and add the consumer key and secret',
      false,
    );
  }
  let secret: string;
  try {
    secret = await decryptSecret(env.ENCRYPTION_KEY, connection.apiKey, connectionSecret('api_key', connection));
  } catch {
    throw new StoreError('The saved store credentials cannot be read (the encryption key changed); enter them again', false);
  }
  const timeoutMs = config(env).storeTimeoutMs;
  if (platform === 'shopify') {
    const expiring = (connection.authType === 'oauth' || connection.authType === 'client_credentials') && db;
    const credential = expiring ? new ShopifyTokens(db, env, connection.id, url.origin) : secret;
    return new ShopifyConnector(url.origin, credential, env.SHOPIFY_API_VERSION, timeoutMs);
  }
  const woo = parseWooKey(secret);
  if (!woo) throw new StoreError('The saved WooCommerce credentials are not a consumer key and secret (ck_…:cs_…); enter them again', false);
  return new WooCommerceConnector(url.origin, woo.consumerKey, woo.consumerSecret, timeoutMs, config(env).wooCreateSettleMs);
}

import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { log } from '../lib/log';
import { connectionSecret, decryptSecret, encryptSecret } from '../lib/secrets';
import type { ShopifyTokenSource } from '../stores/shopify';
import { StoreError } from '../stores/types';
import { ClaimedTokenSource, type HeldToken, type VersionedRow } from './token-claim';
import { appCredentials, requestToken, ShopifyAppNotConfigured, type ShopifyAppEnv } from './shopify-oauth';

/**
 * Expiring Shopify tokens of installed-app connections (`auth_type = 'oauth'`),
 * refreshed before they expire and after a 401 (INTEGRATIONS.md §4c), and of a
 * merchant's own Dev Dashboard app (`client_credentials`), renewed the same way with
 * the client credentials grant (no refresh token; the client secret is kept encrypted). Every refresh
 * rotates the refresh token and revokes the previous access token, so refreshes go
 * through the one-at-a-time claim of services/token-claim.ts.
 */

/** The merchant's next step when Shopify refuses the refresh (uninstalled, revoked). */
export const REAUTH_MESSAGE = 'The store no longer accepts SourcePilot’s authorization; reconnect it on the Connections page';

/** The merchant's next step when Shopify refuses their own app's client id and secret. */
export const CLIENT_CREDENTIALS_REFUSED = 'Shopify no longer accepts the client id and secret of your app for this store; enter them again on the Connections page';

type Claimed = { refresh_token: string | null; auth_type: string; client_id: string | null; client_secret: string | null };

/** Refresh this long before the stored expiry, so no call goes out with a token about to lapse. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

export type ShopifyTokenEnv = Pick<ShopifyAppEnv, 'SHOPIFY_API_KEY' | 'SHOPIFY_API_SECRET' | 'ENCRYPTION_KEY'>;

type TokenRow = VersionedRow & {
  user_id: string;
  api_key: string | null;
  refresh_token: string | null;
  token_expires_at: string | Date | null;
};

export class ShopifyTokens extends ClaimedTokenSource<TokenRow, Claimed> implements ShopifyTokenSource {
  /** The connection's owner, read with the tokens: the secrets are bound to it (lib/secrets.ts). */
  private ownerId = '';
  protected readonly claimColumns = sql`refresh_token, auth_type, client_id, client_secret`;

  constructor(
    db: Db,
    private readonly env: ShopifyTokenEnv,
    private readonly connectionId: string,
    private readonly origin: string,
  ) {
    super(db, 'store_connections', connectionId, REFRESH_MARGIN_MS);
  }

  private binding(column: 'api_key' | 'refresh_token' | 'client_secret') {
    return connectionSecret(column, { id: this.connectionId, userId: this.ownerId });
  }

  protected async load(): Promise<TokenRow> {
    const { rows } = await this.db.execute<TokenRow>(sql`
      SELECT user_id, api_key, refresh_token, token_expires_at, token_version, status FROM store_connections WHERE id = ${this.connectionId}`);
    if (!rows[0]) throw new StoreError('This store connection no longer exists', false);
    this.ownerId = rows[0].user_id;
    return rows[0];
  }

  /** Takes the row's token as the one to call with; a connection that is not connected is never called. */
  protected async adopt(row: TokenRow): Promise<HeldToken> {
    if (row.status !== 'connected') throw new StoreError(row.status === 'needs_reauth' ? REAUTH_MESSAGE : 'This store is not connected; reconnect it on the Connections page', false);
    if (!row.api_key) throw new StoreError(REAUTH_MESSAGE, false);
    let token: string;
    try {
      token = await decryptSecret(this.env.ENCRYPTION_KEY, row.api_key, this.binding('api_key'));
    } catch {
      throw new StoreError('The saved store credentials cannot be read (the encryption key changed); reconnect the store', false);
    }
    this.held = { token, version: Number(row.token_version), expiresAt: row.token_expires_at ? new Date(row.token_expires_at).getTime() : null };
    return this.held;
  }

  protected busy() {
    return new StoreError('Another refresh of this store’s Shopify token is taking too long; the work will be retried', true);
  }

  /** The token request that renews this connection's access: a refresh grant, or a Dev Dashboard app's client credentials grant. */
  private async renewal(claimed: Claimed): Promise<Record<string, string> | null> {
    if (claimed.auth_type === 'client_credentials') {
      if (!claimed.client_id || !claimed.client_secret) return null;
      return { grant_type: 'client_credentials', client_id: claimed.client_id, client_secret: await decryptSecret(this.env.ENCRYPTION_KEY, claimed.client_secret, this.binding('client_secret')) };
    }
    const app = appCredentials(this.env);
    if (!claimed.refresh_token) return null;
    return { client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'refresh_token', refresh_token: await decryptSecret(this.env.ENCRYPTION_KEY, claimed.refresh_token, this.binding('refresh_token')) };
  }

  protected async refreshClaimed(version: number, claimed: Claimed): Promise<string> {
    let params: Record<string, string> | null;
    try {
      params = await this.renewal(claimed);
    } catch (err) {
      await this.release(version);
      if (err instanceof ShopifyAppNotConfigured) throw new StoreError(err.message, false);
      throw new StoreError('The saved store credentials cannot be read (the encryption key changed); reconnect the store', false);
    }
    const reauth = claimed.auth_type === 'client_credentials' ? CLIENT_CREDENTIALS_REFUSED : REAUTH_MESSAGE;
    const result = params ? await requestToken(this.origin, params) : ({ ok: false, refused: true, detail: 'no renewal credential is saved' } as const);
    if (!result.ok) {
      if (!result.refused) {
        await this.release(version);
        throw new StoreError(`Shopify did not renew the access token (${result.detail}); the work will be retried`, true);
      }
      await this.db.execute(sql`
        UPDATE store_connections SET status = 'needs_reauth', status_detail = ${reauth}, refresh_claimed_until = NULL, updated_at = now()
        WHERE id = ${this.connectionId} AND token_version = ${version}`);
      log.warn('shopify token refresh refused; connection needs reauth', { connectionId: this.connectionId, detail: result.detail });
      throw new StoreError(reauth, false);
    }
    const { token } = result;
    const now = Date.now();
    const at = (seconds: number | null) => (seconds ? new Date(now + seconds * 1000).toISOString() : null);
    const access = await encryptSecret(this.env.ENCRYPTION_KEY, token.accessToken, this.binding('api_key'));
    const refresh = token.refreshToken ? await encryptSecret(this.env.ENCRYPTION_KEY, token.refreshToken, this.binding('refresh_token')) : null;
    // The new pair in one write, only over the version the claim was for.
    const { rows } = await this.db.execute<{ token_version: number }>(sql`
      UPDATE store_connections SET api_key = ${access}, refresh_token = COALESCE(${refresh}, refresh_token),
        token_expires_at = ${at(token.expiresIn)}::timestamptz,
        refresh_token_expires_at = COALESCE(${at(token.refreshExpiresIn)}::timestamptz, refresh_token_expires_at),
        token_version = token_version + 1, refresh_claimed_until = NULL, updated_at = now()
      WHERE id = ${this.connectionId} AND token_version = ${version}
      RETURNING token_version`);
    // A reinstall replaced the tokens meanwhile: its token is the live one.
    return this.settle(rows[0] ? { token: token.accessToken, version: Number(rows[0].token_version), expiresAt: token.expiresIn ? now + token.expiresIn * 1000 : null } : null);
  }
}

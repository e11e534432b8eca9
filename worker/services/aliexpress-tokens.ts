import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { log } from '../lib/log';
import { mapLimit } from '../lib/map-limit';
import { decryptJson, encryptJson, supplierCredentials } from '../lib/secrets';
import type { AliExpressTokenSource } from '../suppliers/aliexpress';
import { SupplierError } from '../suppliers/types';
import { deliverNotice, type AlertEnv, type Channels } from './alerts';
import { oauthCredentials, requestAliExpressToken, type AliExpressAppEnv } from './aliexpress-oauth';
import { maskCredentials } from './suppliers';
import { ClaimedTokenSource, type HeldToken, type VersionedRow } from './token-claim';

/**
 * Tokens of AliExpress accounts linked through SourcePilot's app (`auth_type = 'oauth'`),
 * refreshed with `/auth/token/refresh` before the access token expires, by the cron and
 * after an expired-token answer (INTEGRATIONS.md §3d), once at a time per account through
 * the claim of services/token-claim.ts.
 *
 * A refused refresh, or a refresh token past its deadline, marks the account
 * `needs_reauth`: its calls fail with REAUTH_MESSAGE and the merchant gets one alert
 * (claimed with `reauth_alerted_at`), also sent days before the deadline.
 */

export const reauthMessage = (name: string) =>
  `AliExpress no longer accepts SourcePilot’s authorization of supplier account '${name}'; reconnect it on the Suppliers page`;

/** Refresh this long before the stored expiry when a call needs the token. */
export const REFRESH_MARGIN_MS = 10 * 60_000;
/** The cron refreshes tokens that expire within this window (it runs every 15 minutes). */
export const SCHEDULED_REFRESH_WINDOW = '6 hours';
/** How long before the refresh token's deadline the merchant is told to re-authorize. */
export const REAUTH_WARNING = '3 days';

export type AliExpressTokenEnv = AliExpressAppEnv;

type Row = VersionedRow & {
  credentials: string | null;
  token_expires_at: string | Date | null;
  refresh_token_expires_at: string | Date | null;
  name: string;
};
type Claimed = { credentials: string | null; refresh_token_expires_at: string | Date | null };

export type { HeldToken };

const time = (v: string | Date | null) => (v ? new Date(v).getTime() : null);

export class AliExpressTokens extends ClaimedTokenSource<Row, Claimed> implements AliExpressTokenSource {
  protected readonly claimColumns = sql`credentials, refresh_token_expires_at`;

  constructor(
    db: Db,
    private readonly env: AliExpressTokenEnv & AlertEnv,
    private readonly accountId: string,
    /** The account's owner: its credentials are bound to it (lib/secrets.ts). */
    private readonly ownerId: string,
    private name: string,
    /** What the resolver already read with the account: the decrypted access token and its version. */
    held: HeldToken | null = null,
  ) {
    super(db, 'supplier_accounts', accountId, REFRESH_MARGIN_MS, held);
  }

  private get binding() {
    return supplierCredentials({ id: this.accountId, userId: this.ownerId });
  }

  protected async load(): Promise<Row> {
    const { rows } = await this.db.execute<Row>(sql`
      SELECT credentials, token_expires_at, refresh_token_expires_at, token_version, status, name FROM supplier_accounts WHERE id = ${this.accountId}`);
    if (!rows[0]) throw new SupplierError('This supplier account no longer exists', false, 404, 'auth');
    this.name = rows[0].name;
    return rows[0];
  }

  private reauth(): SupplierError {
    return new SupplierError(reauthMessage(this.name), false, 401, 'auth');
  }

  protected async adopt(row: Row): Promise<HeldToken> {
    if (row.status !== 'connected' || !row.credentials) throw this.reauth();
    let creds: Record<string, unknown>;
    try {
      creds = await decryptJson<Record<string, unknown>>(this.env.ENCRYPTION_KEY, row.credentials, this.binding);
    } catch {
      throw new SupplierError(`The credentials of supplier account '${this.name}' cannot be read (the encryption key changed); reconnect it on the Suppliers page`, false, 401, 'auth');
    }
    if (typeof creds.access_token !== 'string') throw this.reauth();
    this.held = { token: creds.access_token, version: Number(row.token_version), expiresAt: time(row.token_expires_at) };
    return this.held;
  }

  protected busy() {
    return new SupplierError('Another refresh of this AliExpress account’s token is taking too long; the work will be retried', true, 503, 'unavailable');
  }

  /** The cron's refresh: only when the stored version is still `version`. */
  refreshVersion(version: number): Promise<string> {
    return this.refresh(version);
  }

  /** Marks the account (over the claimed version) and alerts the merchant once. */
  private async markNeedsReauth(version: number, detail: string): Promise<SupplierError> {
    await this.db.execute(sql`
      UPDATE supplier_accounts SET status = 'needs_reauth', status_detail = ${reauthMessage(this.name).slice(0, 500)}, refresh_claimed_until = NULL, updated_at = now()
      WHERE id = ${this.accountId} AND token_version = ${version}`);
    log.warn('aliexpress token refresh refused; account needs reauth', { accountId: this.accountId, detail });
    await sendReauthAlerts(this.db, this.env, this.accountId).catch((err) => log.error('aliexpress reauth alert failed', { accountId: this.accountId, error: String(err) }));
    return this.reauth();
  }

  protected async refreshClaimed(version: number, claimed: Claimed): Promise<string> {
    const sealed = claimed.credentials;
    const refreshDeadline = time(claimed.refresh_token_expires_at);
    let refreshToken: string | null = null;
    try {
      const creds = sealed ? await decryptJson<Record<string, unknown>>(this.env.ENCRYPTION_KEY, sealed, this.binding) : {};
      refreshToken = typeof creds.refresh_token === 'string' && creds.refresh_token ? creds.refresh_token : null;
    } catch {
      await this.release(version);
      throw new SupplierError(`The credentials of supplier account '${this.name}' cannot be read (the encryption key changed); reconnect it on the Suppliers page`, false, 401, 'auth');
    }
    if (!refreshToken) throw await this.markNeedsReauth(version, 'no refresh token is saved');
    // `refresh_expires_in = 0` or a past deadline: AliExpress will not refresh any more (§3d).
    if (refreshDeadline !== null && refreshDeadline <= Date.now()) throw await this.markNeedsReauth(version, 'the refresh token has expired');

    let result;
    try {
      result = await requestAliExpressToken(this.env, '/auth/token/refresh', { refresh_token: refreshToken });
    } catch (err) {
      await this.release(version);
      throw err instanceof SupplierError ? err : new SupplierError(`AliExpress token refresh failed: ${(err as Error).message}`, false, 503, 'unavailable');
    }
    if (!result.ok) {
      if (result.refused) throw await this.markNeedsReauth(version, result.detail);
      await this.release(version);
      throw new SupplierError(`AliExpress did not renew the access token (${result.detail}); the work will be retried`, true, 503, 'unavailable');
    }
    const token = { ...result.token, refreshToken: result.token.refreshToken ?? refreshToken };
    const creds = oauthCredentials(token);
    const sealedNew = await encryptJson(this.env.ENCRYPTION_KEY, creds, this.binding);
    const { rows } = await this.db.execute<{ token_version: number }>(sql`
      UPDATE supplier_accounts SET credentials = ${sealedNew}, credentials_mask = ${JSON.stringify(maskCredentials(creds))}::jsonb,
        token_expires_at = ${token.expiresAt?.toISOString() ?? null}::timestamptz,
        refresh_token_expires_at = COALESCE(${token.refreshExpiresAt?.toISOString() ?? null}::timestamptz, refresh_token_expires_at),
        token_version = token_version + 1, refresh_claimed_until = NULL, updated_at = now()
      WHERE id = ${this.accountId} AND token_version = ${version}
      RETURNING token_version`);
    // A new authorization replaced the tokens meanwhile: its token is the live one.
    return this.settle(rows[0] ? { token: token.accessToken, version: Number(rows[0].token_version), expiresAt: token.expiresAt?.getTime() ?? null } : null);
  }
}

/** A static token (pasted credentials): nothing to refresh, a rejection stands. */
export const staticToken = (token: string): AliExpressTokenSource => ({ current: async () => token, rejected: async () => token });

type NoticeRow = {
  id: string;
  user_id: string;
  email_verified: boolean | null;
  name: string;
  status: string;
  refresh_token_expires_at: string | null;
  email: string | null;
  email_enabled: boolean | null;
  webhook_url: string | null;
  webhook_secret: string | null;
  webhook_enabled: boolean | null;
};

/**
 * The one re-authorization alert per authorization: for accounts marked `needs_reauth`
 * or whose refresh token ends within REAUTH_WARNING. The claim on `reauth_alerted_at`
 * (cleared by a new authorization) makes it once, however many crons and consumers run.
 */
export async function sendReauthAlerts(db: Db, env: AlertEnv, accountId?: string): Promise<number> {
  const { rows } = await db.execute<NoticeRow>(sql`
    WITH claimed AS (
      UPDATE supplier_accounts a SET reauth_alerted_at = now()
      WHERE a.auth_type = 'oauth' AND a.is_active AND a.reauth_alerted_at IS NULL
        ${accountId ? sql`AND a.id = ${accountId}` : sql``}
        AND (a.status = 'needs_reauth' OR a.refresh_token_expires_at < now() + ${REAUTH_WARNING}::interval)
      RETURNING a.id, a.user_id, a.name, a.status, a.refresh_token_expires_at
    )
    SELECT c.id, c.user_id, c.name, c.status, c.refresh_token_expires_at, s.email, s.email_enabled,
           (s.email_verified_at IS NOT NULL) AS email_verified, s.webhook_url, s.webhook_secret, s.webhook_enabled
    FROM claimed c LEFT JOIN alert_settings s ON s.user_id = c.user_id`);
  await mapLimit(rows, 4, async (r) => {
    const channels: Channels = {
      userId: r.user_id,
      email: r.email,
      emailEnabled: r.email_enabled ?? false,
      emailVerified: r.email_verified ?? false,
      webhookUrl: r.webhook_url,
      webhookSecret: r.webhook_secret,
      webhookEnabled: r.webhook_enabled ?? false,
    };
    const until = r.refresh_token_expires_at ? new Date(r.refresh_token_expires_at) : null;
    const summary =
      r.status === 'needs_reauth'
        ? reauthMessage(r.name)
        : `SourcePilot’s authorization of AliExpress account '${r.name}' ends on ${until!.toISOString().slice(0, 10)}; reconnect it on the Suppliers page before then to keep searches, imports and price watches working`;
    const delivery = await deliverNotice(env, channels, {
      type: 'supplier_account.needs_reauth',
      subject: `Reconnect your AliExpress account '${r.name}'`,
      text: summary,
      data: { supplier_account_id: r.id, name: r.name, status: r.status, authorization_ends_at: until?.toISOString() ?? null },
    });
    log.info('aliexpress reauth alert', { accountId: r.id, status: r.status, email: delivery.email.status, webhook: delivery.webhook.status });
  });
  return rows.length;
}

/**
 * The cron's part (worker/jobs/scheduled.ts): refreshes the tokens that expire within
 * SCHEDULED_REFRESH_WINDOW, then sends the due re-authorization alerts.
 */
export async function refreshDueAliExpressTokens(db: Db, env: AliExpressTokenEnv & AlertEnv): Promise<{ refreshed: number; failed: number; alerts: number }> {
  const { rows } = await db.execute<{ id: string; user_id: string; name: string; token_version: number }>(sql`
    SELECT id, user_id, name, token_version FROM supplier_accounts
    WHERE auth_type = 'oauth' AND status = 'connected' AND is_active
      AND token_expires_at < now() + ${SCHEDULED_REFRESH_WINDOW}::interval
    ORDER BY token_expires_at LIMIT 500`);
  let refreshed = 0;
  let failed = 0;
  await mapLimit(rows, 4, async (r) => {
    try {
      await new AliExpressTokens(db, env, r.id, r.user_id, r.name).refreshVersion(Number(r.token_version));
      refreshed++;
    } catch (err) {
      failed++;
      log.warn('aliexpress scheduled refresh failed', { accountId: r.id, error: err instanceof Error ? err.message : String(err) });
    }
  });
  const alerts = await sendReauthAlerts(db, env);
  return { refreshed, failed, alerts };
}

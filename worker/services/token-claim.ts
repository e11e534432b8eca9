import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { sleep } from '../stores/http';

/**
 * The one refresh protocol for expiring third-party tokens kept on a row
 * (services/shopify-tokens.ts for store connections, services/aliexpress-tokens.ts for
 * supplier accounts). A refresh rotates the tokens and may revoke the previous access
 * token, so two consumers refreshing one row at once would revoke each other's: one
 * consumer claims the refresh with a conditional update on `token_version` and
 * `refresh_claimed_until`, the others poll the row until the version moves and use the
 * new token. Every write after the claim is conditional on the claimed version, so a
 * new authorization that replaced the tokens meanwhile wins.
 */

/** Longer than a token request's own timeout: a crashed claimant frees the row after this. */
const CLAIM_TTL = '30 seconds';
const POLL_MS = 100;
const WAIT_LIMIT_MS = 30_000;

/** The token a source calls with, the row version it came from, and when it expires. */
export interface HeldToken {
  token: string;
  version: number;
  expiresAt: number | null;
}

/** What every token row has; the rest is the subclass's own. */
export type VersionedRow = {
  token_version: number;
  status: string;
};

export abstract class ClaimedTokenSource<Row extends VersionedRow, Claimed extends Record<string, unknown>> {
  private refreshing: Promise<string> | null = null;

  protected constructor(
    protected readonly db: Db,
    private readonly table: 'store_connections' | 'supplier_accounts',
    protected readonly rowId: string,
    /** Refresh this long before the stored expiry, so no call goes out with a token about to lapse. */
    private readonly marginMs: number,
    protected held: HeldToken | null = null,
  ) {}

  /** The row as it is now (throws when it is gone). */
  protected abstract load(): Promise<Row>;
  /** Takes the row's token as the one to call with (throws when the row cannot be called with). */
  protected abstract adopt(row: Row): Promise<HeldToken>;
  /** The columns the claim returns for the refresh. */
  protected abstract readonly claimColumns: SQL;
  /** Refreshes under a won claim and saves the new tokens over `version` (or releases / marks the row). */
  protected abstract refreshClaimed(version: number, claimed: Claimed): Promise<string>;
  /** The retryable error when another consumer's refresh takes longer than the wait limit. */
  protected abstract busy(): Error;

  /** The token to call with, read fresh from the row once per source and refreshed when it expires within the margin. */
  async current(): Promise<string> {
    const held = this.held ?? (await this.adopt(await this.load()));
    if (held.expiresAt !== null && held.expiresAt - Date.now() < this.marginMs) return this.refresh(held.version);
    return held.token;
  }

  /** The platform refused `used`: another consumer's newer token, or a refresh. */
  async rejected(used: string): Promise<string> {
    if (this.held && this.held.token !== used) return this.held.token;
    const row = await this.load();
    if (!this.held || Number(row.token_version) !== this.held.version) return (await this.adopt(row)).token;
    return this.refresh(this.held.version);
  }

  /** One refresh per source in flight; across consumers the claim on the row does the same. */
  protected refresh(version: number): Promise<string> {
    this.refreshing ??= this.claimOrWait(version).finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async claimOrWait(version: number): Promise<string> {
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      const { rows } = await this.db.execute<Claimed>(sql`
        UPDATE ${sql.identifier(this.table)} SET refresh_claimed_until = now() + ${CLAIM_TTL}::interval
        WHERE id = ${this.rowId} AND token_version = ${version} AND status = 'connected'
          AND (refresh_claimed_until IS NULL OR refresh_claimed_until < now())
        RETURNING ${this.claimColumns}`);
      if (rows[0]) return this.refreshClaimed(version, rows[0] as Claimed);
      const row = await this.load();
      if (Number(row.token_version) !== version || row.status !== 'connected') return (await this.adopt(row)).token;
      if (Date.now() > deadline) throw this.busy();
      await sleep(POLL_MS);
    }
  }

  /** Gives the claim back after a refresh that may be tried again. */
  protected async release(version: number): Promise<void> {
    await this.db.execute(sql`UPDATE ${sql.identifier(this.table)} SET refresh_claimed_until = NULL WHERE id = ${this.rowId} AND token_version = ${version}`);
  }

  /** After the new tokens were saved (`version` is the row's new one), or null when a new authorization replaced them meanwhile. */
  protected async settle(saved: { version: number; token: string; expiresAt: number | null } | null): Promise<string> {
    if (!saved) return (await this.adopt(await this.load())).token;
    this.held = saved;
    return saved.token;
  }
}

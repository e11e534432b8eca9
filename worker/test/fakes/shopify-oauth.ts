import { createHmac, randomBytes } from 'node:crypto';
import type { StoreReply, StoreRequest } from './store-common';
import { isObject, parseBody } from './store-common';

/**
 * The OAuth side of the fake Shopify (INTEGRATIONS.md §4c), for any shop object the
 * fake keeps: apps registered with their client id and secret, the authorize step (a
 * test approves it for a shop, as a merchant would on the install screen), the
 * callback signed with the app's secret, and `/admin/oauth/access_token` issuing
 * expiring offline tokens (`expiring=1`) with rotating refresh tokens. One expiring
 * token per app and shop: issuing one revokes the previous access token; an old
 * refresh token works until its replacement is first used, then `invalid_grant`.
 * A merchant's own Dev Dashboard app (one shop) gets tokens by the client credentials
 * grant: `expires_in` 86399, no refresh token.
 */
export interface AccessToken<S> {
  shop: S;
  scopes: string[];
  /** null for a custom app's token and for non-expiring tokens. */
  clientId: string | null;
  expiresAt: number | null;
}

interface RefreshToken<S> {
  shop: S;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  /** The refresh token issued with this one's replacement; using it retires this one. */
  replacedBy: string | null;
}

const ACCESS_TTL_S = 3600;
const REFRESH_TTL_S = 90 * 24 * 3600;
const CODE_TTL_MS = 10 * 60_000;
const CLIENT_CREDENTIALS_TTL_S = 86399;

const token = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

/** How Shopify lists granted scopes: write_X stands for read_X as well. */
function grantedList(requested: string[]): string[] {
  const unique = [...new Set(requested)];
  return unique.filter((s) => !(s.startsWith('read_') && unique.includes(`write_${s.slice('read_'.length)}`)));
}

/** Shopify's signature of a redirect query: hex HMAC-SHA256 of the sorted, form-encoded parameters. */
export function signQuery(params: Record<string, string>, secret: string): string {
  const sorted = Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHmac('sha256', secret).update(new URLSearchParams(sorted).toString()).digest('hex');
}

/** What a test asserts about a shop's tokens: refresh concurrency and calls that failed for want of a live token. */
export interface AuthStats {
  refreshes: number;
  /** Most refresh grants of the shop in flight at once (each takes `refreshDelayMs`). */
  maxConcurrentRefreshes: number;
  /** Refreshes that used a refresh token already used once: two consumers refreshing from the same state. */
  staleRefreshes: number;
  unauthorizedCalls: number;
  /** Admin calls with an access token revoked, before its expiry, by a newer one. */
  revokedTokenCalls: number;
}

export class FakeShopifyOAuth<S extends { name: string }> {
  readonly apps = new Map<string, string>();
  /** A merchant's own Dev Dashboard apps: client id → secret and the one shop (organization) they serve. */
  readonly ownApps = new Map<string, { secret: string; shop: S }>();
  readonly tokens = new Map<string, AccessToken<S>>();
  /** Access tokens a newer token replaced while they were still valid. */
  private readonly revoked = new Map<string, S>();
  private readonly stats = new Map<S, AuthStats & { inFlight: number }>();
  /** How long a refresh grant takes to answer, so overlapping refreshes are observable. */
  refreshDelayMs = 0;
  private readonly refreshTokens = new Map<string, RefreshToken<S>>();
  private readonly codes = new Map<string, { shop: S; clientId: string; scopes: string[]; expiresAt: number }>();
  /** Token endpoint calls, for assertions on refresh concurrency. */
  readonly log: { grant: string; at: number; ok: boolean }[] = [];

  constructor(private readonly origin: () => string) {}

  /** Access for an API call; null when unknown, revoked or expired (Shopify's 401). */
  access(value: string): AccessToken<S> | null {
    const found = this.tokens.get(value);
    if (!found || (found.expiresAt !== null && found.expiresAt <= Date.now())) return null;
    return found;
  }

  statsFor(shop: S): AuthStats & { inFlight: number } {
    let found = this.stats.get(shop);
    if (!found) this.stats.set(shop, (found = { refreshes: 0, maxConcurrentRefreshes: 0, staleRefreshes: 0, unauthorizedCalls: 0, revokedTokenCalls: 0, inFlight: 0 }));
    return found;
  }

  /** Counts an Admin call refused for its token, by the shop the token belonged to. */
  unauthorized(value: string) {
    const shop = this.revoked.get(value) ?? this.tokens.get(value)?.shop;
    if (!shop) return;
    const stats = this.statsFor(shop);
    stats.unauthorizedCalls++;
    if (this.revoked.has(value)) stats.revokedTokenCalls++;
  }

  /** Every token of a shop stops working (the app was uninstalled or the shop removed). */
  revokeShop(shop: S) {
    for (const [k, t] of this.tokens) if (t.shop === shop) this.tokens.delete(k);
    for (const [k, t] of this.refreshTokens) if (t.shop === shop) this.refreshTokens.delete(k);
  }

  /** Makes the shop's current tokens of an app expire now, or in `inMs` (a test skipping the hour). */
  expireShop(shop: S, inMs = 0) {
    for (const t of this.tokens.values()) if (t.shop === shop && t.clientId) t.expiresAt = Date.now() + inMs;
  }

  /**
   * The merchant approves the install screen at `authorizeUrl` for `shop`: answers the
   * callback URL Shopify would redirect to, or an error when the request is not one
   * Shopify would show a screen for.
   */
  approve(shop: S, authorizeUrl: string, grant?: string[], overrides: Record<string, string> = {}): { callback_url?: string; error?: string } {
    const url = new URL(authorizeUrl);
    const clientId = url.searchParams.get('client_id') ?? '';
    const secret = this.apps.get(clientId);
    if (url.pathname !== '/admin/oauth/authorize' || !secret) return { error: 'unknown client_id or not an authorize URL' };
    const redirect = url.searchParams.get('redirect_uri');
    const state = url.searchParams.get('state');
    if (!redirect || !state) return { error: 'redirect_uri and state are required' };
    if (url.searchParams.has('grant_options[]')) return { error: 'online tokens are not modelled' };
    const requested = (url.searchParams.get('scope') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const code = token('');
    this.codes.set(code, { shop, clientId, scopes: grantedList(grant ?? requested), expiresAt: Date.now() + CODE_TTL_MS });
    const params: Record<string, string> = {
      code,
      host: Buffer.from(`admin.shopify.com/store/${shop.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`).toString('base64'),
      shop: this.origin(),
      state,
      timestamp: String(Math.floor(Date.now() / 1000)),
      ...overrides,
    };
    const callback = new URL(redirect);
    for (const [k, v] of Object.entries(params)) callback.searchParams.set(k, v);
    callback.searchParams.set('hmac', signQuery(params, secret));
    return { callback_url: callback.toString() };
  }

  private issue(shop: S, clientId: string, scopes: string[], expiring: boolean, clientCredentialsTtl?: number) {
    // One active token per app and shop: the previous access token stops working now.
    for (const [k, t] of this.tokens) {
      if (t.shop !== shop || t.clientId !== clientId) continue;
      this.tokens.delete(k);
      if (t.expiresAt === null || t.expiresAt > Date.now()) this.revoked.set(k, shop);
    }
    const access = token('shpat_');
    if (clientCredentialsTtl) {
      this.tokens.set(access, { shop, scopes, clientId, expiresAt: Date.now() + clientCredentialsTtl * 1000 });
      return { answer: { access_token: access, scope: grantedList(scopes).join(','), expires_in: clientCredentialsTtl }, refresh: null };
    }
    this.tokens.set(access, { shop, scopes, clientId, expiresAt: expiring ? Date.now() + ACCESS_TTL_S * 1000 : null });
    const answer: Record<string, unknown> = { access_token: access, scope: scopes.join(',') };
    if (expiring) {
      const refresh = token('shprt_');
      this.refreshTokens.set(refresh, { shop, clientId, scopes, expiresAt: Date.now() + REFRESH_TTL_S * 1000, replacedBy: null });
      Object.assign(answer, { expires_in: ACCESS_TTL_S, refresh_token: refresh, refresh_token_expires_in: REFRESH_TTL_S });
      return { answer, refresh };
    }
    return { answer, refresh: null };
  }

  /** POST /admin/oauth/access_token: the code, refresh and client credentials grants. */
  tokenEndpoint(req: StoreRequest): StoreReply {
    const json = parseBody(req.body);
    const input: Record<string, string> = isObject(json)
      ? Object.fromEntries(Object.entries(json).map(([k, v]) => [k, String(v)]))
      : Object.fromEntries(new URLSearchParams(req.body));
    const grant = input.grant_type ?? 'authorization_code';
    const fail = (status: number, error: string, description: string): StoreReply => {
      this.log.push({ grant, at: Date.now(), ok: false });
      return { status, body: { error, error_description: description } };
    };
    if (grant === 'client_credentials') {
      // A Dev Dashboard app's own token: no refresh token, expires in 86399 s; ask again before then.
      const own = this.ownApps.get(input.client_id ?? '');
      if (!own || input.client_secret !== own.secret) return fail(401, 'invalid_client', 'Client authentication failed');
      const scopes = (own.shop as unknown as { scopes?: string[] }).scopes ?? [];
      this.log.push({ grant, at: Date.now(), ok: true });
      // Counted like refreshes: a renewal issues a new token and revokes the previous one.
      const stats = this.statsFor(own.shop);
      stats.refreshes++;
      stats.inFlight++;
      stats.maxConcurrentRefreshes = Math.max(stats.maxConcurrentRefreshes, stats.inFlight);
      setTimeout(() => stats.inFlight--, this.refreshDelayMs);
      const { answer } = this.issue(own.shop, input.client_id, scopes, true, CLIENT_CREDENTIALS_TTL_S);
      return { body: answer, delayMs: this.refreshDelayMs };
    }
    const secret = this.apps.get(input.client_id ?? '');
    if (!secret || input.client_secret !== secret) return fail(401, 'invalid_client', 'Client authentication failed');

    if (grant === 'authorization_code') {
      const code = this.codes.get(input.code ?? '');
      this.codes.delete(input.code ?? '');
      if (!code || code.clientId !== input.client_id || code.expiresAt <= Date.now()) return fail(400, 'invalid_request', 'The authorization code was not found or was already used');
      this.log.push({ grant, at: Date.now(), ok: true });
      return { body: this.issue(code.shop, code.clientId, code.scopes, input.expiring === '1').answer };
    }
    if (grant === 'refresh_token') {
      const old = this.refreshTokens.get(input.refresh_token ?? '');
      if (!old || old.clientId !== input.client_id || old.expiresAt <= Date.now()) return fail(400, 'invalid_grant', 'The refresh token is invalid, expired or revoked');
      // The previous refresh token is retired once its replacement is used.
      for (const [k, t] of this.refreshTokens) if (t.replacedBy === input.refresh_token) this.refreshTokens.delete(k);
      const stats = this.statsFor(old.shop);
      stats.refreshes++;
      if (old.replacedBy) stats.staleRefreshes++;
      stats.inFlight++;
      stats.maxConcurrentRefreshes = Math.max(stats.maxConcurrentRefreshes, stats.inFlight);
      setTimeout(() => stats.inFlight--, this.refreshDelayMs);
      const { answer, refresh } = this.issue(old.shop, old.clientId, old.scopes, true);
      old.replacedBy = refresh;
      this.log.push({ grant, at: Date.now(), ok: true });
      return { body: answer, delayMs: this.refreshDelayMs };
    }
    return fail(400, 'unsupported_grant_type', `grant_type ${grant} is not supported here`);
  }

}

import { api, unwrap } from './client';

const pending = api.connections.shopify.pending[':code'];

/**
 * Installs that start in Shopify (API.md §8.1): after Shopify's authorize screen the
 * worker keeps the install and sends the merchant to /shopify/welcome with a one-time
 * code; the merchant gives it to the shop's own account or to the one they are signed in to.
 */
export const shopifyLaunchApi = {
  /** The shop's own account (created the first time): a token pair with the connection. */
  claim: (code: string) => unwrap(pending.account.$post({ param: { code } })),
  /** The signed-in account: its connection for the shop. */
  attach: (code: string) => unwrap(pending.attach.$post({ param: { code } })),
};

/** What the worker's refusal codes (`?error=`) mean to a merchant. */
export const LAUNCH_ERRORS: Record<string, string> = {
  not_configured: 'The Shopify app is not configured on this SourcePilot server.',
  invalid_request: 'Shopify’s request was incomplete. Open SourcePilot from your Shopify admin again.',
  invalid_hmac: 'Shopify’s signature did not match, so the request was refused. Open SourcePilot from your Shopify admin again.',
  stale_request: 'The request from Shopify was too old. Open SourcePilot from your Shopify admin again.',
  invalid_shop: 'That is not a Shopify store address.',
  invalid_state: 'This install link was already used or has expired. Open SourcePilot from your Shopify admin again.',
  token_exchange_failed: 'Shopify did not hand over access to the store. Try installing again.',
};

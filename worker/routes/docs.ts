import { Scalar } from '@scalar/hono-api-reference';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { toBase64Url } from '../lib/encoding';
import { buildOpenApiDocument, type RouteDoc } from '../lib/openapi';

/** Paths the document leaves out: the docs themselves and the benchmark's dev-only floor. */
export const UNDOCUMENTED = ['/api/v1/openapi.json', '/api/v1/docs', /^\/api\/v1\/__bench\//];

/**
 * The Scalar reference's browser bundle, pinned. It loads from the CDN (not from this
 * worker), so the worker's bundle only carries the page template; its CSP names it.
 */
const SCALAR_VERSION = '1.72.1';
const SCALAR_ORIGIN = 'https://cdn.jsdelivr.net';
const SCALAR_BUNDLE = `${SCALAR_ORIGIN}/npm/@scalar/api-reference@${SCALAR_VERSION}/dist/browser/standalone.js`;

/** Summary and success status of every operation; openapi.test.ts fails when a route is missing here. */
export const ROUTE_DOCS: Record<string, RouteDoc> = {
  'GET /api/v1/health': { summary: 'Service health', status: 200, description: '`status` "ok" and `checks.database` "ok"', errors: { 503: 'The database did not answer: `status` "degraded", `checks.database` "unavailable"' } },
  'POST /api/v1/auth/register': { summary: 'Register', status: 201, description: 'A token pair', errors: { 409: 'A user with this email already exists', 429: 'Too many sign-ups from this address or for this email' } },
  'POST /api/v1/auth/login': { summary: 'Log in', status: 200, description: 'A token pair', errors: { 401: 'Invalid email or password', 429: 'Too many attempts from this address or for this email' } },
  'POST /api/v1/auth/refresh': { summary: 'Refresh the token pair', status: 200, description: 'A new token pair', errors: { 401: 'Invalid or expired refresh token, or the user is gone' } },
  'GET /api/v1/auth/me': { summary: 'The signed-in user', status: 200 },
  'POST /api/v1/auth/forgot-password': { summary: 'Ask for a password reset email', status: 200 },
  'POST /api/v1/auth/provision': { summary: 'Provision a linked account (Dropshipping Platform only)', status: 201, description: '`{user_id, api_key}`' },
  'POST /api/v1/api-keys': { summary: 'Create an API key (the raw key is shown once)', status: 201, errors: { 403: 'API access requires the Pro or Enterprise plan' } },
  'GET /api/v1/api-keys': { summary: 'List API keys', status: 200 },
  'DELETE /api/v1/api-keys/{key_id}': { summary: 'Revoke an API key', status: 204, errors: { 404: 'API key not found' } },
  'GET /api/v1/usage': { summary: "This billing month's usage against the plan", status: 200 },
  'GET /api/v1/admin/metrics': { summary: 'Platform key metrics (service key)', status: 200 },
  'GET /api/v1/stats': { summary: "The merchant's own key figures", status: 200 },
  'POST /api/v1/price-watches': { summary: 'Watch a supplier price (from a URL or a completed import)', status: 201, errors: { 400: 'Unwatchable import or auto-reprice without a store product', 403: 'Price watch limit reached for the plan', 404: 'Import job not found' } },
  'GET /api/v1/price-watches': { summary: 'List price watches with recent prices', status: 200 },
  'POST /api/v1/price-watches/sync': { summary: "Check the caller's price watches now", status: 200 },
  'PUT /api/v1/price-watches/{watch_id}': { summary: 'Change threshold, pause or auto-reprice', status: 200, errors: { 403: 'Price watch limit reached for the plan (re-activating)', 404: 'Price watch not found' } },
  'DELETE /api/v1/price-watches/{watch_id}': { summary: 'Delete a price watch', status: 204, errors: { 404: 'Price watch not found' } },
  'GET /api/v1/price-watches/{watch_id}/history': { summary: 'Price history of a watch', status: 200, errors: { 404: 'Price watch not found' } },
  'POST /api/v1/price-watches/{watch_id}/demo-advance': { summary: 'Move a demo product to its next price (local development only)', status: 200 },
  'GET /api/v1/alerts/settings': { summary: 'Alert channels (email, signed webhook)', status: 200 },
  'PUT /api/v1/alerts/settings': { summary: 'Change alert channels', status: 200 },
  'GET /api/v1/alerts': { summary: 'Recent price and stock alerts', status: 200 },
  'GET /api/v1/suppliers/accounts': { summary: 'List supplier accounts (credentials masked)', status: 200 },
  'POST /api/v1/suppliers/accounts': { summary: 'Add a supplier account', status: 201, errors: { 400: 'An account with this name and platform already exists' } },
  'PUT /api/v1/suppliers/accounts/{account_id}': { summary: 'Change a supplier account', status: 200, errors: { 400: 'An account with this name and platform already exists', 404: 'Supplier account not found' } },
  'DELETE /api/v1/suppliers/accounts/{account_id}': { summary: 'Delete a supplier account', status: 204, errors: { 404: 'Supplier account not found' } },
  'GET /api/v1/connections': { summary: 'List store connections', status: 200 },
  'POST /api/v1/connections': { summary: 'Connect a store', status: 201, errors: { 409: 'Store URL already connected' } },
  'PUT /api/v1/connections/{conn_id}': { summary: 'Change a store connection', status: 200, errors: { 404: 'Store connection not found', 409: 'Store URL already connected' } },
  'DELETE /api/v1/connections/{conn_id}': { summary: 'Disconnect a store', status: 204, errors: { 404: 'Store connection not found' } },
  'POST /api/v1/connections/{conn_id}/default': { summary: 'Make a store the default import target', status: 200, errors: { 404: 'Store connection not found' } },
  'POST /api/v1/connections/{conn_id}/test': { summary: "Check a connection's credentials against the store", status: 200, errors: { 404: 'Store connection not found' } },
  'POST /api/v1/connections/shopify/install': { summary: 'Start installing the Shopify app on a shop', status: 200, description: '`{authorize_url}`: send the merchant there', errors: { 503: 'The Shopify app is not configured on this server' } },
  'GET /api/v1/connections/shopify/callback': { summary: "Shopify's install redirect (public, signed by Shopify)", status: 302, description: 'Redirects to the dashboard with `connected=<conn_id>` or `error=<code>`' },
  'GET /api/v1/products/search': { summary: 'Search a supplier catalogue', status: 200, errors: { 400: 'Invalid source, or no supplier account while the demo catalogue is off', 429: 'Daily supplier call limit reached (Retry-After: seconds to 00:00 UTC)', 502: 'The supplier failed or timed out' } },
  'POST /api/v1/products/preview': { summary: 'Preview a supplier product from its URL', status: 200, errors: { 400: 'Not an http(s) URL, an unsupported supplier URL or no product id in it', 404: 'The supplier has no such product', 429: 'Daily supplier call limit reached (Retry-After: seconds to 00:00 UTC)', 502: 'The supplier failed or timed out' } },
  'GET /api/v1/ai/suggestions': { summary: 'AI sourcing ideas', status: 200, errors: { 502: 'The AI gateway failed or answered unreadably', 503: 'AI gateway not configured' } },
  'POST /api/v1/ai/score-supplier': { summary: 'AI score of a supplier', status: 200, errors: { 502: 'The AI gateway failed or answered unreadably', 503: 'AI gateway not configured' } },
  'GET /api/v1/billing/plans': { summary: 'Plans and their limits', status: 200 },
  'POST /api/v1/billing/checkout': { summary: 'Start a Stripe Checkout for a plan', status: 201 },
  'POST /api/v1/billing/portal': { summary: 'Open the Stripe billing portal', status: 200 },
  'GET /api/v1/billing/current': { summary: 'The current subscription', status: 200 },
  'GET /api/v1/billing/overview': { summary: 'Plan, subscription and usage in one answer', status: 200 },
  'POST /api/v1/webhooks/stripe': { summary: 'Stripe webhook (signed)', status: 200, errors: { 400: 'Invalid webhook signature or Invalid JSON payload' } },
  'POST /api/v1/webhooks/product-scored': { summary: 'TrendScout scored product (imports high scores)', status: 200 },
  'POST /api/v1/imports': { summary: 'Import a product (queued)', status: 201, errors: { 400: 'Invalid source, or a manual import without config.product', 403: 'Import limit reached for the plan', 404: 'Store connection not found' } },
  'POST /api/v1/imports/bulk': { summary: 'Import up to 50 products (queued)', status: 201, errors: { 400: 'Invalid source, or a manual import without config.product', 403: 'Import limit reached for the plan (count + batch)', 404: 'Store connection not found' } },
  'GET /api/v1/imports': { summary: 'List import jobs, newest first', status: 200 },
  'GET /api/v1/imports/{job_id}': { summary: 'One import job', status: 200, errors: { 404: 'Import job not found' } },
  'GET /api/v1/imports/{job_id}/history': { summary: "An import job's history, oldest first", status: 200, errors: { 404: 'Import job not found' } },
  'POST /api/v1/imports/{job_id}/cancel': { summary: 'Cancel a pending or running import', status: 200, errors: { 400: 'Only pending or running jobs can be cancelled', 404: 'Import job not found' } },
  'POST /api/v1/imports/{job_id}/retry': { summary: 'Retry a failed or cancelled import', status: 200, errors: { 400: 'Only failed or cancelled jobs can be retried', 404: 'Import job not found' } },
};

type AnyHono = Parameters<typeof buildOpenApiDocument>[0];
type DocsEnv = { Bindings: AppEnv['Bindings']; Variables: AppEnv['Variables'] & { cspNonce: string } };

/**
 * GET /openapi.json and GET /docs (public, API.md §6). The document is built once per
 * isolate from the app's registered routes and the zod schemas their validators carry.
 */
export function docsRoutes(documentedApp: () => AnyHono) {
  let built: ReturnType<typeof buildOpenApiDocument> | undefined;
  const document = () => {
    built ??= buildOpenApiDocument(documentedApp(), {
      info: {
        title: 'SourcePilot API',
        version: '1.0.0',
        description:
          'Import supplier products into your store, watch supplier prices and automate it with API keys. ' +
          'Authenticate with a bearer access token or, on Pro and Enterprise, an `X-API-Key` (scope `read` for GET, `write` for the rest). ' +
          'Errors are `{"detail": …}`; validation errors are 422 with a list of issues.',
      },
      routes: ROUTE_DOCS,
      exclude: UNDOCUMENTED,
    }).catch((err) => {
      built = undefined;
      throw err;
    });
    return built;
  };

  return new Hono<DocsEnv>()
    .get('/openapi.json', async (c) => c.json(await document(), 200))
    .get(
      '/docs',
      async (c, next) => {
        // The page runs Scalar's bundle and one inline bootstrap script: both carry this
        // nonce, and the global security headers keep this CSP (they do not overwrite).
        const nonce = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
        c.set('cspNonce', nonce);
        c.header(
          'Content-Security-Policy',
          [
            "default-src 'self'",
            `script-src 'nonce-${nonce}' ${SCALAR_ORIGIN}`,
            `style-src 'self' 'unsafe-inline' ${SCALAR_ORIGIN}`,
            `font-src 'self' data: ${SCALAR_ORIGIN} https://fonts.scalar.com`,
            "img-src 'self' data: https:",
            "connect-src 'self'",
            "frame-ancestors 'none'",
          ].join('; '),
        );
        await next();
      },
      Scalar((c) => ({
        url: '/api/v1/openapi.json',
        pageTitle: 'SourcePilot API reference',
        cdn: SCALAR_BUNDLE,
        nonce: (c as Context<DocsEnv>).var.cspNonce,
        withDefaultFonts: false,
        hideClientButton: true,
        // A reference, nothing more: no hosted AI chat, MCP offer, developer toolbar or telemetry
        // (the page's CSP would block their calls to Scalar's servers anyway).
        agent: { disabled: true },
        mcp: { disabled: true },
        showDeveloperTools: 'never',
        telemetry: false,
      })),
    );
}

import { Scalar } from '@scalar/hono-api-reference';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { toBase64Url } from '../lib/encoding';
import { buildOpenApiDocument } from '../lib/openapi';

/** Paths the document leaves out: the docs themselves and the benchmark's dev-only floor. */
export const UNDOCUMENTED = ['/api/v1/openapi.json', '/api/v1/docs', /^\/api\/v1\/__bench\//];

/**
 * The Scalar reference's browser bundle, pinned. It loads from the CDN (not from this
 * worker), so the worker's bundle only carries the page template; its CSP names it.
 */
const SCALAR_VERSION = '1.72.1';
const SCALAR_ORIGIN = 'https://cdn.jsdelivr.net';
const SCALAR_BUNDLE = `${SCALAR_ORIGIN}/npm/@scalar/api-reference@${SCALAR_VERSION}/dist/browser/standalone.js`;

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

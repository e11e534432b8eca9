import { DrizzleQueryError } from 'drizzle-orm/errors';
import { Hono, type Context, type ErrorHandler, type NotFoundHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './env';
import { ApiError, httpErrorFor, ValidationError } from './lib/errors';
import { errorDetails, log } from './lib/log';
import { LOC_TARGET } from './lib/validate';
import { accessLog, parseJsonFirst, withDb } from './middleware/request';
import { apiKeyRoutes } from './routes/api-keys';
import { authRoutes } from './routes/auth';
import { importRoutes } from './routes/imports';
import { importListRoutes } from './routes/import-list';
import { trendscoutRoutes } from './routes/trendscout';
import { usageRoutes } from './routes/usage';
import { metricsRoutes } from './routes/metrics';
import { priceWatchRoutes } from './routes/price-watches';
import { alertEmailConfirmRoutes, alertRoutes } from './routes/alerts';
import { billingRoutes } from './routes/billing';
import { stripeWebhookRoutes } from './routes/stripe-webhook';
import { shopifyWebhookRoutes } from './routes/shopify-webhooks';
import { cjWebhookRoutes } from './routes/cj-webhooks';
import { healthRoutes } from './routes/health';
import { docsRoutes } from './routes/docs';
import { demoImageRoutes } from './routes/demo-images';
import { benchRoutes } from './routes/bench';
import { productRoutes } from './routes/products';
import { aiRoutes } from './routes/ai';
import { connectionRoutes } from './routes/connections';
import { aliexpressOauthRoutes } from './routes/aliexpress-oauth';
import { shopifyOauthRoutes } from './routes/shopify-oauth';
import { wooAuthRoutes } from './routes/woo-auth';
import { supplierAccountRoutes } from './routes/suppliers';
import { DomainError } from './shared/domain-errors';

const api = new Hono<AppEnv>()
  // Public routes that answer before the JSON check and the per-request pool: the health
  // check opens its own pool, the docs need none, and the Stripe webhook reads its raw body
  // itself (answering bad JSON with its own 400) and takes its pool on the route.
  .route('/health', healthRoutes)
  .route('/demo/images', demoImageRoutes)
  .route('/', docsRoutes(() => app))
  .route('/webhooks/stripe', stripeWebhookRoutes)
  .route('/webhooks/shopify', shopifyWebhookRoutes)
  .route('/webhooks/cj', cjWebhookRoutes)
  .use(parseJsonFirst, withDb)
  .route('/auth', authRoutes)
  .route('/api-keys', apiKeyRoutes)
  .route('/usage', usageRoutes)
  .route('/__bench', benchRoutes)
  .route('/', metricsRoutes)
  .route('/price-watches', priceWatchRoutes)
  .route('/alerts/email/confirm', alertEmailConfirmRoutes)
  .route('/alerts', alertRoutes)
  .route('/billing', billingRoutes)
  .route('/products', productRoutes)
  .route('/ai', aiRoutes)
  .route('/suppliers/accounts/aliexpress', aliexpressOauthRoutes)
  .route('/suppliers/accounts', supplierAccountRoutes)
  .route('/connections/shopify', shopifyOauthRoutes)
  .route('/connections/woocommerce', wooAuthRoutes)
  .route('/connections', connectionRoutes)
  .route('/imports', importRoutes)
  .route('/import-list', importListRoutes)
  .route('/webhooks', trendscoutRoutes);

const app = new Hono<AppEnv>({ strict: false });

app.use(requestId({ headerName: 'X-Request-ID' }));
app.use(accessLog);
app.use(
  secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'self'"] },
    xFrameOptions: 'DENY',
    xXssProtection: '1; mode=block',
    strictTransportSecurity: 'max-age=31536000; includeSubDomains',
    referrerPolicy: 'strict-origin-when-cross-origin',
    permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    // A route that sets one of these itself keeps it (the API reference page's CSP).
    overwrite: false,
  }),
);
app.use(
  cors({
    origin: (origin, c) => {
      const allowed = (c.env.CORS_ORIGINS ?? '').split(',').map((o: string) => o.trim());
      return allowed.includes(origin) ? origin : null;
    },
    credentials: true,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    exposeHeaders: ['X-Request-ID', 'Retry-After'],
  }),
);
/** Bodies past 1 MiB are refused before anything reads them (a bulk import of 50 × 2,000-character URLs is ~100 KiB). */
export const MAX_BODY_BYTES = 1024 * 1024;
app.use('/api/v1/*', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json({ detail: 'Request body too large' }, 413) }));

const routes = app.route('/api/v1', api);

export type AppType = typeof routes;

/** Path patterns of every registered route, for telling 405 from 404. */
let routePatterns: { re: RegExp; method: string }[] | undefined;
function methodsFor(path: string): Set<string> {
  routePatterns ??= app.routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => ({
      method: r.method,
      re: new RegExp(`^${r.path.replace(/\/+$/, '').replace(/:[^/]+/g, '[^/]+')}/?$`),
    }));
  return new Set(routePatterns.filter((r) => r.re.test(path)).map((r) => r.method));
}

/** 404 in the contract's shape, or 405 when the path exists under another method. */
export const notFoundHandler: NotFoundHandler<AppEnv> = (c) => {
  const methods = methodsFor(c.req.path);
  if (methods.size && !methods.has(c.req.method)) {
    return c.json({ detail: 'Method Not Allowed' }, 405, { Allow: [...methods].join(', ') });
  }
  return c.json({ detail: 'Not Found' }, 404);
};

/**
 * The request part a service-named field came from: the validated part that holds it
 * (services only name fields of the input a route validated and passed on).
 */
function partHolding(c: Context<AppEnv>, field: string | number): string {
  for (const target of ['json', 'query', 'param'] as const) {
    const data: unknown = c.req.valid(target as never);
    if (data && typeof data === 'object' && field in data) return LOC_TARGET[target]!;
  }
  return LOC_TARGET.json!;
}

/**
 * Contract errors as `{"detail": …}`, domain errors through their one mapping; anything
 * unexpected is logged and answered 500 without internals.
 */
export const errorHandler: ErrorHandler<AppEnv> = (raised, c) => {
  // A statement rejected by the request's auth prelude (middleware/auth.ts) carries the
  // 401 as the cause of drizzle's wrapper.
  const thrown = raised instanceof DrizzleQueryError && raised.cause instanceof ApiError ? raised.cause : raised;
  const err = thrown instanceof DomainError ? (httpErrorFor(thrown, (field) => partHolding(c, field)) ?? thrown) : thrown;
  if (err instanceof ValidationError) return c.json({ detail: err.issues }, 422);
  if (err instanceof ApiError) return c.json({ detail: err.detail }, err.status, err.headers);
  if (err instanceof HTTPException) {
    // Hono's own validator: an empty or unreadable JSON body.
    if (err.status === 400 && /json/i.test(err.message)) {
      return c.json({ detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] }, 422);
    }
    return c.json({ detail: err.message || 'Error' }, err.status);
  }
  log.error('unhandled error', { request_id: c.var.requestId, route: c.req.routePath, ...errorDetails(err) });
  return c.json({ detail: 'Internal Server Error', request_id: c.var.requestId }, 500);
};

app.notFound(notFoundHandler);
app.onError(errorHandler);

export default app;

import type { Hono, MiddlewareHandler } from 'hono';
import { describeRoute, generateSpecs, resolver, uniqueSymbol, type DescribeRouteOptions } from 'hono-openapi';
import type { z } from 'zod';
import type { OpenAPIV3_1 } from 'openapi-types';

type Doc = OpenAPIV3_1.Document;
type Operation = OpenAPIV3_1.OperationObject;
type Responses = NonNullable<Operation['responses']>;

/**
 * Attaches an OpenAPI fragment to a middleware, the way hono-openapi's own validator and
 * describeRoute do: every route that runs the middleware (inline or through `.use()`)
 * gets the fragment merged into its operation. The auth middlewares declare their
 * security and 401/403 this way, the rate limiters their 429.
 */
export function describeMiddleware<M extends MiddlewareHandler>(middleware: M, spec: DescribeRouteOptions): M {
  return Object.assign(middleware, { [uniqueSymbol]: { spec } });
}

const errorBody = (description: string): OpenAPIV3_1.ResponseObject => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** `{"detail": "…"}` responses, keyed by status, for middleware fragments. */
export const errorResponses = (entries: Record<number, string>): Responses =>
  Object.fromEntries(Object.entries(entries).map(([status, description]) => [status, errorBody(description)]));

export const SECURITY_SCHEMES: Record<string, OpenAPIV3_1.SecuritySchemeObject> = {
  bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from /auth/login or /auth/register (15 minutes).' },
  apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key (`so_live_…`, Pro and Enterprise plans); scope `read` for GET, `write` for the rest.' },
  serviceKey: { type: 'apiKey', in: 'header', name: 'X-Service-Key', description: 'The Dropshipping Platform service key (PLATFORM_SERVICE_KEY).' },
};

const COMPONENT_SCHEMAS: Record<string, OpenAPIV3_1.SchemaObject> = {
  Error: {
    type: 'object',
    required: ['detail'],
    properties: { detail: { type: 'string', description: 'A sentence for the user; the exact strings are part of the contract.' } },
  },
  ValidationError: {
    type: 'object',
    required: ['detail'],
    properties: {
      detail: {
        type: 'array',
        items: {
          type: 'object',
          required: ['type', 'loc', 'msg'],
          properties: {
            type: { type: 'string', examples: ['missing', 'string_too_short', 'uuid_parsing', 'enum', 'json_invalid'] },
            loc: { type: 'array', items: { type: ['string', 'integer'] }, examples: [['body', 'product_url']] },
            msg: { type: 'string' },
            input: {},
            ctx: { type: 'object' },
          },
        },
      },
    },
  },
};

/** What a route says about itself in the document, beside the schemas its validators carry. */
export interface RouteDoc {
  summary: string;
  status: number;
  /** What the success answer is, when the summary does not say it. */
  description?: string;
  /** The success body. */
  body?: z.ZodType;
  /** The route's own error answers (`{"detail": …}`), beyond auth, validation and rate limits. */
  errors?: Record<number, string>;
}

/**
 * Describers for one API area: `documented(...)` is the first handler of each route in
 * it, so the route's summary, success answer and errors sit where the route is defined.
 */
export const routeDocs =
  (tag: string) =>
  ({ summary, status, description, body, errors }: RouteDoc): MiddlewareHandler =>
    describeRoute({
      tags: [tag],
      summary,
      responses: {
        [status]: { description: description ?? summary, ...(body ? { content: { 'application/json': { schema: resolver(body) } } } : {}) },
        ...errorResponses(errors ?? {}),
      },
    });

export interface BuildOptions {
  info: OpenAPIV3_1.InfoObject;
  /** Paths served but not part of the API (dev-only routes, the docs themselves). */
  exclude: (string | RegExp)[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/**
 * The OpenAPI 3.1 document of `app`: hono-openapi walks the registered routes, reads the
 * zod schemas the validators carry (request bodies, query and path parameters), the
 * fragments the auth and rate-limit middlewares carry and each route's own description
 * (`routeDocs`); this adds the contract's error answers (422 wherever input is validated,
 * 413 wherever a body is read) and lists the tags.
 */
export async function buildOpenApiDocument(app: Hono<any, any, any>, options: BuildOptions): Promise<Doc> {
  const doc = (await generateSpecs(app, {
    documentation: {
      info: options.info,
      components: { securitySchemes: SECURITY_SCHEMES, schemas: COMPONENT_SCHEMAS },
    },
    includeEmptyPaths: true,
    defaultValidationErrorResponse: false,
    exclude: options.exclude,
  })) as Doc;

  for (const item of Object.values(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item?.[method] as Operation | undefined;
      if (!op) continue;
      const responses: Responses = { ...op.responses };
      const validated = Boolean(op.requestBody) || (op.parameters?.length ?? 0) > 0;
      if (op.requestBody) responses['413'] = errorBody('Request body too large (more than 1 MiB)');
      if (validated) {
        responses['422'] = { description: 'Validation error', content: { 'application/json': { schema: { $ref: '#/components/schemas/ValidationError' } } } };
      }
      op.responses = responses;
      // Context from `.use()` is merged once per handler of the route: keep each requirement once.
      op.security = [...new Map((op.security ?? []).map((req) => [JSON.stringify(req), req])).values()];
    }
  }
  const tags = Object.values(doc.paths ?? {}).flatMap((item) => METHODS.flatMap((m) => (item?.[m] as Operation | undefined)?.tags ?? []));
  doc.tags = [...new Set(tags)].sort().map((name) => ({ name }));
  return doc;
}

import { chunks, money, readJson, redirectError, retryableStatus, sleep, storeFetch } from './http';
import { compareAtAbove, fitOptions } from './shape';
import { PLATFORM_LIMITS } from '../shared/import-list';
import { missingScopes, SHOPIFY_SCOPES } from '../shared/shopify-scopes';
import { StoreError, type ConnectionTest, type PushResult, type StoreConnector, type StoreProductInput } from './types';

/** Shopify's caps: three options and 2,048 variants per product (INTEGRATIONS.md §4a). */
export const SHOPIFY_MAX_OPTIONS = PLATFORM_LIMITS.shopify.options!;
export const SHOPIFY_MAX_VARIANTS = PLATFORM_LIMITS.shopify.variants;
/** Where SourcePilot keeps its own keys on products and variants. */
export const METAFIELD_NAMESPACE = 'sourcepilot';
/** The tag that makes a product findable by supplier key (metafields are not searchable by default). */
export const supplierTag = (supplierKey: string) => `sourcepilot:${supplierKey}`.replace(/,/g, ' ').slice(0, 255);

const THROTTLE_RETRIES = 3;
const MAX_THROTTLE_WAIT_MS = 4_000;
const PAGE = 250;
/** The largest GraphQL answer read (a page of 250 variants with metafields is well under 1 MiB). */
export const SHOPIFY_MAX_BYTES = 4 * 1024 * 1024;

interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}
interface Cost {
  requestedQueryCost?: number;
  throttleStatus?: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}
interface GraphQLResponse<T> {
  data?: T;
  errors?: GraphQLError[] | string;
  extensions?: { cost?: Cost };
}
interface UserError {
  code?: string | null;
  field?: string[] | null;
  message: string;
}
interface VariantNode {
  id: string;
  metafield: { value: string } | null;
}
interface VariantPage {
  nodes: VariantNode[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const VARIANT_FIELDS = `nodes { id metafield(namespace: "${METAFIELD_NAMESPACE}", key: "variant_key") { value } } pageInfo { hasNextPage endCursor }`;

/**
 * Every GraphQL document the connector sends, exported so a test can check each one
 * against Shopify's published schema and the scopes SourcePilot requests.
 */
export const SHOPIFY_DOCUMENTS = {
  // The app's granted scopes need no scope to read: the way to check them all at once.
  testConnection: `query SourcePilotTestConnection { shop { name } currentAppInstallation { accessScopes { handle } } }`,
  location: `query SourcePilotLocation { location { id } }`,
  productVariants: `query SourcePilotProductVariants($id: ID!, $after: String) {
  product(id: $id) { id variants(first: ${PAGE}, after: $after) { ${VARIANT_FIELDS} } }
}`,
  findProduct: `query SourcePilotFindProduct($query: String!) {
  products(first: 5, query: $query) { nodes { id metafield(namespace: "${METAFIELD_NAMESPACE}", key: "supplier_key") { value } } }
}`,
  productSet: `mutation SourcePilotProductSet($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(synchronous: true, input: $input, identifier: $identifier) {
    product { id handle variants(first: ${PAGE}) { ${VARIANT_FIELDS} } }
    userErrors { code field message }
  }
}`,
  variantPrices: `mutation SourcePilotVariantPrices($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants, allowPartialUpdates: false) {
    productVariants { id }
    userErrors { code field message }
  }
}`,
} as const;

function errorText(body: unknown): string | null {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (typeof errors === 'string') return errors;
  if (Array.isArray(errors)) return errors.map((e) => (typeof e === 'string' ? e : (e as GraphQLError)?.message)).filter(Boolean).join('; ');
  if (errors && typeof errors === 'object') return Object.values(errors).flat().join('; ');
  return null;
}

const userErrorText = (errors: UserError[]) => errors.map((e) => (e.field?.length ? `${e.field.join('.')}: ${e.message}` : e.message)).join('; ');

/**
 * Where an expiring token comes from (services/shopify-tokens.ts): the token to call
 * with, and a newer one after the Admin API answered 401 to `used`.
 */
export interface ShopifyTokenSource {
  current(): Promise<string>;
  rejected(used: string): Promise<string>;
}

/** A connector for one shop through the Admin GraphQL API, with a fixed token or an expiring one. */
export class ShopifyConnector implements StoreConnector {
  private readonly endpoint: string;
  private locationId: string | null | undefined;

  constructor(
    private readonly origin: string,
    private readonly credential: string | ShopifyTokenSource,
    apiVersion: string,
    private readonly timeoutMs: number,
  ) {
    this.endpoint = `${origin}/admin/api/${apiVersion}/graphql.json`;
  }

  /**
   * One GraphQL call. Throttled answers wait as long as the bucket needs (from
   * extensions.cost) and try again a bounded number of times; HTTP failures map to
   * retryable or permanent StoreErrors carrying Shopify's own message. With an
   * expiring token, a 401 gets one newer token and one more try.
   */
  private async gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const source = typeof this.credential === 'string' ? null : this.credential;
    let token = source ? await source.current() : (this.credential as string);
    let reauthorized = false;
    for (let attempt = 0; ; attempt++) {
      const res = await storeFetch('Shopify', this.endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Shopify-Access-Token': token },
        body: JSON.stringify({ query, variables }),
      }, this.timeoutMs);
      const redirect = redirectError('Shopify', res);
      if (redirect) throw redirect;
      if (res.status === 401 && source && !reauthorized) {
        await res.body?.cancel();
        reauthorized = true;
        token = await source.rejected(token);
        attempt--;
        continue;
      }
      const body = (await readJson('Shopify', res, SHOPIFY_MAX_BYTES)) as GraphQLResponse<T> | null;

      if (res.status === 429 || (res.ok && this.throttled(body))) {
        if (attempt < THROTTLE_RETRIES) {
          await sleep(this.throttleWait(body, res));
          continue;
        }
        throw new StoreError('Shopify is rate-limiting this app (throttled); the request will be retried', true, 429);
      }
      if (!res.ok) throw this.httpError(res.status, body);
      if (!body) throw new StoreError('Shopify answered with something that is not JSON', true, res.status);
      if (body.errors && (typeof body.errors === 'string' || body.errors.length)) {
        const list = typeof body.errors === 'string' ? [] : body.errors;
        const internal = list.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR');
        throw new StoreError(`Shopify: ${errorText(body)}`, internal);
      }
      if (!body.data) throw new StoreError('Shopify answered without data', true, res.status);
      return body.data;
    }
  }

  private throttled(body: GraphQLResponse<unknown> | null): boolean {
    return Array.isArray(body?.errors) && body.errors.some((e) => e.message === 'Throttled' || e.extensions?.code === 'THROTTLED');
  }

  /** How long until the bucket holds what the query costs, at the shop's restore rate. */
  private throttleWait(body: GraphQLResponse<unknown> | null, res: Response): number {
    const cost = body?.extensions?.cost;
    const status = cost?.throttleStatus;
    if (status && status.restoreRate > 0) {
      const needed = (cost.requestedQueryCost ?? 50) - status.currentlyAvailable;
      return Math.min(MAX_THROTTLE_WAIT_MS, Math.max(50, Math.ceil((needed / status.restoreRate) * 1000)));
    }
    const retryAfter = Number(res.headers.get('Retry-After'));
    return Math.min(MAX_THROTTLE_WAIT_MS, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 1000);
  }

  private httpError(status: number, body: unknown): StoreError {
    const text = errorText(body);
    if (retryableStatus(status)) return new StoreError(`Shopify is unavailable (HTTP ${status})${text ? `: ${text}` : ''}`, true, status);
    const what: Record<number, string> = {
      401: 'Shopify rejected the access token',
      402: 'The Shopify store is frozen (payment required)',
      403: 'The access token lacks a required permission',
      404: 'No Shopify store answers at this URL',
      423: 'The Shopify store is locked',
    };
    return new StoreError(`${what[status] ?? `Shopify refused the request (HTTP ${status})`}${text ? `: ${text}` : ''}`, false, status);
  }

  /**
   * Checks the token and that it holds every scope the pipeline uses (SHOPIFY_SCOPES):
   * a token missing one connects fine but fails imports with ACCESS_DENIED, so the
   * test fails naming what is missing and what it is for.
   */
  async testConnection(): Promise<ConnectionTest> {
    try {
      const data = await this.gql<{ shop: { name: string }; currentAppInstallation: { accessScopes: { handle: string }[] } }>(SHOPIFY_DOCUMENTS.testConnection);
      const missing = missingScopes(data.currentAppInstallation.accessScopes.map((s) => s.handle));
      if (!missing.length) return { ok: true, shop_name: data.shop.name, detail: null };
      const uses = missing.map((scope) => `${scope} (to ${SHOPIFY_SCOPES.find((s) => s.scope === scope)!.use})`);
      return {
        ok: false,
        shop_name: data.shop.name,
        detail: `The access token lacks ${missing.length === 1 ? 'a scope' : 'scopes'} that imports need: ${uses.join(', ')}. Grant ${missing.length === 1 ? 'it' : 'them'} to the app in Shopify, then test again`,
      };
    } catch (err) {
      if (err instanceof StoreError) return { ok: false, shop_name: null, detail: err.message };
      throw err;
    }
  }

  private async primaryLocation(): Promise<string | null> {
    if (this.locationId === undefined) {
      const data = await this.gql<{ location: { id: string } | null }>(SHOPIFY_DOCUMENTS.location);
      this.locationId = data.location?.id ?? null;
    }
    return this.locationId;
  }

  /** Supplier variant key → variant id, over every page of the product's variants. */
  private async variantMap(productId: string, first?: VariantPage): Promise<Record<string, string> | null> {
    const map: Record<string, string> = {};
    let page: VariantPage;
    if (first) page = first;
    else {
      const data: { product: { variants: VariantPage } | null } = await this.gql(SHOPIFY_DOCUMENTS.productVariants, { id: productId, after: null });
      if (!data.product) return null;
      page = data.product.variants;
    }
    for (;;) {
      for (const node of page.nodes) if (node.metafield?.value) map[node.metafield.value] = node.id;
      if (!page.pageInfo.hasNextPage) return map;
      const next: { product: { variants: VariantPage } | null } = await this.gql(SHOPIFY_DOCUMENTS.productVariants, { id: productId, after: page.pageInfo.endCursor });
      if (!next.product) return map;
      page = next.product.variants;
    }
  }

  async upsertProduct(input: StoreProductInput, existingProductId?: string | null): Promise<PushResult> {
    const shaped = fitOptions(input, SHOPIFY_MAX_OPTIONS, SHOPIFY_MAX_VARIANTS);
    const warnings = [...shaped.warnings];

    let productId = existingProductId ?? (await this.findProductBySupplierKey(input.supplierKey))?.productId ?? null;
    let existingVariants: Record<string, string> = {};
    if (productId) {
      const map = await this.variantMap(productId);
      if (map === null) {
        warnings.push('The product this import created earlier no longer exists in the store; created it again');
        productId = null;
      } else existingVariants = map;
    }

    const location = shaped.variants.some((v) => v.stock != null) ? await this.primaryLocation() : null;
    const images = [...new Set([...input.images, ...shaped.variants.map((v) => v.image).filter((i): i is string => !!i)])];
    const productInput = {
      title: input.title,
      descriptionHtml: input.descriptionHtml,
      status: input.published ? 'ACTIVE' : 'DRAFT',
      tags: [...new Set([...input.tags, supplierTag(input.supplierKey)])],
      ...(input.productType ? { productType: input.productType } : {}),
      ...(input.vendor ? { vendor: input.vendor } : {}),
      productOptions: shaped.options.map((o) => ({ name: o.name, values: o.values.map((name) => ({ name })) })),
      files: images.map((originalSource) => ({ originalSource, contentType: 'IMAGE' })),
      metafields: [{ namespace: METAFIELD_NAMESPACE, key: 'supplier_key', type: 'single_line_text_field', value: input.supplierKey }],
      variants: shaped.variants.map((v) => ({
        ...(existingVariants[v.supplierKey] ? { id: existingVariants[v.supplierKey] } : {}),
        optionValues: shaped.options.map((o) => ({ optionName: o.name, name: v.options[o.name] })),
        price: money(v.price),
        compareAtPrice: compareAtAbove(v) != null ? money(compareAtAbove(v)!) : null,
        ...(v.sku ? { sku: v.sku } : {}),
        ...(v.image ? { file: { originalSource: v.image, contentType: 'IMAGE' } } : {}),
        ...(v.stock != null && location
          ? { inventoryItem: { tracked: true }, inventoryQuantities: [{ locationId: location, name: 'available', quantity: Math.max(0, Math.floor(v.stock)) }] }
          : {}),
        metafields: [{ namespace: METAFIELD_NAMESPACE, key: 'variant_key', type: 'single_line_text_field', value: v.supplierKey }],
      })),
    };

    const data = await this.gql<{
      productSet: { product: { id: string; handle: string; variants: VariantPage } | null; userErrors: UserError[] };
    }>(SHOPIFY_DOCUMENTS.productSet, { input: productInput, identifier: productId ? { id: productId } : null });
    const { product, userErrors } = data.productSet;
    if (userErrors.length || !product) {
      throw new StoreError(`Shopify rejected the product: ${userErrors.length ? userErrorText(userErrors) : 'no product returned'}`, false, 422);
    }
    const variantIds = (await this.variantMap(product.id, product.variants)) ?? {};
    const numericId = product.id.split('/').pop();
    return { productId: product.id, variantIds, created: !productId, warnings, url: `${this.origin}/admin/products/${numericId}` };
  }

  async updateVariantPrices(productId: string, prices: { variantId: string; price: number; compareAt: number | null }[]): Promise<void> {
    for (const part of chunks(prices, PAGE)) {
      const data = await this.gql<{ productVariantsBulkUpdate: { userErrors: UserError[] } }>(SHOPIFY_DOCUMENTS.variantPrices, {
        productId,
        variants: part.map((p) => ({ id: p.variantId, price: money(p.price), compareAtPrice: compareAtAbove(p) != null ? money(compareAtAbove(p)!) : null })),
      });
      const errors = data.productVariantsBulkUpdate.userErrors;
      if (errors.length) throw new StoreError(`Shopify rejected the price update: ${userErrorText(errors)}`, false, 422);
    }
  }

  async findProductBySupplierKey(supplierKey: string): Promise<{ productId: string; variantIds: Record<string, string> } | null> {
    const tag = supplierTag(supplierKey).replace(/\\/g, '\\\\').replace(/"/g, '\\"');
    const data = await this.gql<{ products: { nodes: VariantNode[] } }>(SHOPIFY_DOCUMENTS.findProduct, { query: `tag:"${tag}"` });
    // The tag finds candidates; the metafield is the exact key (tags are case-insensitive).
    const match = data.products.nodes.find((n) => n.metafield?.value === supplierKey);
    if (!match) return null;
    const variantIds = await this.variantMap(match.id);
    return variantIds ? { productId: match.id, variantIds } : null;
  }
}

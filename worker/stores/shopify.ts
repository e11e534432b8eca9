import { sha256Hex } from '../lib/encoding';
import { chunks, money, readJson, redirectError, retryableStatus, sleep, storeFetch } from './http';
import { compareAtAbove, fitOptions, type ShapedProduct } from './shape';
import { PLATFORM_LIMITS } from '../shared/import-list';
import { missingScopes, SHOPIFY_SCOPES } from '../shared/shopify-scopes';
import { StoreError, type ConnectionTest, type PushResult, type StoreConnector, type StoreProductInput, type StoreVariantInput } from './types';

/** Shopify's caps: three options and 2,048 variants per product (INTEGRATIONS.md §4a). */
export const SHOPIFY_MAX_OPTIONS = PLATFORM_LIMITS.shopify.options!;
export const SHOPIFY_MAX_VARIANTS = PLATFORM_LIMITS.shopify.variants;
/** Where SourcePilot keeps its own keys on products and variants. */
export const METAFIELD_NAMESPACE = 'sourcepilot';
/** The tag that makes a product findable by supplier key (metafields are not searchable by default). */
export const supplierTag = (supplierKey: string) => `sourcepilot:${supplierKey}`.replace(/,/g, ' ').slice(0, 255);

/** Shopify refuses a single request above 1,000 points; input arrays hold at most 250 items (INTEGRATIONS.md §4e). */
export const SHOPIFY_MAX_QUERY_COST = 1000;
const MAX_ARRAY = 250;
/** What a push plans to spend per request, leaving room for the selection's own cost. */
const COST_BUDGET = 900;
/** productSet's weights (INTEGRATIONS.md §4e): 0.2 per variant + 0.4 per variant metafield (our key); 0.6 per variant file. */
const VARIANT_COST = 0.2 + 0.4;
const VARIANT_FILE_COST = 0.6;
/** At most this many images on create (1.9 points each): the rest of the budget is for variants. */
const MAX_FILES = 200;

/** Variants read per stock query (each brings its inventory item and level: a few points apiece). */
const STOCK_READ_PAGE = 100;
/** Rounds of read → compare-and-swap write when sales keep changing the stock meanwhile. */
const STOCK_CAS_ROUNDS = 3;
/** Sends of one stock write (same idempotency key) when its answer is lost. */
const STOCK_SEND_TRIES = 3;

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
interface StockNode {
  id: string;
  inventoryItem: { id: string; tracked: boolean; inventoryLevel: { quantities: { name: string; quantity: number }[] } | null } | null;
}
/** What the store holds of a product: its options (position order) and variants by supplier key. */
interface ProductState {
  options: { id: string; name: string }[];
  variants: Record<string, string>;
}
/** A variant's stock as one compare-and-swap write sees it. */
interface StockPlan {
  variantId: string;
  inventoryItemId: string;
  /** The supplier's stock: what the variant should show. */
  supplier: number;
  /** `available` when first read: sales after it are taken off the supplier's number. */
  firstRead: number;
  current: number;
  target: number;
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
  product(id: $id) { id options { id name } variants(first: ${PAGE}, after: $after) { ${VARIANT_FIELDS} } }
}`,
  /** Each variant's inventory item and its `available` quantity at the location stock is counted at. */
  variantStock: `query SourcePilotVariantStock($ids: [ID!]!, $locationId: ID!) {
  nodes(ids: $ids) { ... on ProductVariant { id inventoryItem { id tracked inventoryLevel(locationId: $locationId) { quantities(names: ["available"]) { name quantity } } } } }
}`,
  /**
   * Sets stock with compare-and-swap (changeFromQuantity) under an idempotency key, both
   * required since 2026-04 (INTEGRATIONS.md §4e).
   */
  setStock: `mutation SourcePilotSetStock($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) { inventoryAdjustmentGroup { id } userErrors { code field message } }
}`,
  /** Follows a supplier's rename of an option (same position); its values and variants stay. */
  optionRename: `mutation SourcePilotOptionRename($productId: ID!, $option: OptionUpdateInput!) {
  productOptionUpdate(productId: $productId, option: $option) { product { id } userErrors { code field message } }
}`,
  findProduct: `query SourcePilotFindProduct($query: String!) {
  products(first: 5, query: $query) { nodes { id metafield(namespace: "${METAFIELD_NAMESPACE}", key: "supplier_key") { value } } }
}`,
  /** Only for a product's first push (productSet replaces every list it is given). */
  productSet: `mutation SourcePilotProductSet($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(synchronous: true, input: $input, identifier: $identifier) {
    product { id handle media(first: ${PAGE}) { nodes { id } } variants(first: ${PAGE}) { ${VARIANT_FIELDS} } }
    userErrors { code field message }
  }
}`,
  /** A full overwrite's scalar fields and tags; never media, metafields or variants. */
  productUpdate: `mutation SourcePilotProductUpdate($product: ProductUpdateInput!) {
  productUpdate(product: $product) { product { id } userErrors { field message } }
}`,
  variantsCreate: `mutation SourcePilotVariantsCreate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkCreate(productId: $productId, variants: $variants) {
    productVariants { id metafield(namespace: "${METAFIELD_NAMESPACE}", key: "variant_key") { value } }
    userErrors { code field message }
  }
}`,
  variantsDelete: `mutation SourcePilotVariantsDelete($productId: ID!, $variantsIds: [ID!]!) {
  productVariantsBulkDelete(productId: $productId, variantsIds: $variantsIds) { userErrors { code field message } }
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
  /** The shop's bucket as its last answer reported it. */
  private bucket: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number; at: number } | null = null;

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
      const status = body?.extensions?.cost?.throttleStatus;
      if (status) this.bucket = { ...status, at: Date.now() };

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
    return (await this.productState(productId, first))?.variants ?? null;
  }

  /** The product's option names and its variants by supplier key (null: no such product). */
  private async productState(productId: string, first?: VariantPage): Promise<ProductState | null> {
    const map: Record<string, string> = {};
    let options: ProductState['options'] = [];
    let page: VariantPage;
    if (first) page = first;
    else {
      const data: { product: { options: { id: string; name: string }[]; variants: VariantPage } | null } = await this.gql(SHOPIFY_DOCUMENTS.productVariants, { id: productId, after: null });
      if (!data.product) return null;
      options = data.product.options.map((o) => ({ id: o.id, name: o.name }));
      page = data.product.variants;
    }
    for (;;) {
      for (const node of page.nodes) if (node.metafield?.value) map[node.metafield.value] = node.id;
      if (!page.pageInfo.hasNextPage) return { options, variants: map };
      const next: { product: { variants: VariantPage } | null } = await this.gql(SHOPIFY_DOCUMENTS.productVariants, { id: productId, after: page.pageInfo.endCursor });
      if (!next.product) return { options, variants: map };
      page = next.product.variants;
    }
  }

  /**
   * Waits until the shop's bucket (as its last answer reported it, refilled at its
   * restore rate since) holds `cost`, so a big product's batches never hit Throttled.
   */
  private async budget(cost: number): Promise<void> {
    const b = this.bucket;
    if (!b || b.restoreRate <= 0) return;
    const now = Date.now();
    const available = Math.min(b.maximumAvailable, b.currentlyAvailable + ((now - b.at) / 1000) * b.restoreRate);
    if (cost <= available) return;
    await sleep(Math.ceil(((cost - available) / b.restoreRate) * 1000));
  }

  /**
   * First push: productSet creates the product with its images, our metafield and the
   * first slice of variants, sized to stay under Shopify's per-request cost maximum
   * (INTEGRATIONS.md §4e); the rest follow through productVariantsBulkCreate in batches
   * of at most 250, each waiting for the bucket. Later pushes never send productSet
   * (it deletes list entries it is not given: the merchant's metafields, media,
   * collections, tags): prices, SKUs and the supplier's variants are updated, added and
   * removed with the productVariantsBulk* mutations, a supplier's option rename is
   * followed (productOptionUpdate), existing variants' stock is set by compare-and-swap
   * (inventorySetQuantities, syncStock), and only a full overwrite
   * (`input.overwrite`) writes title, description, status and tags with productUpdate.
   * Media are sent on create only.
   */
  async upsertProduct(input: StoreProductInput, existingProductId?: string | null): Promise<PushResult> {
    const shaped = fitOptions(input, SHOPIFY_MAX_OPTIONS, SHOPIFY_MAX_VARIANTS);
    const warnings = [...shaped.warnings];

    let productId = existingProductId ?? (await this.findProductBySupplierKey(input.supplierKey))?.productId ?? null;
    let state: ProductState | null = null;
    if (productId) {
      state = await this.productState(productId);
      if (state === null) {
        warnings.push('The product this import created earlier no longer exists in the store; created it again');
        productId = null;
      }
    }
    const location = shaped.variants.some((v) => v.stock != null) ? await this.primaryLocation() : null;
    const result = productId && state
      ? await this.updateExisting(productId, state, input, shaped, location, warnings)
      : await this.create(input, shaped, location, warnings);
    const numericId = result.productId.split('/').pop();
    return { ...result, warnings, url: `${this.origin}/admin/products/${numericId}` };
  }

  private variantBulkInput(v: StoreVariantInput, options: { name: string }[], location: string | null, currency: string, mediaId?: string) {
    const tracked = v.stock != null && location;
    return {
      optionValues: options.map((o) => ({ optionName: o.name, name: v.options[o.name] })),
      price: money(v.price, currency),
      compareAtPrice: compareAtAbove(v) != null ? money(compareAtAbove(v)!, currency) : null,
      ...(v.sku || tracked ? { inventoryItem: { ...(v.sku ? { sku: v.sku } : {}), ...(tracked ? { tracked: true } : {}) } } : {}),
      ...(tracked ? { inventoryQuantities: [{ locationId: location, availableQuantity: Math.max(0, Math.floor(v.stock!)) }] } : {}),
      ...(mediaId ? { mediaId } : {}),
      metafields: [{ namespace: METAFIELD_NAMESPACE, key: 'variant_key', type: 'single_line_text_field', value: v.supplierKey }],
    };
  }

  private async create(input: StoreProductInput, shaped: ShapedProduct, location: string | null, warnings: string[]) {
    let images = [...new Set([...input.images, ...shaped.variants.map((v) => v.image).filter((i): i is string => !!i)])];
    if (images.length > MAX_FILES) {
      warnings.push(`Sent the first ${MAX_FILES} of ${images.length} images (Shopify's per-request limit)`);
      images = images.slice(0, MAX_FILES);
    }
    const fileSet = new Set(images);
    // productSet's cost (INTEGRATIONS.md §4e): 10 + 1.9 per file + 0.4 per product metafield, then per variant.
    let cost = 10 + 1.9 * images.length + 0.4;
    let first = 0;
    while (first < shaped.variants.length && first < MAX_ARRAY) {
      const v = shaped.variants[first];
      const next = cost + VARIANT_COST + (v.image && fileSet.has(v.image) ? VARIANT_FILE_COST : 0);
      if (next > COST_BUDGET && first > 0) break;
      cost = next;
      first++;
    }
    const slice = shaped.variants.slice(0, first);
    const productInput = {
      title: input.title,
      descriptionHtml: input.descriptionHtml,
      status: input.published ? 'ACTIVE' : 'DRAFT',
      tags: [...new Set([...input.tags, supplierTag(input.supplierKey)])],
      ...(input.productType ? { productType: input.productType } : {}),
      ...(input.vendor ? { vendor: input.vendor } : {}),
      // Only the values the first slice uses: productVariantsBulkCreate adds the others.
      productOptions: shaped.options.map((o) => ({ name: o.name, values: o.values.filter((val) => slice.some((v) => v.options[o.name] === val)).map((name) => ({ name })) })),
      files: images.map((originalSource) => ({ originalSource, contentType: 'IMAGE' })),
      metafields: [{ namespace: METAFIELD_NAMESPACE, key: 'supplier_key', type: 'single_line_text_field', value: input.supplierKey }],
      variants: slice.map((v) => ({
        optionValues: shaped.options.map((o) => ({ optionName: o.name, name: v.options[o.name] })),
        price: money(v.price, input.currency),
        compareAtPrice: compareAtAbove(v) != null ? money(compareAtAbove(v)!, input.currency) : null,
        ...(v.sku ? { sku: v.sku } : {}),
        ...(v.image && fileSet.has(v.image) ? { file: { originalSource: v.image, contentType: 'IMAGE' } } : {}),
        ...(v.stock != null && location
          ? { inventoryItem: { tracked: true }, inventoryQuantities: [{ locationId: location, name: 'available', quantity: Math.max(0, Math.floor(v.stock)) }] }
          : {}),
        metafields: [{ namespace: METAFIELD_NAMESPACE, key: 'variant_key', type: 'single_line_text_field', value: v.supplierKey }],
      })),
    };
    await this.budget(cost);
    const data = await this.gql<{
      productSet: { product: { id: string; handle: string; media: { nodes: { id: string }[] }; variants: VariantPage } | null; userErrors: UserError[] };
    }>(SHOPIFY_DOCUMENTS.productSet, { input: productInput, identifier: null });
    const { product, userErrors } = data.productSet;
    if (userErrors.length || !product) {
      throw new StoreError(`Shopify rejected the product: ${userErrors.length ? userErrorText(userErrors) : 'no product returned'}`, false, 422);
    }
    // Files become media in the order given.
    const media: Record<string, string> = {};
    images.forEach((src, i) => {
      const id = product.media.nodes[i]?.id;
      if (id) media[src] = id;
    });
    const rest = shaped.variants.slice(first);
    if (rest.length) await this.createVariants(product.id, shaped.options, rest, location, media, input.currency);
    const variantIds = (await this.variantMap(product.id, rest.length ? undefined : product.variants)) ?? {};
    return { productId: product.id, variantIds, created: true, media };
  }

  /** productVariantsBulkCreate in batches under the cost budget and the 250-item input limit. */
  private async createVariants(productId: string, options: { name: string }[], variants: StoreVariantInput[], location: string | null, media: Record<string, string>, currency: string) {
    const perBatch = Math.min(MAX_ARRAY, Math.floor((COST_BUDGET - 10) / (VARIANT_COST + VARIANT_FILE_COST)));
    for (const part of chunks(variants, perBatch)) {
      const cost = 10 + part.reduce((sum, v) => sum + VARIANT_COST + (v.image && media[v.image] ? VARIANT_FILE_COST : 0), 0);
      await this.budget(cost);
      const data = await this.gql<{ productVariantsBulkCreate: { userErrors: UserError[] } }>(SHOPIFY_DOCUMENTS.variantsCreate, {
        productId,
        variants: part.map((v) => this.variantBulkInput(v, options, location, currency, v.image ? media[v.image] : undefined)),
      });
      const errors = data.productVariantsBulkCreate.userErrors;
      if (errors.length) throw new StoreError(`Shopify rejected new variants: ${userErrorText(errors)}`, false, 422);
    }
  }

  private async updateExisting(
    productId: string,
    state: ProductState,
    input: StoreProductInput,
    shaped: ShapedProduct,
    location: string | null,
    warnings: string[],
  ) {
    if (input.overwrite) {
      const data = await this.gql<{ productUpdate: { userErrors: UserError[] } }>(SHOPIFY_DOCUMENTS.productUpdate, {
        product: {
          id: productId,
          title: input.title,
          descriptionHtml: input.descriptionHtml,
          status: input.published ? 'ACTIVE' : 'DRAFT',
          tags: [...new Set([...input.tags, supplierTag(input.supplierKey)])],
        },
      });
      const errors = data.productUpdate.userErrors;
      if (errors.length) throw new StoreError(`Shopify rejected the product update: ${userErrorText(errors)}`, false, 422);
    }
    const existing = state.variants;
    const sameOptions = await this.followOptionRenames(productId, state.options, shaped.options.map((o) => o.name));
    const updates = shaped.variants.filter((v) => existing[v.supplierKey]);
    const creates = shaped.variants.filter((v) => !existing[v.supplierKey]);
    const wanted = new Set(shaped.variants.map((v) => v.supplierKey));
    const gone = Object.entries(existing).filter(([key]) => !wanted.has(key)).map(([, id]) => id);

    for (const part of chunks(updates, MAX_ARRAY)) {
      await this.budget(10 + part.length * VARIANT_COST);
      const data = await this.gql<{ productVariantsBulkUpdate: { userErrors: UserError[] } }>(SHOPIFY_DOCUMENTS.variantPrices, {
        productId,
        variants: part.map((v) => ({
          id: existing[v.supplierKey],
          price: money(v.price, input.currency),
          compareAtPrice: compareAtAbove(v) != null ? money(compareAtAbove(v)!, input.currency) : null,
          ...(v.sku ? { inventoryItem: { sku: v.sku } } : {}),
        })),
      });
      const errors = data.productVariantsBulkUpdate.userErrors;
      if (errors.length) throw new StoreError(`Shopify rejected the variant update: ${userErrorText(errors)}`, false, 422);
    }
    if (creates.length && !sameOptions) {
      warnings.push(
        `The supplier's options (${shaped.options.map((o) => o.name).join(', ')}) no longer match the store product's (${state.options.map((o) => o.name).join(', ')}); ` +
          `${creates.length} new variant(s) were not added. Delete the product in the store and import it again to take the new options`,
      );
    } else if (creates.length) {
      await this.createVariants(productId, shaped.options, creates, location, {}, input.currency);
    }
    // A product keeps at least one variant: when the supplier lists none we had, keep them.
    if (gone.length && (updates.length || (creates.length && sameOptions))) {
      for (const part of chunks(gone, MAX_ARRAY)) {
        const data = await this.gql<{ productVariantsBulkDelete: { userErrors: UserError[] } }>(SHOPIFY_DOCUMENTS.variantsDelete, { productId, variantsIds: part });
        const errors = data.productVariantsBulkDelete.userErrors;
        if (errors.length) throw new StoreError(`Shopify refused to remove variants the supplier no longer lists: ${userErrorText(errors)}`, false, 422);
      }
    } else if (gone.length) {
      warnings.push(`The supplier no longer lists any of this product's ${gone.length} variant(s); they were kept in the store`);
    }
    const stocked = updates.filter((v) => v.stock != null).map((v) => ({ variantId: existing[v.supplierKey], stock: Math.max(0, Math.floor(v.stock!)) }));
    if (stocked.length && location) await this.syncStock(productId, stocked, location, input.push ?? null, warnings);
    const variantIds = (await this.variantMap(productId)) ?? {};
    return { productId, variantIds, created: false, media: {} as Record<string, string> };
  }

  /**
   * The supplier's option names against the store product's, by position. Same names:
   * true. Same count and only renames (no new name is another option's current name, so
   * not a reorder): each renamed option follows the supplier through productOptionUpdate
   * (its values and variants stay), then true. Otherwise (a different count, a reorder)
   * the structure changed: false, and nothing is touched.
   */
  private async followOptionRenames(productId: string, store: ProductState['options'], supplier: string[]): Promise<boolean> {
    if (store.length !== supplier.length) return false;
    const renames = store.map((o, i) => ({ id: o.id, from: o.name, to: supplier[i] })).filter((r) => r.from !== r.to);
    if (!renames.length) return true;
    const lower = (n: string) => n.toLowerCase();
    const reorder = renames.some((r) => store.some((o) => o.id !== r.id && lower(o.name) === lower(r.to)));
    if (reorder || new Set(supplier.map(lower)).size !== supplier.length) return false;
    for (const r of renames) {
      const data = await this.gql<{ productOptionUpdate: { userErrors: UserError[] } }>(SHOPIFY_DOCUMENTS.optionRename, { productId, option: { id: r.id, name: r.to } });
      const errors = data.productOptionUpdate.userErrors;
      if (errors.length) throw new StoreError(`Shopify refused to rename the option "${r.from}" to "${r.to}": ${userErrorText(errors)}`, false, 422);
    }
    return true;
  }

  /** Each variant's inventory item and `available` at `location`; null for one not tracked or not stocked there. */
  private async readStock(variantIds: string[], location: string): Promise<Map<string, { inventoryItemId: string; available: number } | null>> {
    const out = new Map<string, { inventoryItemId: string; available: number } | null>();
    for (const part of chunks(variantIds, STOCK_READ_PAGE)) {
      const data = await this.gql<{ nodes: (StockNode | null)[] }>(SHOPIFY_DOCUMENTS.variantStock, { ids: part, locationId: location });
      for (const node of data.nodes) {
        if (!node?.id) continue;
        const item = node.inventoryItem;
        const available = item?.inventoryLevel?.quantities.find((q) => q.name === 'available')?.quantity;
        out.set(node.id, item && item.tracked && typeof available === 'number' ? { inventoryItemId: item.id, available } : null);
      }
    }
    return out;
  }

  /**
   * The supplier's stock on existing variants (SourcePilot owns it: it drives what can be
   * sold). Reads each variant's `available` at the location, then inventorySetQuantities
   * in batches of at most 250 with changeFromQuantity = what was read, so a sale between
   * the read and the write is never overwritten blindly: Shopify answers
   * CHANGE_FROM_QUANTITY_STALE, the batch is read again, the units sold since the first
   * read are taken off the supplier's number, and the write is tried again (at most
   * STOCK_CAS_ROUNDS times; still stale → a warning, the next import sets it). Variants
   * whose tracking the merchant turned off, or not stocked at the location, are left alone.
   */
  private async syncStock(productId: string, list: { variantId: string; stock: number }[], location: string, push: StoreProductInput['push'] | null, warnings: string[]) {
    const read = await this.readStock(list.map((v) => v.variantId), location);
    const plans: StockPlan[] = list.flatMap((v) => {
      const r = read.get(v.variantId);
      return r ? [{ variantId: v.variantId, inventoryItemId: r.inventoryItemId, supplier: v.stock, firstRead: r.available, current: r.available, target: v.stock }] : [];
    });
    // Without a job run (a direct call), one random seed keeps this call's keys apart from any other's.
    const seed = push ? `${push.jobId}:${push.runId}` : crypto.randomUUID();
    let unsettled = 0;
    for (const [batch, part] of chunks(plans.filter((p) => p.current !== p.target), MAX_ARRAY).entries()) {
      let pending = part;
      for (let round = 0; pending.length && round < STOCK_CAS_ROUNDS; round++) {
        const input = {
          name: 'available',
          reason: 'correction',
          referenceDocumentUri: push ? `gid://sourcepilot/ImportJob/${push.jobId}` : null,
          quantities: pending.map((p) => ({ inventoryItemId: p.inventoryItemId, locationId: location, quantity: p.target, changeFromQuantity: p.current })),
        };
        const errors = await this.sendStock(input, await stockKey(seed, productId, batch, round));
        if (!errors.length) {
          pending = [];
          break;
        }
        if (errors.some((e) => e.code !== 'CHANGE_FROM_QUANTITY_STALE')) throw new StoreError(`Shopify refused the stock update: ${userErrorText(errors)}`, false, 422);
        // Sold (or changed) meanwhile: read again and keep what was sold since the first read.
        const now = await this.readStock(pending.map((p) => p.variantId), location);
        pending = pending.flatMap((p) => {
          const r = now.get(p.variantId);
          if (!r) return [];
          const target = Math.max(0, p.supplier - Math.max(0, p.firstRead - r.available));
          return r.available === target ? [] : [{ ...p, current: r.available, target }];
        });
      }
      unsettled += pending.length;
    }
    if (unsettled) warnings.push(`The stock of ${unsettled} variant(s) kept changing in the store while it was being set (sales in progress); it was left as it is and the next import sets it`);
  }

  /**
   * One stock write. A lost answer (timeout, 5xx) is sent again with the same key and
   * input, so Shopify replays the first answer instead of applying it twice; a request
   * still in progress under the key is waited for.
   */
  private async sendStock(input: Record<string, unknown>, key: string): Promise<UserError[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.budget(10);
        const data = await this.gql<{ inventorySetQuantities: { userErrors: UserError[] } | null }>(SHOPIFY_DOCUMENTS.setStock, { input, key });
        const errors = data.inventorySetQuantities?.userErrors ?? [];
        if (attempt < STOCK_SEND_TRIES && errors.some((e) => e.code === 'IDEMPOTENCY_CONCURRENT_REQUEST')) {
          await sleep(250 * attempt);
          continue;
        }
        return errors;
      } catch (err) {
        if (!(err instanceof StoreError) || !err.retryable || attempt >= STOCK_SEND_TRIES) throw err;
        await sleep(250 * attempt);
      }
    }
  }

  async updateVariantPrices(productId: string, prices: { variantId: string; price: number; compareAt: number | null }[], currency?: string): Promise<void> {
    for (const part of chunks(prices, PAGE)) {
      const data = await this.gql<{ productVariantsBulkUpdate: { userErrors: UserError[] } }>(SHOPIFY_DOCUMENTS.variantPrices, {
        productId,
        variants: part.map((p) => ({ id: p.variantId, price: money(p.price, currency), compareAtPrice: compareAtAbove(p) != null ? money(compareAtAbove(p)!, currency) : null })),
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

/**
 * The idempotency key of one stock write: the same (job run, product, batch, round)
 * always gives the same key, so a resent request is answered from Shopify's record of
 * the first; a new round (after a stale compare-and-swap) is a new request with a new key.
 */
async function stockKey(seed: string, productId: string, batch: number, round: number): Promise<string> {
  const h = await sha256Hex(`sourcepilot:stock:${seed}:${productId}:${batch}:${round}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

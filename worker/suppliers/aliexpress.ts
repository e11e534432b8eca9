import { toHex } from '../lib/encoding';
import { mapLimit } from '../lib/map-limit';
import { round2 } from '../lib/round';
import { productUrl } from '../shared/detect';
import { absoluteUrl, num, supplierFetch } from './http';
import {
  SupplierError,
  type NormalizedProduct,
  type NormalizedVariant,
  type PriceQuote,
  type ProductOption,
  type SearchPage,
  type SupplierAdapter,
} from './types';

const LABEL = 'AliExpress';
/** The largest API answer read (a product detail with every SKU is a few hundred KiB). */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/**
 * Where the adapter gets its access token: a pasted one stays as it is; an account linked
 * through SourcePilot's app refreshes it (services/aliexpress-tokens.ts).
 */
export interface AliExpressTokenSource {
  current(): Promise<string>;
  /** AliExpress called `used` invalid or expired: the token to retry with (the same one when there is none). */
  rejected(used: string): Promise<string>;
}

export interface AliExpressCredentials {
  appKey: string;
  appSecret: string;
  tokens: AliExpressTokenSource;
}

export interface AliExpressSettings {
  shipToCountry: string;
  targetCurrency: string;
  targetLanguage: string;
  /** Ask for the simplified response shape (`simplify=true`); both shapes are understood. */
  simplify: boolean;
}

const utf8 = new TextEncoder();

/**
 * The Open Platform signature: every parameter except `sign`, sorted by ASCII name,
 * concatenated as key+value, HMAC-SHA256 with the app secret, uppercase hex. System
 * APIs (names with a "/") get the path in front; business methods on /sync do not.
 */
export async function signAliExpress(params: Record<string, string>, appSecret: string, apiPath?: string): Promise<string> {
  const base = Object.keys(params)
    .filter((k) => k !== 'sign')
    .sort()
    .reduce((acc, k) => acc + k + params[k], apiPath && apiPath.includes('/') ? apiPath : '');
  const key = await crypto.subtle.importKey('raw', utf8.encode(appSecret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return toHex(await crypto.subtle.sign('HMAC', key, utf8.encode(base))).toUpperCase();
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

/**
 * A list field in either response shape: simplified (`[...]`) or wrapped
 * (`{ "<singular_d_t_o>": [...] }`, the default with simplify=false).
 */
export function aeList(value: unknown): Json[] {
  if (Array.isArray(value)) return value.map(obj);
  const o = obj(value);
  const inner = Object.values(o).find(Array.isArray);
  if (inner) return (inner as unknown[]).map(obj);
  // A wrapper holding a single object instead of a one-item array.
  const single = Object.values(o).find((v) => v && typeof v === 'object');
  return single ? [obj(single)] : [];
}

/**
 * Error codes, classified as documented (INTEGRATIONS.md §3d): the DS error table of
 * `aliexpress.ds.product.get` says 602 "Item is not allowed to this country" and 605
 * `ITEM_ID_NOT_FOUND` are permanent, 404 "System Error" (with a space) is transient;
 * gateway codes for rate limits and the platform's own trouble are retryable too.
 * Codes are matched whole, never as substrings of messages (a "System Error" is not
 * a missing item because its code is 404).
 */
const NOT_FOUND_CODES = new Set(['602', '605', 'ITEM_ID_NOT_FOUND', 'PRODUCT_NOT_EXIST', 'ITEM_NOT_FOUND']);
const RETRY_CODES = new Set(['404', 'SYSTEM_ERROR', 'SystemError', 'ApiCallLimit', 'AppCallLimit', 'ServiceUnavailable', 'ServiceTimeout', 'isp.service-unavailable', 'isp.timeout']);
const RETRY_CODE_PATTERN = /^isp\.|CallLimit|Frequency|Throttl|Timeout|Unavailable/i;
/** Invalid or expired access token: a linked account refreshes and tries once more. */
export const TOKEN_CODES = new Set(['IllegalAccessToken', 'InvalidSession', 'SessionExpired', 'InvalidAccessToken']);
const AUTH_CODES = /^(IllegalAccessToken|InvalidSession|SessionExpired|InvalidAccessToken|InvalidAppKey|AppKeyNotExist|IncompleteSignature|InvalidSignature|InsufficientPermission|AppWhiteIpLimit|AccessDenied|InvalidApiPath)$/i;

/** Maps an AliExpress error (error_response or a failed rsp_code) to a merchant-readable SupplierError. */
export function aeError(code: string, message: string, subMessage?: string | null): SupplierError {
  const detail = subMessage && subMessage !== message ? `${message} (${subMessage})` : message;
  if (NOT_FOUND_CODES.has(code)) {
    const what = code === '602' ? 'does not sell this product to the ship-to country' : 'has no such product available';
    return new SupplierError(`${LABEL} ${what}: ${detail}`, false, 404, 'not_found');
  }
  if (AUTH_CODES.test(code)) {
    return new SupplierError(`${LABEL} rejected the supplier account credentials (${code}: ${detail}). Check the app key, secret and access token.`, false, 401, 'auth');
  }
  if (RETRY_CODES.has(code) || RETRY_CODE_PATTERN.test(code)) {
    return new SupplierError(`${LABEL} is busy or had a temporary error (${code}: ${detail}); try again shortly`, true, 503, code === '404' || /system/i.test(code) ? 'unavailable' : 'rate_limited');
  }
  return new SupplierError(`${LABEL} answered with an error (${code}: ${detail})`, false, 400, 'bad_request');
}

/** text.search wants a locale (`en_US`); settings may hold a bare language (`en`, `fr`). */
function searchLocale(language: string): string {
  if (language.includes('_')) return language;
  return language === 'en' ? 'en_US' : `${language}_${language.toUpperCase()}`;
}

export class AliExpressAdapter implements SupplierAdapter {
  readonly source = 'aliexpress' as const;
  readonly mode = 'live' as const;

  constructor(
    private readonly baseUrl: string,
    private readonly creds: AliExpressCredentials,
    private readonly settings: AliExpressSettings,
    private readonly timeoutMs: number,
  ) {}

  /**
   * One business method on /sync; returns the method's `<name>_response` object. An
   * invalid-or-expired-token answer asks the token source once for another token.
   */
  private async call(method: string, business: Record<string, string>): Promise<Json> {
    const token = await this.creds.tokens.current();
    try {
      return await this.callWith(token, method, business);
    } catch (err) {
      if (!(err instanceof TokenRejected)) throw err;
      const next = await this.creds.tokens.rejected(token);
      if (next === token) throw err.error;
      try {
        return await this.callWith(next, method, business);
      } catch (again) {
        throw again instanceof TokenRejected ? again.error : again;
      }
    }
  }

  private async callWith(accessToken: string, method: string, business: Record<string, string>): Promise<Json> {
    const params: Record<string, string> = {
      ...business,
      method,
      app_key: this.creds.appKey,
      timestamp: String(Date.now()),
      sign_method: 'sha256',
      access_token: accessToken,
      format: 'json',
      simplify: String(this.settings.simplify),
    };
    params.sign = await signAliExpress(params, this.creds.appSecret);
    const { body } = await supplierFetch(
      LABEL,
      `${this.baseUrl.replace(/\/+$/, '')}/sync`,
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8' }, body: new URLSearchParams(params).toString() },
      this.timeoutMs,
      MAX_RESPONSE_BYTES,
    );
    const root = obj(body);
    const failure = root.error_response ? obj(root.error_response) : root.code && String(root.code) !== '0' ? root : null;
    if (failure) {
      const code = str(failure.code) ?? 'UNKNOWN';
      const error = aeError(code, str(failure.msg) ?? str(failure.message) ?? 'Unknown error', str(failure.sub_msg));
      throw TOKEN_CODES.has(code) ? new TokenRejected(error) : error;
    }
    const response = obj(root[`${method.replace(/\./g, '_')}_response`]);
    if (!Object.keys(response).length) throw new SupplierError(`${LABEL} sent an unexpected response to ${method}`, true, 502, 'unavailable');
    return response;
  }

  async search(query: string, page: number, pageSize: number): Promise<SearchPage> {
    const response = await this.call('aliexpress.ds.text.search', {
      keyWord: query,
      local: searchLocale(this.settings.targetLanguage),
      countryCode: this.settings.shipToCountry,
      currency: this.settings.targetCurrency,
      pageIndex: String(page),
      pageSize: String(pageSize),
    });
    const rsp = obj(response.data ?? response.result);
    if (response.code !== undefined && !['0', '200'].includes(String(response.code))) {
      throw aeError(String(response.code), str(response.msg) ?? 'Search failed');
    }
    const items = aeList(rsp.products).map((p) => {
      const id = str(p.itemId) ?? str(p.item_id) ?? '';
      const price = num(p.targetSalePrice) ?? num(p.salePrice) ?? num(p.targetOriginalPrice) ?? num(p.originalPrice) ?? 0;
      const image = str(p.itemMainPic);
      const rating = num(p.score);
      return {
        source: this.source,
        sourceProductId: id,
        sourceUrl: str(p.itemUrl) ? absoluteUrl(String(p.itemUrl)) : productUrl('aliexpress', id),
        title: str(p.title) ?? '',
        images: image ? [absoluteUrl(image)] : [],
        currency: str(p.targetSalePriceCurrency) ?? str(p.salePriceCurrency) ?? this.settings.targetCurrency,
        price: round2(price),
        shipping: null,
        rating: rating !== null && rating > 0 ? rating : null,
        orderCount: num(p.orders),
        supplierName: null,
        mode: this.mode,
      };
    });
    return { items, total: num(rsp.totalCount) ?? items.length };
  }

  private async productGet(productId: string): Promise<Json> {
    const response = await this.call('aliexpress.ds.product.get', {
      product_id: productId,
      ship_to_country: this.settings.shipToCountry,
      target_currency: this.settings.targetCurrency,
      target_language: this.settings.targetLanguage.split('_')[0].toUpperCase(),
      remove_personal_benefit: 'false',
    });
    const code = str(response.rsp_code);
    if (code && code !== '200' && code !== '0') throw aeError(code, str(response.rsp_msg) ?? 'Product lookup failed');
    const result = obj(response.result);
    if (!Object.keys(result).length) throw new SupplierError(`${LABEL} has no such product available: ${productId}`, false, 404, 'not_found');
    return result;
  }

  async getProduct(productId: string, sourceUrl?: string | null): Promise<NormalizedProduct> {
    return normalizeAliExpressProduct(await this.productGet(productId), productId, sourceUrl ?? null, this.settings.targetCurrency);
  }

  /**
   * The DS API has no batch price call: one product.get per id, a few at a time. One
   * product's failure is that product's answer (its SupplierError), never the others';
   * a missing product is absent. Only rejected credentials, which fail every product
   * alike, fail the whole call.
   */
  async getPrices(productIds: string[]): Promise<Map<string, PriceQuote | SupplierError>> {
    const answers = await mapLimit(productIds, 3, async (id): Promise<[string, PriceQuote | SupplierError | null]> => {
      try {
        const p = await this.getProduct(id);
        return [id, { sourceProductId: id, currency: p.currency, price: p.price, variants: p.variants.map((v) => ({ key: v.key, price: v.price, stock: v.stock })) }];
      } catch (err) {
        if (!(err instanceof SupplierError) || err.kind === 'auth') throw err;
        return [id, err.kind === 'not_found' ? null : err];
      }
    });
    return new Map(answers.filter((a): a is [string, PriceQuote | SupplierError] => a[1] !== null));
  }
}

/** An invalid-or-expired-token answer, carried up to `call` for one retry with another token. */
class TokenRejected extends Error {
  constructor(readonly error: SupplierError) {
    super(error.message);
  }
}

/** `aliexpress.ds.product.get`'s result, in either shape, as a NormalizedProduct. */
export function normalizeAliExpressProduct(result: Json, productId: string, sourceUrl: string | null, fallbackCurrency: string): NormalizedProduct {
  const base = obj(result.ae_item_base_info_dto);
  const media = obj(result.ae_multimedia_info_dto);
  const store = obj(result.ae_store_info);
  const images = (str(media.image_urls) ?? '')
    .split(';')
    .map((u) => u.trim())
    .filter(Boolean)
    .map(absoluteUrl);

  const options: ProductOption[] = [];
  const variants: NormalizedVariant[] = aeList(result.ae_item_sku_info_dtos).map((sku, index) => {
    const props = aeList(sku.ae_sku_property_dtos);
    const chosen: Record<string, string> = {};
    let image: string | null = null;
    for (const prop of props) {
      const name = str(prop.sku_property_name) ?? `Option ${options.length + 1}`;
      const value = str(prop.property_value_definition_name) ?? str(prop.sku_property_value) ?? str(prop.property_value_id) ?? '';
      chosen[name] = value;
      let option = options.find((o) => o.name === name);
      if (!option) options.push((option = { name, values: [] }));
      if (!option.values.includes(value)) option.values.push(value);
      image ??= str(prop.sku_image) ? absoluteUrl(String(prop.sku_image)) : null;
    }
    const list = num(sku.sku_price);
    const sale = num(sku.offer_sale_price) ?? list ?? 0;
    return {
      key: str(sku.sku_attr) ?? str(sku.sku_id) ?? `sku-${index}`,
      sku: str(sku.sku_code) ?? str(sku.sku_id),
      options: chosen,
      price: round2(sale),
      compareAt: list !== null && list > sale ? round2(list) : null,
      stock: num(sku.sku_available_stock),
      image,
    };
  });
  const skuCurrency = aeList(result.ae_item_sku_info_dtos).map((s) => str(s.currency_code)).find(Boolean);
  const rating = num(base.avg_evaluation_rating);
  return {
    source: 'aliexpress',
    sourceProductId: str(base.product_id) ?? productId,
    sourceUrl: sourceUrl ?? productUrl('aliexpress', productId),
    title: str(base.subject) ?? '',
    descriptionHtml: str(base.detail) ?? str(base.mobile_detail) ?? '',
    images,
    options,
    variants,
    currency: skuCurrency ?? str(base.currency_code) ?? fallbackCurrency,
    price: variants.length ? Math.min(...variants.map((v) => v.price)) : 0,
    // product.get gives a delivery estimate but no freight price; a cost needs freight.query.
    shipping: null,
    rating: rating !== null && rating > 0 ? rating : null,
    orderCount: num(base.sales_count),
    supplierName: str(store.store_name),
    mode: 'live',
  };
}

import { sha256Hex } from '../lib/encoding';
import { round2 } from '../lib/round';
import { productUrl } from '../shared/detect';
import { num, supplierFetch } from './http';
import {
  SupplierError,
  type NormalizedProduct,
  type NormalizedVariant,
  type PriceQuote,
  type ProductOption,
  type ProductSummary,
  type SearchPage,
  type SupplierAdapter,
} from './types';

const LABEL = 'CJ Dropshipping';
/** The largest API answer read (a product with its variants, or a page of a list, is well under 1 MiB). */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** CJ allows getAccessToken once per 5 minutes per account. */
const TOKEN_CALL_INTERVAL_S = 300;
/** Renew a little before CJ's stated expiry rather than fail on the boundary. */
const EXPIRY_MARGIN_MS = 10 * 60_000;
/** KV keys (versioned; the token cache shares PREVIEW_CACHE but not its prefix). */
const tokenKey = (hash: string) => `v1:cj-token:${hash}`;
const tokenLockKey = (hash: string) => `v1:cj-token-lock:${hash}`;

export interface CjSettings {
  /** The account's request budget (CJ: 1/s for free accounts, 2, 4 or 6 by level). */
  requestsPerSecond: number;
  /**
   * The merchant's destination: used only for CJ's freight quote (shipping cost and
   * delivery time), never as `countryCode`, which CJ reads as a warehouse (§3e).
   */
  shipToCountry: string | null;
  /**
   * The warehouse the merchant chose (supplier account setting `warehouse_country`):
   * sent as `countryCode` to listV2 / product query / variant query. Null = every
   * warehouse (no filter), so China-stocked products are never dropped.
   */
  warehouseCountry: string | null;
}

/**
 * CJ's points per call since 2026-06-01 (INTEGRATIONS §3e): 50,000 base points per
 * account and day; a list costs 50, a product / variant / stock query 10.
 */
export const CJ_POINTS = { list: 50, query: 10, variant: 10, stock: 10 } as const;
export const CJ_DAILY_POINTS = 50_000;
/** What one product's price check costs: its variants plus its stock (getPrices). */
export const CJ_PRICE_CHECK_POINTS = CJ_POINTS.variant + CJ_POINTS.stock;

interface CachedToken {
  /** CJ's account id: the key of its webhook `sign` header (INTEGRATIONS §3e). */
  openId?: string | null;
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string | null;
  refreshExpiresAt: number;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

/** Error codes from CJ's global code table that mean "try again later". */
const RETRYABLE = new Set([1600000, 1600200]);
const TOKEN_INVALID = new Set([1600001, 1600002]);
const NOT_FOUND = new Set([1602000, 1602001]);

function cjError(code: number, message: string): SupplierError {
  if (NOT_FOUND.has(code)) return new SupplierError(`${LABEL} has no such product: ${message}`, false, 404, 'not_found');
  if (code === 1600200) return new SupplierError(`${LABEL} is rate-limiting requests (${message}); try again in a few seconds`, true, 429, 'rate_limited');
  if (code === 1600201) return new SupplierError(`${LABEL} request quota is used up for today (${message})`, false, 429, 'rate_limited');
  if (RETRYABLE.has(code)) return new SupplierError(`${LABEL} is busy (${message}); try again shortly`, true, 503, 'unavailable');
  if (TOKEN_INVALID.has(code) || (code >= 1600003 && code <= 1600031))
    return new SupplierError(`${LABEL} rejected the supplier account's API key (${message}). Check the key in Suppliers.`, false, 401, 'auth');
  return new SupplierError(`${LABEL} answered with an error (${code}: ${message})`, false, 400, 'bad_request');
}

/**
 * Spaces requests to the account's rate. It lives in one adapter, i.e. one request or
 * one queue batch: CJ counts per account across all callers, so concurrent invocations
 * can still collide, and those rare 1600200/429 answers surface as retryable errors
 * (queue consumers retry with backoff).
 */
class Pacer {
  private nextAt = 0;
  constructor(private readonly intervalMs: number) {}
  async wait(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + this.intervalMs;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }
}

export class CjAdapter implements SupplierAdapter {
  readonly source = 'cjdropship' as const;
  readonly mode = 'live' as const;
  private readonly pacer: Pacer;
  private token: string | null = null;
  private keyHash: string | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly settings: CjSettings,
    private readonly kv: KVNamespace,
    private readonly timeoutMs: number,
  ) {
    const rate = Math.min(Math.max(settings.requestsPerSecond, 0.2), 30);
    // A small margin: CJ measures arrival times, not our send times.
    this.pacer = new Pacer(Math.ceil(1000 / rate) + 25);
  }

  private url(path: string) {
    return `${this.baseUrl.replace(/\/+$/, '')}${path}`;
  }

  /**
   * One paced HTTP call; returns the envelope's code, data and message. A rate-limit
   * answer (1600200 or HTTP 429), typically another invocation using the same account
   * a moment earlier, is retried twice after the pacing interval; token endpoints are
   * not retried (their limits are per minutes, not per second).
   */
  private async send(path: string, init: RequestInit): Promise<{ code: number; data: unknown; message: string }> {
    const retries = path.startsWith('/authentication/') ? 0 : 2;
    for (let attempt = 0; ; attempt++) {
      await this.pacer.wait();
      let status: number;
      let body: unknown;
      try {
        ({ status, body } = await supplierFetch(LABEL, this.url(path), init, this.timeoutMs, MAX_RESPONSE_BYTES));
      } catch (err) {
        if (err instanceof SupplierError && err.status === 429 && attempt < retries) continue;
        throw err;
      }
      const env = obj(body);
      const code = typeof env.code === 'number' ? env.code : Number(env.code ?? status);
      if (code === 1600200 && attempt < retries) continue;
      return { code, data: env.data, message: str(env.message) ?? `HTTP ${status}` };
    }
  }

  private async hash() {
    this.keyHash ??= (await sha256Hex(`cj:${this.apiKey}`)).slice(0, 40);
    return this.keyHash;
  }

  private async storeToken(data: unknown): Promise<string> {
    const d = obj(data);
    const accessToken = str(d.accessToken);
    if (!accessToken) throw new SupplierError(`${LABEL} sent no access token`, true, 502, 'unavailable');
    const now = Date.now();
    const cached: CachedToken = {
      openId: str(d.openId),
      accessToken,
      accessExpiresAt: Date.parse(str(d.accessTokenExpiryDate) ?? '') || now + 15 * 86_400_000,
      refreshToken: str(d.refreshToken),
      refreshExpiresAt: Date.parse(str(d.refreshTokenExpiryDate) ?? '') || now + 180 * 86_400_000,
    };
    const ttl = Math.max(60, Math.floor((Math.max(cached.refreshExpiresAt, cached.accessExpiresAt) - now) / 1000));
    await this.kv.put(tokenKey(await this.hash()), JSON.stringify(cached), { expirationTtl: ttl });
    return accessToken;
  }

  /**
   * An access token from KV while it is valid; else refreshAccessToken while the
   * refresh token is; else getAccessToken, at most once per 5 minutes per account
   * (a KV marker enforces it across invocations).
   */
  private async accessToken(forceNew = false): Promise<string> {
    if (this.token && !forceNew) return this.token;
    const hash = await this.hash();
    const cached = await this.kv.get<CachedToken>(tokenKey(hash), 'json');
    const now = Date.now();
    if (cached && !forceNew && cached.accessExpiresAt - EXPIRY_MARGIN_MS > now) return (this.token = cached.accessToken);

    if (cached?.refreshToken && cached.refreshExpiresAt > now) {
      const r = await this.send('/authentication/refreshAccessToken', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refreshToken: cached.refreshToken }),
      });
      if (r.code === 200) return (this.token = await this.storeToken(r.data));
      if (RETRYABLE.has(r.code)) throw cjError(r.code, r.message);
      // An invalid refresh token falls through to a new token.
    }

    const tooSoon = () =>
      new SupplierError(`${LABEL} allows a new access token only once every 5 minutes; try again in a few minutes`, true, 429, 'rate_limited');
    if (await this.kv.get(tokenLockKey(hash))) {
      const fresh = await this.awaitOtherToken(hash, cached?.accessToken);
      if (fresh) return (this.token = fresh);
      throw tooSoon();
    }
    await this.kv.put(tokenLockKey(hash), String(now), { expirationTtl: TOKEN_CALL_INTERVAL_S });
    const r = await this.send('/authentication/getAccessToken', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiKey: this.apiKey }),
    });
    if (r.code === 1600200) {
      // KV has no compare-and-set: two invocations can both miss the marker, and CJ
      // refuses the second. The first one's token is about to land in KV.
      const fresh = await this.awaitOtherToken(hash, cached?.accessToken);
      if (fresh) return (this.token = fresh);
      throw tooSoon();
    }
    if (r.code !== 200) throw cjError(r.code, r.message);
    return (this.token = await this.storeToken(r.data));
  }

  /** Another invocation is fetching a token: wait up to ~2 s for it to appear in KV. */
  private async awaitOtherToken(hash: string, previous: string | undefined): Promise<string | null> {
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const fresh = await this.kv.get<CachedToken>(tokenKey(hash), 'json');
      if (fresh && fresh.accessToken !== previous && fresh.accessExpiresAt > Date.now()) return fresh.accessToken;
    }
    return null;
  }

  /** A GET on the product API with the access token; a rejected token is renewed once. */
  private async get(path: string, query: Record<string, string | number | undefined>): Promise<unknown> {
    const qs = new URLSearchParams(Object.entries(query).filter((e): e is [string, string | number] => e[1] !== undefined).map(([k, v]) => [k, String(v)]));
    return this.call(`${path}?${qs}`, 'GET');
  }

  /** A JSON POST with the access token (freight, webhooks); a rejected token is renewed once. */
  private post(path: string, body: unknown): Promise<unknown> {
    return this.call(path, 'POST', JSON.stringify(body));
  }

  private async call(target: string, method: 'GET' | 'POST', body?: string): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken(attempt > 0);
      const headers: Record<string, string> = { 'CJ-Access-Token': token };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const r = await this.send(target, { method, headers, body });
      if (r.code === 200) return r.data;
      if (TOKEN_INVALID.has(r.code) && attempt === 0) {
        this.token = null;
        continue;
      }
      throw cjError(r.code, r.message);
    }
  }

  async search(query: string, page: number, pageSize: number): Promise<SearchPage> {
    // listV2 serves pages 1–1000; past that only the total is worth asking for.
    const beyond = page > 1000;
    const data = obj(
      await this.get('/product/listV2', {
        keyWord: query,
        page: beyond ? 1 : page,
        size: beyond ? 1 : pageSize,
        countryCode: this.settings.warehouseCountry ?? undefined,
      }),
    );
    const rows = (Array.isArray(data.content) ? data.content : []).flatMap((c) => {
      const list = obj(c).productList;
      return Array.isArray(list) ? list.map(obj) : [];
    });
    const items: ProductSummary[] = beyond ? [] : rows.map((p) => this.summary(p));
    return { items, total: num(data.totalRecords) ?? items.length };
  }

  private summary(p: Json): ProductSummary {
    const id = str(p.id) ?? str(p.pid) ?? '';
    const image = str(p.bigImage) ?? str(p.productImage);
    return {
      source: this.source,
      sourceProductId: id,
      sourceUrl: productUrl('cjdropship', id),
      title: str(p.nameEn) ?? str(p.productNameEn) ?? '',
      images: image ? [image] : [],
      currency: 'USD',
      price: round2(num(p.nowPrice) ?? num(p.sellPrice) ?? 0),
      shipping: null,
      rating: null,
      orderCount: null,
      supplierName: LABEL,
      mode: this.mode,
    };
  }

  private async variantsAndStock(pid: string) {
    const variants = await this.get('/product/variant/query', { pid, countryCode: this.settings.warehouseCountry ?? undefined });
    const inventory = obj(await this.get('/product/stock/getInventoryByPid', { pid }));
    const stock = new Map<string, number>();
    for (const v of Array.isArray(inventory.variantInventories) ? inventory.variantInventories.map(obj) : []) {
      const rows = Array.isArray(v.inventory) ? v.inventory.map(obj) : [];
      const vid = str(v.vid);
      if (vid) stock.set(vid, rows.reduce((sum, r) => sum + (num(r.totalInventory) ?? num(r.totalInventoryNum) ?? 0), 0));
    }
    return { variants: Array.isArray(variants) ? variants.map(obj) : [], stock };
  }

  async getProduct(productId: string, sourceUrl?: string | null): Promise<NormalizedProduct> {
    const product = obj(await this.get('/product/query', { pid: productId, countryCode: this.settings.warehouseCountry ?? undefined }));
    const { variants, stock } = await this.variantsAndStock(productId);
    const normalized = normalizeCjProduct(product, variants.length ? variants : Array.isArray(product.variants) ? product.variants.map(obj) : [], stock, productId, sourceUrl ?? null);
    if (this.settings.shipToCountry && normalized.variants.length) normalized.shipping = await this.freight(normalized.variants[0].key, this.settings.shipToCountry);
    return normalized;
  }

  /**
   * Shipping of one unit to `destination`: CJ's freight endpoint (the cheapest line),
   * from the chosen warehouse or else China. Null when CJ has no line or fails: a
   * product is still importable without a shipping estimate.
   */
  async freight(vid: string, destination: string): Promise<{ cost: number; days: number | null } | null> {
    try {
      const data = await this.post('/logistic/freightCalculate', {
        startCountryCode: this.settings.warehouseCountry ?? 'CN',
        endCountryCode: destination,
        products: [{ quantity: 1, vid }],
      });
      const lines = (Array.isArray(data) ? data.map(obj) : [])
        .map((l) => ({ cost: num(l.logisticPrice), aging: str(l.logisticAging) }))
        .filter((l): l is { cost: number; aging: string | null } => l.cost !== null && l.cost >= 0);
      if (!lines.length) return null;
      const best = lines.reduce((a, b) => (b.cost < a.cost ? b : a));
      const days = best.aging ? Math.max(...(best.aging.match(/\d+/g) ?? []).map(Number)) : null;
      return { cost: round2(best.cost), days: days !== null && Number.isFinite(days) ? days : null };
    } catch (err) {
      if (err instanceof SupplierError && err.kind === 'auth') throw err;
      return null;
    }
  }

  /** CJ's openId of this account (from the token answer); null when CJ did not send one. */
  async openId(): Promise<string | null> {
    await this.accessToken();
    const cached = await this.kv.get<CachedToken>(tokenKey(await this.hash()), 'json');
    return cached?.openId ?? null;
  }

  /** `POST /webhook/set`: product and stock messages to `callbackUrl` (ENABLE), or off (CANCEL). */
  async setWebhooks(callbackUrl: string, enable: boolean): Promise<void> {
    const entry = { type: enable ? 'ENABLE' : 'CANCEL', callbackUrls: [callbackUrl] };
    await this.post('/webhook/set', { product: entry, stock: entry });
  }

  /** Subscribes (or unsubscribes) products to CJ's product webhook, ≤ 100 ids a call. */
  async subscribeProducts(productIds: string[], subscribe: boolean): Promise<void> {
    for (let i = 0; i < productIds.length; i += 100) {
      await this.post(subscribe ? '/webhook/product/subscribe' : '/webhook/product/unsubscribe', { productIds: productIds.slice(i, i + 100) });
    }
  }

  async getPrices(productIds: string[]): Promise<Map<string, PriceQuote>> {
    // Sequential: the pacer allows one call per interval anyway.
    const out = new Map<string, PriceQuote>();
    for (const pid of productIds) {
      try {
        const { variants, stock } = await this.variantsAndStock(pid);
        if (!variants.length) continue;
        const list = variants.map((v) => ({ key: str(v.vid) ?? '', price: round2(num(v.variantSellPrice) ?? 0), stock: stock.get(str(v.vid) ?? '') ?? null }));
        out.set(pid, { sourceProductId: pid, currency: 'USD', price: Math.min(...list.map((v) => v.price)), variants: list });
      } catch (err) {
        if (err instanceof SupplierError && err.kind === 'not_found') continue;
        throw err;
      }
    }
    return out;
  }
}

function imagesOf(product: Json): string[] {
  const set = Array.isArray(product.productImageSet) ? product.productImageSet.filter((u): u is string => typeof u === 'string') : [];
  if (set.length) return set;
  const single = str(product.productImage);
  if (!single) return [];
  // productImage is sometimes a JSON array serialised into the string.
  if (single.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(single);
      if (Array.isArray(parsed)) return parsed.filter((u): u is string => typeof u === 'string');
    } catch {
      // Not JSON after all: a single URL.
    }
  }
  return single.split(',').map((u) => u.trim()).filter(Boolean);
}

/** A variantKey's pieces: the JSON-array form as sent, else the "-"-joined form split. */
function keyPieces(key: string): { pieces: string[]; exact: boolean } {
  const t = key.trim();
  if (t.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(t);
      if (Array.isArray(parsed) && parsed.length && parsed.every((x) => typeof x === 'string' || typeof x === 'number')) {
        return { pieces: parsed.map((x) => String(x).trim()), exact: true };
      }
    } catch {
      // Not JSON after all: a plain key.
    }
  }
  return { pieces: t.split('-').map((x) => x.trim()), exact: false };
}

/** Every way to cut `pieces` into `n` contiguous non-empty groups, each joined with "-". */
function compositions(pieces: string[], n: number): string[][] {
  if (n === 1) return [[pieces.join('-')]];
  const out: string[][] = [];
  for (let i = 1; i <= pieces.length - n + 1; i++) {
    for (const rest of compositions(pieces.slice(i), n - 1)) out.push([pieces.slice(0, i).join('-'), ...rest]);
  }
  return out;
}

/** How natural a "-" between two pieces is inside one value: ranges ("2-3Y", "100-110cm") and short prefixes ("T-Shirt"). */
function joinAffinity(group: string): number {
  const parts = group.split('-');
  let score = 0;
  for (let i = 1; i < parts.length; i++) {
    if (/\d$/.test(parts[i - 1]) && /^\d/.test(parts[i])) score += 2;
    else if (parts[i - 1].length <= 2) score += 1;
  }
  return score;
}

/**
 * Option values per variant for the product's option names (`productKeyEn`, "-"-joined):
 * `variantKey`'s JSON-array form is taken as sent; the "-"-joined form is split with the
 * product's own option count, extra pieces merged back into the value they belong to
 * (INTEGRATIONS §3e: values such as "2-3Y", "100-110cm", "T-Shirt" contain "-"). Which
 * merge: the one whose values also occur in the product's other variants, then the one
 * joining ranges or short prefixes, then the last option. When a variant cannot give a
 * value for every option, or two variants would collide, the product falls back to one
 * option holding the whole key: never a variant whose values disagree with the options.
 */
export function cjVariantOptions(productKeyEn: string | null, variantKeys: string[]): { names: string[]; values: string[][] } {
  const axes = (productKeyEn ?? '').split('-').map((x) => x.trim()).filter(Boolean);
  const parsed = variantKeys.map(keyPieces);
  const whole = () => {
    const name = axes.length === 1 ? axes[0] : axes.length ? axes.join(' / ') : 'Variant';
    return { names: [name], values: parsed.map((p, i) => [p.exact ? p.pieces.join(' / ') : variantKeys[i].trim()]) };
  };
  if (axes.length <= 1) return whole();
  if (parsed.some((p) => p.pieces.length < axes.length || p.pieces.some((x) => !x))) return whole();
  if (parsed.some((p) => p.exact && p.pieces.length !== axes.length)) return whole();

  // Values seen for each option in unambiguous keys, then in every candidate cut (weaker evidence).
  const known = axes.map(() => new Map<string, number>());
  const candidates = parsed.map((p) => (p.pieces.length === axes.length ? [p.pieces] : compositions(p.pieces, axes.length)));
  for (const cuts of candidates) {
    const weight = cuts.length === 1 ? 10 : 1;
    for (const cut of cuts) cut.forEach((v, j) => known[j].set(v, (known[j].get(v) ?? 0) + weight));
  }
  const values = candidates.map((cuts) => {
    if (cuts.length === 1) return cuts[0];
    let best = cuts[cuts.length - 1];
    let bestScore = -Infinity;
    for (const cut of cuts) {
      const evidence = cut.reduce((sum, v, j) => sum + (known[j].get(v) ?? 0), 0);
      const affinity = cut.reduce((sum, v) => sum + joinAffinity(v), 0);
      const score = evidence * 100 + affinity;
      // Ties keep the later cut: extra pieces go to the last options.
      if (score >= bestScore) {
        best = cut;
        bestScore = score;
      }
    }
    return best;
  });
  const combos = new Set(values.map((v) => JSON.stringify(v)));
  if (combos.size !== values.length) return whole();
  return { names: axes, values };
}

/** `/product/query` data plus its variants and per-vid stock, as a NormalizedProduct. */
export function normalizeCjProduct(product: Json, rawVariants: Json[], stock: Map<string, number>, productId: string, sourceUrl: string | null): NormalizedProduct {
  const keys = rawVariants.map((v, i) => str(v.variantKey) ?? str(v.variantNameEn) ?? `Variant ${i + 1}`);
  const { names, values } = cjVariantOptions(str(product.productKeyEn), keys);
  const options: ProductOption[] = names.map((name) => ({ name, values: [] }));
  const variants: NormalizedVariant[] = rawVariants.map((v, i) => {
    const chosen: Record<string, string> = Object.fromEntries(names.map((n, j) => [n, values[i][j]]));
    names.forEach((_, j) => {
      if (!options[j].values.includes(values[i][j])) options[j].values.push(values[i][j]);
    });
    const vid = str(v.vid) ?? `${productId}-${i}`;
    return {
      key: vid,
      sku: str(v.variantSku),
      options: chosen,
      price: round2(num(v.variantSellPrice) ?? 0),
      compareAt: null,
      stock: stock.has(vid) ? stock.get(vid)! : null,
      image: str(v.variantImage),
    };
  });
  return {
    source: 'cjdropship',
    sourceProductId: str(product.pid) ?? productId,
    sourceUrl: sourceUrl ?? productUrl('cjdropship', productId),
    title: str(product.productNameEn) ?? '',
    descriptionHtml: str(product.description) ?? '',
    images: imagesOf(product),
    options: options.filter((o) => o.values.length),
    variants,
    currency: 'USD',
    price: variants.length ? Math.min(...variants.map((v) => v.price)) : round2(num(product.sellPrice) ?? 0),
    shipping: null,
    rating: null,
    orderCount: null,
    supplierName: LABEL,
    mode: 'live',
  };
}

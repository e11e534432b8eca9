import { round2 } from '../lib/round';
import { productUrl } from '../shared/detect';
import type { SupplierSource } from '../shared/sources';
import type { NormalizedProduct, NormalizedVariant, PriceQuote, ProductSummary, SearchPage, SupplierAdapter } from './types';

/**
 * The built-in demo catalogue: invented but realistic products, the same every time for
 * the same key (a seeded PRNG), so searches page consistently and a preview of the same
 * URL returns the same body. Used only while DEMO_CATALOGUE is on and the merchant has
 * no credentials for the platform; every product says `mode: "demo"`.
 *
 * A product id encodes its topic (digits 5–7 of AliExpress/CJ ids, `sp<nnn>-` for
 * Spocket), so a search hit and the preview of its URL describe the same product.
 */

interface Topic {
  name: string;
  keywords: string[];
  features: string[];
  axes: { name: string; values: string[] }[];
  price: [number, number];
  hue: number;
}

const COLORS = ['Black', 'White', 'Navy Blue', 'Sage Green', 'Blush Pink', 'Charcoal Grey', 'Sky Blue', 'Sand Beige', 'Burgundy'];
const SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];

const TOPICS: Topic[] = [
  { name: 'Wireless Earbuds', keywords: ['earbuds', 'earphones', 'headphones', 'bluetooth', 'wireless', 'audio', 'tws'], features: ['Bluetooth 5.3', 'with Charging Case', 'Active Noise Cancelling', 'IPX5 Waterproof', 'Low Latency Gaming'], axes: [{ name: 'Color', values: COLORS }], price: [6, 39], hue: 215 },
  { name: 'Smart Watch', keywords: ['watch', 'smartwatch', 'fitness', 'tracker', 'wearable'], features: ['Heart Rate Monitor', '1.9" AMOLED Display', 'Fitness Tracker', 'IP68 Waterproof', 'Bluetooth Calling'], axes: [{ name: 'Color', values: COLORS }, { name: 'Strap', values: ['Silicone', 'Milanese Steel', 'Nylon Loop'] }], price: [12, 69], hue: 200 },
  { name: 'Phone Case', keywords: ['phone', 'case', 'iphone', 'samsung', 'cover'], features: ['Shockproof', 'Magnetic MagSafe', 'Clear Slim', 'Matte Frosted', 'with Card Holder'], axes: [{ name: 'Color', values: COLORS }, { name: 'Model', values: ['iPhone 15', 'iPhone 15 Pro', 'iPhone 16', 'Galaxy S24'] }], price: [1.5, 9], hue: 280 },
  { name: 'LED Strip Lights', keywords: ['led', 'strip', 'lights', 'rgb', 'lighting', 'lamp'], features: ['RGB 5050 App Control', 'Music Sync', 'USB Powered', 'WiFi Smart', 'for Bedroom'], axes: [{ name: 'Length', values: ['1m', '2m', '5m', '10m', '20m'] }], price: [3, 25], hue: 300 },
  { name: 'Yoga Mat', keywords: ['yoga', 'mat', 'fitness', 'gym', 'exercise', 'pilates'], features: ['Non-Slip 6mm', 'TPE Eco Friendly', 'with Carry Strap', 'Alignment Lines', 'Extra Thick'], axes: [{ name: 'Color', values: COLORS }], price: [8, 32], hue: 150 },
  { name: 'Stainless Steel Water Bottle', keywords: ['bottle', 'water', 'tumbler', 'flask', 'thermos', 'insulated'], features: ['Vacuum Insulated 750ml', 'Leak Proof', 'with Straw Lid', 'BPA Free', 'Keeps Cold 24h'], axes: [{ name: 'Color', values: COLORS }, { name: 'Capacity', values: ['500ml', '750ml', '1L'] }], price: [4, 22], hue: 190 },
  { name: 'Oversized Hoodie', keywords: ['hoodie', 'sweatshirt', 'clothing', 'apparel', 'fashion', 'streetwear'], features: ['Unisex Fleece', 'Streetwear Drop Shoulder', 'Heavyweight Cotton', 'Y2K Graphic', 'with Kangaroo Pocket'], axes: [{ name: 'Color', values: COLORS }, { name: 'Size', values: SIZES }], price: [11, 38], hue: 20 },
  { name: 'Pet Grooming Brush', keywords: ['pet', 'dog', 'cat', 'brush', 'grooming', 'hair'], features: ['Self Cleaning Slicker', 'Deshedding Tool', 'for Long Hair', 'Gentle Massage', 'Ergonomic Handle'], axes: [{ name: 'Color', values: ['Blue', 'Pink', 'Green', 'Grey'] }], price: [2, 14], hue: 35 },
  { name: 'Portable Blender', keywords: ['blender', 'juicer', 'smoothie', 'kitchen', 'portable', 'mixer'], features: ['USB Rechargeable 380ml', '6 Blades', 'for Shakes and Smoothies', 'Cordless', 'Travel Size'], axes: [{ name: 'Color', values: ['White', 'Pink', 'Sky Blue', 'Sage Green'] }], price: [7, 26], hue: 330 },
  { name: 'Car Phone Holder', keywords: ['car', 'holder', 'mount', 'phone', 'dashboard', 'vent'], features: ['Magnetic Air Vent', 'Wireless Charging 15W', '360° Rotation', 'Dashboard Suction', 'One Touch Release'], axes: [{ name: 'Type', values: ['Air Vent', 'Dashboard', 'Windshield'] }], price: [2.5, 19], hue: 10 },
  { name: 'Silicone Kitchen Utensil Set', keywords: ['kitchen', 'utensil', 'cooking', 'spatula', 'silicone', 'cookware'], features: ['12 Pieces Heat Resistant', 'Non-Stick Safe', 'with Holder', 'Wooden Handles', 'Food Grade'], axes: [{ name: 'Color', values: ['Grey', 'Black', 'Khaki', 'Green'] }], price: [6, 28], hue: 95 },
  { name: 'Ring Light', keywords: ['ring', 'light', 'selfie', 'tripod', 'streaming', 'photography', 'tiktok'], features: ['10" with Tripod Stand', 'Dimmable 3 Colour Modes', 'Phone Holder', 'for Live Streaming', 'USB Powered'], axes: [{ name: 'Size', values: ['6 inch', '10 inch', '12 inch', '18 inch'] }], price: [5, 35], hue: 45 },
  { name: 'Minimalist Backpack', keywords: ['backpack', 'bag', 'laptop', 'travel', 'school'], features: ['Waterproof 15.6" Laptop', 'Anti-Theft', 'with USB Charging Port', 'Lightweight Travel', 'Roll Top'], axes: [{ name: 'Color', values: COLORS }], price: [10, 42], hue: 230 },
  { name: 'Sunglasses', keywords: ['sunglasses', 'glasses', 'eyewear', 'polarized', 'shades'], features: ['Polarized UV400', 'Retro Square', 'Cat Eye', 'Sports Cycling', 'Oversized Vintage'], axes: [{ name: 'Frame', values: ['Black', 'Tortoise', 'Gold', 'Clear'] }], price: [1.8, 15], hue: 55 },
  { name: 'Resistance Bands Set', keywords: ['resistance', 'bands', 'fitness', 'workout', 'gym', 'exercise'], features: ['5 Levels with Handles', 'Fabric Booty Bands', 'Pull Up Assist', 'Home Gym', 'with Door Anchor'], axes: [{ name: 'Set', values: ['3 Bands', '5 Bands', '11 Pieces'] }], price: [3, 20], hue: 125 },
  { name: 'Aroma Diffuser', keywords: ['diffuser', 'aroma', 'essential', 'oil', 'humidifier', 'home'], features: ['Ultrasonic 300ml', 'Wood Grain with LED', 'Quiet for Bedroom', 'Auto Shut-Off', 'Remote Control'], axes: [{ name: 'Finish', values: ['Light Wood', 'Dark Wood', 'White'] }], price: [8, 30], hue: 25 },
  { name: 'Mechanical Keyboard', keywords: ['keyboard', 'mechanical', 'gaming', 'rgb', 'computer', 'keycaps'], features: ['Hot Swappable 75%', 'RGB Backlit', 'Wireless Tri-Mode', 'Gasket Mount', 'PBT Keycaps'], axes: [{ name: 'Switch', values: ['Red Linear', 'Brown Tactile', 'Blue Clicky'] }, { name: 'Color', values: ['Black', 'White', 'Grey'] }], price: [25, 89], hue: 260 },
  { name: 'Baby Carrier', keywords: ['baby', 'carrier', 'infant', 'newborn', 'kids'], features: ['Ergonomic Hip Seat', '4-in-1 Front and Back', 'Breathable Mesh', 'Adjustable', 'for Newborns'], axes: [{ name: 'Color', values: ['Grey', 'Navy Blue', 'Khaki', 'Black'] }], price: [12, 45], hue: 340 },
  { name: 'Gold Plated Necklace', keywords: ['necklace', 'jewelry', 'jewellery', 'gold', 'pendant', 'chain'], features: ['18K Gold Plated', 'Dainty Layered', 'Stainless Steel Tarnish Free', 'Initial Pendant', 'Paperclip Chain'], axes: [{ name: 'Length', values: ['40cm', '45cm', '50cm'] }], price: [1.2, 12], hue: 48 },
  { name: 'Camping Lantern', keywords: ['camping', 'lantern', 'outdoor', 'flashlight', 'hiking', 'tent'], features: ['Rechargeable LED', 'Solar Powered', 'Collapsible', 'Waterproof', 'with Power Bank'], axes: [{ name: 'Color', values: ['Army Green', 'Black', 'Orange'] }], price: [4, 24], hue: 80 },
  { name: 'Makeup Brush Set', keywords: ['makeup', 'brush', 'beauty', 'cosmetic', 'brushes', 'foundation'], features: ['14 Pieces Synthetic', 'with Travel Pouch', 'Vegan Soft Bristles', 'Foundation and Blending', 'Rose Gold'], axes: [{ name: 'Color', values: ['Rose Gold', 'Black', 'Pink', 'White'] }], price: [2.5, 18], hue: 350 },
  { name: 'Desk Organizer', keywords: ['desk', 'organizer', 'office', 'storage', 'stationery'], features: ['Bamboo Multi-Compartment', 'with Wireless Charger', 'Rotating Pen Holder', 'Mesh Metal', 'Drawer Type'], axes: [{ name: 'Color', values: ['Natural Bamboo', 'Black', 'White'] }], price: [5, 29], hue: 30 },
  { name: 'Plant Pot', keywords: ['plant', 'pot', 'planter', 'garden', 'flower', 'succulent'], features: ['Ceramic with Drainage', 'Self Watering', 'Nordic Minimalist', 'Hanging Macrame', 'Set of 3'], axes: [{ name: 'Size', values: ['Small', 'Medium', 'Large'] }, { name: 'Color', values: ['White', 'Terracotta', 'Black'] }], price: [2, 18], hue: 110 },
  { name: 'Power Bank', keywords: ['power', 'bank', 'charger', 'battery', 'portable', 'usb'], features: ['20000mAh Fast Charging', 'Magnetic Wireless', 'PD 22.5W', 'Slim with Built-in Cables', 'LED Display'], axes: [{ name: 'Capacity', values: ['10000mAh', '20000mAh', '30000mAh'] }, { name: 'Color', values: ['Black', 'White'] }], price: [9, 39], hue: 175 },
];

const SUPPLIERS: Record<SupplierSource, string[]> = {
  aliexpress: ['Shenzhen Bright Tech Store', 'Yiwu Home Living Official', 'UGREEN Trend Store', 'Lumi Lifestyle Store', 'Ocean Sports Outlet', 'GoodGoods Global'],
  cjdropship: ['CJ Shenzhen Warehouse', 'CJ US Warehouse', 'CJ Yiwu Supplier Hub', 'CJ Guangzhou Fashion'],
  spocket: ['Northwind Goods (US)', 'Maple & Co. (CA)', 'Atelier Lune (FR)', 'Brightside Supply (UK)'],
};

const SHIPPING: Record<SupplierSource, [number, number]> = { aliexpress: [7, 25], cjdropship: [6, 15], spocket: [2, 7] };

/** FNV-1a: a stable 32-bit seed from any string. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast and deterministic, which is all a demo needs. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)],
    digits: (n: number) => Array.from({ length: n }, () => Math.floor(next() * 10)).join(''),
    sample: <T>(items: readonly T[], n: number) => {
      const pool = [...items];
      for (let i = pool.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [pool[i], pool[j]] = [pool[j], pool[i]];
      }
      return pool.slice(0, n);
    },
  };
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The SVG of a deterministic placeholder picture. */
function demoSvg(label: string, hue: number, variant = 0, fill?: string): string {
  const bg = fill ? 'hsl(0 0% 96%)' : `hsl(${hue} 70% ${92 - (variant % 3) * 4}%)`;
  const fg = fill ?? `hsl(${hue} 55% 38%)`;
  const text = fill ? 'hsl(0 0% 30%)' : fg;
  const shape =
    variant % 3 === 0
      ? `<circle cx="200" cy="170" r="86" fill="${fg}" opacity=".9"/>`
      : variant % 3 === 1
        ? `<rect x="118" y="92" width="164" height="164" rx="28" fill="${fg}" opacity=".9"/>`
        : `<path d="M200 80 L300 250 L100 250 Z" fill="${fg}" opacity=".9"/>`;
  // A white swatch on a near-white card needs an edge to be seen.
  const outline = fill && variant % 3 === 0 ? `<circle cx="200" cy="170" r="87" fill="none" stroke="hsl(0 0% 70%)" stroke-width="2"/>` : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400"><rect width="400" height="400" fill="${bg}"/>${shape}${outline}` +
    `<text x="200" y="320" font-family="Arial,sans-serif" font-size="24" font-weight="700" fill="${text}" text-anchor="middle">${escapeXml(label)}</text>` +
    `<text x="200" y="352" font-family="Arial,sans-serif" font-size="15" fill="${text}" text-anchor="middle" opacity=".7">DEMO CATALOGUE</text></svg>`
  );
}

/** Where the worker serves demo pictures (routes/demo-images.ts), below its public origin. */
export const DEMO_IMAGE_PATH = '/api/v1/demo/images/';

const slugOf = (label: string) => label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/**
 * A deterministic placeholder picture. With `origin` (DEMO_IMAGES_ORIGIN: the worker's
 * public origin, set by `npm run dev`) it is an http URL the worker serves, so a store
 * can download it like any supplier picture and the connectors' image paths run in
 * development; without one, an inline data: URI (shown by the dashboard, dropped by the
 * connectors, which only send http(s) pictures to a store).
 */
export function demoImage(label: string, hue: number, variant = 0, fill?: string, origin?: string | null): string {
  if (origin) return `${origin.replace(/\/+$/, '')}${DEMO_IMAGE_PATH}${slugOf(label)}-${hue}-${fill ? 'swatch' : variant}.svg`;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(demoSvg(label, hue, variant, fill))}`;
}

/** A CSS colour for a variant's colour name, so swatches look like the colour they name. */
function swatch(name: string): string | undefined {
  const known: [RegExp, string][] = [
    [/black|charcoal/i, '#2b2b2b'],
    [/white|clear/i, '#f4f4f4'],
    [/navy/i, '#1f3a68'],
    [/sky/i, '#7cb9e8'],
    [/blue/i, '#3a6fd8'],
    [/sage|army/i, '#7d9a6b'],
    [/green/i, '#3f9a5a'],
    [/blush|rose/i, '#e8a0b0'],
    [/pink/i, '#f06fa0'],
    [/grey|gray/i, '#8c8c8c'],
    [/sand|beige|khaki|natural|light wood/i, '#d8c3a0'],
    [/dark wood|tortoise/i, '#6b4a2e'],
    [/burgundy/i, '#7a1f33'],
    [/gold/i, '#d4af37'],
    [/orange|terracotta/i, '#d9703c'],
  ];
  return known.find(([re]) => re.test(name))?.[1];
}

/** Every label a demo picture can carry, by its slug: topic names and option values. */
let LABELS: Map<string, string> | undefined;

/**
 * The SVG behind a demo image name (`<label slug>-<hue>-<variant | swatch>.svg`, as
 * demoImage makes them); null for any name the catalogue cannot produce.
 */
export function demoImageSvg(name: string): string | null {
  const m = /^([a-z0-9]+(?:-[a-z0-9]+)*)-(\d{1,3})-(\d|swatch)\.svg$/.exec(name);
  if (!m) return null;
  LABELS ??= new Map(TOPICS.flatMap((t) => [t.name, ...t.axes.flatMap((a) => a.values)]).map((l) => [slugOf(l), l]));
  const label = LABELS.get(m[1]);
  const hue = Number(m[2]);
  if (!label || hue >= 360) return null;
  if (m[3] !== 'swatch') return demoSvg(label, hue, Number(m[3]));
  const fill = swatch(label);
  return fill ? demoSvg(label, hue, 0, fill) : null;
}

function topicIndexOf(source: SupplierSource, productId: string): number {
  let code: string | undefined;
  if (source === 'spocket') code = /^sp(\d{3})-/.exec(productId)?.[1];
  else if (/^\d{12,}$/.test(productId)) code = productId.slice(4, 7);
  const n = code ? Number(code) : hash(`${source}:${productId}`);
  return n % TOPICS.length;
}

function makeId(source: SupplierSource, topic: number, rnd: ReturnType<typeof prng>): string {
  const t = String(topic).padStart(3, '0');
  if (source === 'aliexpress') return `1005${t}${rnd.digits(9)}`;
  if (source === 'cjdropship') return `1392${t}${rnd.digits(12)}`;
  return `sp${t}-${rnd.digits(8)}`;
}

/** The full demo product for a supplier product id. */
export function demoProduct(source: SupplierSource, productId: string, sourceUrl?: string | null, imageOrigin?: string | null): NormalizedProduct {
  const topic = TOPICS[topicIndexOf(source, productId)];
  const rnd = prng(hash(`${source}:${productId}`));
  const [feature1, feature2] = rnd.sample(topic.features, 2);
  const title = `${rnd.next() < 0.3 ? `${rnd.pick(['2025 New', 'Upgraded', 'Premium', 'Hot Sale'])} ` : ''}${topic.name} ${feature1}${rnd.next() < 0.5 ? `, ${feature2}` : ''}`;
  const options = topic.axes.map((axis) => ({
    name: axis.name,
    values: rnd.sample(axis.values, Math.min(axis.values.length, rnd.int(2, axis.name === 'Size' ? 5 : 4))),
  }));
  const base = round2(topic.price[0] + rnd.next() * (topic.price[1] - topic.price[0]));
  // Each product gets its own tint and picture order, so a result grid is not a wall of clones.
  const hue = (topic.hue + rnd.int(-24, 24) + 360) % 360;
  const firstShape = rnd.int(0, 2);
  const images = [0, 1, 2, 3].slice(0, rnd.int(3, 4)).map((i) => demoImage(topic.name, hue, firstShape + i, undefined, imageOrigin));

  const variants: NormalizedVariant[] = [];
  const combos = options.reduce<number[][]>((acc, o) => acc.flatMap((c) => o.values.map((_, i) => [...c, i])), [[]]);
  for (const combo of combos) {
    const values = combo.map((i, axis) => options[axis].values[i]);
    const delta = combo.reduce((sum, i, axis) => sum + (axis === combo.length - 1 ? i * round2(base * 0.08) : 0), 0);
    const price = round2(base + delta);
    const color = options.findIndex((o) => /color|colour|frame|finish/i.test(o.name));
    variants.push({
      key: `demo-${combo.join('-')}`,
      sku: `${productId.slice(-6)}-${values.map((v) => v.replace(/[^A-Za-z0-9]/g, '').slice(0, 4).toUpperCase()).join('-')}`,
      options: Object.fromEntries(options.map((o, axis) => [o.name, values[axis]])),
      price,
      compareAt: round2(price * (1.4 + rnd.next() * 0.6)),
      stock: rnd.next() < 0.12 ? 0 : rnd.int(5, 900),
      image: color >= 0 ? demoImage(values[color], hue, 0, swatch(values[color]), imageOrigin) : null,
    });
  }

  const [minDays, maxDays] = SHIPPING[source];
  return {
    source,
    sourceProductId: productId,
    sourceUrl: sourceUrl ?? productUrl(source, productId),
    title,
    descriptionHtml:
      `<p>${escapeXml(title)}.</p><ul>${topic.features.map((f) => `<li>${escapeXml(f)}</li>`).join('')}</ul>` +
      `<p>Options: ${options.map((o) => `${escapeXml(o.name)} (${o.values.map(escapeXml).join(', ')})`).join('; ')}.</p>`,
    images,
    options,
    variants,
    currency: 'USD',
    price: Math.min(...variants.map((v) => v.price)),
    shipping: { cost: rnd.next() < 0.35 ? 0 : round2(0.99 + rnd.next() * 6), days: rnd.int(minDays, maxDays) },
    rating: Math.round((4 + rnd.next()) * 10) / 10,
    orderCount: rnd.next() < 0.1 ? 0 : rnd.int(3, 25_000),
    supplierName: rnd.pick(SUPPLIERS[source]),
    mode: 'demo',
  };
}

/** Topics for a query: best keyword overlap first; a query that matches nothing still gets a stable mix. */
function topicsFor(query: string): number[] {
  const words = query.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 1);
  const scored = TOPICS.map((t, i) => {
    const hay = [t.name.toLowerCase(), ...t.keywords];
    const score = words.reduce((s, w) => s + (hay.some((k) => k.includes(w) || (w.length > 3 && w.includes(k))) ? 1 : 0), 0);
    return { i, score };
  })
    .filter((t) => t.score > 0)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .map((t) => t.i);
  if (scored.length) return scored.slice(0, 3);
  const rnd = prng(hash(`topics:${query.toLowerCase()}`));
  return rnd.sample(TOPICS.map((_, i) => i), 3);
}

export const summarize = (p: NormalizedProduct): ProductSummary => {
  const { descriptionHtml: _d, variants: _v, options: _o, ...summary } = p;
  return summary;
};

/** Every hit of a demo search, in order: 15–30 per (source, query). */
function demoResults(source: SupplierSource, query: string, imageOrigin?: string | null): ProductSummary[] {
  const key = `${source}:${query.trim().toLowerCase()}`;
  const rnd = prng(hash(`search:${key}`));
  const total = rnd.int(15, 30);
  const topics = topicsFor(query);
  return Array.from({ length: total }, (_, i) => {
    // The best-matching topic leads; the others fill in, as a real marketplace would.
    const topic = i % 4 === 3 && topics.length > 1 ? topics[1 + (i % (topics.length - 1))] : topics[0];
    return summarize(demoProduct(source, makeId(source, topic, rnd), undefined, imageOrigin));
  });
}

export class DemoAdapter implements SupplierAdapter {
  readonly mode = 'demo' as const;
  /** `imageOrigin`: DEMO_IMAGES_ORIGIN, where the worker serves the pictures (see demoImage). */
  constructor(
    readonly source: SupplierSource,
    private readonly imageOrigin?: string | null,
  ) {}

  async search(query: string, page: number, pageSize: number): Promise<SearchPage> {
    const all = demoResults(this.source, query, this.imageOrigin);
    const start = (page - 1) * pageSize;
    return { items: start < all.length ? all.slice(start, start + pageSize) : [], total: all.length };
  }

  async getProduct(productId: string, sourceUrl?: string | null): Promise<NormalizedProduct> {
    return demoProduct(this.source, productId, sourceUrl, this.imageOrigin);
  }

  async getPrices(productIds: string[]): Promise<Map<string, PriceQuote>> {
    return new Map(
      productIds.map((id) => {
        const p = demoProduct(this.source, id);
        return [id, { sourceProductId: id, currency: p.currency, price: p.price, variants: p.variants.map((v) => ({ key: v.key, price: v.price, stock: v.stock })) }];
      }),
    );
  }
}


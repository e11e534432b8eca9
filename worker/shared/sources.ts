import { InvalidInput } from './domain-errors';

/**
 * The supplier sources: which exist, what clients may call them, how merchants and
 * supplier accounts name them, and which catalogue answers for them. The worker and
 * the dashboard both read this module (it is browser-safe), and the `importsource`
 * database enum is built from IMPORT_SOURCES.
 */

/** Sources with a product catalogue behind them. */
export const SUPPLIER_SOURCES = ['aliexpress', 'cjdropship', 'spocket'] as const;
export type SupplierSource = (typeof SUPPLIER_SOURCES)[number];

/** Every source an import or a search may name; `manual` carries its own product. */
export const IMPORT_SOURCES = [...SUPPLIER_SOURCES, 'manual'] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];

/** Other names clients use for a source (API.md §6: `cjdropshipping`). */
export const SOURCE_ALIASES: Readonly<Record<string, SupplierSource>> = { cjdropshipping: 'cjdropship' };

const isImportSource = (value: string): value is ImportSource => (IMPORT_SOURCES as readonly string[]).includes(value);
const isSupplierSource = (value: string): value is SupplierSource => (SUPPLIER_SOURCES as readonly string[]).includes(value);
const dealias = (value: string): string => (Object.hasOwn(SOURCE_ALIASES, value) ? SOURCE_ALIASES[value] : value);

/** How a merchant names each source, for messages and the dashboard. */
export const SOURCE_LABEL: Record<ImportSource, string> = {
  aliexpress: 'AliExpress',
  cjdropship: 'CJ Dropshipping',
  spocket: 'Spocket',
  manual: 'Manual',
};

/** The supplier's name for a supplier source, else the value itself (watch sources are free text). */
export const supplierLabel = (source: string): string => (isSupplierSource(source) ? SOURCE_LABEL[source] : source);

/** The `platform` a supplier account for a source is stored under (API.md §3.5). */
export const ACCOUNT_PLATFORM = {
  aliexpress: 'aliexpress',
  cjdropship: 'cjdropshipping',
  spocket: 'spocket',
} as const satisfies Record<SupplierSource, string>;
export type AccountPlatform = (typeof ACCOUNT_PLATFORM)[SupplierSource];

/** Supplier-account `platform` values (lower-cased) that hold credentials for a source. */
export const PLATFORMS_FOR: Record<SupplierSource, string[]> = Object.fromEntries(
  SUPPLIER_SOURCES.map((s) => [s, [...new Set([ACCOUNT_PLATFORM[s], s])]]),
) as Record<SupplierSource, string[]>;

/** The contract's 400 detail for a source outside IMPORT_SOURCES (listed alphabetically). */
export const invalidSourceDetail = (value: string) => `Invalid source '${value}'. Valid sources: ${[...IMPORT_SOURCES].sort().join(', ')}`;

/** The canonical source for a client-supplied value (exact spelling, or an alias); null for anything else. */
export function canonicalSource(value: string): ImportSource | null {
  const v = dealias(value);
  return isImportSource(v) ? v : null;
}

/** canonicalSource, answering the contract's 400 for anything else. */
export function parseSource(value: string): ImportSource {
  const source = canonicalSource(value);
  if (!source) throw new InvalidInput(invalidSourceDetail(value));
  return source;
}

/** The supplier a stored watch `source` names (trimmed, any case, aliases accepted), or null. */
export function supplierSourceOf(value: string): SupplierSource | null {
  const s = dealias(value.trim().toLowerCase());
  return isSupplierSource(s) ? s : null;
}

/** A watch `source` as stored: as sent (API.md §2.7), except an alias (§6) becomes its source. */
export const storedSource = (source: string): string => dealias(source);

/** Spocket has no public API: only the demo catalogue can answer for it. */
export const hasLiveApi = (source: SupplierSource): boolean => source !== 'spocket';

/**
 * Which catalogue answers for a source on behalf of a user: their live supplier account
 * (an active account with credentials for the source), else the demo catalogue while
 * DEMO_CATALOGUE is on; Spocket is always the demo. null: neither can answer.
 */
export function catalogueFor(source: SupplierSource, user: { hasAccount: boolean; demoOn: boolean }): 'live' | 'demo' | null {
  if (user.hasAccount && hasLiveApi(source)) return 'live';
  return user.demoOn ? 'demo' : null;
}

/**
 * The Admin API access scopes SourcePilot asks a shop for, each with what the connector
 * does with it. The app install requests exactly these, "Test connection" checks a
 * token against them, and the dashboard's setup text names them (a test compares it).
 * Another test derives the scopes every document the connector sends needs from
 * Shopify's published schema and fails when one is missing here.
 */
export const SHOPIFY_SCOPES = [
  { scope: 'write_products', use: 'create products and update their variants and prices' },
  // The schema lets read_locations or read_inventory see the Location object; asked
  // by name so the reason stays visible even if write_inventory were dropped.
  { scope: 'read_locations', use: 'find the location that stock is counted at' },
  // inventorySetQuantities (a re-import's stock on existing variants) needs it, as the
  // schema says. productSet's inventoryQuantities may too (input fields carry no scopes;
  // unconfirmed, INTEGRATIONS.md §4e).
  { scope: 'write_inventory', use: 'set the stock of imported variants' },
] as const;

export const SHOPIFY_SCOPE_NAMES: readonly string[] = SHOPIFY_SCOPES.map((s) => s.scope);

/** What a list of granted scopes allows: a write scope includes its read scope. */
export function effectiveScopes(granted: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const scope of granted) {
    out.add(scope);
    if (scope.startsWith('write_')) out.add(`read_${scope.slice('write_'.length)}`);
    else if (scope.startsWith('unauthenticated_write_')) out.add(`unauthenticated_read_${scope.slice('unauthenticated_write_'.length)}`);
  }
  return out;
}

/** The scopes of `wanted` that `granted` does not cover, in `wanted`'s order. */
export function missingScopes(granted: Iterable<string>, wanted: readonly string[] = SHOPIFY_SCOPE_NAMES): string[] {
  const have = effectiveScopes(granted);
  return wanted.filter((scope) => !have.has(scope));
}

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import {
  buildClientSchema,
  coerceInputValue,
  getNamedType,
  getOperationAST,
  isEnumType,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  print,
  typeFromAST,
  validate,
  type ASTNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type IntrospectionQuery,
  type OperationDefinitionNode,
  type SelectionNode,
} from 'graphql';
import { effectiveScopes } from '../../shared/shopify-scopes';

/**
 * Shopify's published Admin GraphQL schema with per-field access scopes, as Shopify
 * ships it in the npm package @shopify/dev-mcp (INTEGRATIONS.md §4e). That package
 * depends on @shopify/cli, Hydrogen, React Router's dev tools and more (303 packages),
 * so it is not a devDependency: the pinned tarball is fetched once with `npm pack`,
 * checked against the registry's sha512, and the one file the fakes need is kept in
 * the git-ignored .cache/ (which `npm ci` leaves alone). Every later load checks the
 * kept file's sha256, so a corrupted or swapped cache never reaches a test.
 *
 * The version is the worker's SHOPIFY_API_VERSION (wrangler.toml); a test checks they
 * agree. Bumping it: pick a @shopify/dev-mcp release that has the new admin_<v>.json.gz,
 * then update the integrity (`npm view @shopify/dev-mcp@<release> dist.integrity`) and
 * the file's sha256.
 */
export const SHOPIFY_SCHEMA_VERSION = '2026-10';
const PACKAGE = '@shopify/dev-mcp@1.16.0';
const PACKAGE_INTEGRITY = 'sha512-tqgRnK7sQhjew+htxtleTH23nXB5fZcsrhWgEkomsorGXvLOB2mh2upwZm8uzuTDNTZnqtLMe64yIwh6s2awtw==';
const SCHEMA_FILE = `admin_${SHOPIFY_SCHEMA_VERSION}.json.gz`;
const SCHEMA_SHA256 = 'f3b522f264556925eada700e795e4a002a9cba83444ebcc6c0d724254a0c6593';

const CACHE_DIR = fileURLToPath(new URL('../../../.cache/shopify-admin-schema/', import.meta.url));

/** Who may see a type or field: any one of `scopes` suffices; `text` is Shopify's own wording. */
export interface Access {
  scopes: string[];
  text: string;
}

export interface ShopifyAdminSchema {
  version: string;
  source: string;
  schema: GraphQLSchema;
  /** Object type name → the access it needs. */
  types: Map<string, Access>;
  /** `Type.field` → the access it needs. */
  fields: Map<string, Access>;
}

interface PublishedFile {
  data: IntrospectionQuery;
  offline_scopes: {
    items: { type: 'type' | 'field'; typeName: string; fieldName?: string; requiredAccess: string; offlineScopes: string[] }[];
  };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The kept file, or null when it is missing or not the pinned one. */
function readCached(path: string): Buffer | null {
  if (!existsSync(path)) return null;
  const bytes = readFileSync(path);
  return sha256(bytes) === SCHEMA_SHA256 ? bytes : null;
}

/** Fetches the pinned package, verifies it, and keeps the schema file in the cache. */
async function fetchSchemaFile(path: string): Promise<Buffer> {
  mkdirSync(CACHE_DIR, { recursive: true });
  // A private directory per attempt; the rename at the end is atomic, so parallel
  // test runs and dev servers never read a half-written file.
  const work = mkdtempSync(join(CACHE_DIR, 'fetch-'));
  try {
    const run = promisify(execFile);
    let packed: { filename: string; integrity: string }[];
    try {
      const { stdout } = await run('npm', ['pack', PACKAGE, '--json', '--pack-destination', work], { cwd: work, maxBuffer: 64 * 1024 * 1024 });
      packed = JSON.parse(stdout);
    } catch (err) {
      throw new Error(`Could not fetch ${PACKAGE} (Shopify's Admin schema for the Shopify fake) with npm pack; is the npm registry reachable? ${(err as Error).message}`);
    }
    const tarball = join(work, packed[0].filename);
    const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (integrity !== PACKAGE_INTEGRITY) throw new Error(`${PACKAGE} does not match its pinned integrity (got ${integrity})`);
    await run('tar', ['-xzf', tarball, '-C', work, `package/dist/data/${SCHEMA_FILE}`]);
    const extracted = join(work, 'package', 'dist', 'data', SCHEMA_FILE);
    const bytes = readFileSync(extracted);
    if (sha256(bytes) !== SCHEMA_SHA256) throw new Error(`${SCHEMA_FILE} in ${PACKAGE} does not match its pinned sha256`);
    renameSync(extracted, path);
    return bytes;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

let loading: Promise<ShopifyAdminSchema> | null = null;

/** The pinned Admin schema with its access index, loaded once per process. */
export function loadShopifyAdminSchema(): Promise<ShopifyAdminSchema> {
  loading ??= (async () => {
    const path = join(CACHE_DIR, SCHEMA_FILE);
    const bytes = readCached(path) ?? (await fetchSchemaFile(path));
    const published = JSON.parse(gunzipSync(bytes).toString('utf8')) as PublishedFile;
    const types = new Map<string, Access>();
    const fields = new Map<string, Access>();
    for (const item of published.offline_scopes.items) {
      if (!item.offlineScopes.length) continue;
      const access = { scopes: item.offlineScopes, text: item.requiredAccess };
      if (item.type === 'type') types.set(item.typeName, access);
      else fields.set(`${item.typeName}.${item.fieldName}`, access);
    }
    return { version: SHOPIFY_SCHEMA_VERSION, source: `${PACKAGE} dist/data/${SCHEMA_FILE}`, schema: buildClientSchema(published.data), types, fields };
  })();
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

/** An error as Shopify's GraphQL endpoint writes it. */
export interface ShopifyGraphQLError {
  message: string;
  locations?: { line: number; column: number }[];
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

const at = (node: ASTNode) => (node.loc ? [{ line: node.loc.startToken.line, column: node.loc.startToken.column }] : undefined);

/**
 * graphql-js's validation message rewritten the way Shopify's server (graphql-ruby)
 * words the same rule, with its error code. Rules without a known wording keep
 * graphql-js's message under Shopify's general code.
 */
const VALIDATION_WORDING: [RegExp, (m: RegExpExecArray) => { message: string; extensions: Record<string, unknown> }][] = [
  [/^Cannot query field "(\w+)" on type "(\w+)"/, ([, field, type]) => ({ message: `Field '${field}' doesn't exist on type '${type}'`, extensions: { code: 'undefinedField', typeName: type, fieldName: field } })],
  [/^Unknown argument "(\w+)" on field "\w+\.(\w+)"/, ([, arg, field]) => ({ message: `Field '${field}' doesn't accept argument '${arg}'`, extensions: { code: 'argumentNotAccepted', name: field, typeName: 'Field', argumentName: arg } })],
  [/^Field "(\w+)" argument "(\w+)" of type ".*" is required, but it was not provided/, ([, field, arg]) => ({ message: `Field '${field}' is missing required arguments: ${arg}`, extensions: { code: 'missingRequiredArguments', className: 'Field', name: field, arguments: arg } })],
  [/^Field "(\w+)" of type "(.+)" must have a selection of subfields/, ([, field, type]) => ({ message: `Field must have selections (field '${field}' returns ${type.replace(/[[\]!]/g, '')} but has no selections. Did you mean '${field} { ... }'?)`, extensions: { code: 'selectionMismatch', nodeName: `field '${field}'`, typeName: type.replace(/[[\]!]/g, '') } })],
  [/^Field "(\w+)" must not have a selection since type "(.+)" has no subfields/, ([, field, type]) => ({ message: `Selections can't be made on scalars (field '${field}' returns ${type.replace(/[[\]!]/g, '')} but has selections)`, extensions: { code: 'selectionMismatch', nodeName: `field '${field}'`, typeName: type.replace(/[[\]!]/g, '') } })],
  [/^Variable "\$(\w+)" is not defined(?: by operation "(\w+)")?/, ([, name, op]) => ({ message: `Variable $${name} is used by ${op ?? 'anonymous query'} but not declared`, extensions: { code: 'variableNotDefined', variableName: name } })],
  [/^Variable "\$(\w+)" is never used(?: in operation "(\w+)")?/, ([, name, op]) => ({ message: `Variable $${name} is declared by ${op ?? 'anonymous query'} but not used`, extensions: { code: 'variableNotUsed', variableName: name } })],
  [/^Variable "\$(\w+)" of type "(.+)" used in position expecting type "(.+)"/, ([, name, given, expected]) => ({ message: `Type mismatch on variable $${name} and argument (${given} / ${expected})`, extensions: { code: 'variableMismatch', variableName: name, typeName: given } })],
  [/^Unknown type "(\w+)"/, ([, type]) => ({ message: `${type} isn't a defined input type`, extensions: { code: 'variableRequiresValidType', typeName: type } })],
];

function validationError(err: GraphQLError): ShopifyGraphQLError {
  for (const [pattern, word] of VALIDATION_WORDING) {
    const m = pattern.exec(err.message);
    if (m) return { ...word(m), locations: err.locations?.map(({ line, column }) => ({ line, column })) };
  }
  return { message: err.message, locations: err.locations?.map(({ line, column }) => ({ line, column })), extensions: { code: 'validationError' } };
}

/** One problem with a variable's value, worded as graphql-ruby explains it. */
function variableProblem(schema: GraphQLSchema, path: readonly (string | number)[], err: GraphQLError) {
  const undefinedField = /^Field "(\w+)" is not defined by type "(\w+)"/.exec(err.message);
  if (undefinedField) return { path: [...path, undefinedField[1]], explanation: `Field is not defined on ${undefinedField[2]}` };
  const missingField = /^Field "(\w+)" of required type ".*" was not provided/.exec(err.message);
  if (missingField) return { path: [...path, missingField[1]], explanation: 'Expected value to not be null' };
  if (/^Expected non-nullable type .* not to be null/.test(err.message)) return { path: [...path], explanation: 'Expected value to not be null' };
  const enumValue = /^Value "(.*)" does not exist in "(\w+)" enum/.exec(err.message);
  const enumType = enumValue && schema.getType(enumValue[2]);
  if (enumValue && isEnumType(enumType)) return { path: [...path], explanation: `Expected "${enumValue[1]}" to be one of: ${enumType.getValues().map((v) => v.name).join(', ')}` };
  return { path: [...path], explanation: err.message.replace(/ Did you mean .*$/, '') };
}

/**
 * The variables checked against their declared types: Shopify refuses the whole request
 * with INVALID_VARIABLE, naming each problem's path in the value.
 */
function variableErrors(admin: ShopifyAdminSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>): ShopifyGraphQLError[] {
  const errors: ShopifyGraphQLError[] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(admin.schema, definition.type) as GraphQLInputType | undefined;
    if (!type) continue;
    const value = variables[name] === undefined ? (definition.defaultValue ? undefined : null) : variables[name];
    if (value === undefined) continue;
    const problems: { path: (string | number)[]; explanation: string }[] = [];
    coerceInputValue(value, type, (path, _invalid, err) => problems.push(variableProblem(admin.schema, path, err)));
    if (!problems.length) continue;
    const where = problems.filter((p) => p.path.length);
    const typeName = print(definition.type);
    errors.push({
      message: where.length
        ? `Variable $${name} of type ${typeName} was provided invalid value for ${where.map((p) => `${p.path.join('.')} (${p.explanation})`).join(', ')}`
        : `Variable $${name} of type ${typeName} was provided invalid value`,
      locations: at(definition),
      extensions: { code: 'INVALID_VARIABLE', value, problems },
    });
  }
  return errors;
}

export type CheckedRequest =
  | { ok: true; document: DocumentNode; operation: OperationDefinitionNode; fragments: Record<string, FragmentDefinitionNode> }
  | { ok: false; errors: ShopifyGraphQLError[] };

/** Parses and validates a request against the schema, then checks its variables (unless null: the document alone). */
export function checkRequest(admin: ShopifyAdminSchema, query: string, variables: Record<string, unknown> | null, operationName?: string | null): CheckedRequest {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (err) {
    const e = err as GraphQLError;
    return { ok: false, errors: [{ message: e.message, locations: e.locations?.map(({ line, column }) => ({ line, column })), extensions: { code: 'parseError' } }] };
  }
  const invalid = validate(admin.schema, document);
  if (invalid.length) return { ok: false, errors: invalid.map(validationError) };
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return { ok: false, errors: [{ message: 'An operation name is required', extensions: { code: 'operationNameRequired' } }] };
  const errors = variables ? variableErrors(admin, operation, variables) : [];
  if (errors.length) return { ok: false, errors };
  const fragments = Object.fromEntries(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  return { ok: true, document, operation, fragments };
}

/** A field of a document that Shopify only answers for some scopes. */
export interface FieldAccess {
  /** The response path: aliases as the answer would carry them. */
  path: string[];
  /** `Type.field`, or the returned type's name when the type itself is gated. */
  gate: string;
  field: FieldNode;
  access: Access;
}

/** Every gated field of the operation, parents before children. */
export function fieldAccess(admin: ShopifyAdminSchema, operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>): FieldAccess[] {
  const out: FieldAccess[] = [];
  const walk = (selections: readonly SelectionNode[], parent: GraphQLNamedType, path: string[]) => {
    for (const selection of selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? admin.schema.getType(selection.typeCondition.name.value) : parent;
        if (type) walk(selection.selectionSet.selections, type, path);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments[selection.name.value];
        const type = fragment && admin.schema.getType(fragment.typeCondition.name.value);
        if (type) walk(fragment.selectionSet.selections, type, path);
        continue;
      }
      const name = selection.name.value;
      if (name.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) continue;
      const definition = parent.getFields()[name];
      if (!definition) continue;
      const here = [...path, selection.alias?.value ?? name];
      const returned = getNamedType(definition.type);
      const fieldGate = admin.fields.get(`${parent.name}.${name}`);
      if (fieldGate) out.push({ path: here, gate: `${parent.name}.${name}`, field: selection, access: fieldGate });
      const typeGate = admin.types.get(returned.name);
      if (typeGate) out.push({ path: here, gate: returned.name, field: selection, access: typeGate });
      if (selection.selectionSet) walk(selection.selectionSet.selections, returned, here);
    }
  };
  const root = operation.operation === 'mutation' ? admin.schema.getMutationType() : admin.schema.getQueryType();
  if (root) walk(operation.selectionSet.selections, root, []);
  return out;
}

/**
 * The ACCESS_DENIED errors Shopify answers for a token with `granted` scopes: one per
 * refused field (a write scope includes its read scope); fields under a refused one are
 * never reached, so they add none.
 */
export function accessDenied(gates: FieldAccess[], granted: Iterable<string>): ShopifyGraphQLError[] {
  const have = effectiveScopes(granted);
  const refused: string[][] = [];
  const errors: ShopifyGraphQLError[] = [];
  for (const gate of gates) {
    if (refused.some((p) => p.length <= gate.path.length && p.every((k, i) => gate.path[i] === k))) continue;
    if (gate.access.scopes.some((s) => have.has(s))) continue;
    refused.push(gate.path);
    errors.push({
      message: `Access denied for ${gate.field.name.value} field. Required access: ${gate.access.text}`,
      locations: at(gate.field),
      path: gate.path,
      extensions: { code: 'ACCESS_DENIED', documentation: 'https://shopify.dev/api/usage/access-scopes', requiredAccess: gate.access.text },
    });
  }
  return errors;
}

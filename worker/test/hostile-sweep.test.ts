import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { call, freshIp, userWithKey } from './helpers';

/**
 * Every route in GET /openapi.json, called with generated hostile input (NUL bytes,
 * unpaired surrogates, deep nesting, huge and odd numbers, wrong types, broken
 * percent-escapes, very long strings) by a signed-in Pro user with a read+write API key,
 * a JWT and the platform service key. Whatever arrives, the answer is never a 5xx.
 * Runs are fixed per route so the sweep stays bounded; a failure names the route, the
 * request and the seed that replays it (set SEED below).
 */
const SEED: number | undefined = undefined;
const RUNS_PER_ROUTE = 8;
const CONCURRENCY = 8;
const BASE = 'http://sourcepilot.test';

type Schema = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  params: { name: string; in: 'path' | 'query'; schema: Schema }[];
  body: Schema | null;
}

/** A number JSON.stringify cannot write (1e400, -0.0e-999): sent as its literal text. */
class RawNumber {
  constructor(readonly literal: string) {}
}

const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
const hostileText = fc.oneof(
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfff',
    '\udc00\ud800',
    '%E0%A4%A',
    '%',
    '%zz',
    '%00',
    '%ED%A0%80',
    '../..',
    '',
    ' ',
    'null',
    '-1',
    '1e999',
    'NaN',
    '9'.repeat(400),
    'https://www.aliexpress.com/item/%E0%A4%A.html',
    'https://www.aliexpress.com/item/1005001\u0000.html',
    'https://cjdropshipping.com/x-p-%E0%A4%A.html',
    'https://spocket.co/product/%E0%A4%A',
    'https://[::ffff:7f00:1]/',
    'https://127.0.0.1.nip.io/hook',
    'http://169.254.169.254/latest/meta-data',
  ),
  fc.string({ unit: codeUnit, maxLength: 24 }),
  fc.integer({ min: 2_000, max: 120_000 }).map((n) => 'x'.repeat(n)),
);
const hostileNumber = fc.oneof(
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 2, -(2 ** 63), 2 ** 31, -1, 0.5, 1e21),
  fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '-0.0e-999').map((l) => new RawNumber(l)),
  fc.double(),
  fc.integer(),
);
/** Objects or arrays nested past any sane limit (the cap is 32): cheap to send, costly if accepted. */
const deepValue = fc
  .tuple(fc.constantFrom(32, 33, 40, 500), fc.boolean())
  .map(([depth, asArray]) => {
    let v: unknown = 'deep';
    for (let i = 0; i < depth; i++) v = asArray ? [v] : { a: v };
    return v;
  });
const { hostileValue } = fc.letrec((tie) => ({
  hostileValue: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileText,
    hostileNumber,
    fc.constantFrom(null, true, false),
    fc.array(tie('hostileValue'), { maxLength: 3 }),
    fc.dictionary(hostileText, tie('hostileValue'), { maxKeys: 3 }),
    deepValue,
  ),
}));

/** A plausible value for a JSON schema, so that other fields pass and the hostile one reaches the handler. */
function plausible(schema: Schema | undefined, name = ''): fc.Arbitrary<unknown> {
  if (!schema) return fc.constant('x');
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives: Schema[] | undefined = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const usable = alternatives.filter((s) => s.type !== 'null');
    const some = usable.length ? fc.oneof(...usable.map((s) => plausible(s, name))) : fc.constant(null);
    return usable.length < alternatives.length ? fc.oneof(fc.constant(null), some) : some;
  }
  if (schema.allOf) return plausible(Object.assign({}, ...schema.allOf), name);
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const props: Record<string, Schema> = schema.properties ?? {};
      const keys = Object.keys(props);
      if (!keys.length) return fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 2 });
      const required = new Set<string>(schema.required ?? []);
      // Optional fields mostly left out: each one is another chance for the request to fail validation before the handler.
      const entries = keys.map((k) =>
        required.has(k) ? plausible(props[k], k) : fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: plausible(props[k], k) }),
      );
      return fc.tuple(...entries).map((values) => Object.fromEntries(keys.map((k, i) => [k, values[i]]).filter(([, v]) => v !== undefined)));
    }
    case 'array':
      return fc.array(plausible(schema.items, name), { minLength: schema.minItems ?? 0, maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)) });
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (type === 'integer' ? 1 : 0.01) : 0);
      const max = Math.min(schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (type === 'integer' ? 1 : 0.01) : 100), 1e6);
      return type === 'integer'
        ? fc.integer({ min: Math.ceil(min), max: Math.max(Math.ceil(min), Math.floor(max)) })
        : fc.double({ min, max: Math.max(min, max), noNaN: true }).map((n) => Math.round(n * 100) / 100);
    }
    case 'boolean':
      return fc.boolean();
    case 'string': {
      if (schema.format === 'uuid') return fc.uuid({ version: 4 });
      if (schema.format === 'email' || name === 'email') return fc.constant(`sweep-${crypto.randomUUID().slice(0, 8)}@example.com`);
      if (/store_url|shop/.test(name)) return fc.constantFrom('https://sweep.myshopify.com', 'https://shop.example.com');
      if (/url/.test(name)) return fc.nat().map((n) => `https://www.aliexpress.com/item/${1_005_000_000_000_000 + n}.html`);
      if (/source/.test(name)) return fc.constantFrom('aliexpress', 'cjdropship', 'cjdropshipping');
      if (/platform/.test(name)) return fc.constantFrom('shopify', 'woocommerce', 'aliexpress', 'cjdropshipping');
      const min = schema.minLength ?? 1;
      return fc.string({ minLength: min, maxLength: Math.max(min, Math.min(schema.maxLength ?? 20, 20)) });
    }
    default:
      return fc.constant('x');
  }
}

/** What a mutation splices into a plausible string: text Postgres cannot store, a broken escape, or sheer length. */
const poison = fc.constantFrom('\u0000', '\ud800', '\udfff', '\udc00\ud800', '%E0%A4%A', '%', 'x'.repeat(120_000));

type Mutation = { kind: 'poison'; text: string; at: number } | { kind: 'replace'; value: unknown } | { kind: 'key'; key: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('poison' as const), text: poison, at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('replace' as const), value: hostileValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('key' as const), key: hostileText, value: hostileValue }) },
);

/** Every place in a value a mutation can hit: each node, with a setter that replaces it. */
function places(root: { v: unknown }): { node: unknown; set: (v: unknown) => void }[] {
  const out: { node: unknown; set: (v: unknown) => void }[] = [];
  const visit = (node: unknown, set: (v: unknown) => void) => {
    out.push({ node, set });
    if (Array.isArray(node)) node.forEach((item, i) => visit(item, (v) => (node[i] = v)));
    else if (node && typeof node === 'object' && !(node instanceof RawNumber)) {
      for (const [k, item] of Object.entries(node)) visit(item, (v) => ((node as Record<string, unknown>)[k] = v));
    }
  };
  visit(root.v, (v) => (root.v = v));
  return out;
}

/** The value with one mutation applied at place `pick`: valid everywhere else, so the hostile part reaches as far as it can. */
function mutate(value: unknown, pick: number, m: Mutation): unknown {
  const root = { v: structuredClone(value) };
  const all = places(root);
  if (m.kind === 'poison') {
    const strings = all.filter((p) => typeof p.node === 'string');
    if (!strings.length) return m.text;
    const target = strings[pick % strings.length];
    const s = target.node as string;
    const at = m.at % (s.length + 1);
    target.set(s.slice(0, at) + m.text + s.slice(at));
  } else if (m.kind === 'key') {
    const objects = all.filter((p) => p.node && typeof p.node === 'object' && !Array.isArray(p.node) && !(p.node instanceof RawNumber));
    if (!objects.length) return { [m.key]: m.value };
    (objects[pick % objects.length].node as Record<string, unknown>)[m.key] = m.value;
  } else {
    all[pick % all.length].set(m.value);
  }
  return root.v;
}

/** Path and query values are text: plausible, poisoned, or hostile text and numbers. */
const urlValue = (schema: Schema | undefined, name: string): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 2, arbitrary: plausible(schema, name) },
    { weight: 2, arbitrary: fc.tuple(plausible(schema, name), poison, fc.nat()).map(([v, p, at]) => mutate(String(v), 0, { kind: 'poison', text: p, at })) },
    { weight: 1, arbitrary: fc.oneof(hostileText, hostileNumber) },
  );

const rawBodies = fc.oneof(
  fc.constantFrom('{', '{"a":1}}', '[', 'nul', '"\\ud800"', '{"a":"\\u0000"}', '{"\\u0000":1}', '\u0000', '1e400', '{"config":' + '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_001)),
  fc.integer({ min: 33, max: 60_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
);

/** JSON text with RawNumber values written as their literal. */
function toJson(value: unknown): string {
  const literals: string[] = [];
  const text = JSON.stringify(value, (_k, v) => (v instanceof RawNumber ? `\u0001${literals.push(v.literal) - 1}\u0001` : v));
  return text === undefined ? 'null' : text.replace(/"\u0001(\d+)\u0001"/g, (_m, i) => literals[Number(i)]);
}

/** Percent-encodes each UTF-16 code unit as WTF-8, so unpaired surrogates reach the server as bytes (encodeURIComponent throws on them). */
function encodeAnything(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
    if (pair) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(s[i]);
    }
  }
  return out;
}

/** A URL component either encoded (the text arrives decoded) or raw (broken escapes arrive as they are). */
const urlPart = (value: unknown, raw: boolean) => {
  const s = typeof value === 'string' ? value : value instanceof RawNumber ? value.literal : toJson(value);
  return raw ? s.replace(/[#?/&=\s]/g, (ch) => encodeURIComponent(ch)) : encodeAnything(s);
};

function operationsOf(doc: any): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    for (const [method, op] of Object.entries(item)) {
      out.push({
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []).filter((p: any) => p.in === 'path' || p.in === 'query'),
        body: op.requestBody?.content?.['application/json']?.schema ?? null,
      });
    }
  }
  return out;
}

function requestFor(op: Operation) {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const url = {
    path: fc.tuple(...pathParams.map((p) => fc.tuple(urlValue(p.schema, p.name), fc.boolean()))),
    query: fc.tuple(...queryParams.map((p) => fc.option(fc.tuple(urlValue(p.schema, p.name), fc.boolean()), { nil: undefined }))),
    extraQuery: fc.option(fc.tuple(hostileText, hostileText), { nil: undefined }),
  };
  const plausibleBody = op.body ? plausible(op.body) : fc.constant({});
  return fc.record({
    ...url,
    body: fc.oneof(
      { weight: 6, arbitrary: fc.tuple(plausibleBody, fc.nat(), mutation).map(([v, pick, m]) => toJson(mutate(v, pick, m))) },
      { weight: 1, arbitrary: plausibleBody.map(toJson) },
      { weight: 1, arbitrary: hostileValue.map(toJson) },
      { weight: 1, arbitrary: rawBodies },
    ),
  });
}

/** One route's runs, answering a failure line (route, seed, the failing request and its answer) or null. */
async function sweep(op: Operation, user: Awaited<ReturnType<typeof userWithKey>>, seed: number): Promise<string | null> {
  let lastRequest = '';
  let lastAnswer = '';
  try {
    await fc.assert(
      fc.asyncProperty(requestFor(op), async (req) => {
        let i = 0;
        let path = op.path.replace(/\{[^}]+\}/g, () => {
          const [value, raw] = req.path[i++];
          return urlPart(value, raw) || 'x';
        });
        const query: string[] = [];
        op.params
          .filter((p) => p.in === 'query')
          .forEach((p, j) => {
            const q = req.query[j];
            if (q) query.push(`${encodeURIComponent(p.name)}=${urlPart(q[0], q[1])}`);
          });
        if (req.extraQuery) query.push(`${urlPart(req.extraQuery[0], true)}=${urlPart(req.extraQuery[1], true)}`);
        if (query.length) path += `?${query.join('&')}`;
        const body = op.method === 'GET' || op.method === 'HEAD' ? undefined : req.body;
        const headers: Record<string, string> = {
          'CF-Connecting-IP': freshIp(),
          Authorization: `Bearer ${user.token}`,
          'X-API-Key': user.apiKey,
          'X-Service-Key': env.PLATFORM_SERVICE_KEY ?? '',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        };
        lastRequest = `${op.method} ${path.slice(0, 200)}${path.length > 200 ? '…' : ''} body=${(body ?? '').slice(0, 400)}`;
        const res = await SELF.fetch(`${BASE}${path}`, { method: op.method, headers, body });
        lastAnswer = `${res.status} ${(await res.text()).slice(0, 300)}`;
        if (res.status >= 500) throw new Error(lastAnswer);
      }),
      { numRuns: RUNS_PER_ROUTE, seed, endOnFailure: true },
    );
    return null;
  } catch (err) {
    return `${op.method} ${op.path} (seed ${seed}): ${lastRequest}\n  → ${lastAnswer || (err as Error).message.slice(0, 300)}`;
  }
}

describe('hostile input sweep over every documented route', () => {
  it('answers no 5xx to any generated request', async () => {
    const doc = await call('/openapi.json');
    const ops = operationsOf(doc.json);
    expect(ops.length).toBeGreaterThan(50);
    // Three users share the routes so per-user rate limits (imports: 60 a minute) leave room for real runs.
    const users = await Promise.all([0, 1, 2].map(() => userWithKey(['read', 'write'], 'enterprise')));
    const seed = SEED ?? Math.floor(Math.random() * 2 ** 31);
    const failures: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < ops.length) {
          const i = next++;
          const failure = await sweep(ops[i], users[i % users.length], seed);
          if (failure) failures.push(failure);
        }
      }),
    );
    expect(failures, `replay with SEED = ${seed} in worker/test/hostile-sweep.test.ts\n${failures.join('\n')}`).toEqual([]);
  }, 180_000); // every documented route (the import list added nine) on a shared, busy machine
});

import { z } from 'zod';
import type { Loc, ValidationIssue } from './errors';

const NUL = /\u0000/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether Postgres can store the string (text rejects NUL; jsonb rejects unpaired surrogates). */
export const storable = (s: string) => !NUL.test(s) && !LONE_SURROGATE.test(s);

export const UNSTORABLE_TEXT = 'Text must not contain NUL characters or unpaired surrogates';

/**
 * A string Postgres can store as text and inside jsonb: without this check a NUL byte
 * or an unpaired surrogate from a client reaches the database and comes back as a 500.
 */
export const storableString = () => z.string().refine(storable, { message: UNSTORABLE_TEXT });

/**
 * How deeply a client's JSON may nest. The deepest document the contract defines (an
 * import config with a manual product's variant options) is five levels; past a few
 * thousand, jsonb and every recursive walk over the value get expensive.
 */
export const MAX_JSON_DEPTH = 32;

/** The longest single string or object key a client may send (a manual product's description is the longest field, 100,000). */
export const MAX_TEXT_LENGTH = 100_000;

const deepIssue = (loc: Loc): ValidationIssue => ({
  type: 'json_invalid',
  loc,
  msg: `JSON nested more than ${MAX_JSON_DEPTH} levels deep`,
  input: {},
  ctx: { max_depth: MAX_JSON_DEPTH },
});

const textIssue = (s: string): Omit<ValidationIssue, 'loc'> | null => {
  if (s.length > MAX_TEXT_LENGTH) {
    return { type: 'string_too_long', msg: `String should have at most ${MAX_TEXT_LENGTH} characters`, input: s.slice(0, 100), ctx: { max_length: MAX_TEXT_LENGTH } };
  }
  return storable(s) ? null : { type: 'value_error', msg: UNSTORABLE_TEXT, input: s };
};

/**
 * Where a JSON text first opens a container deeper than MAX_JSON_DEPTH, as the path of
 * keys and indexes leading to it; null when it does not. One pass over the characters,
 * without parsing or recursion, so a 50,000-level document costs what its length costs.
 * The text need not be valid JSON (the caller parses it afterwards).
 */
export function jsonTooDeep(raw: string, prefix: Loc): ValidationIssue | null {
  const path: (string | number)[] = [];
  const inArray: boolean[] = [];
  let lastString = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw.charCodeAt(i);
    if (ch === 0x22) {
      const start = i;
      for (i++; i < raw.length && raw.charCodeAt(i) !== 0x22; i++) if (raw.charCodeAt(i) === 0x5c) i++;
      lastString = raw.slice(start, i + 1);
    } else if (ch === 0x7b || ch === 0x5b) {
      if (inArray.length === MAX_JSON_DEPTH) return deepIssue([...prefix, ...path]);
      inArray.push(ch === 0x5b);
      path.push(ch === 0x5b ? 0 : '');
    } else if (ch === 0x7d || ch === 0x5d) {
      inArray.pop();
      path.pop();
    } else if (ch === 0x3a && inArray.length && !inArray[inArray.length - 1]) {
      path[path.length - 1] = decodeKey(lastString);
    } else if (ch === 0x2c && inArray[inArray.length - 1]) {
      (path[path.length - 1] as number)++;
    }
  }
  return null;
}

function decodeKey(quoted: string): string {
  try {
    return String(JSON.parse(quoted));
  } catch {
    return quoted.slice(1, -1);
  }
}

/**
 * The first string, object key or container in a client's value that the API refuses to
 * take in: text Postgres cannot store, a string past MAX_TEXT_LENGTH, nesting past
 * MAX_JSON_DEPTH. `loc` is where the value sits (`['body']`, `['query']`, `['path']`).
 * Iterative, so no input can exhaust the stack.
 */
export function unacceptableInput(value: unknown, loc: Loc): ValidationIssue | null {
  // Frames link to their parent so a location is only built for the value that fails.
  type Frame = { v: unknown; key: string | number; parent: Frame | null; depth: number };
  const locOf = (f: Frame | null, extra: (string | number)[] = []) => {
    const keys = [...extra];
    for (let x = f; x?.parent; x = x.parent) keys.unshift(x.key);
    return [...loc, ...keys];
  };
  const stack: Frame[] = [{ v: value, key: '', parent: null, depth: 0 }];
  while (stack.length) {
    const frame = stack.pop()!;
    const v = frame.v;
    if (typeof v === 'string') {
      const issue = textIssue(v);
      if (issue) return { ...issue, loc: locOf(frame) };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (frame.depth >= MAX_JSON_DEPTH) return deepIssue(locOf(frame));
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], key: i, parent: frame, depth: frame.depth + 1 });
      continue;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    for (const [key] of entries) {
      const keyIssue = textIssue(key);
      if (keyIssue) return { ...keyIssue, loc: locOf(frame, [key]) };
    }
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ v: entries[i][1], key: entries[i][0], parent: frame, depth: frame.depth + 1 });
  }
  return null;
}

import type { MiddlewareHandler, ValidationTargets } from 'hono';
import { validator } from 'hono-openapi';
import { validator as honoValidator } from 'hono/validator';
import type { z } from 'zod';
import type { core } from 'zod';
import { ValidationError, type ValidationIssue } from './errors';
import { unacceptableInput } from './safe-text';

/** Where each validated part of a request sits in a 422 issue's `loc`. */
export const LOC_TARGET: Partial<Record<keyof ValidationTargets, string>> = {
  json: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
};

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

const quoteList = (values: readonly unknown[]) => {
  const q = values.map((v) => `'${String(v)}'`);
  return q.length > 1 ? `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}` : (q[0] ?? '');
};

/** Maps a zod issue to the contract's FastAPI-style validation item. */
export function toContractIssue(issue: core.$ZodIssue, target: string, root: unknown): ValidationIssue {
  const path = issue.path as PropertyKey[];
  const loc = [target, ...path.map((p) => (typeof p === 'number' ? p : String(p)))];
  const input = valueAt(root, path);
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return { type: 'missing', loc, msg: 'Field required', input: valueAt(root, path.slice(0, -1)) ?? null };
      if (issue.expected === 'number' || issue.expected === 'int')
        return { type: issue.expected === 'int' ? 'int_parsing' : 'float_parsing', loc, msg: `Input should be a valid ${issue.expected === 'int' ? 'integer' : 'number'}`, input };
      if (issue.expected === 'array') return { type: 'list_type', loc, msg: 'Input should be a valid list', input };
      if (issue.expected === 'object' || issue.expected === 'record') return { type: 'dict_type', loc, msg: 'Input should be a valid dictionary', input };
      return { type: `${issue.expected}_type`, loc, msg: `Input should be a valid ${issue.expected}`, input };
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string')
        return { type: 'string_too_short', loc, msg: `String should have at least ${min} character${min === 1 ? '' : 's'}`, input, ctx: { min_length: min } };
      if (issue.origin === 'array' || issue.origin === 'set')
        return { type: 'too_short', loc, msg: `List should have at least ${min} item${min === 1 ? '' : 's'} after validation`, input, ctx: { min_length: min } };
      return issue.inclusive
        ? { type: 'greater_than_equal', loc, msg: `Input should be greater than or equal to ${min}`, input, ctx: { ge: min } }
        : { type: 'greater_than', loc, msg: `Input should be greater than ${min}`, input, ctx: { gt: min } };
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string')
        return { type: 'string_too_long', loc, msg: `String should have at most ${max} character${max === 1 ? '' : 's'}`, input, ctx: { max_length: max } };
      if (issue.origin === 'array' || issue.origin === 'set')
        return { type: 'too_long', loc, msg: `List should have at most ${max} item${max === 1 ? '' : 's'} after validation`, input, ctx: { max_length: max } };
      return issue.inclusive
        ? { type: 'less_than_equal', loc, msg: `Input should be less than or equal to ${max}`, input, ctx: { le: max } }
        : { type: 'less_than', loc, msg: `Input should be less than ${max}`, input, ctx: { lt: max } };
    }
    case 'invalid_value':
      return { type: 'enum', loc, msg: `Input should be ${quoteList(issue.values)}`, input, ctx: { expected: quoteList(issue.values) } };
    case 'invalid_format':
      if (issue.format === 'uuid' || issue.format === 'guid')
        return { type: 'uuid_parsing', loc, msg: 'Input should be a valid UUID', input };
      if (issue.format === 'email')
        return { type: 'value_error', loc, msg: 'value is not a valid email address', input };
      return { type: 'string_pattern_mismatch', loc, msg: issue.message, input };
    default:
      return { type: 'value_error', loc, msg: issue.message, input };
  }
}

/**
 * hono-openapi's validator (Standard Schema, so zod 4 issues arrive as they are) whose
 * failures become the contract's 422 `{"detail": [...]}`. The schema stays attached to
 * the middleware, which is how GET /openapi.json documents every route from the very
 * schemas the routes validate with. Thrown (not returned) so route response types stay
 * the handler's own.
 *
 * Before the schema runs, the whole value as the client sent it (every string and key,
 * known to the schema or not) must be something the API can store: no NUL or unpaired
 * surrogate, no string past MAX_TEXT_LENGTH, no nesting past MAX_JSON_DEPTH. Doing it
 * here rather than in each schema is what covers a route nobody remembered to harden.
 */
export function validate<T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  const where = LOC_TARGET[target] ?? target;
  const checkSchema = validator(target, schema, (result) => {
    if (!result.success) {
      throw new ValidationError(result.error.map((i) => toContractIssue(i as unknown as core.$ZodIssue, where, result.data)));
    }
  });
  const checkInput: MiddlewareHandler = honoValidator(target, (value) => {
    const issue = unacceptableInput(value, [where]);
    if (issue) throw new ValidationError([issue]);
    return value;
  });
  // Object.assign keeps the schema hono-openapi attached to the middleware (a symbol key).
  // The schema's hook throws on failure, so checkSchema never answers a Response itself.
  const guarded: MiddlewareHandler = (c, next) =>
    checkInput(c, async () => {
      await checkSchema(c as never, next);
    });
  return Object.assign(guarded, checkSchema) as typeof checkSchema;
}

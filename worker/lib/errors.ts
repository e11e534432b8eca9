import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  Conflict,
  InvalidInput,
  NotConfigured,
  NotFound,
  QuotaExceeded,
  Refused,
  UpstreamFailure,
  type DomainError,
} from '../shared/domain-errors';

export type Loc = (string | number)[];

export interface ValidationIssue {
  type: string;
  loc: Loc;
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/** A business or auth error: the body is `{"detail": "<message>"}`. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message: detail });
  }
}

/** A 422 whose body is `{"detail": [issue, ...]}`. */
export class ValidationError extends HTTPException {
  constructor(readonly issues: ValidationIssue[]) {
    super(422, { message: 'Validation error' });
  }
}

export const notFound = (detail: string) => new ApiError(404, detail);
export const badRequest = (detail: string) => new ApiError(400, detail);
export const forbidden = (detail: string) => new ApiError(403, detail);

/** One-issue validation error, for checks that live outside a schema. */
export function invalid(loc: Loc, type: string, msg: string, input: unknown, ctx?: Record<string, unknown>) {
  return new ValidationError([{ type, loc, msg, input, ...(ctx ? { ctx } : {}) }]);
}

/**
 * The contract's answer to a domain error: the one place that gives them statuses.
 * `where` names the request part (`body`, `query`) a field of an InvalidInput came from.
 * Null for a kind it does not know, which the API treats as unexpected (a 500).
 */
export function httpErrorFor(err: DomainError, where: (field: string | number) => string): ApiError | ValidationError | null {
  if (err instanceof InvalidInput) {
    const p = err.problem;
    return p ? invalid([where(p.field[0]), ...p.field], p.type, err.message, p.input, p.ctx) : badRequest(err.message);
  }
  if (err instanceof Refused) return badRequest(err.message);
  if (err instanceof NotFound) return notFound(err.message);
  if (err instanceof Conflict) return new ApiError(409, err.message);
  if (err instanceof QuotaExceeded) return new ApiError(429, err.message, { 'Retry-After': String(err.retryAfterSeconds) });
  if (err instanceof NotConfigured) return new ApiError(503, err.message);
  if (err instanceof UpstreamFailure) return new ApiError(502, err.message);
  return null;
}

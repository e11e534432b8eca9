import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

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

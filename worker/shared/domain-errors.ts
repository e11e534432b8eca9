/**
 * How services, suppliers, stores and the browser-safe parsers say no. They return a
 * discriminated result when their caller answers each outcome differently (a user's id
 * that is not theirs, a plan limit), and throw one of these when the failure just has to
 * travel up: the API maps them to the contract's answers in one place
 * (`httpErrorFor` in worker/lib/errors.ts, used by app.ts's onError), and queue and cron
 * code turn them into a job's or a watch's failure with `message` as the merchant's
 * sentence. No HTTP type appears here, so queue code and the dashboard can use them.
 */
export abstract class DomainError extends Error {
  /** Whether trying the same thing later may succeed; only upstream trouble can. */
  readonly retryable: boolean = false;
}

/** The thing asked for does not exist (or is not the caller's). */
export class NotFound extends DomainError {
  override readonly name = 'NotFound';
}

/** The request collides with what is stored (a duplicate, a concurrent change). */
export class Conflict extends DomainError {
  override readonly name = 'Conflict';
}

/** A field-level problem, in the terms of a validation issue. */
export interface FieldProblem {
  /** Domain path of the offending value, e.g. `['store_url']`; where it sat in the request is the API's business. */
  field: (string | number)[];
  /** The kind: `value_error`, `datetime_parsing`, … */
  type: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/**
 * What the caller sent cannot be used. With a `problem` it names the field (a validation
 * issue); without one it is a plain refusal of the input as a whole.
 */
export class InvalidInput extends DomainError {
  override readonly name = 'InvalidInput';
  constructor(
    message: string,
    readonly problem?: FieldProblem,
  ) {
    super(message);
  }
}

/** The request is fine but the account's state does not allow it (no supplier account, already subscribed). */
export class Refused extends DomainError {
  override readonly name = 'Refused';
}

/** A cap on the caller's use is spent until `retryAfterSeconds` from now. */
export class QuotaExceeded extends DomainError {
  override readonly name = 'QuotaExceeded';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A feature depends on settings this deployment does not have. */
export class NotConfigured extends DomainError {
  override readonly name = 'NotConfigured';
}

/** A service we call (payment provider, AI gateway, supplier) failed or answered nonsense. */
export class UpstreamFailure extends DomainError {
  override readonly name = 'UpstreamFailure';
  constructor(
    message: string,
    override readonly retryable: boolean,
  ) {
    super(message);
  }
}

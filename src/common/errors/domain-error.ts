/** Every failure a client can cause, and the HTTP status each one maps to. */
export enum ErrorCode {
  BadRequest = 'bad-request',
  ValidationFailed = 'validation-failed',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  NotFound = 'not-found',
  Conflict = 'conflict',
  IdempotencyMismatch = 'idempotency-key-reused',
  IdempotencyInProgress = 'idempotency-key-in-progress',
  PayloadTooLarge = 'payload-too-large',
  UnsupportedMediaType = 'unsupported-media-type',
  Unprocessable = 'unprocessable',
  RateLimited = 'rate-limited',
  BadGateway = 'provider-failed',
  Unavailable = 'unavailable',
}

export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.IdempotencyInProgress]: 409,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.IdempotencyMismatch]: 422,
  [ErrorCode.Unprocessable]: 422,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.BadGateway]: 502,
  [ErrorCode.Unavailable]: 503,
};

export interface FieldError {
  field: string;
  message: string;
}

/** The one exception type of the domain; transports map its code to their own error shape. */
export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** Seconds a client should wait before trying again (429, 503). */
  retryAfterSeconds?: number;

  static rateLimited(retryAfterSeconds: number): DomainError {
    const error = new DomainError(ErrorCode.RateLimited, `too many requests; retry in ${retryAfterSeconds} s`);
    error.retryAfterSeconds = retryAfterSeconds;
    return error;
  }

  static notFound(what: string): DomainError {
    return new DomainError(ErrorCode.NotFound, `${what} not found`);
  }

  static invalidField(field: string, message: string, code = ErrorCode.ValidationFailed): DomainError {
    return new DomainError(code, `${field} ${message}`, [{ field, message }]);
  }
}

import type { ErrorCode } from '@forecourt/contracts';

export const HTTP_STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  CSRF_FAILED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PASSWORD_POLICY: 422,
  UNPROCESSABLE: 422,
  ACCOUNT_LOCKED: 423,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

/** An expected failure: its `userMessage` is safe to show; `message` may carry internal detail for logs. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly userMessage: string,
    readonly details?: unknown,
    internal?: string,
  ) {
    super(internal ?? userMessage);
    this.name = 'AppError';
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found.`);
export const conflict = (message: string, details?: unknown) => new AppError('CONFLICT', message, details);
export const invalid = (field: string, message: string) =>
  new AppError('VALIDATION_FAILED', `${field}: ${message}`, [{ path: field, message }]);

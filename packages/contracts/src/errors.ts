import { z } from 'zod';

/** Every error the API returns, by code. The HTTP status comes from one map on the server. */
export const ErrorCode = z.enum([
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'CSRF_FAILED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'ACCOUNT_LOCKED',
  'INVALID_CREDENTIALS',
  'PASSWORD_POLICY',
  /** Well-formed but not acceptable as it stands (a lead with no contact, a VIN that fails its check digit). */
  'UNPROCESSABLE',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** Body of every non-2xx answer. */
export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.unknown().optional(),
  }),
  requestId: z.string().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

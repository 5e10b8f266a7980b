import { pino, type Logger, type LoggerOptions } from 'pino';

/** Paths pino blanks out wherever they appear, so secrets and personal data never reach a log. */
const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.phone',
  '*.key',
  '*.token',
];

export function createLogger(level: string, destination?: LoggerOptions['transport']): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, transport: destination });
}
export type { Logger };

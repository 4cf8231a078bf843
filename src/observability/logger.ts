import pino, { type Logger } from 'pino';
import { censor, errSerializer } from './redact';

export type { Logger };

/** Paths hidden in every log line, however an object is passed in (URLs keep all but their password). */
export const REDACTED_PATHS = [
  'privateKey',
  '*.privateKey',
  'KALSHI_PRIVATE_KEY',
  '*.KALSHI_PRIVATE_KEY',
  'REDIS_SENTINEL_PASSWORD',
  '*.REDIS_SENTINEL_PASSWORD',
  'password',
  '*.password',
  'headers["KALSHI-ACCESS-SIGNATURE"]',
  'url',
  '*.url',
  'databaseUrl',
  '*.databaseUrl',
  'redisUrl',
  '*.redisUrl',
  'DATABASE_URL',
  '*.DATABASE_URL',
  'REDIS_URL',
  '*.REDIS_URL',
];

/** pino options shared by the service's logger and the tests' in-memory one. */
export function loggerOptions(level: string): pino.LoggerOptions {
  return {
    level,
    // Errors go out whole (stack, code, cause) as `{ err }`, without URL credentials.
    serializers: { err: errSerializer, error: errSerializer },
    redact: { paths: REDACTED_PATHS, censor },
  };
}

export function createLogger(level: string, workerId: string): Logger {
  return pino({ ...loggerOptions(level), base: { service: 'kalshi-ingestor', worker: workerId } });
}

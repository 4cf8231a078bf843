// @ts-nocheck
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, workerId: string): Logger {
  return pino({
    level,
    base: { service: 'kalshi-ingestor', worker: workerId },
    // Secrets must never reach a log line, however an object is passed in.
    redact: { paths: ['privateKey', '*.privateKey', 'KALSHI_PRIVATE_KEY', '*.KALSHI_PRIVATE_KEY', 'headers["KALSHI-ACCESS-SIGNATURE"]'], censor: '[redacted]' },
  });
}

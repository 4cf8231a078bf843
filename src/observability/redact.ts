import { types } from 'node:util';
import { stdSerializers } from 'pino';

/**
 * `scheme://user:password@` in any text: URLs (well-formed or not) inside messages, stacks and values; the
 * scheme's colon may be missing (`redis//user:pw@host` is a typo a configuration error must not print whole). The
 * password runs to the last `@` before a space: one holding an unencoded `/`, `?`, `#` or `@` is hidden whole.
 */
const CREDENTIALS_IN_URL = /\b([a-z][a-z0-9+.-]*:?\/\/[^\s/?#@:]*):[^\s]*@/gi;
/** The whole user information (user and password): up to the last `@` of the URL's token. */
const USER_INFO_IN_URL = /\b([a-z][a-z0-9+.-]*:?\/\/)[^\s]*@/gi;

/**
 * Text with the password of every URL in it replaced by `***`. Works on text that is not a valid URL too
 * (a malformed DATABASE_URL must not be printed with its password either). The one place that does this.
 */
export function redactUrl(text: string): string {
  return text.replace(CREDENTIALS_IN_URL, '$1:***@');
}

/**
 * Text with the user information of every URL in it (user and password) replaced by `***`, whatever characters the
 * password holds: the password runs to the last `@` before a space, so a `/`, `?`, `#` or `@` left unencoded in it
 * is hidden too (a few characters of a query holding an `@` as well, which is the safe side). Configuration errors.
 */
export function withoutUserInfo(text: string): string {
  return text.replace(USER_INFO_IN_URL, '$1***@');
}

const MAX_DEPTH = 6;

/** A copy of a serialized value with every string passed through redactUrl (bounded depth). */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactUrl(value);
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrub(item, depth + 1);
  return out;
}

/**
 * pino's standard error serializer (type, message, stack, code, cause, enumerable properties), with URL
 * credentials removed from every string of it: driver errors may quote a connection string.
 */
export function errSerializer(error: unknown): unknown {
  // isNativeError too: an error made in another realm (a vm context, as under jest) is no instanceof this Error.
  if (!(error instanceof Error) && !types.isNativeError(error)) return typeof error === 'string' ? redactUrl(error) : error;
  return scrub(stdSerializers.err(error));
}

/** pino `redact` censor: keys are hidden whole, URLs keep everything but their password. */
export function censor(value: unknown, path: string[]): unknown {
  const key = path[path.length - 1] ?? '';
  if (/url$/i.test(key) && typeof value === 'string') return redactUrl(value);
  return '[redacted]';
}

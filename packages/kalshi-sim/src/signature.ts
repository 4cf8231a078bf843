import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { WS_PATH } from './protocol';

export interface HandshakeCheck {
  publicKey: KeyObject;
  keyId: string;
  maxTimestampSkewMs: number;
  now: number;
}

export type HandshakeResult = { ok: true } | { ok: false; reason: string };

/** Accepts a PEM (public, or private from which the public half is taken) or a KeyObject. */
export function toPublicKey(key: string | KeyObject): KeyObject {
  if (typeof key !== 'string') return key.type === 'public' ? key : createPublicKey(key);
  return createPublicKey(key);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const DIGITS = /^\d{1,16}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Kalshi's handshake: KALSHI-ACCESS-KEY, KALSHI-ACCESS-TIMESTAMP (Unix ms) and KALSHI-ACCESS-SIGNATURE, base64,
 * over `timestamp + "GET" + "/trade-api/ws/v2"`: RSA-PSS with an RSA key, Ed25519 with an Ed25519 key.
 */
export function verifyHandshake(headers: IncomingHttpHeaders, check: HandshakeCheck): HandshakeResult {
  const key = header(headers, 'kalshi-access-key');
  const timestamp = header(headers, 'kalshi-access-timestamp');
  const signature = header(headers, 'kalshi-access-signature');
  if (key === undefined || timestamp === undefined || signature === undefined) {
    return { ok: false, reason: 'missing KALSHI-ACCESS-KEY, KALSHI-ACCESS-TIMESTAMP or KALSHI-ACCESS-SIGNATURE' };
  }
  if (key !== check.keyId) return { ok: false, reason: 'unknown KALSHI-ACCESS-KEY' };
  if (!DIGITS.test(timestamp)) return { ok: false, reason: 'KALSHI-ACCESS-TIMESTAMP is not Unix milliseconds' };
  if (Math.abs(check.now - Number(timestamp)) > check.maxTimestampSkewMs) {
    return { ok: false, reason: 'KALSHI-ACCESS-TIMESTAMP outside the allowed skew' };
  }
  if (!BASE64.test(signature)) return { ok: false, reason: 'KALSHI-ACCESS-SIGNATURE is not base64' };
  let valid: boolean;
  try {
    valid = verifySignature(check.publicKey, Buffer.from(timestamp + 'GET' + WS_PATH), Buffer.from(signature, 'base64'));
  } catch {
    valid = false;
  }
  return valid ? { ok: true } : { ok: false, reason: 'bad KALSHI-ACCESS-SIGNATURE' };
}

/**
 * Kalshi's two signatures, chosen by the configured key's type as Kalshi does by the key registered: RSA-PSS/SHA-256
 * (MGF1-SHA256, salt = digest length) for an RSA key, Ed25519's own for an Ed25519 key. A signature made with the
 * other kind of key, or any other key type, does not verify.
 */
function verifySignature(publicKey: KeyObject, data: Buffer, signature: Buffer): boolean {
  switch (publicKey.asymmetricKeyType) {
    case 'rsa':
      return verify('sha256', data, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
    case 'ed25519':
      return verify(null, data, publicKey, signature);
    default:
      return false;
  }
}

import { constants, sign, type KeyObject } from 'node:crypto';

export interface KalshiCredentials {
  keyId: string;
  privateKey: KeyObject;
}

/** The key types Kalshi accepts (docs/KALSHI.md): RSA since the start, Ed25519 since 2026-09-24. */
export type SigningKeyType = 'rsa' | 'ed25519';

/** What an error message names as accepted. */
export const ACCEPTED_KEY_TYPES = 'RSA or Ed25519';

/** The key's own type decides the signature: nothing else is configured, so a key cannot be signed the wrong way. */
export function signingKeyType(key: KeyObject): SigningKeyType | undefined {
  const type = key.asymmetricKeyType;
  return type === 'rsa' || type === 'ed25519' ? type : undefined;
}

/**
 * Kalshi's signature of `text`, base64: RSA-PSS/SHA-256 (MGF1-SHA256, salt = digest length) with an RSA key,
 * Ed25519's own signature (no separate digest: `null`) with an Ed25519 key. Any other key throws; config.ts
 * refuses such keys at start, so the service never gets here with one.
 */
export function signText(key: KeyObject, text: string): string {
  const data = Buffer.from(text);
  switch (signingKeyType(key)) {
    case 'rsa':
      return sign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }).toString('base64');
    case 'ed25519':
      return sign(null, data, key).toString('base64');
    default:
      throw new TypeError(`cannot sign with a ${key.asymmetricKeyType ?? 'symmetric'} key: Kalshi accepts ${ACCEPTED_KEY_TYPES} keys`);
  }
}

/** The three handshake headers of docs/KALSHI.md: the key's signature over `timestamp + "GET" + path`. */
export function handshakeHeaders(credentials: KalshiCredentials, wsUrl: string, nowMs: number): Record<string, string> {
  const timestamp = String(nowMs);
  const path = new URL(wsUrl).pathname;
  return {
    'KALSHI-ACCESS-KEY': credentials.keyId,
    'KALSHI-ACCESS-TIMESTAMP': timestamp,
    'KALSHI-ACCESS-SIGNATURE': signText(credentials.privateKey, timestamp + 'GET' + path),
  };
}

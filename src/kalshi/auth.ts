import { constants, sign, type KeyObject } from 'node:crypto';

export interface KalshiCredentials {
  keyId: string;
  privateKey: KeyObject;
}

/** The three handshake headers of docs/KALSHI.md: RSA-PSS/SHA-256 over `timestamp + "GET" + path`. */
export function handshakeHeaders(credentials: KalshiCredentials, wsUrl: string, nowMs: number): Record<string, string> {
  const timestamp = String(nowMs);
  const path = new URL(wsUrl).pathname;
  const signature = sign('sha256', Buffer.from(timestamp + 'GET' + path), {
    key: credentials.privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  }).toString('base64');
  return {
    'KALSHI-ACCESS-KEY': credentials.keyId,
    'KALSHI-ACCESS-TIMESTAMP': timestamp,
    'KALSHI-ACCESS-SIGNATURE': signature,
  };
}

import { constants, generateKeyPairSync, verify } from 'node:crypto';
import { handshakeHeaders, signText, signingKeyType } from '../../src/kalshi/auth';

/** The signature Kalshi checks, made by the key's own type (docs/KALSHI.md), verified here with Node's own verify. */
describe('handshake signatures', () => {
  const url = 'wss://external-api-ws.kalshi.com/trade-api/ws/v2?ignored=1';
  const text = '1787838990880GET/trade-api/ws/v2';

  it('signs with RSA-PSS/SHA-256, salt = digest length, for an RSA key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const headers = handshakeHeaders({ keyId: 'kid', privateKey }, url, 1787838990880);
    expect(headers['KALSHI-ACCESS-KEY']).toBe('kid');
    expect(headers['KALSHI-ACCESS-TIMESTAMP']).toBe('1787838990880');
    const signature = Buffer.from(headers['KALSHI-ACCESS-SIGNATURE'] ?? '', 'base64');
    const pss = { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
    expect(verify('sha256', Buffer.from(text), pss, signature)).toBe(true);
    // Salt of the digest's length exactly: a verifier expecting another salt length refuses it.
    expect(verify('sha256', Buffer.from(text), { ...pss, saltLength: 20 }, signature)).toBe(false);
  });

  it('signs with Ed25519 itself for an Ed25519 key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const headers = handshakeHeaders({ keyId: 'kid', privateKey }, url, 1787838990880);
    const signature = Buffer.from(headers['KALSHI-ACCESS-SIGNATURE'] ?? '', 'base64');
    expect(signature).toHaveLength(64);
    expect(verify(null, Buffer.from(text), publicKey, signature)).toBe(true);
    expect(verify(null, Buffer.from(`${text}x`), publicKey, signature)).toBe(false);
  });

  it('tells the two apart by the key, and refuses any other key type, naming RSA and Ed25519', () => {
    expect(signingKeyType(generateKeyPairSync('ed25519').privateKey)).toBe('ed25519');
    expect(signingKeyType(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey)).toBe('rsa');
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    expect(signingKeyType(ec)).toBeUndefined();
    expect(() => signText(ec, text)).toThrow('cannot sign with a ec key: Kalshi accepts RSA or Ed25519 keys');
    expect(() => handshakeHeaders({ keyId: 'kid', privateKey: generateKeyPairSync('x25519').privateKey }, url, 1)).toThrow(/RSA or Ed25519/);
  });
});

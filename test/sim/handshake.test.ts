import { generateKeyPairSync } from 'node:crypto';
import { authHeaders, KEY_ID, keys, nextEvent, refusedStatus, simulators, TestClient } from './helpers';

describe('simulator handshake', () => {
  const sims = simulators();

  it('accepts a correctly signed handshake', async () => {
    const sim = await sims.start();
    const connected = nextEvent(sim, 'connection');
    await sims.connect(sim);
    const [id] = await connected;
    expect(id).toBe(1);
    expect(sim.stats).toMatchObject({ connectionsOpen: 1, authenticatedTotal: 1, rejectedHandshakes: 0 });
  });

  it('accepts a public key given as PEM text, and ignores the query string when checking the signature', async () => {
    const pem = keys().publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const sim = await sims.start({ publicKey: pem });
    const client = await TestClient.connect(`${sim.wsUrl}?client=test`, authHeaders());
    client.close();
    expect(sim.stats.authenticatedTotal).toBe(1);
  });

  it('refuses a signature made with another key with 401', async () => {
    const sim = await sims.start();
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(await refusedStatus(sim.wsUrl, authHeaders({ privateKey: other.privateKey }))).toBe(401);
    expect(sim.stats).toMatchObject({ rejectedHandshakes: 1, authenticatedTotal: 0, connectionsOpen: 0 });
  });

  it('verifies Ed25519 signatures with an Ed25519 public key, and refuses another Ed25519 key’s with 401', async () => {
    const ed = generateKeyPairSync('ed25519');
    const sim = await sims.start({ publicKey: ed.publicKey });
    await sims.connect(sim, authHeaders({ privateKey: ed.privateKey }));
    expect(sim.stats.authenticatedTotal).toBe(1);
    expect(await refusedStatus(sim.wsUrl, authHeaders({ privateKey: generateKeyPairSync('ed25519').privateKey }))).toBe(401);
    expect(await refusedStatus(sim.wsUrl, authHeaders({ privateKey: ed.privateKey, path: '/trade-api/ws/v1' }))).toBe(401);
    expect(sim.stats).toMatchObject({ authenticatedTotal: 1, rejectedHandshakes: 2 });
  });

  it('refuses a signature of the other kind with 401: RSA against an Ed25519 key, Ed25519 against an RSA key', async () => {
    const ed = generateKeyPairSync('ed25519');
    const edSim = await sims.start({ publicKey: ed.publicKey });
    expect(await refusedStatus(edSim.wsUrl, authHeaders())).toBe(401);
    const rsaSim = await sims.start();
    expect(await refusedStatus(rsaSim.wsUrl, authHeaders({ privateKey: ed.privateKey }))).toBe(401);
  });

  it('refuses every handshake with 401 when configured with a key type Kalshi does not accept (EC)', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const sim = await sims.start({ publicKey: ec.publicKey });
    expect(await refusedStatus(sim.wsUrl, authHeaders())).toBe(401);
    expect(await refusedStatus(sim.wsUrl, authHeaders({ privateKey: generateKeyPairSync('ed25519').privateKey }))).toBe(401);
  });

  it('refuses a signature over the wrong text (path with query) with 401', async () => {
    const sim = await sims.start();
    expect(await refusedStatus(sim.wsUrl, authHeaders({ path: '/trade-api/ws/v2?x=1' }))).toBe(401);
  });

  it('refuses a wrong key id with 401', async () => {
    const sim = await sims.start();
    expect(await refusedStatus(sim.wsUrl, authHeaders({ keyId: `${KEY_ID}-other` }))).toBe(401);
  });

  it('refuses stale and future timestamps, and timestamps in seconds, with 401', async () => {
    const sim = await sims.start({ maxTimestampSkewMs: 5_000 });
    expect(await refusedStatus(sim.wsUrl, authHeaders({ timestampMs: Date.now() - 10_000 }))).toBe(401);
    expect(await refusedStatus(sim.wsUrl, authHeaders({ timestampMs: Date.now() + 10_000 }))).toBe(401);
    expect(await refusedStatus(sim.wsUrl, authHeaders({ timestampMs: Math.floor(Date.now() / 1000) }))).toBe(401);
    expect(sim.stats.rejectedHandshakes).toBe(3);
  });

  it('refuses missing headers with 401', async () => {
    const sim = await sims.start();
    const headers = authHeaders();
    delete headers['KALSHI-ACCESS-SIGNATURE'];
    expect(await refusedStatus(sim.wsUrl, headers)).toBe(401);
    expect(await refusedStatus(sim.wsUrl, {})).toBe(401);
  });

  it('refuses every handshake with the status of the reject switch until it is cleared', async () => {
    const sim = await sims.start();
    sim.setRejectHandshake(403);
    expect(await refusedStatus(sim.wsUrl, authHeaders())).toBe(403);
    sim.setRejectHandshake(401);
    expect(await refusedStatus(sim.wsUrl, authHeaders())).toBe(401);
    sim.setRejectHandshake(null);
    await sims.connect(sim);
    expect(sim.stats).toMatchObject({ rejectedHandshakes: 2, authenticatedTotal: 1 });
  });

  it('serves the WebSocket only at /trade-api/ws/v2', async () => {
    const sim = await sims.start();
    const wrongPath = sim.wsUrl.replace('/trade-api/ws/v2', '/trade-api/ws/v1');
    expect(await refusedStatus(wrongPath, authHeaders())).toBe(404);
  });
});

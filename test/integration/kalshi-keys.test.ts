import { generateKeyPairSync } from 'node:crypto';
import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { spawnService, type ServiceProcess } from '../helpers/service-process';
import { waitFor } from '../helpers/wait';

/**
 * Kalshi accepts RSA and Ed25519 keys (docs/KALSHI.md; its web app makes Ed25519 keys by default since 2026-10-01).
 * The built service, as an SRE starts it, against the simulator checking signatures with the matching public key;
 * the simulator sends sending_ts_ms as Kalshi does today (second in the envelope), so each tick is also a delay.
 */
const pem = (key: { export(options: { type: 'pkcs8' | 'spki'; format: 'pem' }): string | Buffer }, type: 'pkcs8' | 'spki') => key.export({ type, format: 'pem' }).toString();

function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? NaN : Number(line.slice(name.length + 1));
}

describe('the built service with an Ed25519 key', () => {
  const ed = generateKeyPairSync('ed25519');
  let h: Harness;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    h = await startHarness({ start: false, sim: { publicKey: pem(ed.publicKey, 'spki') } });
  });

  afterEach(() => service?.kill('SIGKILL'));
  afterAll(async () => {
    await h?.close();
  });

  it('authenticates, prices flow to Redis, and each frame’s sending_ts_ms is observed as kalshi_exchange_delay_seconds', async () => {
    const home = uniqueId('KX-ED').toUpperCase();
    const { gameId } = await h.addGame([{ ticker: home, side: 'home', yesBid: 0.5, yesAsk: 0.52 }]);
    service = spawnService({ ...h.env, KALSHI_PRIVATE_KEY: pem(ed.privateKey, 'pkcs8') });
    await waitFor(() => h.sim.subscribedTickers().has(home), { timeoutMs: 15_000, message: 'the service subscribed with its Ed25519 key' });
    expect(h.sim.stats.rejectedHandshakes).toBe(0);
    const tsMs = Date.now();
    h.sim.setQuote(home, { yesBid: 0.61, yesAsk: 0.63, tsMs });
    const message = await h.waitForMessage(gameId, (m) => m.timestamp === tsMs);
    expect(message.homeTeam).toMatchObject({ kalshiBuyPrice: 63, kalshiSellPrice: 61 });

    const metrics = await (await fetch(`${await service.address()}/metrics`)).text();
    // The snapshot and the tick at least, each stamped by the simulator a moment before it was read.
    expect(metricValue(metrics, 'kalshi_exchange_delay_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(metricValue(metrics, 'kalshi_exchange_delay_seconds_sum')).toBeLessThan(5);
    expect(metrics).not.toMatch(/kalshi_invalid_messages_total\{reason="bad_sending_ts"\}/);
  });

  it('is refused (401) by an exchange that holds another key: the signature is checked, not merely present', async () => {
    const rejectedBefore = h.sim.stats.rejectedHandshakes;
    const other = generateKeyPairSync('ed25519');
    service = spawnService({ ...h.env, KALSHI_PRIVATE_KEY: pem(other.privateKey, 'pkcs8') });
    await waitFor(() => service?.logs.find((l) => l.status === 401), { timeoutMs: 15_000, message: 'the handshake refused with 401' });
    expect(h.sim.stats.rejectedHandshakes).toBeGreaterThan(rejectedBefore);
  });

  it('exits 1 on an EC key, in one line naming the variable and the two accepted key types, before connecting', async () => {
    const authenticated = h.sim.stats.authenticatedTotal;
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    service = spawnService({ ...h.env, KALSHI_PRIVATE_KEY: pem(ec.privateKey, 'pkcs8') });
    const exit = await service.exited;
    expect(exit.code).toBe(1);
    expect(service.text).toEqual(['kalshi-ingestor: invalid configuration', '  KALSHI_PRIVATE_KEY: needs an RSA or Ed25519 private key; got a ec key']);
    expect(service.logs).toEqual([]);
    expect(h.sim.stats.authenticatedTotal).toBe(authenticated);
  });
});

describe('the service with an RSA key, as before', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(); // the harness's RSA pair on both sides
  });

  afterAll(async () => {
    await h?.close();
  });

  it('authenticates with RSA-PSS and prices flow, with sending_ts_ms after msg as well', async () => {
    h.sim.setSendingTs('after');
    const home = uniqueId('KX-RSA').toUpperCase();
    const { gameId } = await h.addGame([{ ticker: home, side: 'home', yesBid: 0.4, yesAsk: 0.42 }]);
    await waitFor(() => h.sim.subscribedTickers().has(home), { message: 'the service subscribed with its RSA key' });
    const tsMs = Date.now();
    h.sim.setQuote(home, { yesBid: 0.44, yesAsk: 0.46, tsMs });
    await h.waitForMessage(gameId, (m) => m.timestamp === tsMs);
    const metrics = await (await fetch(`${h.app.address}/metrics`)).text();
    expect(metricValue(metrics, 'kalshi_exchange_delay_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(h.sim.stats.rejectedHandshakes).toBe(0);
  });

  it('prices a tick whose sending_ts_ms is bad (seconds, a string), counts it as bad_sending_ts and keeps it out of the delays', async () => {
    const home = uniqueId('KX-BADSENT').toUpperCase();
    const { gameId } = await h.addGame([{ ticker: home, side: 'home', yesBid: 0.3, yesAsk: 0.32 }]);
    await waitFor(() => h.sim.subscribedTickers().has(home), { message: 'the service subscribed' });
    await h.waitForMessage(gameId, () => true); // the snapshot
    const read = async () => {
      const text = await (await fetch(`${h.app.address}/metrics`)).text();
      return { delays: metricValue(text, 'kalshi_exchange_delay_seconds_count'), bad: metricValue(text, 'kalshi_invalid_messages_total{reason="bad_sending_ts"}') };
    };
    // Every other frame the simulator sends meanwhile (other markets' ticks, lifecycle events) carries no
    // sending_ts_ms, so the delay count can move only through the two bad frames below.
    h.sim.setSendingTs('none');
    const before = await read();
    const sid = h.sim.connections()[0]?.subscriptions[0]?.sid ?? 1;
    const frame = (tsMs: number, sent: unknown, bid: string) =>
      JSON.stringify({ type: 'ticker', sending_ts_ms: sent, sid, msg: { market_ticker: home, yes_bid_dollars: bid, yes_ask_dollars: '0.5000', ts_ms: tsMs } });
    const t1 = Date.now();
    h.sim.sendRaw(frame(t1, Math.floor(t1 / 1000), '0.4000'));
    await h.waitForMessage(gameId, (m) => m.timestamp === t1);
    const t2 = t1 + 1;
    h.sim.sendRaw(frame(t2, String(t2), '0.4100'));
    const message = await h.waitForMessage(gameId, (m) => m.timestamp === t2);
    expect(message.homeTeam).toMatchObject({ kalshiSellPrice: 41, kalshiBuyPrice: 50 });
    const after = await read();
    expect(after.bad - (Number.isNaN(before.bad) ? 0 : before.bad)).toBe(2);
    expect(after.delays).toBe(before.delays);
    h.sim.setSendingTs('after');
  });
});

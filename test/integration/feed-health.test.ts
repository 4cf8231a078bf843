import Redis from 'ioredis';
import { App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { TEST_REDIS_URL } from '../helpers/redis';
import { RestGate } from '../helpers/rest-gate';
import { waitFor } from '../helpers/wait';
import pino from 'pino';
import { fromFeedHash, parseFeedStatusMessage } from '@kalshi-ingestor/client';
import { FEED_KEEP_ALIVE_MS } from '../../src/feed-health/feed-health';

/**
 * The feed state from outside (docs/CONTRACT.md, "Feed health and the exchange's own status"): what `kalshi:feed`
 * and `kalshi:feed:channel` say, /metrics and /readyz, while the simulator's socket, REST and exchange status
 * misbehave on command.
 */

const FALLBACK_AFTER_MS = 1000;
const POLL_MS = 500;
const EXCHANGE_STATUS_INTERVAL_MS = 1000;
const FAST = {
  FALLBACK_AFTER_MS: String(FALLBACK_AFTER_MS),
  FALLBACK_POLL_INTERVAL_MS: String(POLL_MS),
  EXCHANGE_STATUS_INTERVAL_MS: String(EXCHANGE_STATUS_INTERVAL_MS),
  RECONCILE_INTERVAL_MS: '600000',
};

interface FeedMessage {
  type: string;
  state: string;
  since: number;
  reason: string;
  leader: string;
  receivedAtMs: number;
}

/** Subscribes to the feed channel and keeps every message with its arrival time. */
async function feedChannel(channel: string): Promise<{ messages: FeedMessage[]; close(): void }> {
  const subscriber = new Redis(TEST_REDIS_URL);
  const messages: FeedMessage[] = [];
  subscriber.on('message', (from: string, text: string) => {
    if (from === channel) messages.push({ ...(JSON.parse(text) as Omit<FeedMessage, 'receivedAtMs'>), receivedAtMs: Date.now() });
  });
  await subscriber.subscribe(channel);
  return { messages, close: () => subscriber.disconnect() };
}

async function feedHash(h: Harness): Promise<Record<string, string>> {
  return h.redis.redis.hgetall(h.redis.keys.feed);
}

async function get(address: string, route: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${address}${route}`);
  return { status: response.status, text: await response.text() };
}

function gauge(metrics: string, series: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function addGame(h: Harness, label: string): Promise<string[]> {
  const base = uniqueId(label).toUpperCase();
  const tickers = [`${base}-HOME`, `${base}-AWAY`];
  const { gameId } = await h.addGame([
    { ticker: tickers[0], side: 'home', yesBid: 0.55, yesAsk: 0.57 },
    { ticker: tickers[1], side: 'away', yesBid: 0.43, yesAsk: 0.45 },
  ]);
  await h.waitForMessage(gameId, () => true, 10_000);
  return tickers;
}

/** The socket cannot come back: every handshake is refused, and the open ones are dropped. */
function cutSocket(h: Harness): void {
  h.sim.setRejectHandshake(403);
  h.sim.dropConnections();
}

function restoreSocket(h: Harness): void {
  h.sim.setRejectHandshake(null);
}

describe('feed state against the simulator', () => {
  let h: Harness;
  let channel: Awaited<ReturnType<typeof feedChannel>>;
  beforeAll(async () => {
    h = await startHarness({ start: false, env: FAST });
    channel = await feedChannel(h.redis.keys.feedChannel);
    await h.app.start();
    await waitFor(() => h.app.role === 'leader', { message: 'the service leads' });
    await addGame(h, 'FEED');
  }, 60_000);
  afterAll(async () => {
    channel?.close();
    await h?.close();
  });

  it("kalshi:feed says live with the leader's worker id while all is well, with a TTL of at most 60 s", async () => {
    const hash = await waitFor(async () => {
      const value = await feedHash(h);
      return value.state === 'live' && value.reason.includes('socket serving') ? value : undefined;
    }, { message: 'kalshi:feed live' });
    expect(hash.leader).toBe(h.env.WORKER_ID);
    // What the service writes is what the client package's schemas accept.
    expect(fromFeedHash(hash)).toMatchObject({ state: 'live', leader: h.env.WORKER_ID });
    const { receivedAtMs: _at, ...published } = channel.messages.at(-1) ?? { receivedAtMs: 0 };
    expect(parseFeedStatusMessage(JSON.stringify(published))).not.toBeNull();
    expect(Number(hash.updatedAt)).toBeGreaterThan(Date.now() - 30_000);
    expect(Number(hash.since)).toBeLessThanOrEqual(Number(hash.updatedAt));
    const ttl = await h.redis.redis.pttl(h.redis.keys.feed);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(channel.messages.at(-1)).toMatchObject({ type: 'kalshi_feed_status', state: 'live', leader: h.env.WORKER_ID });
    const metrics = (await get(h.app.address, '/metrics')).text;
    expect(gauge(metrics, 'kalshi_feed_state{state="live"}')).toBe(1);
    expect(gauge(metrics, 'kalshi_feed_state{state="rest"}')).toBe(0);
    expect(gauge(metrics, 'kalshi_exchange_trading_active')).toBe(1);
    const status = JSON.parse((await get(h.app.address, '/status')).text) as { feedState: { state: string }; exchange: { tradingActive: boolean } };
    expect(status.feedState.state).toBe('live');
    expect(status.exchange.tradingActive).toBe(true);
  });

  it('a cut socket moves it to rest within the fallback delay plus a second (announced on the channel), and back to live after', async () => {
    const seen = channel.messages.length;
    const cutAt = Date.now();
    cutSocket(h);
    const rest = await waitFor(() => channel.messages.slice(seen).find((m) => m.state === 'rest'), {
      timeoutMs: FALLBACK_AFTER_MS + 3000,
      message: 'rest on the channel',
    });
    const figure = rest.receivedAtMs - cutAt;
    process.stdout.write(`feed-health: cut → rest on the channel in ${figure} ms (FALLBACK_AFTER_MS ${FALLBACK_AFTER_MS})\n`);
    expect(figure).toBeLessThanOrEqual(FALLBACK_AFTER_MS + 1000);
    // Nothing in between: the state stayed live until the fallback started.
    expect(channel.messages.slice(seen).map((m) => m.state)).toEqual(['rest']);
    expect(rest.reason).toMatch(/^socket down \d+ s, REST serving$/);
    expect((await feedHash(h)).state).toBe('rest');
    // REST keeps reading: still rest (not down) well past two poll periods.
    await new Promise((resolve) => setTimeout(resolve, 3 * POLL_MS));
    expect((await feedHash(h)).state).toBe('rest');

    restoreSocket(h);
    await waitFor(() => channel.messages.slice(seen).find((m) => m.state === 'live'), { timeoutMs: 5000, message: 'live again on the channel' });
    expect((await feedHash(h)).state).toBe('live');
  });

  it('an exchange pause shows exchange_paused within an interval plus a second, trading_active 0, and /readyz stays 200 through a socket outage', async () => {
    const seen = channel.messages.length;
    const pausedAt = Date.now();
    h.sim.setExchangeStatus({ tradingActive: false, resumeTime: '2026-12-10T10:00:00Z' });
    const paused = await waitFor(() => channel.messages.slice(seen).find((m) => m.state === 'exchange_paused'), {
      timeoutMs: EXCHANGE_STATUS_INTERVAL_MS + 3000,
      message: 'exchange_paused on the channel',
    });
    expect(paused.receivedAtMs - pausedAt).toBeLessThanOrEqual(EXCHANGE_STATUS_INTERVAL_MS + 1000);
    expect(paused.reason).toBe('maintenance, resumes 2026-12-10T10:00:00Z');
    expect(await feedHash(h)).toMatchObject({ state: 'exchange_paused', reason: 'maintenance, resumes 2026-12-10T10:00:00Z' });
    const metrics = (await get(h.app.address, '/metrics')).text;
    expect(gauge(metrics, 'kalshi_exchange_trading_active')).toBe(0);
    expect(gauge(metrics, 'kalshi_feed_state{state="exchange_paused"}')).toBe(1);
    expect(gauge(metrics, 'kalshi_feed_state{state="live"}')).toBe(0);

    // Kalshi drops the sessions during maintenance: readiness stays 200 all along, well past the fallback's start.
    cutSocket(h);
    const statuses: number[] = [];
    const until = Date.now() + FALLBACK_AFTER_MS + 2000;
    while (Date.now() < until) {
      statuses.push((await get(h.app.address, '/readyz')).status);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect((await feedHash(h)).state).toBe('exchange_paused');
    expect((await get(h.app.address, '/readyz')).text).toContain('exchange paused by Kalshi');

    // Trading resumes while the socket is still out: the fallback serves, so rest; then live with the socket.
    h.sim.setExchangeStatus({ tradingActive: true });
    await waitFor(async () => (await feedHash(h)).state === 'rest', { timeoutMs: EXCHANGE_STATUS_INTERVAL_MS + 3000, message: 'rest after the pause' });
    expect(gauge((await get(h.app.address, '/metrics')).text, 'kalshi_exchange_trading_active')).toBe(1);
    restoreSocket(h);
    await waitFor(async () => (await feedHash(h)).state === 'live', { timeoutMs: 5000, message: 'live again' });
  });

  it('a pause on shard 0 alone is not a pause; a bad exchange status body is counted and changes nothing', async () => {
    h.sim.setExchangeStatus({ tradingActive: false, shards: [false, true, true, true] });
    await waitFor(() => h.sim.exchangeStatus.reads >= 2, { message: 'reads' });
    const before = h.sim.exchangeStatus.reads;
    await waitFor(() => h.sim.exchangeStatus.reads >= before + 2, { timeoutMs: 5000, message: 'two more reads' });
    expect((await feedHash(h)).state).toBe('live');
    // A pause with no shard list at all is the top-level flag's word.
    h.sim.setExchangeStatus({ tradingActive: false, withoutShards: true });
    await waitFor(async () => (await feedHash(h)).state === 'exchange_paused', { timeoutMs: 5000, message: 'paused by the top-level flag' });
    expect((await feedHash(h)).reason).toBe('trading paused by Kalshi');
    // A wrong body: counted, and the pause stands.
    h.sim.setExchangeStatus({ tradingActive: true, fault: 'wrong-shape' });
    const reads = h.sim.exchangeStatus.reads;
    await waitFor(() => h.sim.exchangeStatus.reads >= reads + 2, { timeoutMs: 5000, message: 'two bad reads' });
    const metrics = (await get(h.app.address, '/metrics')).text;
    expect(gauge(metrics, 'kalshi_invalid_messages_total{reason="bad_rest_body"}')).toBeGreaterThanOrEqual(1);
    expect((await feedHash(h)).state).toBe('exchange_paused');
    // A failing status read changes nothing either.
    h.sim.setExchangeStatus({ tradingActive: true, fault: 'http-500' });
    const failing = h.sim.exchangeStatus.reads;
    await waitFor(() => h.sim.exchangeStatus.reads >= failing + 2, { timeoutMs: 5000, message: 'two failed reads' });
    expect((await feedHash(h)).state).toBe('exchange_paused');
    h.sim.setExchangeStatus({ tradingActive: true });
    await waitFor(async () => (await feedHash(h)).state === 'live', { timeoutMs: 5000, message: 'live once trading is on' });
  });
});

describe('feed state with the socket refused and REST failing', () => {
  let h: Harness;
  let gate: RestGate;
  let upstream = '';
  beforeAll(async () => {
    gate = new RestGate({ upstream: () => upstream });
    await gate.start();
    h = await startHarness({
      env: FAST,
      envFrom: (base) => {
        upstream = base.KALSHI_REST_URL;
        return { KALSHI_REST_URL: gate.url };
      },
    });
    await addGame(h, 'DOWN');
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await gate?.close();
  });

  it('shows down once REST has read nothing for two poll periods, and rest when REST answers again', async () => {
    await waitFor(async () => (await feedHash(h)).state === 'live', { message: 'live first' });
    gate.setFault('http-500');
    cutSocket(h);
    const hash = await waitFor(async () => {
      const value = await feedHash(h);
      return value.state === 'down' ? value : undefined;
    }, { timeoutMs: FALLBACK_AFTER_MS + 2 * POLL_MS + 4000, message: 'down' });
    expect(hash.reason).toMatch(/^socket down \d+ s, no REST read (yet|for \d+ s)$/);
    expect(gauge((await get(h.app.address, '/metrics')).text, 'kalshi_feed_state{state="down"}')).toBe(1);
    gate.setFault(undefined);
    await waitFor(async () => (await feedHash(h)).state === 'rest', { timeoutMs: 5000, message: 'rest once REST answers' });
  });
});

describe('a standby', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ start: false, env: FAST });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('never writes kalshi:feed; the replica that leads does', async () => {
    // Another replica holds the lock.
    await h.redis.redis.set(h.redis.keys.leader, 'someone-else:1', 'PX', 60_000);
    await h.app.start();
    expect(h.app.role).toBe('standby');
    // Long enough for a term to have evaluated, written and kept alive many times over.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await h.redis.redis.exists(h.redis.keys.feed)).toBe(0);
    const metrics = (await get(h.app.address, '/metrics')).text;
    expect(gauge(metrics, 'kalshi_feed_state{state="live"}')).toBe(0);
    expect(gauge(metrics, 'kalshi_feed_state{state="down"}')).toBe(0);
    expect(gauge(metrics, 'kalshi_exchange_trading_active')).toBe(1);

    // The other replica is gone: this one leads and writes the key under its own id.
    await h.redis.redis.del(h.redis.keys.leader);
    await waitFor(() => h.app.role === 'leader', { message: 'leads' });
    await waitFor(async () => (await feedHash(h)).leader === h.env.WORKER_ID, { message: 'the key written by the new leader' });
  });

  it('a leader that lost its lock writes kalshi:feed no more (not even its keep-alive)', async () => {
    await waitFor(() => h.app.role === 'leader', { message: 'leads' });
    await waitFor(async () => (await feedHash(h)).leader === h.env.WORKER_ID, { message: 'written' });
    // Another replica takes the lock: this one steps down at its next renewal (a third of the 3 s ttl).
    await h.redis.redis.set(h.redis.keys.leader, 'thief:1', 'PX', 60_000);
    await waitFor(() => h.app.role === 'standby', { timeoutMs: 5000, message: 'stepped down' });
    const last = await feedHash(h);
    // A living term would rewrite the hash within a keep-alive period (and sooner on a change, such as a cut socket).
    cutSocket(h);
    await new Promise((resolve) => setTimeout(resolve, FEED_KEEP_ALIVE_MS + 1000));
    expect(await feedHash(h)).toEqual(last);
    restoreSocket(h);
    await h.redis.redis.del(h.redis.keys.leader);
    await waitFor(() => h.app.role === 'leader', { message: 'leads again' });
  }, 40_000);

  it('a second replica started beside the leader writes nothing while the leader lives', async () => {
    const env = { ...h.env, WORKER_ID: uniqueId('standby') };
    const config = loadConfig(env);
    if (!config.ok) throw new Error(config.problems.join('\n'));
    const standby = new App({ config: config.config, log: pino({ level: 'silent' }) });
    await standby.start();
    try {
      expect(standby.role).toBe('standby');
      const leader = h.env.WORKER_ID;
      const deadline = Date.now() + 1500;
      while (Date.now() < deadline) {
        expect((await feedHash(h)).leader).toBe(leader);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await standby.stop();
    }
  });
});

import pino from 'pino';
import type { CommandReply, ConnectionState } from '../../src/kalshi/connection';
import { LifecycleChannel, type ChannelConnection } from '../../src/kalshi/lifecycle-channel';
import { MarketStatuses } from '../../src/kalshi/market-statuses';
import type { ChannelMessage, ErrorMessage } from '../../src/kalshi/protocol';
import type { ReadOptions, RestMarketStatus, RestPassResult } from '../../src/kalshi/rest-client';
import type { MarketStatusUpdate } from '../../src/prices/market-status';

/** A socket that answers every subscribe with a new sid, after `replyMs`. */
class FakeConnection implements ChannelConnection {
  state: ConnectionState = 'open';
  opens = 1;
  commands: { cmd: string; params?: Record<string, unknown> }[] = [];
  nextSid = 5;
  replyMs = 5;
  constructor(readonly id: number) {}

  async command(cmd: string, params?: Record<string, unknown>): Promise<CommandReply> {
    this.commands.push({ cmd, ...(params === undefined ? {} : { params }) });
    await new Promise((resolve) => setTimeout(resolve, this.replyMs));
    if (this.state !== 'open') throw new Error('connection closed');
    return { id: this.commands.length, type: 'subscribed', msg: { channel: 'market_lifecycle_v2', sid: this.nextSid++ } };
  }
}

/** REST as the exchange has it: a status per market (active when not set); every read takes `readMs`. */
class FakeRest {
  reads: string[][] = [];
  statuses = new Map<string, Omit<RestMarketStatus, 'ticker'>>();
  readMs = 20;

  async readMarkets(tickers: readonly string[], read: ReadOptions): Promise<RestPassResult> {
    this.reads.push([...tickers]);
    const requestedAtMs = Date.now();
    await new Promise((resolve) => setTimeout(resolve, this.readMs));
    const done: RestPassResult = { requests: 1, pages: 1, rateLimited: 0, retries: 0, unread: [], failures: [], aborted: read.signal.aborted, durationMs: this.readMs };
    if (read.signal.aborted) return done;
    const statuses = tickers.map((ticker) => ({ ticker, ...(this.statuses.get(ticker) ?? { status: 'active', result: '' }) }));
    // Prices too, as REST has them: a lifecycle re-read must not pass them on.
    read.onPage({ quotes: tickers.map((ticker) => ({ ticker, yesBid: 100, yesAsk: 200, exchangeTimeMs: 0, source: 'rest' as const })), statuses, requestedAtMs, invalid: [], completed: tickers });
    return done;
  }
}

const MAPPED = ['KX-A', 'KX-B', 'KX-C'];

function setup() {
  const connections = [new FakeConnection(1), new FakeConnection(2)];
  const rest = new FakeRest();
  const sunk: MarketStatusUpdate[] = [];
  const events: string[] = [];
  const invalid: string[] = [];
  let gaps = 0;
  const determined: string[] = [];
  const mapped = new Set(MAPPED);
  const statuses = new MarketStatuses({
    sink: { applyStatus: (update) => sunk.push(update) },
    isMapped: (t) => mapped.has(t),
    onDetermined: (tickers) => determined.push(...tickers),
    log: pino({ level: 'silent' }),
  });
  const channel = new LifecycleChannel({
    host: { openConnections: () => connections.filter((c) => c.state === 'open') },
    rest,
    statuses,
    mapped: () => [...mapped],
    isMapped: (t) => mapped.has(t),
    counters: { event: (label) => events.push(label), gap: () => void (gaps += 1) },
    onInvalid: (reason) => invalid.push(reason),
    log: pino({ level: 'silent' }),
    superviseMs: 100,
    retryMs: 1000,
  });
  const controller = new AbortController();
  const running = channel.run(controller.signal);
  const frame = (seq: number | undefined, ticker: string, eventType: string, extra: Record<string, unknown> = {}, sid = channel.status().sid ?? 0): ChannelMessage => ({
    type: 'market_lifecycle_v2',
    sid,
    ...(seq === undefined ? {} : { seq }),
    msg: { market_ticker: ticker, event_type: eventType, ...extra },
  });
  const deliver = (message: ChannelMessage | ErrorMessage, connectionId = channel.status().connection ?? 0) => channel.handle(message, connectionId, Date.now());
  return { connections, rest, sunk, events, invalid, gaps: () => gaps, determined, channel, controller, running, frame, deliver, mapped };
}

describe('LifecycleChannel', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_790_546_400_000 }));
  afterEach(() => jest.useRealTimers());

  it('subscribes once, on the first open socket, without market_tickers, and reads every mapped market\'s status then', async () => {
    const { connections, rest, sunk, channel, controller, running } = setup();
    await jest.advanceTimersByTimeAsync(50);
    expect(connections[0].commands).toEqual([{ cmd: 'subscribe', params: { channels: ['market_lifecycle_v2'] } }]);
    expect(connections[1].commands).toEqual([]);
    expect(channel.status()).toMatchObject({ subscribed: true, connection: 1, sid: 5 });
    expect(rest.reads).toEqual([MAPPED]);
    expect(sunk.map((u) => [u.ticker, u.status])).toEqual(MAPPED.map((t) => [t, 'open']));
    await jest.advanceTimersByTimeAsync(5000);
    expect(connections[0].commands).toHaveLength(1);
    expect(rest.reads).toHaveLength(1);
    controller.abort();
    await running;
  });

  it('reads the status of markets mapped later once; before the subscription, the read that follows it covers them', async () => {
    const { rest, channel, controller, running, mapped } = setup();
    channel.readStatuses(['KX-A']); // the term's first mapping, before any socket: no read of its own
    await jest.advanceTimersByTimeAsync(50);
    expect(rest.reads).toEqual([MAPPED]);
    mapped.add('KX-D');
    channel.readStatuses(['KX-D']);
    await jest.advanceTimersByTimeAsync(50);
    expect(rest.reads).toEqual([MAPPED, ['KX-D']]);
    controller.abort();
    await running;
  });

  it('keeps the events that arrive before the subscribe\'s reply is read (one socket read can hold both), with their seq', async () => {
    const { connections, sunk, events, gaps, channel, controller, running } = setup();
    await jest.advanceTimersByTimeAsync(1); // the subscribe is out, its reply not yet read
    expect(connections[0].commands).toHaveLength(1);
    const early = (seq: number, eventType: string): ChannelMessage => ({ type: 'market_lifecycle_v2', sid: 5, seq, msg: { market_ticker: 'KX-A', event_type: eventType } });
    channel.handle(early(1, 'deactivated'), 1, Date.now());
    channel.handle(early(2, 'activated'), 1, Date.now());
    channel.handle({ type: 'market_lifecycle_v2', sid: 9, seq: 1, msg: { market_ticker: 'KX-A', event_type: 'deactivated' } }, 2, Date.now());
    await jest.advanceTimersByTimeAsync(50);
    expect(channel.status()).toMatchObject({ sid: 5, lastSeq: 2 });
    expect(events).toEqual(['deactivated', 'activated']);
    expect(sunk.filter((u) => u.ticker === 'KX-A').map((u) => [u.status, u.source])).toEqual([['paused', 'lifecycle'], ['open', 'lifecycle']]);
    expect(gaps()).toBe(0);
    controller.abort();
    await running;
  });

  it('a gap in seq reads every mapped market\'s status again (statuses only, never prices): a determination it hid is repaired', async () => {
    const { rest, sunk, gaps, determined, deliver, frame, controller, running } = setup();
    await jest.advanceTimersByTimeAsync(50);
    deliver(frame(1, 'KX-A', 'deactivated', { is_deactivated: true }));
    deliver(frame(2, 'KX-A', 'activated'));
    expect(sunk.slice(-2).map((u) => [u.ticker, u.status, u.source])).toEqual([['KX-A', 'paused', 'lifecycle'], ['KX-A', 'open', 'lifecycle']]);
    expect(rest.reads).toHaveLength(1);

    // seq 3 was KX-B's determination, lost; seq 4 (another market's) shows the gap.
    rest.statuses.set('KX-B', { status: 'determined', result: 'no' });
    deliver(frame(4, 'KX-OTHER', 'metadata_updated'));
    expect(gaps()).toBe(1);
    await jest.advanceTimersByTimeAsync(25);
    expect(rest.reads).toHaveLength(2);
    expect(rest.reads[1]).toEqual(MAPPED);
    expect(sunk.at(-1)).toEqual({ ticker: 'KX-B', status: 'determined', result: 'no', source: 'rest' });
    expect(determined).toEqual(['KX-B']);
    // Consecutive again: no further read.
    deliver(frame(5, 'KX-C', 'metadata_updated'));
    await jest.advanceTimersByTimeAsync(1000);
    expect(rest.reads).toHaveLength(2);
    controller.abort();
    await running;
  });

  it('a reconnect of its socket subscribes again and re-reads; a socket gone for good moves it to another', async () => {
    const { connections, rest, channel, controller, running } = setup();
    await jest.advanceTimersByTimeAsync(50);
    connections[0].opens = 2; // closed and opened again between two checks
    await jest.advanceTimersByTimeAsync(150);
    expect(connections[0].commands).toHaveLength(2);
    expect(channel.status()).toMatchObject({ connection: 1, sid: 6 });
    expect(rest.reads).toHaveLength(2);

    connections[0].state = 'stopped';
    await jest.advanceTimersByTimeAsync(150);
    expect(connections[1].commands).toEqual([{ cmd: 'subscribe', params: { channels: ['market_lifecycle_v2'] } }]);
    expect(channel.status()).toMatchObject({ connection: 2 });
    expect(rest.reads).toHaveLength(3);
    controller.abort();
    await running;
  });

  it('Kalshi ending the subscription (10, 25) makes a new one; errors about other sids change nothing', async () => {
    const { connections, channel, deliver, controller, running } = setup();
    await jest.advanceTimersByTimeAsync(50);
    deliver({ type: 'error', sid: 99, seq: 1, msg: { code: 25 } });
    await jest.advanceTimersByTimeAsync(150);
    expect(connections[0].commands).toHaveLength(1);
    deliver({ type: 'error', sid: 5, seq: 1, msg: { code: 25 } });
    await jest.advanceTimersByTimeAsync(150);
    expect(connections[0].commands).toHaveLength(2);
    expect(channel.status()).toMatchObject({ sid: 6 });
    controller.abort();
    await running;
  });

  it('events of unmapped markets are counted and reach nothing; frames of another sid or socket are ignored; a repeated seq is dropped', async () => {
    const { sunk, events, invalid, deliver, frame, controller, running } = setup();
    await jest.advanceTimersByTimeAsync(50);
    const before = sunk.length;
    deliver(frame(1, 'KX-UNMAPPED', 'determined', { result: 'yes' }));
    deliver(frame(2, 'KX-UNMAPPED', 'deactivated'));
    expect(sunk.length).toBe(before);
    expect(events).toEqual(['determined', 'deactivated']);
    deliver(frame(3, 'KX-A', 'deactivated', {}, 77));
    deliver(frame(3, 'KX-A', 'deactivated'), 2);
    expect(sunk.length).toBe(before);
    deliver(frame(3, 'KX-A', 'deactivated'));
    deliver(frame(3, 'KX-A', 'activated'));
    expect(sunk.slice(before).map((u) => u.status)).toEqual(['paused']);
    expect(invalid).toEqual(['stale_lifecycle_seq']);
    controller.abort();
    await running;
  });

  it('a REST read sent before a lifecycle event does not undo it; settled keeps the determination\'s result', async () => {
    const { rest, sunk, deliver, frame, controller, running } = setup();
    await jest.advanceTimersByTimeAsync(50);
    rest.statuses.set('KX-A', { status: 'active', result: '' });
    deliver(frame(1, 'KX-X', 'metadata_updated'));
    deliver(frame(3, 'KX-X', 'metadata_updated')); // a gap: a re-read goes out
    await jest.advanceTimersByTimeAsync(5);
    deliver(frame(4, 'KX-A', 'determined', { result: 'yes' })); // while the read is in flight
    await jest.advanceTimersByTimeAsync(50);
    expect(sunk.filter((u) => u.ticker === 'KX-A').at(-1)).toEqual({ ticker: 'KX-A', status: 'determined', result: 'yes', source: 'lifecycle' });
    deliver(frame(5, 'KX-A', 'settled', { settled_ts: 1 }));
    expect(sunk.filter((u) => u.ticker === 'KX-A').at(-1)).toMatchObject({ status: 'determined', result: 'yes' });
    controller.abort();
    await running;
  });

  it('ends with the term: a re-read in flight is dropped, nothing more is subscribed', async () => {
    const { connections, rest, sunk, controller, running } = setup();
    rest.readMs = 1000;
    await jest.advanceTimersByTimeAsync(50);
    controller.abort();
    await jest.advanceTimersByTimeAsync(2000);
    await running;
    expect(sunk).toEqual([]);
    expect(connections[0].commands).toHaveLength(1);
  });
});

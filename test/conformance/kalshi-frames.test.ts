import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import pino from 'pino';
import WebSocket, { WebSocketServer } from 'ws';
import { CommandError, KalshiConnection } from '../../src/kalshi/connection';
import { lifecycleUpdate } from '../../src/kalshi/lifecycle';
import { isInvalid, okMarketTickers, parseServerFrame, tickerQuote, type ServerMessage } from '../../src/kalshi/protocol';
import { readTickerFrame } from '../../src/kalshi/ticker-fast-path';
import { KalshiSimulator } from '@kalshi-ingestor/kalshi-sim';
import { testKeys } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

/**
 * Conformance with frames recorded from Kalshi's demo and production sockets by other clients, and shapes Kalshi
 * documents that no recording shows yet (test/fixtures/kalshi-frames.jsonl; each line's `from` says which and where
 * from; docs/KALSHI.md says when they were checked). No part of our code wrote
 * these frames: the service's parser must turn each into the expected quote or reply handling, and the
 * simulator's frames must have the same shapes, so that neither can drift from Kalshi unnoticed.
 */
interface Recorded {
  from: string;
  frame: Record<string, unknown>;
}

const FIXTURE = resolve(__dirname, '../fixtures/kalshi-frames.jsonl');
const fixtureText = readFileSync(FIXTURE, 'utf8');
const recorded: Recorded[] = fixtureText
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Recorded);

/** The channel the life-feed work adds (docs/KALSHI.md, "Market lifecycle"); the rest is what the service reads today. */
const LIFECYCLE = 'market_lifecycle_v2';
const isLifecycle = (r: Recorded) => r.frame.type === LIFECYCLE;
/** Command replies, in the order of the commands the replay test sends. */
const REPLY_TYPES = new Set(['subscribed', 'ok', 'unsubscribed', 'error']);

/**
 * A lifecycle frame must never be taken for a ticker or an error (an error could answer, and fail, a pending
 * command): it is parsed as a lifecycle message, its market and event kept (the statuses they give are checked in
 * "the recorded lifecycle frames").
 */
function lifecycleRecognised(parsed: ReturnType<typeof parseServerFrame>, frame: Record<string, unknown>): boolean {
  if (isInvalid(parsed) || parsed.type !== LIFECYCLE) return false;
  const msg = frame.msg as { market_ticker: string; event_type: string };
  return parsed.msg.market_ticker === msg.market_ticker && parsed.msg.event_type === msg.event_type && parsed.seq === frame.seq;
}

describe('the recorded frames', () => {
  it('are all there, each saying where it came from', () => {
    for (const { from } of recorded) expect(from.length).toBeGreaterThan(10);
    expect(recorded.length).toBeGreaterThanOrEqual(12);
    // The October 2026 shapes are in: sending_ts_ms in both places, and the lifecycle channel.
    expect(recorded.filter((r) => 'sending_ts_ms' in r.frame)).toHaveLength(2);
    expect(recorded.filter(isLifecycle).length).toBeGreaterThanOrEqual(3);
  });

  it('all parse, none refused by the schema (the lifecycle frames: recognised as their own type, never a ticker or an error)', () => {
    for (const r of recorded) {
      const parsed = parseServerFrame(JSON.stringify(r.frame));
      if (isLifecycle(r)) expect({ from: r.from, recognised: lifecycleRecognised(parsed, r.frame) }).toEqual({ from: r.from, recognised: true });
      else expect({ from: r.from, invalid: isInvalid(parsed) }).toEqual({ from: r.from, invalid: false });
    }
  });

  it('read sending_ts_ms wherever Kalshi puts it, by the fast path as by the full parse, and price those frames as the plain one', () => {
    const stamped = recorded.filter((r) => r.frame.type === 'ticker' && 'sending_ts_ms' in r.frame);
    const plain = recorded.find((r) => r.frame.type === 'ticker' && JSON.stringify(r.frame.msg) === JSON.stringify(stamped[0]?.frame.msg) && !('sending_ts_ms' in r.frame));
    expect(plain).toBeDefined();
    // One second in the envelope, one after msg: the two positions Kalshi's docs and a live frame show.
    expect(stamped.map((r) => Object.keys(r.frame).indexOf('sending_ts_ms'))).toEqual([1, 3]);
    const quoteOf = (frame: ServerMessage | undefined) => (frame?.type === 'ticker' ? tickerQuote(frame.msg, 42) : undefined);
    const plainFrame = readTickerFrame(JSON.stringify(plain?.frame));
    for (const { frame } of stamped) {
      const text = JSON.stringify(frame);
      const fast = readTickerFrame(text);
      const full = parseServerFrame(text);
      expect(fast).toBeDefined(); // at the fast path's cost: no fall back
      expect(isInvalid(full)).toBe(false);
      expect(fast?.sending_ts_ms).toBe(1787838990883);
      expect(isInvalid(full) ? undefined : full.sending_ts_ms).toBe(1787838990883);
      expect(quoteOf(fast)).toEqual(quoteOf(plainFrame));
      expect(quoteOf(isInvalid(full) ? undefined : full)).toEqual(quoteOf(plainFrame));
    }
  });

  it('give the expected quotes: YES bid and ask in 1/10000 dollar, an empty side null, ts_ms as the time', () => {
    const quotes = recorded
      .map(({ frame }) => parseServerFrame(JSON.stringify(frame)))
      .filter((m): m is Extract<ServerMessage, { type: 'ticker' }> => !isInvalid(m) && m.type === 'ticker')
      .map((m) => tickerQuote(m.msg, 42));
    // Worked out by hand from the frames, not by our code.
    const gold = { ticker: 'KXGOLDH-26AUG2711-T4615.99', yesBid: 100, yesAsk: 9800, exchangeTimeMs: 1787838990880, source: 'socket' };
    expect(quotes).toEqual([
      gold,
      { ticker: 'KXCRYPTOLEAD15M-26SEP210100-XRP', yesBid: null, yesAsk: 100, exchangeTimeMs: 1789966800000, source: 'socket' },
      { ticker: 'KXBTC15M-26JUL191145-45', yesBid: null, yesAsk: null, exchangeTimeMs: 1784475900544, source: 'socket' },
      gold, // sending_ts_ms second: the same quote (the frame's time is ts_ms, not when Kalshi sent it)
      gold, // sending_ts_ms after msg
    ]);
  });
});

describe('the recorded lifecycle frames', () => {
  it('give the expected market statuses', () => {
    // 2026-12-06: after every close time in the recordings.
    const now = Date.UTC(2026, 11, 6);
    const statuses = recorded
      .map(({ frame }) => parseServerFrame(JSON.stringify(frame)))
      .filter((m): m is Extract<ServerMessage, { type: 'market_lifecycle_v2' }> => !isInvalid(m) && m.type === 'market_lifecycle_v2')
      .map((m) => [m.sid, m.seq, lifecycleUpdate(m, now)]);
    // Worked out by hand from the frames and docs/CONTRACT.md's mapping, not by our code.
    expect(statuses).toEqual([
      [13, 4, { update: { ticker: 'KXEPLGAME-26SEP27ARSCHE-ARS', status: 'determined', result: 'yes', source: 'lifecycle' } }],
      [13, 5, { update: { ticker: 'KXNBAGAME-26OCT20OKCSAS-SAS', status: 'paused', result: null, source: 'lifecycle' } }],
      [13, 6, { update: { ticker: 'KXNBAGAME-26OCT20OKCSAS-SAS', status: 'closed', result: null, source: 'lifecycle' } }],
    ]);
  });
});

describe('the recorded replies, through the service connection', () => {
  let server: WebSocketServer;
  let url: string;
  let peer: WebSocket | undefined;
  const received: Record<string, unknown>[] = [];
  const messages: ServerMessage[] = [];
  const invalid: { reason: string; type: unknown }[] = [];
  const delays: number[] = [];
  let connection: KalshiConnection;

  beforeAll(async () => {
    // A bare socket that replays the recorded frames verbatim: the n-th command gets the n-th recorded reply.
    const replies = recorded.map((r) => r.frame).filter((f) => REPLY_TYPES.has(String(f.type)));
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((done) => server.once('listening', () => done()));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/trade-api/ws/v2`;
    server.on('connection', (ws) => {
      peer = ws;
      ws.on('message', (data) => {
        received.push(JSON.parse(data.toString()) as Record<string, unknown>);
        const reply = replies[received.length - 1];
        if (reply !== undefined) ws.send(JSON.stringify(reply));
      });
    });
    connection = new KalshiConnection({
      id: 1,
      url,
      credentials: { keyId: 'k', privateKey: createPrivateKey(testKeys().privatePem) },
      stallTimeoutMs: 60_000,
      // Far beyond the test's own timeout: a reply that is not matched would fail the test, not be papered over.
      commandTimeoutMs: 60_000,
      log: pino({ level: 'silent' }),
      exchangeDelay: { observe: (seconds) => delays.push(seconds) },
      handlers: {
        onOpen: () => undefined,
        onClose: () => undefined,
        onMessage: (message) => messages.push(message),
        onInvalid: (reason, detail) => invalid.push({ reason, type: detail?.type }),
        onReconnect: () => undefined,
        onAuthRejected: () => undefined,
      },
    });
    connection.start();
    await waitFor(() => connection.state === 'open' && peer !== undefined);
  });

  afterAll(async () => {
    await connection.stop();
    await new Promise<void>((done) => server.close(() => done()));
  });

  it('matches each reply to its command: subscribed, ok with the whole list, an error by id, an error without id by sid', async () => {
    const subscribed = await connection.command('subscribe', { channels: ['ticker'], market_tickers: ['KXGOLDH-26AUG2711-T4615.99'], send_initial_snapshot: true });
    expect(subscribed).toMatchObject({ type: 'subscribed', msg: { sid: 2 } });

    const ok = await connection.command('update_subscription', { sids: [1], market_tickers: ['KXGOLDH-26AUG2711-T4617.99'], action: 'add_markets', send_initial_snapshot: true });
    expect(ok.type === 'ok' ? okMarketTickers(ok) : undefined).toEqual(['KXGOLDH-26AUG2711-T4615.99', 'KXGOLDH-26AUG2711-T4617.99']);

    await expect(connection.command('subscribe', { channels: ['tickr'] })).rejects.toMatchObject({ code: 8 });

    // Answered by {"type":"error","sid":3,"seq":2,…}: no id, so it is matched by the sid the command named.
    const idless = connection.command('update_subscription', { sids: [3], market_tickers: ['X'], action: 'replace_markets' });
    await expect(idless).rejects.toBeInstanceOf(CommandError);
    await expect(idless).rejects.toMatchObject({ code: 13 });
    expect(received.map((c) => c.id)).toEqual([1, 2, 3, 4]);
    expect(messages).toEqual([]);
  });

  it('hands the recorded ticker frames on as data, each giving its quote; their August sending_ts_ms, too old to believe today, counted, not observed', async () => {
    for (const { frame } of recorded.filter((r) => r.frame.type === 'ticker')) peer?.send(JSON.stringify(frame));
    await waitFor(() => messages.length === 5);
    expect(messages.map((m) => m.type)).toEqual(['ticker', 'ticker', 'ticker', 'ticker', 'ticker']);
    const quotes = messages.map((m) => (m.type === 'ticker' ? tickerQuote(m.msg, 0) : undefined));
    expect(quotes.map((q) => (typeof q === 'object' ? [q.yesBid, q.yesAsk] : q))).toEqual([
      [100, 9800],
      [null, 100],
      [null, null],
      [100, 9800],
      [100, 9800],
    ]);
    // Recorded in August 2026: far older than a day before now, so not believable as a send time today. Counted as
    // bad input and kept out of the histogram, the frames themselves handled as above.
    expect(delays).toEqual([]);
    expect(invalid.splice(0)).toEqual([
      { reason: 'bad_sending_ts', type: undefined },
      { reason: 'bad_sending_ts', type: undefined },
    ]);
  });

  it('never takes a recorded lifecycle frame for a ticker or an error, and counts each', async () => {
    const lifecycle = recorded.filter(isLifecycle);
    const before = messages.length;
    // A command in flight: a lifecycle frame mistaken for an error reply would settle it.
    const pending = connection.command('list_subscriptions');
    for (const { frame } of lifecycle) peer?.send(JSON.stringify(frame));
    await waitFor(() => invalid.length + (messages.length - before) >= lifecycle.length);
    const seen = [...invalid.map((i) => `${i.reason}:${String(i.type)}`), ...messages.slice(before).map((m) => `message:${m.type}`)];
    expect(seen).toEqual(lifecycle.map(() => `message:${LIFECYCLE}`));
    // Still pending: answered by nothing the lifecycle frames carried (the replay has no reply left for it).
    const settled = await Promise.race([pending.then(() => 'settled', () => 'settled'), new Promise((done) => setTimeout(() => done('pending'), 200))]);
    expect(settled).toBe('pending');
  });
});

// ---- shapes: what the recorded frames look like, and the simulator's frames against them ----

type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

function kindOf(value: unknown): Kind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as Kind;
}

/** A string's format, so "0.4550" and "0.455000" (or a count "300.00") are told apart. */
function formatOf(value: unknown): string {
  const kind = kindOf(value);
  if (kind !== 'string') return kind;
  const text = value as string;
  const decimal = /^\d+\.(\d+)$/.exec(text);
  if (decimal !== null) return `decimal/${(decimal[1]).length}`;
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(text)) return 'rfc3339';
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text)) return 'uuid';
  return 'text';
}

interface Shape {
  /** Key → the formats seen for it. */
  formats: Map<string, Set<string>>;
  /** Keys every recorded frame of the kind carries. */
  required: Set<string>;
}

/** Envelope and msg are described separately, per frame kind ('ok' with a list and 'error' are kinds of their own). */
function kindKey(frame: Record<string, unknown>): string {
  return String(frame.type);
}

function addShape(shapes: Map<string, Shape>, name: string, object: Record<string, unknown>): void {
  let shape = shapes.get(name);
  if (shape === undefined) {
    shape = { formats: new Map(), required: new Set(Object.keys(object)) };
    shapes.set(name, shape);
  }
  for (const key of shape.required) if (!(key in object)) shape.required.delete(key);
  for (const [key, value] of Object.entries(object)) {
    let formats = shape.formats.get(key);
    if (formats === undefined) shape.formats.set(key, (formats = new Set()));
    formats.add(formatOf(value));
  }
}

function describeFrame(shapes: Map<string, Shape>, frame: Record<string, unknown>): void {
  const kind = kindKey(frame);
  addShape(shapes, kind, frame);
  if (kindOf(frame.msg) === 'object') addShape(shapes, `${kind}.msg`, frame.msg as Record<string, unknown>);
}

const recordedShapes = new Map<string, Shape>();
for (const { frame } of recorded) describeFrame(recordedShapes, frame);

/** docs/KALSHI.md names fields no recorded frame carries: these, and only these, the simulator may add. */
const DOCUMENTED_EXTRAS: Record<string, Record<string, string>> = {
  // "older production frames carried an undocumented `Clock`"
  'ticker.msg': { Clock: 'integer' },
  // "The envelope may carry sending_ts_ms (since 2026-10-01, on WebSocket messages …)": recorded on ticker frames only
  subscribed: { sending_ts_ms: 'integer' },
  ok: { sending_ts_ms: 'integer' },
  unsubscribed: { sending_ts_ms: 'integer' },
  error: { sending_ts_ms: 'integer' },
  market_lifecycle_v2: { sending_ts_ms: 'integer' },
  // "created (with open_ts, close_ts)", "settled (settled_ts)": seconds, as close_ts and determination_ts are
  'market_lifecycle_v2.msg': { open_ts: 'integer', settled_ts: 'integer' },
};

function driftOf(frames: Record<string, unknown>[]): string[] {
  const problems: string[] = [];
  const simShapes = new Map<string, Shape>();
  for (const frame of frames) {
    const seen = new Map<string, Shape>();
    describeFrame(seen, frame);
    describeFrame(simShapes, frame);
    for (const [name, shape] of seen) {
      const known = recordedShapes.get(name);
      if (known === undefined) {
        problems.push(`${name}: no recorded frame of this kind`);
        continue;
      }
      for (const key of known.required) if (!shape.formats.has(key)) problems.push(`${name}.${key}: missing (every recorded frame has it)`);
      for (const [key, formats] of shape.formats) {
        const extra = DOCUMENTED_EXTRAS[name]?.[key];
        const allowed = known.formats.get(key) ?? (extra === undefined ? undefined : new Set([extra]));
        if (allowed === undefined) {
          problems.push(`${name}.${key}: not in any recorded frame`);
          continue;
        }
        for (const format of formats) if (!allowed.has(format)) problems.push(`${name}.${key}: ${format}, recorded ${[...allowed].join('|')}`);
      }
    }
  }
  return [...new Set(problems)];
}

describe('the simulator against the recorded shapes', () => {
  let sim: KalshiSimulator;
  let ws: WebSocket;
  const frames: Record<string, unknown>[] = [];

  const send = (command: unknown): void => ws.send(JSON.stringify(command));
  const next = (count: number): Promise<unknown> => waitFor(() => frames.length >= count, { message: `${count} frames from the simulator` });

  beforeAll(async () => {
    const keys = testKeys();
    sim = new KalshiSimulator({ publicKey: keys.publicPem, keyId: 'k', pingIntervalMs: 0, unlistedTickers: 'error11' });
    await sim.start();
    sim.addMarkets([
      { ticker: 'A', yesBid: 0.455, yesAsk: 0.48 },
      { ticker: 'B', yesBid: null, yesAsk: 0.05 },
      { ticker: 'C', yesBid: 0.9, yesAsk: null },
    ]);
    const { handshakeHeaders } = await import('../../src/kalshi/auth');
    ws = new WebSocket(sim.wsUrl, { headers: handshakeHeaders({ keyId: 'k', privateKey: createPrivateKey(keys.privatePem) }, sim.wsUrl, Date.now()) });
    ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
    await new Promise<void>((done, fail) => {
      ws.once('open', () => done());
      ws.once('error', fail);
    });
  });

  afterAll(async () => {
    ws.terminate();
    await sim.close();
  });

  it('sends frames of the recorded kinds, keys and formats: replies, errors with and without id, every ticker shape', async () => {
    send({ id: 1, cmd: 'subscribe', params: { channels: ['ticker'], market_tickers: ['A', 'B', 'C'], send_initial_snapshot: true } });
    await next(4); // subscribed + three snapshots: full, lean, clock in turn
    send({ id: 2, cmd: 'update_subscription', params: { sids: [1], market_tickers: ['A'], action: 'delete_markets' } });
    await next(5);
    send({ id: 3, cmd: 'subscribe', params: { channels: ['tickr'] } });
    await next(6);
    sim.setSubscriptionErrorsWithoutId(true);
    send({ id: 4, cmd: 'update_subscription', params: { sids: [1], market_tickers: ['NOPE'], action: 'add_markets' } });
    await next(7);
    sim.setQuote('B', { yesBid: 0.02 });
    sim.changeSizes('C');
    sim.tick(3);
    await waitFor(() => frames.filter((f) => f.type === 'ticker').length >= 5);

    expect(frames.map((f) => f.type)).toEqual(expect.arrayContaining(['subscribed', 'ticker', 'ok', 'error']));
    const tickerKeys = frames.filter((f) => f.type === 'ticker').map((f) => Object.keys(f.msg as object).sort().join(','));
    expect(new Set(tickerKeys).size).toBeGreaterThanOrEqual(3); // the three recorded shapes all appear
    expect(frames.find((f) => f.type === 'error' && f.id === undefined)).toMatchObject({ sid: 1, seq: expect.any(Number) });
    expect(driftOf(frames)).toEqual([]);
    // Kalshi today (the simulator's default): sending_ts_ms on every frame, second in the envelope as in the recorded
    // documented frame, so the service's fast path is measured on the frames it will meet.
    const documentedOrder = Object.keys(recorded.find((r) => r.frame.type === 'ticker' && Object.keys(r.frame)[1] === 'sending_ts_ms')?.frame ?? {});
    expect(documentedOrder).toEqual(['type', 'sending_ts_ms', 'sid', 'msg']);
    for (const frame of frames) {
      expect(Object.keys(frame)[1]).toBe('sending_ts_ms');
      expect(Number.isInteger(frame.sending_ts_ms)).toBe(true);
    }
    for (const frame of frames.filter((f) => f.type === 'ticker')) expect(Object.keys(frame)).toEqual(documentedOrder);
  });

  it('puts sending_ts_ms after msg, as the live frame, when switched', async () => {
    const seen = frames.length;
    sim.setSendingTs('after');
    sim.setQuote('B', { yesBid: 0.03 });
    await next(seen + 1);
    const frame = frames[seen];
    const liveOrder = Object.keys(recorded.find((r) => r.frame.type === 'ticker' && Object.keys(r.frame).at(-1) === 'sending_ts_ms')?.frame ?? {});
    expect(liveOrder).toEqual(['type', 'sid', 'msg', 'sending_ts_ms']);
    expect(Object.keys(frame)).toEqual(liveOrder);
    expect(driftOf([frame])).toEqual([]);
    sim.setSendingTs('second');
  });

  it('sends lifecycle frames of the recorded shapes for every step of a market\'s life, seq consecutive', async () => {
    const from = frames.length;
    send({ id: 10, cmd: 'subscribe', params: { channels: ['market_lifecycle_v2'] } });
    await next(from + 1);
    sim.addMarkets([{ ticker: 'D', yesBid: null, yesAsk: null, status: 'initialized' }]);
    sim.marketLife('B', 'pause');
    sim.marketLife('B', 'resume');
    sim.marketLife('B', 'resume', { flagged: true });
    sim.marketLife('C', 'close');
    sim.marketLife('C', 'determine', { result: 'no' });
    sim.marketLife('C', 'settle');
    await waitFor(() => frames.filter((f) => f.type === 'market_lifecycle_v2').length >= 7);
    const lifecycle = frames.slice(from).filter((f) => f.type === 'market_lifecycle_v2');
    expect(lifecycle.map((f) => (f.msg as { event_type: string }).event_type)).toEqual([
      'created', 'deactivated', 'activated', 'deactivated', 'close_date_updated', 'determined', 'settled',
    ]);
    expect(lifecycle.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(frames.slice(from)[0]).toMatchObject({ id: 10, type: 'subscribed', msg: { channel: 'market_lifecycle_v2' } });
    expect(driftOf(frames.slice(from))).toEqual([]);
  });

  it('would be caught drifting: a renamed field, a number as a string, a missing field, a 6-decimal price', () => {
    const ticker = frames.find((f) => f.type === 'ticker') as Record<string, unknown>;
    const msg = ticker.msg as Record<string, unknown>;
    const { yes_bid_dollars: bid, ...withoutBid } = msg;
    expect(driftOf([{ ...ticker, msg: { ...withoutBid, yes_bid: bid } }])).toContain('ticker.msg.yes_bid: not in any recorded frame');
    expect(driftOf([{ ...ticker, msg: { ...msg, ts_ms: String(msg.ts_ms) } }])).toContain('ticker.msg.ts_ms: text, recorded integer');
    const { market_ticker: _ticker, ...withoutTicker } = msg;
    expect(driftOf([{ ...ticker, msg: withoutTicker }])).toContain('ticker.msg.market_ticker: missing (every recorded frame has it)');
    expect(driftOf([{ ...ticker, msg: { ...msg, yes_ask_dollars: '0.480000' } }])).toContain('ticker.msg.yes_ask_dollars: decimal/6, recorded decimal/4');
  });
});

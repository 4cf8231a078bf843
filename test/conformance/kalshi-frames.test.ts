import { createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import pino from 'pino';
import WebSocket, { WebSocketServer } from 'ws';
import { CommandError, KalshiConnection } from '../../src/kalshi/connection';
import { isInvalid, okMarketTickers, parseServerFrame, tickerQuote, type ServerMessage } from '../../src/kalshi/protocol';
import { KalshiSimulator } from '@kalshi-ingestor/kalshi-sim';
import { testKeys } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

/**
 * Conformance with frames recorded from Kalshi's demo and production sockets by other clients
 * (../shared/kalshi-frames.jsonl, copied to test/fixtures so the test stands alone). No part of our code wrote
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

describe('the recorded frames', () => {
  it('are the same as ../shared/kalshi-frames.jsonl where that is present', () => {
    // CI has ../shared beside the clone; a worktree has it one level further up.
    const shared = [resolve(__dirname, '../../../shared/kalshi-frames.jsonl'), resolve(__dirname, '../../../../shared/kalshi-frames.jsonl')].find(existsSync);
    if (shared !== undefined) expect(fixtureText).toBe(readFileSync(shared, 'utf8'));
    expect(recorded.length).toBeGreaterThanOrEqual(7);
  });

  it('all parse, none refused by the schema', () => {
    for (const { from, frame } of recorded) {
      const parsed = parseServerFrame(JSON.stringify(frame));
      expect({ from, invalid: isInvalid(parsed) }).toEqual({ from, invalid: false });
    }
  });

  it('give the expected quotes: YES bid and ask in 1/10000 dollar, an empty side null, ts_ms as the time', () => {
    const quotes = recorded
      .map(({ frame }) => parseServerFrame(JSON.stringify(frame)))
      .filter((m): m is Extract<ServerMessage, { type: 'ticker' }> => !isInvalid(m) && m.type === 'ticker')
      .map((m) => tickerQuote(m.msg, 42));
    // Worked out by hand from the frames, not by our code.
    expect(quotes).toEqual([
      { ticker: 'KXGOLDH-26AUG2711-T4615.99', yesBid: 100, yesAsk: 9800, exchangeTimeMs: 1787838990880, source: 'socket' },
      { ticker: 'KXCRYPTOLEAD15M-26SEP210100-XRP', yesBid: null, yesAsk: 100, exchangeTimeMs: 1789966800000, source: 'socket' },
      { ticker: 'KXBTC15M-26JUL191145-45', yesBid: null, yesAsk: null, exchangeTimeMs: 1784475900544, source: 'socket' },
    ]);
  });
});

describe('the recorded replies, through the service connection', () => {
  let server: WebSocketServer;
  let url: string;
  let peer: WebSocket | undefined;
  const received: Record<string, unknown>[] = [];
  const messages: ServerMessage[] = [];
  let connection: KalshiConnection;

  beforeAll(async () => {
    // A bare socket that replays the recorded frames verbatim: the n-th command gets the n-th recorded reply.
    const replies = recorded.map((r) => r.frame).filter((f) => f.type !== 'ticker');
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
      handlers: {
        onOpen: () => undefined,
        onClose: () => undefined,
        onMessage: (message) => messages.push(message),
        onInvalid: () => undefined,
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

  it('hands the recorded ticker frames on as data, each giving its quote', async () => {
    for (const { frame } of recorded.filter((r) => r.frame.type === 'ticker')) peer?.send(JSON.stringify(frame));
    await waitFor(() => messages.length === 3);
    expect(messages.map((m) => m.type)).toEqual(['ticker', 'ticker', 'ticker']);
    const quotes = messages.map((m) => (m.type === 'ticker' ? tickerQuote(m.msg, 0) : undefined));
    expect(quotes.map((q) => (typeof q === 'object' ? [q.yesBid, q.yesAsk] : q))).toEqual([
      [100, 9800],
      [null, 100],
      [null, null],
    ]);
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

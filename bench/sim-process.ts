/**
 * The Kalshi simulator in a process of its own, driven by the bench over IPC (child_process.fork).
 *
 * Blasts are pre-serialized: every ticker frame is built before the clock starts and then written straight to
 * the client session that subscribed the ticker, with that subscription's sid, so the simulator costs as little
 * as possible per message and never stands between the receiver and its limit.
 */
import { randomUUID } from 'node:crypto';
import { KalshiSimulator } from '@kalshi-ingestor/kalshi-sim';
import {
  blastQuote,
  steadyQuote,
  tickerFrame,
  type BlastResult,
  type BlastSpec,
  type ConnectionSummary,
  type SimApi,
  type SteadyResult,
  type SteadySpec,
  type MixResult,
  type MixSpec,
} from './common';
import { serveRpc } from './ipc';

/** What the blast needs of a client session: the simulator's own per-session raw send. */
interface SessionHandle {
  readonly id: number;
  sendRaw(data: string | Buffer, binary: boolean): void;
}

/** The TCP socket under a session's WebSocket (ws keeps it as `_socket`). */
interface WireSocket {
  write(chunk: Buffer): boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  removeListener(event: 'drain' | 'close', listener: () => void): unknown;
  readonly destroyed: boolean;
}

interface Route {
  session: SessionHandle | undefined;
  connectionId: number;
  sid: number;
}

const CHUNK = 1000;
/** Bytes of frames per TCP write in wire mode. */
const WIRE_CHUNK_BYTES = 64 * 1024;
let sim: KalshiSimulator | undefined;
const marketIds = new Map<string, string>();

function simulator(): KalshiSimulator {
  if (sim === undefined) throw new Error('simulator not started');
  return sim;
}

/**
 * The simulator's sessions by connection id. The public API can only broadcast raw frames to every client
 * (sendRaw) or stream through its exchange (setQuote); a blast must reach only the socket that subscribed the
 * ticker, as Kalshi does, so it reads the simulator's session table. If that table is not there any more (the
 * simulator changed), the blast falls back to setQuote, which is slower but public.
 */
function sessionTable(): Map<number, SessionHandle> | undefined {
  const table = (simulator() as unknown as { sessions?: unknown }).sessions;
  if (!(table instanceof Map)) return undefined;
  for (const session of table.values()) {
    if (typeof (session as Partial<SessionHandle>).sendRaw !== 'function') return undefined;
  }
  return table as Map<number, SessionHandle>;
}

function summaries(): ConnectionSummary[] {
  return simulator()
    .connections()
    .map((c) => ({
      id: c.id,
      sids: c.subscriptions.map((s) => s.sid),
      tickers: new Set(c.subscriptions.flatMap((s) => s.tickers)).size,
    }));
}

/** Ticker → every (session, sid) that holds it, among the allowed connections. */
function routes(tickers: readonly string[], connectionIds: number[] | undefined): Map<string, Route[]> {
  const table = sessionTable();
  const allowed = connectionIds === undefined ? undefined : new Set(connectionIds);
  const out = new Map<string, Route[]>();
  for (const connection of simulator().connections()) {
    if (allowed !== undefined && !allowed.has(connection.id)) continue;
    for (const subscription of connection.subscriptions) {
      for (const ticker of subscription.tickers) {
        let list = out.get(ticker);
        if (list === undefined) out.set(ticker, (list = []));
        list.push({ session: table?.get(connection.id), connectionId: connection.id, sid: subscription.sid });
      }
    }
  }
  const missing = tickers.filter((t) => !out.has(t));
  if (missing.length > 0) throw new Error(`${missing.length} tickers are not subscribed by any client (e.g. ${missing[0]})`);
  return out;
}

/**
 * The TCP socket of a session, when it can be reached: the session's WebSocket (`socket`) and ws's own `_socket`.
 * Writing pre-encoded frames there in 64 KiB chunks costs the simulator one syscall per ~150 messages instead of
 * one per message, so the simulator is never what limits the receiver. The bytes on the wire are exactly those ws
 * would send (unmasked text frames, FIN set); only the blast writes while it runs (pings are 10 s apart and
 * whole frames).
 */
function wireOf(session: SessionHandle | undefined): WireSocket | undefined {
  const ws = (session as { socket?: { _socket?: unknown; readyState?: number } } | undefined)?.socket;
  const raw = ws?._socket as Partial<WireSocket> | undefined;
  if (raw === undefined || raw === null || ws?.readyState !== 1) return undefined;
  if (typeof raw.write !== 'function' || typeof raw.once !== 'function' || typeof raw.removeListener !== 'function') return undefined;
  return raw as WireSocket;
}

/** An unmasked, final WebSocket text frame (RFC 6455 §5.2), as a server sends it. */
function encodeTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + n);
  frame[0] = 0x81;
  if (n < 126) frame[1] = n;
  else if (n < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(frame, head);
  return frame;
}

function waitDrain(socket: WireSocket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.removeListener('drain', done);
      socket.removeListener('close', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
  });
}

async function blastWire(spec: BlastSpec, routing: Map<string, Route[]>): Promise<BlastResult> {
  const { tickers, total, tsBase } = spec;
  const markets = tickers.length;
  const rounds = total / markets;
  const buildStarted = Date.now();
  // Per socket: its frames in global order, packed into ~64 KiB chunks.
  const perSocket = new Map<WireSocket, { chunks: Buffer[]; pending: Buffer[]; pendingBytes: number }>();
  let sent = 0;
  for (let i = 0; i < total; i++) {
    const m = i % markets;
    const r = Math.floor(i / markets);
    const ticker = tickers[m];
    const q = blastQuote(m, r, r === rounds - 1, spec.variant ?? 0);
    for (const route of routing.get(ticker) as Route[]) {
      const socket = wireOf(route.session) as WireSocket;
      let out = perSocket.get(socket);
      if (out === undefined) perSocket.set(socket, (out = { chunks: [], pending: [], pendingBytes: 0 }));
      const frame = encodeTextFrame(tickerFrame(route.sid, ticker, marketIdOf(ticker), q, tsBase + r, i, spec.sendingTs));
      out.pending.push(frame);
      out.pendingBytes += frame.length;
      sent++;
      if (out.pendingBytes >= WIRE_CHUNK_BYTES) {
        out.chunks.push(Buffer.concat(out.pending, out.pendingBytes));
        out.pending = [];
        out.pendingBytes = 0;
      }
    }
  }
  for (const out of perSocket.values()) if (out.pendingBytes > 0) out.chunks.push(Buffer.concat(out.pending, out.pendingBytes));
  const buildMs = Date.now() - buildStarted;
  await nextTurn();
  const firstSendAt = Date.now();
  const sockets = [...perSocket.entries()];
  const longest = Math.max(...sockets.map(([, out]) => out.chunks.length));
  // Round-robin over the sockets, one chunk each, honouring backpressure.
  for (let k = 0; k < longest; k++) {
    const full: WireSocket[] = [];
    for (const [socket, out] of sockets) {
      const chunk = out.chunks[k];
      if (chunk === undefined || socket.destroyed) continue;
      if (!socket.write(chunk)) full.push(socket);
    }
    if (full.length > 0) await Promise.all(full.map(waitDrain));
  }
  return { mode: 'wire', sent, buildMs, firstSendAt, lastSendAt: Date.now() };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function blast(spec: BlastSpec): Promise<BlastResult> {
  const { tickers, total, tsBase } = spec;
  const markets = tickers.length;
  if (markets === 0 || total % markets !== 0) throw new Error('total must be a positive multiple of the market count');
  const rounds = total / markets;
  const routing = routes(tickers, spec.connectionIds);
  const direct = [...routing.values()].every((list) => list.every((r) => r.session !== undefined));
  const wire = direct && [...routing.values()].every((list) => list.every((r) => wireOf(r.session) !== undefined));
  const s = simulator();

  if (wire && process.env.BENCH_BLAST_MODE !== 'direct') return blastWire(spec, routing);
  if (!direct) {
    // Public path: the simulator's exchange builds and routes every message.
    const firstSendAt = Date.now();
    let sent = 0;
    for (let i = 0; i < total; i++) {
      const m = i % markets;
      const r = Math.floor(i / markets);
      const q = blastQuote(m, r, r === rounds - 1, spec.variant ?? 0);
      s.setQuote(tickers[m], { yesBid: q.bid / 10_000, yesAsk: q.ask / 10_000, tsMs: tsBase + r });
      sent++;
      if (sent % CHUNK === 0) await nextTurn();
    }
    return { mode: 'setQuote', sent, buildMs: 0, firstSendAt, lastSendAt: Date.now() };
  }

  const buildStarted = Date.now();
  const targets: SessionHandle[] = [];
  const frames: Buffer[] = [];
  for (let i = 0; i < total; i++) {
    const m = i % markets;
    const r = Math.floor(i / markets);
    const ticker = tickers[m];
    const q = blastQuote(m, r, r === rounds - 1, spec.variant ?? 0);
    for (const route of routing.get(ticker) as Route[]) {
      targets.push(route.session as SessionHandle);
      frames.push(Buffer.from(tickerFrame(route.sid, ticker, marketIdOf(ticker), q, tsBase + r, i, spec.sendingTs)));
    }
  }
  const buildMs = Date.now() - buildStarted;
  await nextTurn();
  const firstSendAt = Date.now();
  for (let i = 0; i < frames.length; i++) {
    (targets[i]).sendRaw(frames[i], false);
    if ((i + 1) % CHUNK === 0) await nextTurn();
  }
  return { mode: 'direct', sent: frames.length, buildMs, firstSendAt, lastSendAt: Date.now() };
}

/** `ratePerSec` messages a second, round-robin over the tickers, each stamped ts_ms = now as it is sent. */
async function steady(spec: SteadySpec): Promise<SteadyResult> {
  const { tickers, ratePerSec, durationMs } = spec;
  const markets = tickers.length;
  const routing = routes(tickers, spec.connectionIds);
  const direct = [...routing.values()].every((list) => list.every((r) => r.session !== undefined));
  const s = simulator();
  const startAt = Date.now();
  let sent = 0;
  let maxBehindMs = 0;
  const total = Math.floor((ratePerSec * durationMs) / 1000);
  await new Promise<void>((resolve) => {
    const turn = () => {
      const now = Date.now();
      const due = Math.min(total, Math.floor(((now - startAt) * ratePerSec) / 1000));
      if (due - sent > 0) maxBehindMs = Math.max(maxBehindMs, ((due - sent) * 1000) / ratePerSec);
      while (sent < due) {
        const m = sent % markets;
        const q = steadyQuote(m, Math.floor(sent / markets));
        const ticker = tickers[m];
        const tsMs = Date.now();
        if (direct) {
          for (const route of routing.get(ticker) as Route[]) {
            (route.session as SessionHandle).sendRaw(tickerFrame(route.sid, ticker, marketIdOf(ticker), q, tsMs, sent), false);
          }
        } else {
          s.setQuote(ticker, { yesBid: q.bid / 10_000, yesAsk: q.ask / 10_000, tsMs });
        }
        sent++;
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(turn, 2);
  });
  return { sent, startAt, endAt: Date.now(), maxBehindMs: Math.round(maxBehindMs * 10) / 10 };
}

/**
 * Several streams at once, one 1 ms interval driving all of them: each sends what its rate says is due by now,
 * round-robin over its tickers, each frame stamped ts_ms = Date.now() as it is sent.
 */
async function mix(spec: MixSpec): Promise<MixResult> {
  const all = spec.streams.flatMap((stream) => stream.tickers);
  const routing = routes(all, undefined);
  const direct = [...routing.values()].every((list) => list.every((r) => r.session !== undefined));
  if (!direct) throw new Error('mix needs the simulator session table (sendRaw per session)');
  const startAt = Date.now();
  let maxBehindMs = 0;
  const state = spec.streams.map((stream) => ({
    stream,
    sent: 0,
    total: Math.floor((stream.ratePerSec * spec.durationMs) / 1000),
    tickerIndex: stream.record === true ? ([] as number[]) : undefined,
    tsMs: stream.record === true ? ([] as number[]) : undefined,
    lastTsMs: null as number | null,
  }));
  let n = 0;
  await new Promise<void>((resolve) => {
    const turn = () => {
      const now = Date.now();
      let done = true;
      for (const s of state) {
        const { tickers, ratePerSec } = s.stream;
        const due = Math.min(s.total, Math.floor(((now - startAt) * ratePerSec) / 1000));
        if (due - s.sent > 0) maxBehindMs = Math.max(maxBehindMs, ((due - s.sent - 1) * 1000) / ratePerSec);
        while (s.sent < due) {
          const m = s.sent % tickers.length;
          const ticker = tickers[m];
          const tsMs = Date.now();
          const q = steadyQuote(m, Math.floor(s.sent / tickers.length));
          for (const route of routing.get(ticker) as Route[]) {
            (route.session as SessionHandle).sendRaw(tickerFrame(route.sid, ticker, marketIdOf(ticker), q, tsMs, n++), false);
          }
          s.tickerIndex?.push(m);
          s.tsMs?.push(tsMs);
          s.lastTsMs = tsMs;
          s.sent++;
        }
        if (s.sent < s.total) done = false;
      }
      if (done) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(turn, 1);
  });
  return {
    startAt,
    endAt: Date.now(),
    maxBehindMs: Math.round(maxBehindMs * 10) / 10,
    streams: state.map((s) => ({
      name: s.stream.name,
      sent: s.sent,
      lastTsMs: s.lastTsMs,
      ...(s.tickerIndex === undefined ? {} : { tickerIndex: s.tickerIndex, tsMs: s.tsMs }),
    })),
  };
}

function marketIdOf(ticker: string): string {
  let id = marketIds.get(ticker);
  if (id === undefined) marketIds.set(ticker, (id = randomUUID()));
  return id;
}

serveRpc<SimApi>({
  async start({ publicKeyPem, keyId }) {
    if (sim !== undefined) throw new Error('already started');
    sim = new KalshiSimulator({ publicKey: publicKeyPem, keyId, pingIntervalMs: 10_000 });
    await sim.start();
    return { wsUrl: sim.wsUrl, restUrl: sim.restUrl };
  },
  addMarkets({ tickers }) {
    const s = simulator();
    s.addMarkets(tickers.map((ticker, m) => ({ ticker, yesBid: (20 + (m % 60)) / 100, yesAsk: (22 + (m % 60)) / 100, status: 'active' })));
    for (const ticker of tickers) marketIdOf(ticker);
    return { markets: tickers.length };
  },
  connections: () => summaries(),
  async waitSubscribed({ count, excludeIds, timeoutMs }) {
    const excluded = new Set(excludeIds ?? []);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const held = new Set<string>();
      for (const c of simulator().connections()) {
        if (excluded.has(c.id)) continue;
        for (const sub of c.subscriptions) for (const t of sub.tickers) held.add(t);
      }
      if (held.size >= count) return { atMs: Date.now(), connections: summaries() };
      if (Date.now() > deadline) throw new Error(`only ${held.size} of ${count} tickers subscribed after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  },
  commands({ sinceMs }) {
    return simulator()
      .commandLog()
      .filter((e) => e.at >= sinceMs)
      .map((e) => ({ connectionId: e.connectionId, cmd: (e.cmd as { cmd?: string } | null)?.cmd ?? '', at: e.at }));
  },
  blast,
  steady,
  mix,
  stats: () => ({ ...simulator().stats }),
  async close() {
    await sim?.close();
    setImmediate(() => process.exit(0));
    return { closed: true as const };
  },
});

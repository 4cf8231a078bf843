import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import WebSocket from 'ws';
import { KalshiSimulator, type SimulatorOptions } from '../../packages/kalshi-sim/src/simulator';

export const KEY_ID = 'test-key-id';
const WS_PATH = '/trade-api/ws/v2';

let cached: { publicKey: KeyObject; privateKey: KeyObject } | undefined;
/** One RSA key pair per test file (generation costs ~100 ms). */
export function keys(): { publicKey: KeyObject; privateKey: KeyObject } {
  cached ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  return cached;
}

/** Signs the handshake exactly as docs/KALSHI.md shows (RSA-PSS for an RSA key, Ed25519 for an Ed25519 key). */
export function authHeaders(
  options: { privateKey?: KeyObject; keyId?: string; timestampMs?: number; path?: string } = {},
): Record<string, string> {
  const timestamp = String(options.timestampMs ?? Date.now());
  const key = options.privateKey ?? keys().privateKey;
  const text = Buffer.from(timestamp + 'GET' + (options.path ?? WS_PATH));
  // Ed25519 keys sign with Ed25519 itself (no digest); RSA keys with RSA-PSS/SHA-256, salt = digest.
  const signature =
    key.asymmetricKeyType === 'ed25519'
      ? sign(null, text, key)
      : sign('sha256', text, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
  return {
    'KALSHI-ACCESS-KEY': options.keyId ?? KEY_ID,
    'KALSHI-ACCESS-TIMESTAMP': timestamp,
    'KALSHI-ACCESS-SIGNATURE': signature.toString('base64'),
  };
}

export type Json = Record<string, unknown>;

/** Where a frame carried sending_ts_ms: its key's index among the envelope's keys (-1: absent), and its value. */
export interface SendingTsSeen {
  index: number;
  keys: number;
  value: unknown;
}

/**
 * A frame that is not a JSON object is recorded as { raw, binary }. The envelope's sending_ts_ms (on every frame
 * by default, as on Kalshi since 2026-10) is taken out into `seen`, so that tests of commands compare the rest.
 */
function parseFrame(text: string, binary: boolean, seen: SendingTsSeen[]): Json {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && !binary) {
      const frame = value as Json;
      const keys = Object.keys(frame);
      seen.push({ index: keys.indexOf('sending_ts_ms'), keys: keys.length, value: frame.sending_ts_ms });
      delete frame.sending_ts_ms;
      return frame;
    }
  } catch {
    // fall through
  }
  return { raw: text, binary };
}

const WAIT_MS = 3_000;

/** A ws client that queues every frame it receives, to be read in order. */
export class TestClient {
  private readonly messages: Json[] = [];
  private readonly waiters: (() => void)[] = [];
  pings: Buffer[] = [];
  /** Each JSON frame's sending_ts_ms, in arrival order (taken out of the frames themselves). */
  readonly sendingTs: SendingTsSeen[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      this.messages.push(parseFrame(data.toString(), isBinary, this.sendingTs));
      this.wake();
    });
    ws.on('ping', (data: Buffer) => {
      this.pings.push(data);
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code: number, reason: Buffer) => {
        resolve({ code, reason: reason.toString() });
        this.wake();
      });
    });
  }

  static connect(url: string, headers: Record<string, string> = authHeaders()): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        reject(new HandshakeRefused(res.statusCode ?? 0));
        ws.terminate();
      });
      ws.once('error', (error) => reject(error));
    });
  }

  send(command: unknown): void {
    this.ws.send(typeof command === 'string' ? command : JSON.stringify(command));
  }

  /** The next message in arrival order (fails after a generous timeout, never used as a delay). */
  next(): Promise<Json> {
    return this.until(() => this.messages.shift(), 'a message');
  }

  /** Resolves once `count` pings have arrived in total. */
  pingCount(count: number): Promise<number> {
    return this.until(() => (this.pings.length >= count ? this.pings.length : undefined), `${count} pings`);
  }

  pending(): Json[] {
    return [...this.messages];
  }

  close(): void {
    this.ws.terminate();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private until<T>(take: () => T | undefined, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT_MS);
      const check = (): void => {
        const value = take();
        if (value !== undefined) {
          clearTimeout(timer);
          resolve(value);
          return;
        }
        if (this.ws.readyState === WebSocket.CLOSED) {
          clearTimeout(timer);
          reject(new Error(`socket closed while waiting for ${what}`));
          return;
        }
        this.waiters.push(check);
      };
      check();
    });
  }
}

export class HandshakeRefused extends Error {
  constructor(readonly status: number) {
    super(`handshake refused with HTTP ${status}`);
  }
}

/** The HTTP status of a refused handshake; fails if the handshake succeeds. */
export async function refusedStatus(url: string, headers: Record<string, string>): Promise<number> {
  try {
    const client = await TestClient.connect(url, headers);
    client.close();
  } catch (error) {
    if (error instanceof HandshakeRefused) return error.status;
    throw error;
  }
  throw new Error('handshake unexpectedly succeeded');
}

/** Starts simulators and closes them (and their clients) after each test. */
export function simulators(): {
  start(options?: Partial<SimulatorOptions>): Promise<KalshiSimulator>;
  connect(sim: KalshiSimulator, headers?: Record<string, string>): Promise<TestClient>;
} {
  const sims: KalshiSimulator[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(sims.splice(0).map((sim) => sim.close()));
  });
  return {
    async start(options = {}) {
      const sim = new KalshiSimulator({ publicKey: keys().publicKey, keyId: KEY_ID, ...options });
      sims.push(sim);
      await sim.start();
      return sim;
    },
    async connect(sim, headers) {
      const client = await TestClient.connect(sim.wsUrl, headers);
      clients.push(client);
      return client;
    },
  };
}

/** Resolves the next time `sim` emits `event` with arguments that satisfy `accept`. */
export function nextEvent(
  sim: KalshiSimulator,
  event: string,
  accept: (...args: unknown[]) => boolean = () => true,
): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sim.off(event, listener);
      reject(new Error(`timed out waiting for simulator event ${event}`));
    }, WAIT_MS);
    const listener = (...args: unknown[]): void => {
      if (!accept(...args)) return;
      clearTimeout(timer);
      sim.off(event, listener);
      resolve(args);
    };
    sim.on(event, listener);
  });
}

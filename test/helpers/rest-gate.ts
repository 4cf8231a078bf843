import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Exchange } from '@kalshi-ingestor/kalshi-sim';
import { handleRest } from '../../packages/kalshi-sim/src/rest';

/**
 * Kalshi's REST as a demanding exchange serves it, for tests: a token bucket (Kalshi's read limit; beyond it
 * 429 without Retry-After), a log of every request (arrival time, tickers, concurrency) and faults on demand.
 * Markets come from an Exchange of the simulator, or from an upstream simulator's REST (`upstream`).
 */
export type RestFault =
  /** Every page of the matching requests points to another page, forever. */
  | 'endless-cursor'
  /** 50 MiB of body, streamed (a client that buffers it whole is the bug). */
  | 'huge-body'
  | 'not-json'
  /** Accepts the request and never answers. */
  | 'black-hole'
  | 'http-500';

export interface RestGateOptions {
  exchange?: Exchange;
  /** The REST base URL (…/trade-api/v2) to forward to, when there is no exchange. */
  upstream?: () => string;
  /** Requests per second the bucket refills (default: no limit). */
  ratePerS?: number;
  /** Bucket size (default: one second of the rate). */
  burst?: number;
  /** Each answer waits this long (a slow exchange: requests overlap). */
  delayMs?: number;
}

export interface RequestRecord {
  atMs: number;
  tickers: string[];
  status: number;
  /** The whole answer was written. */
  answered: boolean;
}

const PREFIX = '/trade-api/v2';
export const HUGE_BODY_BYTES = 50 * 1024 * 1024;

export class RestGate {
  readonly requests: RequestRecord[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private server: Server | undefined;
  private tokens: number;
  private refilledAt = Date.now();
  private fault: { kind: RestFault; matches: (tickers: string[]) => boolean } | undefined;
  private readonly held = new Set<ServerResponse>();
  /** Bytes of the huge body actually written before the client gave up. */
  hugeBytesSent = 0;

  constructor(private readonly options: RestGateOptions) {
    this.tokens = options.burst ?? options.ratePerS ?? 0;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (address === undefined) throw new Error('RestGate not started');
    return `http://127.0.0.1:${address.port}${PREFIX}`;
  }

  get rateLimited(): number {
    return this.requests.filter((r) => r.status === 429).length;
  }

  /** Requests (answered or not) that named this ticker. */
  requestsFor(ticker: string): RequestRecord[] {
    return this.requests.filter((r) => r.tickers.includes(ticker));
  }

  /** The most requests that arrived within any window of `windowMs` (half-open: [t, t + windowMs)). */
  maxInWindow(windowMs: number, records: readonly RequestRecord[] = this.requests): number {
    const times = records.map((r) => r.atMs).sort((a, b) => a - b);
    let best = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while ((times[end]) - (times[start]) >= windowMs) start++;
      best = Math.max(best, end - start + 1);
    }
    return best;
  }

  setFault(kind: RestFault | undefined, matches: (tickers: string[]) => boolean = () => true): void {
    this.fault = kind === undefined ? undefined : { kind, matches };
  }

  setRate(ratePerS: number | undefined, burst?: number): void {
    this.refill();
    (this.options as { ratePerS?: number }).ratePerS = ratePerS;
    (this.options as { burst?: number }).burst = burst;
    this.tokens = burst ?? ratePerS ?? 0;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }

  private refill(): void {
    const { ratePerS } = this.options;
    const now = Date.now();
    if (ratePerS !== undefined) {
      const cap = this.options.burst ?? ratePerS;
      this.tokens = Math.min(cap, this.tokens + ((now - this.refilledAt) / 1000) * ratePerS);
    }
    this.refilledAt = now;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const tickers = (url.searchParams.get('tickers') ?? '').split(',').filter((t) => t !== '');
    const record: RequestRecord = { atMs: Date.now(), tickers, status: 0, answered: false };
    res.on('finish', () => void (record.answered = true));
    this.requests.push(record);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on('close', () => {
      this.inFlight -= 1;
      this.held.delete(res);
    });
    this.held.add(res);
    if (this.options.ratePerS !== undefined) {
      this.refill();
      if (this.tokens < 1) {
        record.status = 429;
        res.writeHead(429, { 'content-type': 'application/json' }).end('{"error":{"code":"too_many_requests"}}');
        return;
      }
      this.tokens -= 1;
    }
    if (this.options.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
    if (res.destroyed) return;
    const fault = this.fault?.matches(tickers) === true ? this.fault.kind : undefined;
    record.status = fault === 'http-500' ? 500 : 200;
    if (fault === 'black-hole') return;
    if (fault === 'http-500') {
      res.writeHead(500).end('upstream trouble');
      return;
    }
    if (fault === 'not-json') return void res.writeHead(200, { 'content-type': 'application/json' }).end('<html>gateway</html>');
    if (fault === 'huge-body') {
      this.sendHuge(res);
      return;
    }
    if (fault === 'endless-cursor') {
      const page = Number(url.searchParams.get('cursor') ?? '0') + 1;
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ markets: [], cursor: String(page) }));
    }
    const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname;
    if (this.options.exchange !== undefined) {
      handleRest(this.options.exchange, req.method ?? 'GET', path, url.searchParams, res);
      return;
    }
    const upstream = this.options.upstream?.();
    if (upstream === undefined) return void res.writeHead(502).end();
    try {
      const answer = await fetch(`${upstream}${path}${url.search}`);
      const body = await answer.text();
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(body);
    } catch {
      res.writeHead(502).end();
    }
  }

  /** Streams a markets array that would be 50 MiB, chunk by chunk, as long as the client reads. */
  private sendHuge(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.from(`${' '.repeat(64 * 1024 - 1)}\n`);
    let sent = 0;
    const write = (): void => {
      while (sent < HUGE_BODY_BYTES && !res.destroyed) {
        sent += chunk.length;
        this.hugeBytesSent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', write);
      }
      if (!res.destroyed) res.end('{"markets":[]}');
    };
    res.write('');
    write();
  }
}

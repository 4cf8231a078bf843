import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * An HTTP front for the simulator's REST: passes requests through, or holds them (a REST call in flight for as
 * long as the test wants; never released = black-holed). Real HTTP, no nock: the service's own fetch runs.
 */
export class RestHold {
  private server: Server | undefined;
  private holding = false;
  private readonly parked: { req: IncomingMessage; res: ServerResponse }[] = [];
  private readonly sockets = new Set<Socket>();
  /** Requests seen, and responses fully written back to the service. */
  requests = 0;
  delivered = 0;
  /** Held requests their caller gave up on (aborted, socket closed) before the answer was written. */
  cancelled = 0;

  constructor(private readonly target: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.requests += 1;
      if (this.holding) this.parked.push({ req, res });
      else void this.forward(req, res);
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  /** The REST base URL to give the service (same path as the target's). */
  get url(): string {
    const address = this.server?.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const target = new URL(this.target);
    return `http://127.0.0.1:${port}${target.pathname}`;
  }

  /** Requests held now. */
  get held(): number {
    return this.parked.length;
  }

  /** From now on every request waits until release(). */
  hold(): void {
    this.holding = true;
  }

  /** Answers every held request (with the target's answer as of now) and passes new ones through. */
  async release(): Promise<void> {
    this.holding = false;
    await Promise.all(this.parked.splice(0).map(({ req, res }) => this.forward(req, res)));
  }

  /** Passes requests through again; held ones are dropped unanswered (their caller may be long gone). */
  reset(): void {
    this.holding = false;
    for (const { res } of this.parked.splice(0)) res.destroy();
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = new URL(this.target).origin;
    try {
      const answer = await fetch(`${origin}${req.url ?? '/'}`, { headers: { accept: 'application/json' } });
      const body = await answer.text();
      const written = await new Promise<boolean>((resolve) => {
        // A caller that aborted has closed its socket: end()'s callback would never run.
        if (res.destroyed || req.socket.destroyed) {
          resolve(false);
          return;
        }
        res.once('close', () => resolve(res.writableFinished));
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        res.end(body, () => resolve(true));
      });
      if (written) this.delivered += 1;
      else this.cancelled += 1;
    } catch {
      res.destroy();
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

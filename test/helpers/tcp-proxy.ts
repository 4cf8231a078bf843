import { createServer, connect, type Server, type Socket } from 'node:net';

/** A TCP proxy the tests control, to cut the service off from Postgres or Redis and restore it. */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private cutOff = false;
  private silent = false;
  private readonly pairs = new Map<Socket, Socket>();
  private nextConnectionId = 1;
  port = 0;
  /** Replies (target → client) are held this long, in order: a slow store rather than a dead one. */
  delayMs = 0;
  /** Sees every chunk the client sends to the target (e.g. to count Postgres queries). */
  onClientData: ((chunk: Buffer, connectionId: number) => void) | undefined;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.cutOff) {
        client.destroy();
        return;
      }
      if (this.silent) {
        this.swallow(client);
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      this.pairs.set(client, upstream);
      client.on('close', () => this.pairs.delete(client));
      const connectionId = this.nextConnectionId++;
      client.on('data', (chunk: Buffer) => this.onClientData?.(chunk, connectionId));
      client.pipe(upstream);
      upstream.on('data', this.delayed(client));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
  }

  /** Drops every connection and refuses new ones until restore(). */
  cut(): void {
    this.cutOff = true;
    for (const socket of this.sockets) socket.destroy();
  }

  /** Keeps every connection open but answers nothing: the peer looks alive and never replies. */
  blackhole(): void {
    this.silent = true;
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.removeAllListeners('data');
      upstream.removeAllListeners('close');
      upstream.destroy();
      this.swallow(client);
    }
    this.pairs.clear();
  }

  restore(): void {
    this.cutOff = false;
    this.silent = false;
  }

  /** Writes to `client` after delayMs, never reordering: a chunk waits for the ones before it. */
  private delayed(client: Socket): (chunk: Buffer) => void {
    const queue: { due: number; chunk: Buffer }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const drain = () => {
      timer = undefined;
      while (queue.length > 0 && (queue[0]?.due ?? 0) <= Date.now()) {
        const next = queue.shift();
        if (next !== undefined && !client.destroyed) client.write(next.chunk);
      }
      const head = queue[0];
      if (head !== undefined) timer = setTimeout(drain, Math.max(0, head.due - Date.now()));
    };
    return (chunk) => {
      if (this.delayMs === 0 && queue.length === 0) {
        client.write(chunk);
        return;
      }
      queue.push({ due: Date.now() + this.delayMs, chunk });
      timer ??= setTimeout(drain, this.delayMs);
    };
  }

  private swallow(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => undefined);
    client.on('data', () => undefined);
  }

  /** The URL with host and port replaced by the proxy's. */
  url(original: string): string {
    const url = new URL(original);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

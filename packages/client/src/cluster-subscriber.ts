import { EventEmitter } from 'node:events';
import { Redis, type Cluster } from 'ioredis';

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2000;

/**
 * A SUBSCRIBE connection to one node of a cluster, moving to the next node when it is lost. Plain PUBLISH is
 * forwarded by a cluster to every node, so any node hears every message. ioredis's own Cluster subscriber
 * moves too, but says nothing when it has resubscribed, and a consumer must know that moment to read the
 * hashes it may have missed meanwhile: this one emits 'ready' on every new connection, like a plain client.
 * Events: 'ready', 'message' (channel, text), 'error'.
 */
export class ClusterNodeSubscriber extends EventEmitter {
  private current: Redis | undefined;
  private next = 0;
  private retryMs = RETRY_MIN_MS;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly connectionName: string,
  ) {
    super();
  }

  /** 'ready' while a node connection is subscribed-capable; otherwise the connection's state (or 'wait'). */
  get status(): string {
    return this.current?.status ?? 'wait';
  }

  /** Opens the first node connection (once the cluster knows its nodes). */
  connect(): void {
    if (this.current !== undefined || this.closed) return;
    this.open();
  }

  async subscribe(...channels: string[]): Promise<void> {
    if (this.current === undefined) throw new Error('cluster subscriber: not connected to a node yet');
    await this.current.subscribe(...channels);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const connection = this.current;
    this.current = undefined;
    if (connection === undefined) return;
    if (connection.status === 'ready') await connection.quit().catch(() => connection.disconnect());
    else connection.disconnect();
  }

  private open(): void {
    const nodes = this.cluster.nodes('all');
    if (nodes.length === 0) {
      // The cluster has not loaded its slot map yet: its reads connect it; try again shortly.
      if (this.cluster.status === 'wait') this.cluster.connect().catch((error: unknown) => this.emit('error', error));
      this.later();
      return;
    }
    const node = nodes[this.next % nodes.length];
    this.next += 1;
    const { redisOptions } = this.cluster.options;
    const connection = new Redis({
      ...redisOptions,
      host: node.options.host,
      port: node.options.port,
      connectionName: this.connectionName,
      autoResubscribe: false,
      enableOfflineQueue: true,
      lazyConnect: false,
      // Lost: move to another node rather than wait for this one to come back.
      retryStrategy: () => null,
    });
    this.current = connection;
    connection.on('ready', () => {
      this.retryMs = RETRY_MIN_MS;
      this.emit('ready');
    });
    connection.on('message', (channel: string, text: string) => this.emit('message', channel, text));
    connection.on('error', (error: Error) => this.emit('error', error));
    connection.once('end', () => {
      if (this.current !== connection || this.closed) return;
      this.current = undefined;
      this.later();
    });
  }

  private later(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { redisKeys, subscribeKalshiPrices, type FeedStatusMessage, type KalshiPriceSubscription, type RedisKeys } from '@kalshi-ingestor/client';
import { Fanout, send } from './fanout';
import { listGames } from './games';
import { parseBrowserMessage, toBrowserEvent, toFeedEvent } from './protocol';
import { assertPublicDir, PUBLIC_DIR, serveStatic } from './static-files';

export interface ActivityWatcherOptions {
  redisUrl: string;
  /** The service's REDIS_KEY_PREFIX ('' by default). */
  keyPrefix?: string;
  /** 0 (default): any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Redis errors (the watcher keeps retrying). Default: one line on stderr per distinct message. */
  onError?: (error: Error) => void;
  /** How often the service's kalshi:feed is read again, to notice it expiring (client default 30 s). */
  feedRefreshMs?: number;
  /** Where index.html, app.js and style.css are (default: examples/activity-watcher/public of the package). */
  publicDir?: string;
}

export interface ActivityWatcher {
  /** The live page, e.g. http://127.0.0.1:8090/ (WebSocket at /ws, game list at /games). */
  url: string;
  /** The watcher's client of the price channel (its stats, its latest states). */
  subscription: KalshiPriceSubscription;
  close(): Promise<void>;
}

/**
 * The reference fan-out of the API side: one Redis subscription (@kalshi-ingestor/client) for every game, and a
 * WebSocket server where each browser subscribes to games (`{"type":"subscribe","gameIds":[…]}`), gets their
 * current state at once and then every `kalshi_price_update` of those games only, and every browser gets the feed's
 * health (`kalshi_feed_status`) on connecting and at each change. Also serves the live page.
 */
export async function startActivityWatcher(options: ActivityWatcherOptions): Promise<ActivityWatcher> {
  const publicDir = options.publicDir ?? PUBLIC_DIR;
  assertPublicDir(publicDir);
  const onError = options.onError ?? errorPrinter();
  const keyPrefix = options.keyPrefix ?? '';
  const keys = redisKeys(keyPrefix);
  const redis = new Redis(options.redisUrl, { connectionName: 'activity-watcher' });
  redis.on('error', onError);
  const fanout = new Fanout();
  // The feed state as the service's leader reports it: every browser gets it on connecting and at each change.
  let feed: FeedStatusMessage | null | undefined; // undefined: not read yet
  const subscription = subscribeKalshiPrices({
    redis,
    keyPrefix,
    onUpdate: (message) => fanout.broadcast(message),
    onFeedState: (status) => {
      feed = status;
      fanout.broadcastAll(JSON.stringify(toFeedEvent(status)));
    },
    feedRefreshMs: options.feedRefreshMs,
    onError,
  });

  const http = createServer((request, response) => {
    handleHttp(request, response, { publicDir, redis, keys, subscription }).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`error: ${(error as Error).message}\n`);
    });
  });
  const wss = new WebSocketServer({ server: http, path: '/ws', maxPayload: 64 * 1024 });
  wss.on('connection', (client) => {
    fanout.add(client);
    if (feed !== undefined) send(client, JSON.stringify(toFeedEvent(feed)));
    client.on('message', (data) => void onBrowserMessage(client, data, fanout, subscription));
    client.on('close', () => fanout.remove(client));
    client.on('error', () => client.terminate());
  });

  const host = options.host ?? '127.0.0.1';
  await listen(http, options.port ?? 0, host);
  const { port } = http.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}/`,
    subscription,
    close() {
      closing ??= (async () => {
        for (const client of wss.clients) client.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        await subscription.close();
        await redis.quit().catch(() => redis.disconnect());
      })();
      return closing;
    },
  };
}

interface HttpContext {
  publicDir: string;
  redis: Redis;
  keys: RedisKeys;
  subscription: KalshiPriceSubscription;
}

async function handleHttp(request: IncomingMessage, response: ServerResponse, context: HttpContext): Promise<void> {
  const route = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (route === '/games') {
    const games = await listGames(context.redis, context.keys, context.subscription);
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify({ games }));
    return;
  }
  if (route === '/favicon.ico') {
    response.writeHead(204).end();
    return;
  }
  if (await serveStatic(context.publicDir, route, response)) return;
  response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
}

/** Subscribe: follow the games, read their hashes, send their current state. Unsubscribe: stop. Else: ignored. */
async function onBrowserMessage(client: WebSocket, data: RawData, fanout: Fanout, subscription: KalshiPriceSubscription): Promise<void> {
  const message = parseBrowserMessage(data.toString());
  if (message === null) return;
  if (message.type === 'unsubscribe') {
    fanout.unsubscribe(client, message.gameIds);
    return;
  }
  const added = fanout.subscribe(client, message.gameIds);
  if (added.length === 0) return;
  // Newer states found in the hashes reach this client through the broadcast (it follows the games now);
  // then it gets the newest state of each, which is never older than what it may already have been sent.
  await subscription.refresh(added).catch(() => undefined);
  for (const gameId of added) {
    const state = subscription.latest(gameId);
    if (state !== undefined) send(client, JSON.stringify(toBrowserEvent(state)));
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function errorPrinter(): (error: Error) => void {
  let last = '';
  return (error) => {
    if (error.message === last) return;
    last = error.message;
    process.stderr.write(`activity watcher: redis: ${error.message}\n`);
  };
}

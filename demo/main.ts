import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { migrate } from '../src/db/migrate';
import { startActivityWatcher } from '@kalshi-ingestor/activity-watcher';
import { redactUrl } from '../src/observability/redact';
import type { PriceMessage } from '../src/sinks/price-message';
import { KalshiSimulator } from '@kalshi-ingestor/kalshi-sim';
import { DEMO_GAMES, demoMarkets } from './games';
import { renderTable, type GameRow } from './table';

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const ROOT = path.resolve(__dirname, '../..');
const WORK_DIR = path.join(ROOT, '.demo');
const CHANNEL = 'kalshi:prices:channel';
const FEED_KEY = 'kalshi:feed';
/** The demo's service reads Kalshi's exchange status this often, so a pause shows within seconds. */
const EXCHANGE_STATUS_INTERVAL_MS = 3000;
/** DEMO_PAUSE_AFTER_S=N: the simulated exchange pauses trading after N s, for 30 s (as in Kalshi's weekly maintenance). */
const PAUSE_AFTER_S = Number(process.env.DEMO_PAUSE_AFTER_S ?? '');
const PAUSE_FOR_MS = 30_000;

/**
 * `npm run demo`: migrate, seed a handful of games, start the simulator and the service, and show
 * every game's Kalshi prices as they arrive on Redis, with the age of the last Postgres write, and the feed state
 * (`kalshi:feed`). Pressing `p` (or DEMO_PAUSE_AFTER_S) pauses trading on the simulated exchange: the state turns
 * `exchange_paused` within EXCHANGE_STATUS_INTERVAL_MS.
 */
async function main(): Promise<void> {
  const sql = postgres(DATABASE_URL, { max: 2, onnotice: () => undefined, connect_timeout: 3 });
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  await checkReachable(sql, redis);

  const applied = await migrate(sql, path.join(ROOT, 'sql'));
  say(applied.length > 0 ? `applied migrations: ${applied.join(', ')}` : 'database schema up to date');
  await seed(sql);
  say(`seeded ${DEMO_GAMES.length} demo games (ids demo-1…demo-${DEMO_GAMES.length}) in frontend_games and kalshi_markets`);

  mkdirSync(WORK_DIR, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPath = path.join(WORK_DIR, 'demo-private-key.pem');
  writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });

  const sim = new KalshiSimulator({ publicKey, keyId: 'demo-key', randomWalkIntervalMs: 400 });
  await sim.start();
  sim.addMarkets(demoMarkets());
  say(`Kalshi simulator on ${sim.wsUrl} (REST ${sim.restUrl})`);

  const port = await freePort(Number(process.env.PORT || 8080));
  const logPath = path.join(WORK_DIR, 'service.log');
  const service = startService(port, sim, keyPath, logPath);
  say(`kalshi-ingestor on http://127.0.0.1:${port} (try /status, /metrics, /readyz); its log: ${logPath}`);
  say(`watch the raw messages too: redis-cli SUBSCRIBE ${CHANNEL}`);
  const watcher = await startActivityWatcher({
    redisUrl: REDIS_URL,
    port: await freePort(8090),
    host: '127.0.0.1',
    onError: () => undefined, // the table must not be broken by stderr lines; the service log has the story
  });
  say(`live page (the reference activity watcher): ${watcher.url}`);

  const rows = new Map<string, GameRow>();
  for (const game of DEMO_GAMES) rows.set(game.id, { gameId: game.id, label: game.label, message: undefined, receivedAt: 0, dbWrittenAt: undefined });
  const subscriber = redis.duplicate();
  subscriber.on('message', (_channel: string, text: string) => {
    const message = JSON.parse(text) as PriceMessage;
    const row = rows.get(message.gameId);
    if (row !== undefined) {
      row.message = message;
      row.receivedAt = Date.now();
    }
  });
  await subscriber.connect();
  await subscriber.subscribe(CHANNEL);

  // The feed state as consumers see it (kalshi:feed); `p` pauses or resumes trading on the simulated exchange.
  let feed = 'no feed yet';
  const pause = (paused: boolean) => {
    const resume = new Date(Date.now() + PAUSE_FOR_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
    sim.setExchangeStatus(paused ? { tradingActive: false, resumeTime: resume } : { tradingActive: true });
  };
  const timers: NodeJS.Timeout[] = [];
  if (Number.isInteger(PAUSE_AFTER_S) && PAUSE_AFTER_S > 0) {
    timers.push(setTimeout(() => pause(true), PAUSE_AFTER_S * 1000), setTimeout(() => pause(false), PAUSE_AFTER_S * 1000 + PAUSE_FOR_MS));
  }
  if (process.stdin.isTTY) {
    process.stdin.setRawMode(true);
    process.stdin.on('data', (key: Buffer) => {
      const k = key.toString();
      if (k === 'p') pause(sim.exchangeStatus.tradingActive);
      if (k === '\u0003') process.kill(process.pid, 'SIGINT');
    });
  }

  let stopping = false;
  const refresh = setInterval(() => {
    void Promise.all([
      readDbAges(sql, rows),
      redis.hgetall(FEED_KEY).then(
        (hash) => {
          feed = hash.state === undefined ? 'none (no leader)' : `${hash.state} (${hash.reason ?? ''})`;
        },
        () => undefined,
      ),
    ]).then(() => {
      if (!stopping) draw(rows, port, watcher.url, `feed state (${FEED_KEY}): ${feed}; trading ${sim.exchangeStatus.tradingActive ? 'on' : 'PAUSED'} — press p to pause/resume trading`);
    });
  }, 500);

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(refresh);
    for (const timer of timers) clearTimeout(timer);
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    process.stdin.pause();
    process.stdout.write('\nstopping: SIGTERM to the service (it flushes, releases its lock and exits)…\n');
    service.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => service.once('exit', resolve));
    process.stdout.write(`service exited with code ${code}\n`);
    await watcher.close();
    subscriber.disconnect();
    redis.disconnect();
    await sim.close();
    await sql.end({ timeout: 2 });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  service.once('exit', (code) => {
    if (stopping) return;
    process.stdout.write(`\nthe service exited unexpectedly (code ${code}); see ${logPath}\n`);
    void stop();
  });
}

async function checkReachable(sql: postgres.Sql, redis: Redis): Promise<void> {
  const problems: string[] = [];
  try {
    await sql`select 1`;
  } catch (error) {
    problems.push(
      `Postgres is not reachable at ${redactUrl(DATABASE_URL)} (${(error as Error).message}).\n` +
        '  Start it (on this project\'s machines: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)\n' +
        '  or point DATABASE_URL at a Postgres ≥ 14 you can use.',
    );
  }
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    problems.push(
      `Redis is not reachable at ${redactUrl(REDIS_URL)} (${(error as Error).message}).\n` +
        '  Start it (e.g. redis-server --daemonize yes --port 6379) or point REDIS_URL at a Redis ≥ 6.',
    );
  }
  if (problems.length === 0) return;
  process.stderr.write(`npm run demo needs Postgres and Redis:\n\n${problems.join('\n\n')}\n`);
  process.exit(1);
}

async function seed(sql: postgres.Sql): Promise<void> {
  for (const game of DEMO_GAMES) {
    await sql`
      insert into frontend_games (live_game_id, slug, frontend_data)
      values (${game.id}, ${game.slug}, ${sql.json({ awayTeam: { name: game.away }, homeTeam: { name: game.home } })})
      on conflict (live_game_id) do update set slug = excluded.slug`;
    for (const market of game.markets) {
      await sql`
        insert into kalshi_markets (ticker, live_game_id, side, status)
        values (${market.ticker}, ${game.id}, ${market.side}, 'active')
        on conflict (ticker) do update set live_game_id = excluded.live_game_id, side = excluded.side, status = 'active', updated_at = now()`;
    }
  }
}

function startService(port: number, sim: KalshiSimulator, keyPath: string, logPath: string): ChildProcess {
  const log = openSync(logPath, 'a');
  // Its own process group: Ctrl-C reaches the demo only, which then stops the service with one SIGTERM.
  return spawn(process.execPath, [path.join(ROOT, 'dist/main.js')], {
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      KALSHI_WS_URL: sim.wsUrl,
      KALSHI_REST_URL: sim.restUrl,
      KALSHI_API_KEY_ID: 'demo-key',
      KALSHI_PRIVATE_KEY_PATH: keyPath,
      KALSHI_PRIVATE_KEY: '',
      DATABASE_URL,
      REDIS_URL,
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKER_ID: 'demo',
      LEADER_LOCK_TTL_MS: '10000',
      EXCHANGE_STATUS_INTERVAL_MS: String(EXCHANGE_STATUS_INTERVAL_MS),
    },
  });
}

async function readDbAges(sql: postgres.Sql, rows: Map<string, GameRow>): Promise<void> {
  try {
    const written = await sql<{ live_game_id: string; updated_at: Date }[]>`
      select live_game_id, updated_at from frontend_games
      where live_game_id = any(${[...rows.keys()]}) and frontend_data ? 'kalshiUpdatedAt'`;
    for (const row of written) {
      const game = rows.get(row.live_game_id);
      if (game !== undefined) game.dbWrittenAt = row.updated_at.getTime();
    }
  } catch {
    // The table shows stale ages; the service's own log says what Postgres is doing.
  }
}

function draw(rows: Map<string, GameRow>, port: number, pageUrl: string, feedLine: string): void {
  const table = renderTable([...rows.values()], Date.now());
  const header = `kalshi-ingestor demo — prices from the simulator via Redis (${CHANNEL}); Postgres flushes every 5 s. Ctrl-C to stop.\nstatus: curl -s localhost:${port}/status | metrics: curl -s localhost:${port}/metrics | live page: ${pageUrl}\n${feedLine}\n\n`;
  if (process.stdout.isTTY) process.stdout.write(`\x1b[2J\x1b[H${header}${table}\n`);
  else process.stdout.write(`${feedLine}\n${table}\n`);
}

function freePort(preferred: number): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => {
      const any = createServer();
      any.listen(0, '127.0.0.1', () => {
        const address = any.address();
        any.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
      });
    });
    probe.listen(preferred, '0.0.0.0', () => probe.close(() => resolve(preferred)));
  });
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

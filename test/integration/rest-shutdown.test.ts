import { startHarness, type Harness } from '../helpers/harness';
import { RestGate } from '../helpers/rest-gate';
import { spawnService } from '../helpers/service-process';
import { waitFor } from '../helpers/wait';

/** SIGTERM in the middle of a 50-page REST pass, the built service as a child process. */

let h: Harness;
let gate: RestGate;
let upstream = '';

beforeAll(async () => {
  gate = new RestGate({ upstream: () => upstream });
  await gate.start();
  h = await startHarness({
    start: false,
    envFrom: (base) => {
      upstream = base.KALSHI_REST_URL;
      return { KALSHI_REST_URL: gate.url };
    },
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await gate?.close();
});

it('SIGTERM mid-pass, with a REST call black-holed: exit 0 within SHUTDOWN_TIMEOUT_MS, what was read so far flushed', async () => {
  const games = 2500;
  const gameOf = new Map<string, string>();
  const tickers: string[] = [];
  const gameIds: string[] = [];
  for (let i = 0; i < games; i++) {
    const gameId = `TERMREST-${process.pid}-${i}`;
    gameIds.push(gameId);
    for (const side of ['HOME', 'AWAY']) {
      const ticker = `${gameId}-${side}`;
      tickers.push(ticker);
      gameOf.set(ticker, gameId);
    }
  }
  h.sim.addMarkets(tickers.map((ticker) => ({ ticker, yesBid: 0.4, yesAsk: 0.43 })));
  const { sql } = h.db;
  await sql`insert into frontend_games (live_game_id, slug) select g, 'nba-' || g from unnest(${sql.array(gameIds)}::text[]) as g`;
  await sql`
    insert into kalshi_markets (ticker, live_game_id, side)
    select t, regexp_replace(t, '-(HOME|AWAY)$', ''), lower(regexp_replace(t, '^.*-', '')) from unnest(${sql.array(tickers)}::text[]) as t`;

  // A flush period far longer than the test: only the shutdown flush can write what REST read.
  const service = spawnService({
    ...h.env,
    KALSHI_WS_ENABLED: 'false',
    KALSHI_REST_RATE_PER_S: '10',
    FLUSH_INTERVAL_MS: '600000',
    FLUSH_OFFSET_MS: '0',
    SHUTDOWN_TIMEOUT_MS: '5000',
  });
  try {
    await waitFor(() => gate.requests.filter((r) => r.answered).length >= 10, { timeoutMs: 20_000, message: '10 pages read' });
    gate.setFault('black-hole');
    await waitFor(() => gate.inFlight > 0, { message: 'a request held by the black hole' });
    const answered = gate.requests.filter((r) => r.answered && r.status === 200);
    service.kill('SIGTERM');
    // A shutdown that overruns SHUTDOWN_TIMEOUT_MS exits 1: exit 0 says it finished within it.
    const exit = await service.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(answered.length).toBeGreaterThanOrEqual(10);
    expect(answered.length).toBeLessThan(50); // mid-pass
    const read = new Set(answered.flatMap((r) => r.tickers.map((t) => gameOf.get(t) as string)));
    const priced = await sql<{ live_game_id: string }[]>`
      select live_game_id from frontend_games
      where live_game_id = any(${sql.array(gameIds)}::text[]) and (frontend_data->'homeTeam'->>'kalshiBuyPrice') is not null`;
    const pricedIds = new Set(priced.map((r) => r.live_game_id));
    expect([...read].filter((g) => !pricedIds.has(g))).toEqual([]);
    expect(service.logs.some((l) => l.msg === 'leader lock released' && l.released === true)).toBe(true);
  } finally {
    service.kill('SIGKILL');
  }
}, 60_000);

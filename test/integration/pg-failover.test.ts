import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { hostOptions } from '../../src/db/connect-options';
import { uniqueId, type TestDatabase } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { pgBinariesMissing, startPrimaryAndStandby, type PrimaryAndStandby } from '../helpers/pg-cluster';
import { spawnService, type ServiceProcess } from '../helpers/service-process';
import { waitFor } from '../helpers/wait';

// A real Postgres primary and a real streaming standby on loopback ports (Debian's initdb, pg_basebackup -R,
// pg_ctl promote), DATABASE_URL naming both (docs/CONTRACT.md "Configuration"): the service writes only to the
// one that accepts writes, and after the primary stops and the standby is promoted it finds the new primary within
// a flush period plus a few seconds, losing no price.
const missing = pgBinariesMissing();
if (missing !== undefined) process.stdout.write(`pg-failover: skipped, ${missing}\n`);
const maybe = missing === undefined ? describe : describe.skip;

const run = promisify(execFile);
const MIGRATE_CLI = path.resolve(__dirname, '../../dist/db/migrate-cli.js');
const FLUSH_MS = 1000;
const GAMES = 3;

let cluster: PrimaryAndStandby;
let h: Harness;
let service: ServiceProcess | undefined;
/** The standby first: a driver that takes a hot standby for a writable server connects there and every write fails. */
let url: string;

maybe('multi-host DATABASE_URL against a real primary and standby', () => {
  beforeAll(async () => {
    cluster = await startPrimaryAndStandby();
    url = `postgres://postgres@127.0.0.1:${cluster.standby.port},127.0.0.1:${cluster.primary.port}/postgres?target_session_attrs=read-write`;
    // npm run migrate with the multi-host URL: applied on the primary, replicated to the standby.
    const { stdout } = await run(process.execPath, [MIGRATE_CLI], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: url } });
    expect(stdout).toMatch(/applied \d+ migration/);
    const sql = postgres(url, { max: 2, onnotice: () => undefined, ...hostOptions(url) });
    const db: TestDatabase = { url, name: 'postgres', sql, drop: () => sql.end({ timeout: 5 }) };
    h = await startHarness({ start: false, db });
  }, 60_000);

  afterAll(async () => {
    service?.kill('SIGKILL');
    await h?.close();
    await cluster?.cleanup();
  });

  it('stopping the primary and promoting the standby costs a flush period plus a few seconds and no price', async () => {
    const tickers = Array.from({ length: GAMES }, () => uniqueId('KX-PGFO').toUpperCase());
    const games: string[] = [];
    for (const ticker of tickers) games.push((await h.addGame([{ ticker, side: 'away', yesBid: 0.3, yesAsk: 0.31 }])).gameId);
    const awayBuys = async () => {
      const rows = await h.db.sql<{ id: string; v: number | null }[]>`
        SELECT live_game_id AS id, (frontend_data -> 'awayTeam' ->> 'kalshiBuyPrice')::numeric::float8 AS v
          FROM frontend_games WHERE live_game_id IN ${h.db.sql(games)}`;
      return new Map(rows.map((row) => [row.id, row.v]));
    };
    const allAt = async (cents: number) => [...(await awayBuys()).values()].filter((v) => v === cents).length === GAMES;
    const setAll = (cents: number) => {
      for (const ticker of tickers) h.sim.setQuote(ticker, { yesBid: (cents - 1) / 100, yesAsk: cents / 100 });
    };

    service = spawnService({ ...h.env, DATABASE_URL: url, FLUSH_INTERVAL_MS: String(FLUSH_MS), FLUSH_OFFSET_MS: '0' });
    const address = await service.address();
    await waitFor(async () => (await fetch(`${address}/readyz`)).status === 200, { timeoutMs: 15_000, message: 'the leader Ready' });
    await waitFor(() => allAt(31), { timeoutMs: 10_000, message: 'first prices on the primary' });
    setAll(40);
    await waitFor(() => allAt(40), { timeoutMs: 3 * FLUSH_MS + 2000, message: 'prices flowing to the primary' });

    // The primary goes away; prices keep coming while no server accepts writes.
    await cluster.primary.stop('fast');
    const stoppedAt = Date.now();
    setAll(41);
    await new Promise((resolve) => setTimeout(resolve, FLUSH_MS + 500));
    setAll(42);
    await cluster.standby.promote();
    const promotedAt = Date.now();
    setAll(43);

    await waitFor(() => allAt(43), { timeoutMs: FLUSH_MS + 8000, intervalMs: 50, message: 'every last price on the new primary' });
    const landedAt = Date.now();
    const [{ recovering }] = await h.db.sql<{ recovering: boolean }[]>`SELECT pg_is_in_recovery() AS recovering`;
    expect(recovering).toBe(false); // read from the promoted standby

    // The mapping follows too: a game mapped on the new primary is subscribed (NOTIFY on the new LISTEN) and written.
    const late = uniqueId('KX-PGFO-LATE').toUpperCase();
    const { gameId: lateGame } = await h.addGame([{ ticker: late, side: 'away', yesBid: 0.6, yesAsk: 0.61 }]);
    await waitFor(
      async () => {
        const [row] = await h.db.sql<{ v: string | null }[]>`SELECT frontend_data -> 'awayTeam' ->> 'kalshiBuyPrice' AS v FROM frontend_games WHERE live_game_id = ${lateGame}`;
        return row?.v === '61';
      },
      { timeoutMs: FLUSH_MS + 5000, message: 'a game mapped after the failover written' },
    );

    const afterPromotion = (landedAt - promotedAt) / 1000;
    expect(afterPromotion).toBeLessThanOrEqual(FLUSH_MS / 1000 + 5);
    process.stdout.write(
      `Postgres failover: last prices of ${GAMES} games on the promoted standby ${afterPromotion.toFixed(1)} s after the promotion ` +
        `(${((landedAt - stoppedAt) / 1000).toFixed(1)} s after the primary stopped; flush period ${FLUSH_MS / 1000} s), prices lost: 0\n`,
    );
  }, 60_000);
});

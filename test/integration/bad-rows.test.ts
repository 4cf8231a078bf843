import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ env: { MAX_MARKETS: '2' } });
  // The API's own table may not carry our check constraint: the service must cope without it.
  await h.db.sql`alter table kalshi_markets drop constraint if exists kalshi_markets_side_check`;
});

afterAll(async () => h?.close());

async function refusals(): Promise<Record<string, number>> {
  const text = await (await fetch(`${h.app.address}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^kalshi_invalid_messages_total\{reason="([^"]+)"\} (\d+)/gm)) counts[m[1]] = Number(m[2]);
  return counts;
}

it('refuses bad kalshi_markets rows and markets beyond MAX_MARKETS with an error and a metric, and goes on', async () => {
  const home = uniqueId('KX-OK-H').toUpperCase();
  const away = uniqueId('KX-OK-A').toUpperCase();
  const { gameId } = await h.addGame([
    { ticker: home, side: 'home', yesBid: 0.5, yesAsk: 0.52 },
    { ticker: away, side: 'away', yesBid: 0.47, yesAsk: 0.49 },
  ]);
  await waitFor(() => h.sim.subscribedTickers().has(home) && h.sim.subscribedTickers().has(away));

  const beyond = uniqueId('KX-BEYOND').toUpperCase();
  await h.addGame([{ ticker: beyond, side: 'home', yesBid: 0.3, yesAsk: 0.32 }]);
  const orphan = uniqueId('KX-ORPHAN').toUpperCase();
  await h.db.sql`insert into kalshi_markets (ticker, live_game_id, side) values (${orphan}, 'no-such-game', 'home')`;
  const middle = uniqueId('KX-MIDDLE').toUpperCase();
  await h.db.sql`insert into kalshi_markets (ticker, live_game_id, side) values (${middle}, ${gameId}, 'middle')`;

  await waitFor(async () => {
    const counts = await refusals();
    return (counts.max_markets_exceeded ?? 0) >= 1 && (counts.market_without_game ?? 0) >= 1 && (counts.unknown_side ?? 0) >= 1;
  }, { message: 'each refusal counted' });
  const errors = h.logs.filter((l) => l.level === 50 && typeof l.msg === 'string' && l.msg.includes('kalshi_markets rows refused'));
  expect(errors.length).toBeGreaterThanOrEqual(1);
  expect(JSON.stringify(errors.at(-1))).toContain('max_markets_exceeded');
  expect(h.sim.subscribedTickers().has(beyond)).toBe(false);
  expect(h.sim.subscribedTickers().has(orphan)).toBe(false);

  const tsMs = Date.now();
  h.sim.setQuote(home, { yesBid: 0.55, yesAsk: 0.56, tsMs });
  await h.waitForMessage(gameId, (m) => m.timestamp === tsMs);
  expect(h.app.role).toBe('leader');
});

it('refuses a soccer draw market (-TIE), whether its row says tie or a team, and counts it as tie_market', async () => {
  // MAX_MARKETS is 2 and taken: the refusal must be for the draw itself, so it is checked before the limit.
  const gameId = uniqueId('soccer');
  await h.db.sql`insert into frontend_games (live_game_id, slug) values (${gameId}, 'epl-ars-che')`;
  const tieAsTeam = uniqueId('KXEPLGAME-ARSCHE').toUpperCase() + '-TIE';
  const tieSide = uniqueId('KXEPLGAME-ARSCHE-X').toUpperCase();
  h.sim.addMarkets([{ ticker: tieAsTeam, yesBid: 0.25, yesAsk: 0.27 }]);
  const before = (await refusals()).tie_market ?? 0;
  await h.db.sql`insert into kalshi_markets (ticker, live_game_id, side) values (${tieAsTeam}, ${gameId}, 'away'), (${tieSide}, ${gameId}, 'tie')`;
  await waitFor(async () => ((await refusals()).tie_market ?? 0) >= before + 2, { message: 'both draw rows counted' });
  expect(h.sim.subscribedTickers().has(tieAsTeam)).toBe(false);
  expect(JSON.stringify(h.logs.filter((l) => typeof l.msg === 'string' && l.msg.includes('kalshi_markets rows refused')).at(-1))).toContain('tie_market');
});

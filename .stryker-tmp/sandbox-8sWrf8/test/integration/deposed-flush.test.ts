// @ts-nocheck
import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

let h: Harness;

beforeAll(async () => {
  // Only the step-down flush writes: the periodic one is far away.
  h = await startHarness({ env: { FLUSH_INTERVAL_MS: '600000', LEADER_LOCK_TTL_MS: '3000' } });
});

afterAll(async () => {
  await h?.close();
});

it("a deposed leader's late flush does not overwrite newer prices in Postgres or Redis", async () => {
  const ticker = uniqueId('KX-DEPOSED').toUpperCase();
  const { gameId, slug } = await h.addGame([{ ticker, side: 'home', yesBid: 0.4, yesAsk: 0.42 }]);
  await waitFor(() => h.sim.subscribedTickers().has(ticker));
  const older = Date.now();
  h.sim.setQuote(ticker, { yesBid: 0.3, yesAsk: 0.32, tsMs: older });
  await h.waitForMessage(gameId, (m) => m.timestamp === older);
  h.sim.setQuote(ticker, { yesBid: 0.31, yesAsk: 0.33, tsMs: older + 1 });

  // Meanwhile the new leader has written newer prices.
  const newer = older + 60_000;
  const newerData = { homeTeam: { kalshiBuyPrice: 90, kalshiSellPrice: 88 }, awayTeam: { kalshiBuyPrice: 12, kalshiSellPrice: 10 }, kalshiUpdatedAt: newer };
  await h.db.sql`update frontend_games set frontend_data = ${h.db.sql.json(newerData)} where live_game_id = ${gameId}`;
  await h.redis.redis.hset(h.redis.keys.prices(gameId), { homeBuyPrice: '90', homeSellPrice: '88', ticker, updatedAt: String(Math.floor(newer / 1000)), timestamp: String(newer), slug });

  await h.redis.redis.set(h.redis.keys.leader, 'new-leader:feedfacecafebeef', 'PX', 60_000);
  await waitFor(() => h.app.role === 'standby', { timeoutMs: 3000, message: 'the old leader stepped down' });
  await waitFor(() => h.logs.some((l) => l.msg === 'stepping down to standby'));
  await waitFor(() => h.sim.stats.connectionsOpen === 0);

  expect(await h.frontendData(gameId)).toEqual(newerData);
  expect(await h.redis.redis.hget(h.redis.keys.prices(gameId), 'timestamp')).toBe(String(newer));
  expect(await h.redis.redis.get(h.redis.keys.leader)).toBe('new-leader:feedfacecafebeef');
  await h.redis.redis.del(h.redis.keys.leader);
});

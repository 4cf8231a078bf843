import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

let h: Harness;

beforeAll(async () => {
  // Nothing leaves on its own: the periodic flush is far away and so is the end of the publish window.
  h = await startHarness({ env: { FLUSH_INTERVAL_MS: '600000', PUBLISH_INTERVAL_MS: '600000', LEADER_LOCK_TTL_MS: '3000' } });
});

afterAll(async () => {
  await h?.close();
});

async function queued(): Promise<{ postgres: number; redis: number }> {
  const status = (await (await fetch(`${h.app.address}/status`)).json()) as { queues: { postgres: number; redis: number } };
  return status.queues;
}

it('a deposed leader writes nothing more, not even what it had queued for Postgres and Redis', async () => {
  const ticker = uniqueId('KX-DEPOSED').toUpperCase();
  const { gameId, slug } = await h.addGame([{ ticker, side: 'home', yesBid: 0.4, yesAsk: 0.42 }]);
  await waitFor(() => h.sim.subscribedTickers().has(ticker));
  // The first quote leaves at once (leading edge) and opens the 10-minute window: the ticks below then stay queued.
  await waitFor(() => h.messagesOf(gameId).length > 0, { message: 'the first quote published' });
  const tickAt = Date.now();
  h.sim.setQuote(ticker, { yesBid: 0.31, yesAsk: 0.33, tsMs: tickAt });
  h.sim.setQuote(ticker, { yesBid: 0.32, yesAsk: 0.34, tsMs: tickAt + 1 });
  await waitFor(async () => {
    const q = await queued();
    return q.postgres > 0 && q.redis > 0;
  }, { message: 'the tick queued for both stores' });
  const messagesBefore = h.messagesOf(gameId).length;

  // The new leader has written its prices, with an exchange time older than the deposed one's queued tick: every
  // timestamp guard would let the deposed write through, so only the rule "a deposed term writes nothing" holds.
  const theirs = tickAt - 60_000;
  const theirData = { homeTeam: { kalshiBuyPrice: 90, kalshiSellPrice: 88 }, awayTeam: { kalshiBuyPrice: 12, kalshiSellPrice: 10 }, kalshiUpdatedAt: theirs };
  await h.db.sql`update frontend_games set frontend_data = ${h.db.sql.json(theirData)} where live_game_id = ${gameId}`;
  const theirHash = { homeBuyPrice: '90', homeSellPrice: '88', ticker, updatedAt: String(Math.floor(theirs / 1000)), timestamp: String(theirs), slug };
  // The new leader's hash replaces ours whole (the leading-edge publish already wrote the first quote's, away side included).
  await h.redis.redis.del(h.redis.keys.prices(gameId));
  await h.redis.redis.hset(h.redis.keys.prices(gameId), theirHash);
  await h.redis.redis.set(h.redis.keys.leader, 'new-leader:feedfacecafebeef', 'PX', 60_000);

  await waitFor(() => h.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('leader term ended')), { timeoutMs: 3000, message: 'the term ended' });
  expect(h.app.role).toBe('standby');
  expect(h.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('leader term ended'))).toMatchObject({ lockStillOurs: false });
  expect(h.sim.stats.connectionsOpen).toBe(0);
  expect(await h.frontendData(gameId)).toEqual(theirData);
  expect(await h.redis.redis.hgetall(h.redis.keys.prices(gameId))).toEqual(theirHash);
  expect(h.messagesOf(gameId)).toHaveLength(messagesBefore);
  expect(await h.redis.redis.get(h.redis.keys.leader)).toBe('new-leader:feedfacecafebeef');
  await h.redis.redis.del(h.redis.keys.leader);
});

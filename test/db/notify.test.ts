import { createTestDatabase, uniqueId, type TestDatabase } from '../helpers/db';
import { waitFor } from '../helpers/wait';

let db: TestDatabase;
const payloads: string[] = [];
let unlisten: () => Promise<void>;

beforeAll(async () => {
  db = await createTestDatabase();
  const listening = await db.sql.listen('kalshi_markets_changed', (payload) => payloads.push(payload));
  unlisten = () => listening.unlisten();
});
afterAll(async () => {
  await unlisten?.();
  await db?.drop();
});

/** Waits for the next notification after the current ones and returns it. */
async function next(action: () => Promise<unknown>): Promise<string> {
  const before = payloads.length;
  await action();
  await waitFor(() => payloads.length > before, { message: 'a kalshi_markets_changed notification' });
  return payloads[before];
}

describe('kalshi_markets_changed trigger', () => {
  it('fires on insert, update and delete of kalshi_markets', async () => {
    const ticker = uniqueId('T');
    const game = uniqueId('g');
    expect(await next(() => db.sql`INSERT INTO kalshi_markets (ticker, live_game_id, side) VALUES (${ticker}, ${game}, 'home')`)).toBe(
      'kalshi_markets:INSERT',
    );
    expect(await next(() => db.sql`UPDATE kalshi_markets SET status = 'closed' WHERE ticker = ${ticker}`)).toBe(
      'kalshi_markets:UPDATE',
    );
    expect(await next(() => db.sql`DELETE FROM kalshi_markets WHERE ticker = ${ticker}`)).toBe('kalshi_markets:DELETE');
  });

  it('fires once per statement, not per row', async () => {
    const game = uniqueId('g');
    const tickers = [uniqueId('T'), uniqueId('T'), uniqueId('T')];
    const before = payloads.length;
    await db.sql`INSERT INTO kalshi_markets (ticker, live_game_id, side) SELECT t, ${game}, 'away' FROM unnest(${tickers}::text[]) AS t`;
    // A marker statement: notifications arrive in commit order, so once it is here the insert's are too.
    const marker = uniqueId('T');
    await db.sql`INSERT INTO frontend_games (live_game_id, slug) VALUES (${marker}, 'marker')`;
    await waitFor(() => payloads.slice(before).includes('frontend_games:INSERT'), { message: 'the marker' });
    expect(payloads.slice(before)).toEqual(['kalshi_markets:INSERT', 'frontend_games:INSERT']);
  });

  it('fires when a frontend_games row is inserted or deleted, not when only frontend_data changes', async () => {
    const game = uniqueId('g');
    expect(await next(() => db.sql`INSERT INTO frontend_games (live_game_id, slug) VALUES (${game}, 's')`)).toBe(
      'frontend_games:INSERT',
    );
    const before = payloads.length;
    await db.sql`UPDATE frontend_games SET frontend_data = '{"x":1}', updated_at = now() WHERE live_game_id = ${game}`;
    expect(await next(() => db.sql`DELETE FROM frontend_games WHERE live_game_id = ${game}`)).toBe('frontend_games:DELETE');
    expect(payloads.slice(before)).toEqual(['frontend_games:DELETE']);
  });
});

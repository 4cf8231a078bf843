import { FLUSH_STATEMENT, toFlushPayload, toFlushRows } from '../../src/sinks/flush-statement';
import type { GamePrices } from '../../src/prices/types';

const game = (over: Partial<GamePrices> = {}): GamePrices => ({
  gameId: 'g1',
  slug: 'nba-a-b',
  awayTeam: { kalshiBuyPrice: 43, kalshiSellPrice: 42 },
  homeTeam: { kalshiBuyPrice: 58, kalshiSellPrice: 57 },
  status: 'open',
  result: null,
  ticker: 'T-HOME',
  tickTimeMs: 1_700_000_000_100,
  updatedAtMs: 1_700_000_000_123,
  ...over,
});

describe('toFlushRows / toFlushPayload', () => {
  it('maps each game to one row with the four prices and updatedAtMs', () => {
    expect(toFlushRows([game(), game({ gameId: 'g2', homeTeam: { kalshiBuyPrice: null, kalshiSellPrice: 45.5 } })])).toEqual([
      { game_id: 'g1', away_buy: 43, away_sell: 42, home_buy: 58, home_sell: 57, updated_at_ms: 1_700_000_000_123, three_way: false, draw_buy: null, draw_sell: null, status: 'open', result: null },
      { game_id: 'g2', away_buy: 43, away_sell: 42, home_buy: null, home_sell: 45.5, updated_at_ms: 1_700_000_000_123, three_way: false, draw_buy: null, draw_sell: null, status: 'open', result: null },
    ]);
  });

  it('keeps decimal text exact and nulls as JSON null', () => {
    const payload = toFlushPayload([game({ awayTeam: { kalshiBuyPrice: 45.37, kalshiSellPrice: null } })]);
    expect(payload).toBe(
      '[{"game_id":"g1","away_buy":45.37,"away_sell":null,"home_buy":58,"home_sell":57,"updated_at_ms":1700000000123,' +
        '"three_way":false,"draw_buy":null,"draw_sell":null,"status":"open","result":null}]',
    );
  });

  it('turns a non-finite price into null and leaves out a game without a finite updatedAtMs', () => {
    const rows = toFlushRows([
      game({ awayTeam: { kalshiBuyPrice: Number.NaN, kalshiSellPrice: Number.POSITIVE_INFINITY } }),
      game({ gameId: 'bad', updatedAtMs: Number.NaN }),
    ]);
    expect(rows).toEqual([
      { game_id: 'g1', away_buy: null, away_sell: null, home_buy: 58, home_sell: 57, updated_at_ms: 1_700_000_000_123, three_way: false, draw_buy: null, draw_sell: null, status: 'open', result: null },
    ]);
  });

  it('carries a three-way game\'s draw, the status and the result', () => {
    const [row] = toFlushRows([game({ draw: { kalshiBuyPrice: 100, kalshiSellPrice: Number.NaN }, status: 'final', result: 'draw' })]);
    expect(row).toMatchObject({ three_way: true, draw_buy: 100, draw_sell: null, status: 'final', result: 'draw' });
  });

  it('is an empty array for an empty batch', () => {
    expect(toFlushPayload([])).toBe('[]');
  });
});

describe('FLUSH_STATEMENT', () => {
  it('is a single statement with a single parameter and never uses jsonb_set', () => {
    expect(FLUSH_STATEMENT).not.toMatch(/;/);
    expect(FLUSH_STATEMENT.match(/\$\d+/g)).toEqual(['$1', '$2', '$2']); // the batch, the fencing term
    expect(FLUSH_STATEMENT).not.toMatch(/jsonb_set/i);
  });
});

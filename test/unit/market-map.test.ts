import { buildMarketMap, diffMarketMaps, type MarketRow } from '../../src/mapping/market-map';

const row = (ticker: string, game: string, side: string, slug: string | null = `slug-${game}`): MarketRow => ({ ticker, live_game_id: game, side, slug });

describe('buildMarketMap', () => {
  it('maps good rows and sets bad ones aside with a reason', () => {
    const { markets, problems } = buildMarketMap(
      [row('A-H', 'g1', 'home'), row('A-A', 'g1', 'away'), row('B-X', 'g2', 'middle'), row('C-H', 'g3', 'home', null), row('A-H2', 'g1', 'home'), row('bad ticker!', 'g4', 'home')],
      100,
    );
    expect([...markets.keys()]).toEqual(['A-H', 'A-A']);
    expect(markets.get('A-A')).toEqual({ ticker: 'A-A', gameId: 'g1', side: 'away', slug: 'slug-g1' });
    expect(problems.map((p) => [p.ticker, p.reason])).toEqual([
      ['B-X', 'unknown_side'],
      ['C-H', 'market_without_game'],
      ['A-H2', 'duplicate_side'],
      ['bad ticker!', 'bad_ticker'],
    ]);
  });

  it('refuses a draw market (soccer -TIE) mapped as a team, and a draw spelled otherwise than `draw`', () => {
    const { markets, problems } = buildMarketMap(
      [row('KXEPL-26DEC05ARSCHE-ARS', 'g1', 'home'), row('KXEPL-26DEC05ARSCHE-TIE', 'g1', 'away'), row('KXEPL-26DEC05ARSCHE-X', 'g1', 'tie'), row('Q-T', 'g2', 'Draw')],
      100,
    );
    expect([...markets.keys()]).toEqual(['KXEPL-26DEC05ARSCHE-ARS']);
    expect(problems.map((p) => [p.ticker, p.reason])).toEqual([
      ['KXEPL-26DEC05ARSCHE-TIE', 'tie_market'],
      ['KXEPL-26DEC05ARSCHE-X', 'tie_market'],
      ['Q-T', 'tie_market'],
    ]);
  });

  it('accepts a -TIE market mapped as the draw, one market per side per game, the draw included', () => {
    const { markets, problems } = buildMarketMap(
      [
        row('KXEPL-26DEC05ARSCHE-ARS', 'g1', 'home'),
        row('KXEPL-26DEC05ARSCHE-CHE', 'g1', 'away'),
        row('KXEPL-26DEC05ARSCHE-TIE', 'g1', 'draw'),
        row('KXEPL-26DEC05ARSCHE-TIE2', 'g1', 'draw'),
        row('KXEPL-26DEC06LIVEVE-TIE', 'g2', 'home'),
      ],
      100,
    );
    expect([...markets.keys()]).toEqual(['KXEPL-26DEC05ARSCHE-ARS', 'KXEPL-26DEC05ARSCHE-CHE', 'KXEPL-26DEC05ARSCHE-TIE']);
    expect(markets.get('KXEPL-26DEC05ARSCHE-TIE')).toEqual({ ticker: 'KXEPL-26DEC05ARSCHE-TIE', gameId: 'g1', side: 'draw', slug: 'slug-g1' });
    expect(problems.map((p) => [p.ticker, p.reason])).toEqual([
      ['KXEPL-26DEC05ARSCHE-TIE2', 'duplicate_side'],
      ['KXEPL-26DEC06LIVEVE-TIE', 'tie_market'],
    ]);
  });

  it('refuses markets beyond MAX_MARKETS, loudly', () => {
    const { markets, problems } = buildMarketMap([row('A', 'g1', 'home'), row('B', 'g2', 'home'), row('C', 'g3', 'home')], 2);
    expect(markets.size).toBe(2);
    expect(problems).toEqual([{ reason: 'max_markets_exceeded', ticker: 'C', gameId: 'g3' }]);
  });
});

describe('diffMarketMaps', () => {
  it('finds added, removed and re-mapped markets', () => {
    const before = buildMarketMap([row('A', 'g1', 'home'), row('B', 'g1', 'away'), row('C', 'g2', 'home')], 10).markets;
    const after = buildMarketMap([row('A', 'g1', 'home'), row('C', 'g2', 'away'), row('D', 'g3', 'home')], 10).markets;
    const diff = diffMarketMaps(before, after);
    expect(diff.removed.map((m) => m.ticker).sort()).toEqual(['B', 'C']);
    expect(diff.added.map((m) => m.ticker).sort()).toEqual(['C', 'D']);
    expect(diffMarketMaps(after, after)).toEqual({ added: [], removed: [], changed: [] });
  });
});

describe('diffMarketMaps: re-mapped markets', () => {
  it('lists a market whose side, game or slug changed in `changed`, and also as removed and added', () => {
    const m = (ticker: string, gameId: string, side: 'home' | 'away', slug = `s-${gameId}`) => ({ ticker, gameId, side, slug });
    const before = new Map([m('A', 'g1', 'home'), m('B', 'g1', 'away'), m('C', 'g2', 'home'), m('D', 'g3', 'home')].map((x) => [x.ticker, x]));
    const after = new Map([m('A', 'g1', 'away'), m('B', 'g1', 'home'), m('C', 'g9', 'home'), m('D', 'g3', 'home', 'new-slug')].map((x) => [x.ticker, x]));
    const diff = diffMarketMaps(before, after);
    expect(diff.changed?.map((c) => [c.before, c.after])).toEqual(['A', 'B', 'C', 'D'].map((t) => [before.get(t), after.get(t)]));
    expect(diff.removed).toEqual([...before.values()]);
    expect(diff.added).toEqual([...after.values()]);
  });
});

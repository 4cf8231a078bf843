import type { SimMarket } from '@kalshi-ingestor/kalshi-sim';

export interface DemoGame {
  id: string;
  slug: string;
  label: string;
  away: string;
  home: string;
  markets: { ticker: string; side: 'home' | 'away' | 'draw' }[];
}

const matchups: [string, string, string, string, string][] = [
  ['CHA', 'HOU', 'Charlotte', 'Houston', 'nba'],
  ['BOS', 'LAL', 'Boston', 'LA Lakers', 'nba'],
  ['DEN', 'MIA', 'Denver', 'Miami', 'nba'],
  ['KC', 'BUF', 'Kansas City', 'Buffalo', 'nfl'],
  ['NYR', 'TOR', 'NY Rangers', 'Toronto', 'nhl'],
  ['LAD', 'NYY', 'LA Dodgers', 'NY Yankees', 'mlb'],
];

/** A handful of games with their two markets each (the last has only its home market). */
export const DEMO_GAMES: DemoGame[] = matchups.map(([away, home, awayName, homeName, league], index) => {
  const event = `KX${league.toUpperCase()}GAME-DEMO${away}${home}`;
  const markets: DemoGame['markets'] = [{ ticker: `${event}-${home}`, side: 'home' }];
  if (index < matchups.length - 1) markets.push({ ticker: `${event}-${away}`, side: 'away' });
  return {
    id: `demo-${index + 1}`,
    slug: `${league}-${away.toLowerCase()}-${home.toLowerCase()}-demo`,
    label: `${awayName} @ ${homeName}`,
    away: awayName,
    home: homeName,
    markets,
  };
});

/**
 * A soccer game: a three-way event on Kalshi, whose `-TIE` market is mapped as `draw` (docs/KALSHI.md, "Sports game
 * markets"). Each side's price comes from its own market; no complement anywhere in the game.
 */
export const SOCCER_GAME: DemoGame = {
  id: `demo-${matchups.length + 1}`,
  slug: 'epl-che-ars-demo',
  label: 'Chelsea @ Arsenal (3-way)',
  away: 'Chelsea',
  home: 'Arsenal',
  markets: [
    { ticker: 'KXEPLGAME-DEMOCHEARS-ARS', side: 'home' },
    { ticker: 'KXEPLGAME-DEMOCHEARS-CHE', side: 'away' },
    { ticker: 'KXEPLGAME-DEMOCHEARS-TIE', side: 'draw' },
  ],
};

/** The game the demo takes through its whole life: open, paused, open again, closed, final. */
export const LIFE_GAME_ID = 'demo-2';

/** The demo markets for the simulator, with complementary starting quotes (the soccer game's three add up to ~1). */
export function demoMarkets(): SimMarket[] {
  const soccer: SimMarket[] = [
    { ticker: 'KXEPLGAME-DEMOCHEARS-ARS', yesBid: 0.45, yesAsk: 0.47 },
    { ticker: 'KXEPLGAME-DEMOCHEARS-CHE', yesBid: 0.27, yesAsk: 0.29 },
    { ticker: 'KXEPLGAME-DEMOCHEARS-TIE', yesBid: 0.25, yesAsk: 0.27 },
  ];
  return [...soccer, ...DEMO_GAMES.flatMap((game, index) => {
    const home = 0.3 + (index * 0.07) % 0.4;
    return game.markets.map((market) => {
      const p = market.side === 'home' ? home : 1 - home;
      return { ticker: market.ticker, yesBid: round(p - 0.01), yesAsk: round(p + 0.01) };
    });
  })];
}

function round(dollars: number): number {
  return Math.round(dollars * 100) / 100;
}

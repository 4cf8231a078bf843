import type { SimMarket } from '@kalshi-ingestor/kalshi-sim';

export interface DemoGame {
  id: string;
  slug: string;
  label: string;
  away: string;
  home: string;
  markets: { ticker: string; side: 'home' | 'away' }[];
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

/** The demo markets for the simulator, with complementary starting quotes. */
export function demoMarkets(): SimMarket[] {
  return DEMO_GAMES.flatMap((game, index) => {
    const home = 0.3 + (index * 0.07) % 0.4;
    return game.markets.map((market) => {
      const p = market.side === 'home' ? home : 1 - home;
      return { ticker: market.ticker, yesBid: round(p - 0.01), yesAsk: round(p + 0.01) };
    });
  });
}

function round(dollars: number): number {
  return Math.round(dollars * 100) / 100;
}

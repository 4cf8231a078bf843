import type { Redis } from 'ioredis';
import type { KalshiPriceSubscription, RedisKeys } from '@kalshi-ingestor/client';

export interface GameListing {
  gameId: string;
  /** Known once a price of the game was seen. */
  slug: string | null;
}

/** The games to show: those of the service's ticker map (`kalshi:ticker_map`) and those whose prices were seen. */
export async function listGames(redis: Redis, keys: RedisKeys, subscription: KalshiPriceSubscription): Promise<GameListing[]> {
  const games = new Map<string, string | null>();
  for (const gameId of parseTickerMap(await redis.get(keys.tickerMap))) games.set(gameId, null);
  for (const state of subscription.latestAll()) games.set(state.gameId, state.slug);
  return [...games.entries()]
    .map(([gameId, slug]) => ({ gameId, slug }))
    .sort((a, b) => a.gameId.localeCompare(b.gameId));
}

/** The distinct game ids of the ticker map's JSON (`{ticker: gameId}`); nothing when absent or malformed. */
export function parseTickerMap(text: string | null): string[] {
  if (text === null) return [];
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
    const ids = Object.values(value).filter((id): id is string => typeof id === 'string' && id !== '');
    return [...new Set(ids)];
  } catch {
    return [];
  }
}

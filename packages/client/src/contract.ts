import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/*
 * The Redis contract of kalshi-ingestor (the repository's docs/CONTRACT.md "Redis"): the JSON message PUBLISHed on
 * `kalshi:prices:channel` and the fields of the `kalshi:prices:{gameId}` hash. This package is their one source:
 * the service imports these schemas to build what it writes, consumers to check what they read. Additional
 * properties stay open, because the contract may only grow by adding.
 */

const Cents = Type.Union(
  [
    Type.Number({ minimum: 0, maximum: 100, description: 'a price in cents; fractional for sub-cent ticks (45.5)' }),
    Type.Null({ description: 'no quote on that side of the book' }),
  ],
  { description: 'price in cents, or null when there is no quote' },
);

const TeamPricesSchema = (team: string) =>
  Type.Object(
    {
      kalshiBuyPrice: Type.Union(Cents.anyOf, {
        description: `what buying the ${team} team costs on Kalshi (its YES ask), in cents; null = no ask`,
      }),
      kalshiSellPrice: Type.Union(Cents.anyOf, {
        description: `what selling the ${team} team pays on Kalshi (its YES bid), in cents; null = no bid`,
      }),
    },
    { title: `${team} team Kalshi prices`, description: `The ${team} team's Kalshi prices in cents.` },
  );

export const PriceMessageSchema = Type.Object(
  {
    type: Type.Literal('kalshi_price_update', { description: 'the message type; always "kalshi_price_update"' }),
    gameId: Type.String({ minLength: 1, description: 'our game id (frontend_games.live_game_id)' }),
    slug: Type.String({ description: "the game's slug (frontend_games.slug)" }),
    awayTeam: TeamPricesSchema('away'),
    homeTeam: TeamPricesSchema('home'),
    ticker: Type.String({ minLength: 1, description: 'the Kalshi market whose tick produced this state' }),
    timestamp: Type.Integer({
      minimum: 0,
      description: "that tick's exchange time, Unix milliseconds (ts_ms, else ts x 1000, else receive time)",
    }),
  },
  {
    $id: 'https://kalshi-ingestor/schemas/kalshi-price-update.json',
    title: 'KalshiPriceUpdate',
    description:
      'One Kalshi price update of one game, published as JSON on the Redis channel kalshi:prices:channel.',
  },
);
export type PriceMessage = Static<typeof PriceMessageSchema>;

const DecimalCents = (description: string) =>
  Type.Optional(
    Type.String({
      pattern: '^\\d+(\\.\\d+)?$',
      description: `${description}, in cents as a decimal string ("45.5"); absent when there is no quote`,
    }),
  );
const IntegerString = (description: string) => Type.String({ pattern: '^\\d+$', description });

export const PriceHashSchema = Type.Object(
  {
    awayBuyPrice: DecimalCents('the away team buy price (YES ask)'),
    awaySellPrice: DecimalCents('the away team sell price (YES bid)'),
    homeBuyPrice: DecimalCents('the home team buy price (YES ask)'),
    homeSellPrice: DecimalCents('the home team sell price (YES bid)'),
    ticker: Type.String({ minLength: 1, description: 'the Kalshi market whose tick produced this state' }),
    updatedAt: IntegerString("the newest exchange time among the game's markets, Unix seconds"),
    timestamp: IntegerString('the same time in Unix milliseconds'),
    slug: Type.String({ description: "the game's slug" }),
  },
  {
    $id: 'https://kalshi-ingestor/schemas/kalshi-prices-hash.json',
    title: 'KalshiPricesHash',
    description: "The fields of the Redis hash kalshi:prices:{gameId}: a game's latest Kalshi prices (TTL 60 s).",
  },
);
export type PriceHash = Static<typeof PriceHashSchema>;

const team = (buy: string | undefined, sell: string | undefined): PriceMessage['awayTeam'] => ({
  kalshiBuyPrice: buy === undefined ? null : Number(buy),
  kalshiSellPrice: sell === undefined ? null : Number(sell),
});

/**
 * Rebuilds the message of a game from its hash (e.g. HGETALL of kalshi:prices:{gameId}), or null when the hash is
 * empty (expired / never written) or not a valid price hash. The game id is not a hash field (it is in the key),
 * so it is passed in. The hash keeps only the game's newest exchange time, so the rebuilt `timestamp` is that
 * (`updatedAtMs`), not necessarily the tick time of the last message.
 */
export function fromPriceHash(gameId: string, hash: Readonly<Record<string, string>>): PriceMessage | null {
  if (!Value.Check(PriceHashSchema, hash)) return null;
  return {
    type: 'kalshi_price_update',
    gameId,
    slug: hash.slug,
    awayTeam: team(hash.awayBuyPrice, hash.awaySellPrice),
    homeTeam: team(hash.homeBuyPrice, hash.homeSellPrice),
    ticker: hash.ticker,
    timestamp: Number(hash.timestamp),
  };
}

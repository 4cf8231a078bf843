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

const DrawPricesSchema = Type.Object(
  {
    kalshiBuyPrice: Type.Union(Cents.anyOf, { description: 'what buying the draw costs on Kalshi (its YES ask), in cents; null = no ask' }),
    kalshiSellPrice: Type.Union(Cents.anyOf, { description: 'what selling the draw pays on Kalshi (its YES bid), in cents; null = no bid' }),
  },
  { title: 'draw Kalshi prices', description: "The draw's Kalshi prices in cents (three-way games only, e.g. soccer)." },
);

/** The game's market status (the repository's docs/CONTRACT.md "A game's whole life"). */
export const GameStatusSchema = Type.Union(
  [Type.Literal('scheduled'), Type.Literal('open'), Type.Literal('paused'), Type.Literal('closed'), Type.Literal('final')],
  { description: "the game's market status: scheduled, open, paused, closed (trading ended) or final (determined)" },
);
export type GameStatus = Static<typeof GameStatusSchema>;

/** Who won a final game. */
export const GameResultSchema = Type.Union([Type.Literal('home'), Type.Literal('away'), Type.Literal('draw')], {
  description: 'who won the final game: home, away or draw',
});
export type GameResult = Static<typeof GameResultSchema>;

export const PriceMessageSchema = Type.Object(
  {
    type: Type.Literal('kalshi_price_update', { description: 'the message type; always "kalshi_price_update"' }),
    gameId: Type.String({ minLength: 1, description: 'our game id (frontend_games.live_game_id)' }),
    slug: Type.String({ description: "the game's slug (frontend_games.slug)" }),
    awayTeam: TeamPricesSchema('away'),
    homeTeam: TeamPricesSchema('home'),
    draw: Type.Optional(DrawPricesSchema),
    status: Type.Optional(GameStatusSchema),
    result: Type.Optional(GameResultSchema),
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
    drawBuyPrice: DecimalCents('the draw buy price (YES ask; three-way games only)'),
    drawSellPrice: DecimalCents('the draw sell price (YES bid; three-way games only)'),
    status: Type.Optional(Type.Union(GameStatusSchema.anyOf, { description: GameStatusSchema.description })),
    result: Type.Optional(Type.Union(GameResultSchema.anyOf, { description: `${GameResultSchema.description ?? ''}; absent while there is none` })),
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
  const checked = hash;
  // A draw field exists only for a three-way game whose draw market has a quote on that side: a three-way game
  // whose draw market has quoted nothing at all rebuilds without `draw` (no draw price either way).
  const hasDraw = checked.drawBuyPrice !== undefined || checked.drawSellPrice !== undefined;
  return {
    type: 'kalshi_price_update',
    gameId,
    slug: checked.slug,
    awayTeam: team(checked.awayBuyPrice, checked.awaySellPrice),
    homeTeam: team(checked.homeBuyPrice, checked.homeSellPrice),
    ...(hasDraw ? { draw: team(checked.drawBuyPrice, checked.drawSellPrice) } : {}),
    ...(checked.status !== undefined ? { status: checked.status } : {}),
    ...(checked.result !== undefined ? { result: checked.result } : {}),
    ticker: checked.ticker,
    timestamp: Number(checked.timestamp),
  };
}

/*
 * The feed's health (the repository's docs/CONTRACT.md "Feed states"): the hash `kalshi:feed` the leader keeps (TTL 60 s,
 * absent when no replica leads) and the message PUBLISHed on `kalshi:feed:channel` at every change of state.
 */
export const FEED_STATES = ['live', 'rest', 'down', 'exchange_paused'] as const;
export type KalshiFeedState = (typeof FEED_STATES)[number];

const FeedStateSchema = Type.Union(
  FEED_STATES.map((state) => Type.Literal(state)),
  {
    description:
      'live: the socket serves every mapped market (or nothing is mapped); rest: the REST fallback serves some or all markets, ' +
      'their prices at most one poll period old; down: neither the socket nor REST has served for two poll periods; ' +
      "exchange_paused: Kalshi's exchange status says trading is paused (quiet prices are expected, not a fault)",
  },
);

export const FeedStatusMessageSchema = Type.Object(
  {
    type: Type.Literal('kalshi_feed_status', { description: 'the message type; always "kalshi_feed_status"' }),
    state: FeedStateSchema,
    since: Type.Integer({ minimum: 0, description: 'when this state began, Unix milliseconds' }),
    reason: Type.String({ maxLength: 500, description: 'why, in a few words ("socket down 12 s, REST serving")' }),
    leader: Type.String({ minLength: 1, description: "the leading replica's WORKER_ID" }),
  },
  {
    $id: 'https://kalshi-ingestor/schemas/kalshi-feed-status.json',
    title: 'KalshiFeedStatus',
    description: "The feed's health, published as JSON on the Redis channel kalshi:feed:channel at every change of state.",
  },
);
export type FeedStatusMessage = Static<typeof FeedStatusMessageSchema>;

export const FeedHashSchema = Type.Object(
  {
    state: FeedStateSchema,
    since: IntegerString('when this state began, Unix milliseconds'),
    reason: Type.String({ maxLength: 500, description: 'why, in a few words' }),
    leader: Type.String({ minLength: 1, description: "the leading replica's WORKER_ID" }),
    updatedAt: IntegerString('when the leader last wrote the hash, Unix milliseconds (every change and keep-alive)'),
  },
  {
    $id: 'https://kalshi-ingestor/schemas/kalshi-feed-hash.json',
    title: 'KalshiFeedHash',
    description: "The fields of the Redis hash kalshi:feed: the feed's health as the leader sees it (TTL 60 s; absent = no leader).",
  },
);
export type FeedHash = Static<typeof FeedHashSchema>;

/** The feed status held in a `kalshi:feed` hash (HGETALL), or null when it is absent (no leader) or not valid. */
export function fromFeedHash(hash: Readonly<Record<string, string>>): FeedStatusMessage | null {
  if (!Value.Check(FeedHashSchema, hash)) return null;
  return { type: 'kalshi_feed_status', state: hash.state, since: Number(hash.since), reason: hash.reason, leader: hash.leader };
}

/** A `kalshi:feed:channel` message, or null when it is not JSON or not a valid feed status. */
export function parseFeedStatusMessage(text: string): FeedStatusMessage | null {
  try {
    const value: unknown = JSON.parse(text);
    return Value.Check(FeedStatusMessageSchema, value) ? value : null;
  } catch {
    return null;
  }
}

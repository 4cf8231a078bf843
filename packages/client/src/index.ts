/**
 * @kalshi-ingestor/client: what a consumer of kalshi-ingestor's Redis output needs (the API workers).
 * subscribeKalshiPrices is the whole job; the rest is the contract (the repository's docs/CONTRACT.md "Redis") as code.
 */
export { subscribeKalshiPrices } from './subscribe';
export type { KalshiPriceSubscription, SubscribeOptions, SubscriptionStats, UrlSource, ClientSource } from './types';
export { isPriceMessage, parsePriceMessage } from './validate';
export { readPriceStates, scanPricedGameIds } from './read-hashes';
export {
  PriceMessageSchema,
  PriceHashSchema,
  GameStatusSchema,
  GameResultSchema,
  fromPriceHash,
  type PriceMessage,
  type PriceHash,
  type GameStatus,
  type GameResult,
} from './contract';
export {
  FEED_STATES,
  FeedStatusMessageSchema,
  FeedHashSchema,
  fromFeedHash,
  parseFeedStatusMessage,
  type KalshiFeedState,
  type FeedStatusMessage,
  type FeedHash,
} from './contract';
export { redisKeys, type RedisKeys } from './redis-keys';
export { execByNode, type PipelineResults } from './pipeline-by-node';

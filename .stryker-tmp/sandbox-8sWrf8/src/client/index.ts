/**
 * kalshi-ingestor/client: what a consumer of the service's Redis output needs (the API workers).
 * subscribeKalshiPrices is the whole job; the rest is the contract (DESIGN.md "Redis") as code.
 */
// @ts-nocheck

export { subscribeKalshiPrices } from './subscribe';
export type { KalshiPriceSubscription, SubscribeOptions, SubscriptionStats, UrlSource, ClientSource } from './types';
export { isPriceMessage, parsePriceMessage } from './validate';
export { readPriceStates, scanPricedGameIds } from './read-hashes';
export { PriceMessageSchema, PriceHashSchema, fromPriceHash, type PriceMessage, type PriceHash } from '../sinks/price-message';
export { redisKeys, type RedisKeys } from '../sinks/redis-keys';

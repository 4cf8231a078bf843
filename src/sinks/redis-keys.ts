// The key names are part of the consumer contract, so they live in the client package (one source).
export { redisKeys, type RedisKeys } from '@kalshi-ingestor/client';

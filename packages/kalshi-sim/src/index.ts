export { KalshiSimulator, COMMAND_LOG_LIMIT } from './simulator';
export type { SimulatorOptions, SimulatorStats, ConnectionView, CommandLogEntry } from './simulator';
export { Exchange, randomSimMarket, MARKET_STATUSES } from './exchange';
export type { SimMarket, QuoteUpdate, RestMarket } from './exchange';
export type { TickerPayload } from './protocol';
export { SimExchangeStatus, ExchangeStatusControlSchema, type ExchangeStatusControl } from './exchange-status';
export { ErrorCode, RETIRED_CODES, UNLISTED_MODES, TICKER_SHAPES, SENDING_TS_MODES } from './protocol';
export type { UnlistedMode, TickerShape, TerminalCode, SendingTsMode } from './protocol';

/**
 * Every reason input is dropped for: the values of `kalshi_invalid_messages_total{reason}` (docs/CONTRACT.md
 * "Metrics"), each with the one line docs/OPERATING.md "Drop reasons" shows for it (a test keeps the two equal).
 * Complaints.report and Complaints.count take only these names, so a reason that is not listed here does not
 * compile: add it here, with its meaning, and to docs/OPERATING.md.
 */
export const DROP_REASONS = {
  // WebSocket frames
  invalid_json: 'a WebSocket frame that is not JSON',
  invalid_schema: "a frame whose shape is not the one Kalshi documents for its type (the sample is logged)",
  unknown_type: 'a frame of a message type the service does not know',
  binary_frame: 'a binary WebSocket frame (Kalshi sends text)',
  oversized_frame: 'a frame over 1 MiB: that connection is closed (code 1009) and replaced',
  // Prices and times of a quote (socket or REST)
  bad_price: 'a price that is not a dollar string (or integer cents) Kalshi could send',
  price_out_of_range: 'a price below $0 or above $1',
  missing_price: 'a quote with neither a YES bid nor a YES ask',
  bad_timestamp: 'an exchange time outside [receive time − 24 h, receive time + 60 s], or a ts_ms that is not an integer',
  unknown_ticker: 'a tick for a market that is not mapped (any more)',
  bad_sending_ts: "a sending_ts_ms that is not an integer within the exchange-time window: left out of kalshi_exchange_delay_seconds, the frame's prices still applied",
  // Subscriptions
  market_refused: 'a market Kalshi refused to subscribe (first refusal; retried on its own with backoff)',
  // Mapping rows (kalshi_markets), counted at each load of the map
  bad_ticker: 'a kalshi_markets row whose ticker is not 1–200 characters of letters, digits, `.`, `_` and `-`',
  unknown_side: "a kalshi_markets row whose side is not 'home', 'away' or 'draw'",
  tie_market: "a -TIE market (or a side spelled 'tie') mapped as home or away: a draw's odds are no team's price, never subscribed",
  market_without_game: 'an active kalshi_markets row whose game is not in frontend_games',
  duplicate_side: 'a second market for a side a game already has',
  max_markets_exceeded: 'a market beyond MAX_MARKETS: refused, with an error in the log',
  // Postgres
  frontend_data_not_object: 'a frontend_games row whose frontend_data is not a JSON object: left alone, its prices not written there',
  // Kalshi REST
  bad_rest_body: 'a REST response that is not JSON or not a markets page',
  bad_rest_market: 'a market of a REST page that is malformed, or was not asked for',
  rest_body_too_large: 'a REST body over 8 MiB (streamed, never buffered)',
  rest_page_limit: 'a REST read whose cursor goes on past 10 pages, or does not move',
  rest_unknown_status: 'a market of a REST page whose status Kalshi does not document: its status is left as it was',
  // The lifecycle channel (market_lifecycle_v2)
  bad_lifecycle_event: 'a lifecycle event of a mapped market whose fields cannot be read (an is_deactivated that is not true/false, a close_ts that is not a time in seconds, a result that is not yes/no)',
  stale_lifecycle_seq: 'a lifecycle frame whose seq is not newer than the last one of its subscription (a replay): ignored',
} as const satisfies Record<string, string>;

/** A value of `kalshi_invalid_messages_total{reason}`. */
export type DropReason = keyof typeof DROP_REASONS;

/** The reasons, in the registry's order. */
export const DROP_REASON_NAMES = Object.keys(DROP_REASONS) as DropReason[];

-- The mapping the API fills: Kalshi market ticker -> our game and the side (team) the market's YES stands for.
CREATE TABLE IF NOT EXISTS kalshi_markets (
  ticker       text        PRIMARY KEY,
  live_game_id text        NOT NULL,
  side         text        NOT NULL CHECK (side IN ('home', 'away')),
  status       text        NOT NULL DEFAULT 'active',
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS kalshi_markets_live_game_id_idx ON kalshi_markets (live_game_id);

-- frontend_games belongs to the API; it is created here only where it is missing (fresh databases, tests, demo).
CREATE TABLE IF NOT EXISTS frontend_games (
  live_game_id  text        PRIMARY KEY,
  slug          text        NOT NULL,
  frontend_data jsonb       NOT NULL DEFAULT '{}',
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- The fencing token of the leader terms (docs/CONTRACT.md "Fencing"): one row, created with term 0. Every flush
-- raises it to its own term (kalshi:websocket:term at election) in the same statement that writes the prices, and
-- writes nothing when the row already holds a higher term: a deposed leader's late flush is refused by Postgres itself.
CREATE TABLE IF NOT EXISTS kalshi_fence (
  term bigint NOT NULL
);
-- At most one row: a unique index on a constant.
CREATE UNIQUE INDEX IF NOT EXISTS kalshi_fence_one_row ON kalshi_fence ((true));
INSERT INTO kalshi_fence (term) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM kalshi_fence);

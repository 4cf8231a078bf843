-- A draw market (the third market of a three-way event, a soccer game's `…-TIE`) is mapped as side 'draw'
-- (docs/CONTRACT.md "Three-way events"). This only widens the check on kalshi_markets.side: every row that passed
-- the old check passes the new one, and nothing else changes (status already exists, with default 'active').
--
-- The old check is found by what it checks rather than by name: a table the API created itself may name it
-- otherwise than Postgres's default kalshi_markets_side_check.
DO $$
DECLARE
  old_check record;
BEGIN
  FOR old_check IN
    SELECT c.conname
      FROM pg_constraint AS c
     WHERE c.conrelid = 'kalshi_markets'::regclass
       AND c.contype = 'c'
       AND pg_get_constraintdef(c.oid) ~ '\mside\M'
  LOOP
    EXECUTE format('ALTER TABLE kalshi_markets DROP CONSTRAINT %I', old_check.conname);
  END LOOP;
END;
$$;

ALTER TABLE kalshi_markets
  ADD CONSTRAINT kalshi_markets_side_check CHECK (side IN ('home', 'away', 'draw'));

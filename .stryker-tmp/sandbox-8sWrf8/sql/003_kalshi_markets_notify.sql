-- NOTIFY kalshi_markets_changed whenever the mapping may have changed, so the ingestor reloads it at once:
--  * any INSERT / UPDATE / DELETE / TRUNCATE of kalshi_markets;
--  * a frontend_games row inserted or deleted (a game appearing makes its markets mappable), or its slug / id changed.
-- Statement-level triggers: one notification per statement, however many rows it touches (Postgres also folds
-- identical notifications of one transaction into one). The payload ('<table>:<operation>') is informational only;
-- listeners reload the whole map. CREATE OR REPLACE (Postgres >= 14) keeps the file safe to run again.

CREATE OR REPLACE FUNCTION kalshi_markets_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('kalshi_markets_changed', TG_TABLE_NAME || ':' || TG_OP);
  RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER kalshi_markets_notify
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON kalshi_markets
  FOR EACH STATEMENT EXECUTE FUNCTION kalshi_markets_notify();

-- UPDATE OF slug, live_game_id: the ingestor's own frontend_data writes never fire it.
CREATE OR REPLACE TRIGGER frontend_games_kalshi_notify
  AFTER INSERT OR DELETE OR UPDATE OF slug, live_game_id ON frontend_games
  FOR EACH STATEMENT EXECUTE FUNCTION kalshi_markets_notify();

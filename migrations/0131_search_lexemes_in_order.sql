-- Two statements that write organizations at once (two registrations, the benchmark's parallel COPY)
-- could deadlock in search_lexemes_add(): each inserted its new lexemes in its own order, and
-- ON CONFLICT waits for the other's uncommitted insert of the same lexeme. Inserting them sorted
-- takes those waits in one order for everyone, so no cycle can form.

CREATE OR REPLACE FUNCTION search_lexemes_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_lexemes (lexeme)
    SELECT DISTINCT l.lexeme COLLATE "C" FROM new_rows, unnest(tsvector_to_array(new_rows.search)) AS l(lexeme)
    ORDER BY 1
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

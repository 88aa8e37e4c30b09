-- Prefix searches answered through exact lexemes (bench/README.md, Registry search).
--
-- Search-as-you-type sends the last word as a prefix ('fundacion & haiti:*'). The GIN index answers a
-- prefix by collecting every posting of every lexeme that starts with it into a bitmap before it can
-- intersect anything: 6.8 ms for 'fundacion & haiti:*' at 100,000 organizations, against 1.5 ms for the
-- same query with exact lexemes. search_lexemes lists every lexeme that occurs in organizations.search,
-- so portal_expand_prefixes() can rewrite 'haiti':* as ( 'haiti' | 'haitian' ): the same matches, as long
-- as the list holds every lexeme (triggers add them in the statement that writes them; none is ever
-- removed, since a lexeme that no longer occurs only adds an alternative that matches nothing).

CREATE TABLE search_lexemes (lexeme text COLLATE "C" PRIMARY KEY);

CREATE FUNCTION search_lexemes_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_lexemes (lexeme)
    SELECT DISTINCT l.lexeme FROM new_rows, unnest(tsvector_to_array(new_rows.search)) AS l(lexeme)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER organizations_lexemes_insert AFTER INSERT ON organizations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_lexemes_add();
CREATE TRIGGER organizations_lexemes_update AFTER UPDATE ON organizations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_lexemes_add();

INSERT INTO search_lexemes (lexeme)
SELECT DISTINCT l.lexeme FROM organizations, unnest(tsvector_to_array(organizations.search)) AS l(lexeme)
ON CONFLICT DO NOTHING;

-- `query` with each unweighted prefix of letters and digits ('haiti':*, a whole lexeme of the query) replaced by the lexemes it stands
-- for, when there are between 1 and `max_lexemes` of them; any other prefix is left as it is (one that
-- matches nothing, or so many lexemes that the alternatives would cost more than the prefix).
CREATE FUNCTION portal_expand_prefixes(query tsquery, max_lexemes int DEFAULT 16) RETURNS tsquery
LANGUAGE plpgsql STABLE AS $$
DECLARE
    result text := query::text;
    prefix text;
    found int;
    alternatives text;
BEGIN
    FOR prefix IN SELECT DISTINCT m[1] FROM regexp_matches(result, '(?:^|[\s(!])''([[:alnum:]]+)'':\*(?![A-D])', 'g') AS m LOOP
        -- the lexemes that start with `prefix`: a range of the primary key in byte order (COLLATE "C"),
        -- which a generic plan can use too (LIKE with a parameter cannot)
        SELECT count(*), string_agg('''' || replace(replace(l.lexeme, '\', '\\'), '''', '''''') || '''', ' | '
                                    ORDER BY l.lexeme)
          INTO found, alternatives
          FROM (SELECT lexeme FROM search_lexemes
                 WHERE lexeme >= prefix AND lexeme < prefix || chr(1114111) AND starts_with(lexeme, prefix)
                 LIMIT max_lexemes + 1) l;
        IF found BETWEEN 1 AND max_lexemes THEN
            result := regexp_replace(result, '(^|[\s(!])''' || prefix || ''':\*(?![A-D])',
                                     '\1( ' || replace(alternatives, '\', '\\') || ' )', 'g');
        END IF;
    END LOOP;
    RETURN result::tsquery;
END $$;

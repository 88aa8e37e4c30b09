-- Closing the vote rewrites the ballots so that their storage says nothing of the casting order
-- (portal/elections_web/count_queries.py, scramble_ballots; docs/elections.md, Voting): every ballot
-- of the election is rewritten by the closing transaction (one xmin for all), then CLUSTER rewrites
-- the table in the order of its random key, dropping the old row versions.
--
-- CLUSTER needs the table's owner, and the running portal connects as an app role that owns nothing
-- (docs/security.md, Database roles). So the rewrite runs here, as the owner (SECURITY DEFINER), and
-- does nothing else: it takes an election id and touches only the ballots table.
CREATE FUNCTION scramble_ballots(p_election bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  UPDATE public.ballots SET nonce = nonce WHERE election_id = p_election;
  CLUSTER public.ballots USING ballots_pkey;
END $$;

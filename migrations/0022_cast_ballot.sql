-- A ballot's whole write in one statement, so a vote costs one round trip to the database instead of
-- six (BEGIN, lock, has-voted row, ballot, outbox, COMMIT); portal/elections_web/vote.py calls it.
--
-- Why a function and not one SQL statement: the vote takes the advisory lock shared, and closing the
-- vote takes it exclusively (transitions.py) so the close waits for the ballots in flight. A ballot
-- that waited for that lock must then see the close. One statement reads with the snapshot it took
-- before waiting; a VOLATILE function under READ COMMITTED takes a fresh snapshot for each statement
-- it runs, so the INSERT below, which comes after the lock, sees a close that committed meanwhile.
--
-- Returns the voting day, or NULL when voting is closed. A second ballot of the organization fails on
-- the PRIMARY KEY of voters (unique_violation), never on a check-then-insert. The function runs as one
-- statement, so it is atomic: the has-voted row, the ballot and the receipt email exist together or
-- not at all.
CREATE FUNCTION cast_ballot(lock_key integer, p_election bigint, p_org bigint, p_ballot uuid, p_category text,
                            p_candidate bigint, p_nonce text, p_code text,
                            mail_to text, mail_subject text, mail_body text, mail_redacted text)
RETURNS date LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  voted date;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(lock_key, p_election::integer);
  INSERT INTO voters (election_id, org_id)
    SELECT p_election, p_org
    WHERE EXISTS (SELECT 1 FROM elections WHERE id = p_election AND phase = 'voting_open')
    RETURNING voted_on INTO voted;
  IF voted IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO ballots (id, election_id, category, candidate_id, nonce, tracking_code)
    VALUES (p_ballot, p_election, p_category, p_candidate, p_nonce, p_code);
  IF mail_to IS NOT NULL THEN  -- the row portal/mail.py queue() writes
    INSERT INTO outbox (to_addr, subject, body, redacted_body) VALUES (mail_to, mail_subject, mail_body, mail_redacted);
  END IF;
  RETURN voted;
END $$;

-- 0060 added portal_scramble_ballots(); the elections domain's own scramble_ballots() (0051) does the
-- same job and is the one count_queries.py calls. One SECURITY DEFINER function for it is enough.
DROP FUNCTION portal_scramble_ballots(bigint);

-- The allocation's trail texts written for people in English too (names, not ids); the bulletin keeps
-- the canonical form that the verifier recomputes.
ALTER TABLE election_results ADD COLUMN allocation_en jsonb;

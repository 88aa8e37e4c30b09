"""Ballot secrecy by schema: nothing in ballots names or dates a voter, nothing links voters to ballots."""

from __future__ import annotations

from typing import Any

from cosoc_world import OpenElection
from portal.elections_web import vote

VOTER_TABLES = {"organizations", "users", "org_representatives", "voters", "padron_entries"}


async def test_ballots_have_no_voter_column_no_timestamp_and_no_link_to_voters(db: Any) -> None:
    columns = await db.fetch_all(
        """SELECT column_name, data_type FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name = 'ballots' ORDER BY ordinal_position""")
    names = {c["column_name"]: c["data_type"] for c in columns}
    assert set(names) == {"id", "election_id", "category", "candidate_id", "nonce", "tracking_code"}
    assert not [n for n, t in names.items() if "time" in t or t == "date" or t == "interval"]
    assert names["id"] == "uuid"  # random key: no insertion order
    assert not [n for n in names if n in ("org_id", "user_id", "voter_id", "created_at", "cast_at")]
    # foreign keys of ballots, and any between voters and ballots, from pg_catalog
    fks = await db.fetch_all(
        """SELECT c.conrelid::regclass::text AS source, c.confrelid::regclass::text AS target
           FROM pg_constraint c WHERE c.contype = 'f'
             AND (c.conrelid = 'ballots'::regclass OR c.conrelid = 'voters'::regclass)""")
    ballot_targets = {f["target"] for f in fks if f["source"] == "ballots"}
    assert ballot_targets == {"elections", "candidates"}
    assert not ballot_targets & VOTER_TABLES
    assert not [f for f in fks if {f["source"], f["target"]} == {"ballots", "voters"}]
    # ballots' key is not a sequence-fed serial, and no default fills a time in
    defaults = await db.fetch_all(
        """SELECT column_name, column_default FROM information_schema.columns
           WHERE table_name = 'ballots' AND column_default IS NOT NULL""")
    assert defaults == []


async def test_voters_keep_only_the_day(db: Any) -> None:
    columns = await db.fetch_all(
        """SELECT column_name, data_type FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name = 'voters'""")
    assert {c["column_name"]: c["data_type"] for c in columns} == {
        "election_id": "bigint", "org_id": "bigint", "voted_on": "date"}
    pk = await db.fetch_val(
        """SELECT string_agg(a.attname, ',' ORDER BY a.attnum) FROM pg_index i
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
           WHERE i.indrelid = 'voters'::regclass AND i.indisprimary""")
    assert pk == "election_id,org_id"


async def test_ballot_keys_do_not_follow_casting_order(db: Any, open_election: OpenElection) -> None:
    """Ten ballots cast one after another: their keys are random, so sorting by key (or by tracking
    code, as the bulletin does) does not give back the casting order."""
    cast_order = []
    for cat in "ABC":
        for _u, org_id, _e in open_election.reps[cat]:
            receipt = await vote.cast_vote(db, open_election.id, org_id, None)
            cast_order.append(receipt.tracking_code)
    by_key = [r["tracking_code"] for r in await db.fetch_all("SELECT tracking_code FROM ballots ORDER BY id")]
    by_code = sorted(cast_order)
    assert len(set(by_key)) == len(cast_order) == 9
    # 9! orders: both matching the casting order by chance has probability 1/362880 each
    assert by_key != cast_order and by_code != cast_order


async def test_closing_erases_the_storage_order_of_ballots(db: Any, open_election: OpenElection) -> None:
    """Before the close each ballot shares its transaction id (xmin) with its has-voted row and sits
    in casting order; after the close every ballot carries the closing transaction's id and the
    table is in the order of its random keys."""
    from portal.elections_web import workflow
    from portal.security import CurrentUser

    for cat in "ABC":
        for _u, org_id, _e in open_election.reps[cat]:
            await vote.cast_vote(db, open_election.id, org_id, None)
    shared = await db.fetch_val(
        """SELECT count(*) FROM ballots b JOIN voters v ON v.xmin::text = b.xmin::text
           WHERE b.election_id = :e""", {"e": open_election.id})
    assert shared == 9  # the link the close must erase
    await db.execute("""UPDATE elections SET voting_starts_at = now() - interval '2 hours',
                               voting_ends_at = now() - interval '1 minute' WHERE id = :e""", {"e": open_election.id})
    officer = CurrentUser(id=await db.fetch_val("SELECT min(id) FROM users"), email="o@x.cl", name="O",
                          roles=frozenset({"election_officer"}))
    await workflow.transition(db, open_election.id, "voting_closed", officer)
    after = await db.fetch_one(
        """SELECT count(DISTINCT b.xmin::text) AS xids,
                  (SELECT count(*) FROM ballots b2 JOIN voters v ON v.xmin::text = b2.xmin::text) AS shared
           FROM ballots b WHERE b.election_id = :e""", {"e": open_election.id})
    assert after["xids"] == 1 and after["shared"] == 0
    physical = [r["id"] for r in await db.fetch_all("SELECT id FROM ballots ORDER BY ctid")]
    assert physical == sorted(physical)


async def test_a_phase_change_is_audited_once_and_logged_once(db: Any, open_election: OpenElection) -> None:
    """The transition helper writes the audit event; the election log keeps its own line; neither twice."""
    from portal.elections_web import workflow
    from portal.security import CurrentUser

    await db.execute("UPDATE elections SET voting_ends_at = now() - interval '1 minute' WHERE id = :e",
                     {"e": open_election.id})
    officer = CurrentUser(id=await db.fetch_val("SELECT min(id) FROM users"), email="o@x.cl", name="O",
                          roles=frozenset({"election_officer"}))
    await workflow.transition(db, open_election.id, "voting_closed", officer)
    audit = await db.fetch_all("SELECT before::text AS b, after::text AS a FROM audit_log "
                               "WHERE action = 'election.phase_changed' AND object_id = :e", {"e": str(open_election.id)})
    assert len(audit) == 1 and '"voting_open"' in audit[0]["b"] and '"voting_closed"' in audit[0]["a"]
    logged = await db.fetch_val("SELECT count(*) FROM election_log WHERE election_id = :e AND event = 'phase_changed'",
                                {"e": open_election.id})
    assert logged == 1

"""Ballot secrecy (issue 15; docs/ballot-secrecy.md): the stored ballot is sealed for the trustees, and
the attacks that linked organizations to their ballots fail — the xmin/ctid join, the WAL, the outbox
with mail undeliverable, the session."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from cosoc_helpers import signed_in
from cosoc_world import OpenElection, close_vote, count_sealed
from portal import sessions
from portal.elections_web import vote

VOTER_TABLES = {"organizations", "users", "org_representatives", "voters", "padron_entries"}


async def _columns(db: Any, table: str) -> dict[str, str]:
    rows = await db.fetch_all(
        """SELECT column_name, data_type FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name = :t ORDER BY ordinal_position""", {"t": table})
    return {c["column_name"]: c["data_type"] for c in rows}


async def test_ballot_tables_have_no_voter_column_no_timestamp_and_no_link_to_voters(db: Any) -> None:
    sealed, revealed = await _columns(db, "sealed_ballots"), await _columns(db, "ballots")
    assert set(sealed) == {"id", "election_id", "batch", "fingerprint", "body", "signature"}
    assert set(revealed) == {"id", "election_id", "category", "candidate_id", "nonce", "tracking_code"}
    for names in (sealed, revealed):
        assert not [n for n, t in names.items() if "time" in t or t == "date" or t == "interval"]
        assert names["id"] == "uuid"  # random key: no insertion order
    fks = await db.fetch_all(
        """SELECT c.conrelid::regclass::text AS source, c.confrelid::regclass::text AS target
           FROM pg_constraint c WHERE c.contype = 'f'
             AND c.conrelid IN ('ballots'::regclass, 'sealed_ballots'::regclass, 'voters'::regclass)""")
    assert {f["target"] for f in fks if f["source"] == "sealed_ballots"} == {"elections"}
    assert {f["target"] for f in fks if f["source"] == "ballots"} == {"elections", "candidates"}
    defaults = await db.fetch_all(
        """SELECT column_name FROM information_schema.columns
           WHERE table_name IN ('ballots', 'sealed_ballots') AND column_default IS NOT NULL""")
    assert defaults == []


async def test_voters_keep_only_the_day(db: Any) -> None:
    assert await _columns(db, "voters") == {"election_id": "bigint", "org_id": "bigint", "voted_on": "date"}


async def _cast_all(db: Any, oe: OpenElection) -> list[vote.Receipt]:
    receipts = []
    for cat in "ABC":
        for i, (_u, org_id, _e) in enumerate(oe.reps[cat]):
            choice = oe.candidates[cat][i % 2] if i < 2 else None
            receipts.append(await vote.cast_vote(db, oe.id, org_id, choice, secret=oe.secret))
    return receipts


async def test_the_xmin_join_gives_only_sealed_ballots_and_the_close_erases_it(db: Any,
                                                                               open_election: OpenElection) -> None:
    """The attack of issue 15: join voters and ballots by transaction id. During the vote it pairs each
    organization with a ciphertext only (no clear ballot exists, nothing in it reads as a choice);
    after the close not even that."""
    oe = open_election
    receipts = await _cast_all(db, oe)
    assert await db.fetch_val("SELECT count(*) FROM ballots") == 0  # nothing in clear while voting
    joined = await db.fetch_all(
        """SELECT v.org_id, s.body, s.fingerprint FROM voters v
           JOIN sealed_ballots s ON s.xmin::text = v.xmin::text WHERE v.election_id = :e""", {"e": oe.id})
    assert len(joined) == 9  # the link exists, to sealed items only
    for row in joined:
        body = bytes(row["body"])
        assert b"cosoc-ballot" not in body and all(str(c).encode() not in body for cs in oe.candidates.values()
                                                   for c in cs if len(str(c)) > 3)
    codes = {r.tracking_code for r in receipts}
    stored = {r["fingerprint"] for r in joined}
    assert not codes & stored and stored == {r.fingerprint for r in receipts}
    # sealed ballots' keys do not follow the casting order
    by_key = [r["fingerprint"] for r in await db.fetch_all("SELECT fingerprint FROM sealed_ballots ORDER BY id")]
    assert sorted(by_key) == sorted(stored) and by_key != [r.fingerprint for r in receipts]
    await close_vote(db, oe)
    after = await db.fetch_one(
        """SELECT count(DISTINCT s.xmin::text) AS xids,
                  (SELECT count(*) FROM sealed_ballots s2 JOIN voters v ON v.xmin::text = s2.xmin::text) AS shared
           FROM sealed_ballots s WHERE s.election_id = :e""", {"e": oe.id})
    assert after["xids"] == 1 and after["shared"] == 0
    physical = [r["id"] for r in await db.fetch_all("SELECT id FROM sealed_ballots ORDER BY ctid")]
    assert physical == sorted(physical)


async def test_receipt_is_not_in_the_session_nor_the_outbox(db: Any, open_election: OpenElection,
                                                           make_client: Any) -> None:
    """Mail not deliverable (no SMTP server in tests: the message waits in the outbox): the pending row
    has no code; the server-side session holds nothing about the vote."""
    oe = open_election
    _u, _org, email = oe.reps["A"][0]
    client = await signed_in(make_client, email)
    choice = str(oe.candidates["A"][0])
    r = await client.post(f"/elecciones/{oe.id}/votar", {"step": "cast", "choice": choice})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    code = r.text.split('data-code="')[1].split('"')[0]
    assert len(code) == 64
    outbox = await db.fetch_all("SELECT to_addr, subject, body, redacted_body FROM outbox")
    mine = [m for m in outbox if m["to_addr"] == email and "Voto registrado" in m["subject"]]
    assert len(mine) == 1 and "no se envía por correo" in mine[0]["body"]
    assert not [m for m in outbox if code in " ".join(str(v) for v in dict(m).values())]
    secret = oe.secret  # the app's (the `secret` fixture reads the app's settings)
    cookie = client.http.cookies.get("participa_session")
    blob = await db.fetch_val("SELECT data FROM sessions WHERE id_hash = :h", {"h": sessions.id_hash(cookie)})
    data = sessions.unseal(secret, cookie, bytes(blob))
    assert data is not None and "uid" in data
    text = repr(data)
    assert code not in text and "receipt" not in text and choice not in text.replace(str(data.get("uid")), "")
    assert await db.fetch_val("SELECT count(*) FROM audit_log WHERE after::text LIKE :c", {"c": f"%{code}%"}) == 0


async def _wal(owner_db: Any) -> tuple[Path, int]:
    """The server's WAL folder (flushed) and its segment size; skipped when the test process cannot read it."""
    await owner_db.execute("SELECT pg_switch_wal()")
    folder = Path(await owner_db.fetch_val("SELECT current_setting('data_directory')")) / "pg_wal"
    if not folder.is_dir() or not any(folder.iterdir()):
        pytest.skip("the database's WAL files are not readable from the tests (a remote TEST_DATABASE_URL)")
    size = int(await owner_db.fetch_val("SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'"))
    return folder, size


def _occurrences(folder: Path, size: int, needles: dict[bytes, str]) -> list[tuple[int, str]]:
    """(LSN, what) of every needle in every WAL segment file."""
    found = []
    for path in sorted(folder.iterdir()):
        if len(path.name) != 24 or not path.is_file():
            continue
        segno = int(path.name[8:16], 16) * (0x1_0000_0000 // size) + int(path.name[16:24], 16)
        data = path.read_bytes()
        for needle, what in needles.items():
            start = data.find(needle)
            while start >= 0:
                found.append((segno * size + start, what))
                start = data.find(needle, start + 1)
    return found


def _lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


async def test_the_wal_of_a_whole_election_holds_no_code_and_no_clear_ballot_next_to_a_voter(
        db: Any, owner_db: Any, open_election: OpenElection) -> None:
    """The WAL (what pg_waldump, pg_read_binary_file, base backups and archives see) of a whole election:
    no tracking code and no ballot text anywhere until the count; the count's transaction writes the
    codes (they are public from then on), with no voter row in it or after it."""
    oe = open_election
    receipts = await _cast_all(db, oe)
    await close_vote(db, oe)
    folder, size = await _wal(owner_db)
    needles = {r.tracking_code.encode(): "code" for r in receipts}
    needles |= {bytes.fromhex(r.tracking_code): "raw code" for r in receipts}
    needles[f"cosoc-ballot/1|{oe.id}|".encode()] = "ballot text"
    assert _occurrences(folder, size, needles) == []
    count_from = _lsn(await owner_db.fetch_val("SELECT pg_current_wal_insert_lsn()::text"))
    from portal.elections_web import demo, workflow
    from cosoc_world import officer_of

    await demo.play_trustees(db, oe.id, oe.seeds, oe.trustees)
    await workflow.transition(db, oe.id, "tallied", officer_of(oe))
    voters_end = count_from  # every voter row was written before the close
    folder, size = await _wal(owner_db)
    found = _occurrences(folder, size, needles)
    assert {what for _lsn_, what in found} == {"code"}  # published by the count, in hex, never as text or raw
    assert all(lsn >= voters_end for lsn, _what in found)
    assert len({what for lsn, what in found}) == 1 and len(found) >= len(receipts)


async def test_a_code_alone_reveals_nothing_before_the_count(db: Any, open_election: OpenElection) -> None:
    """The code is the hash of the plaintext (with a 128-bit nonce): it matches no stored value."""
    oe = open_election
    receipts = await _cast_all(db, oe)
    fingerprints = {r["fingerprint"] for r in await db.fetch_all("SELECT fingerprint FROM sealed_ballots")}
    for r in receipts:
        assert r.tracking_code not in fingerprints
        assert hashlib.sha256(bytes.fromhex(r.tracking_code)).hexdigest() not in fingerprints


async def test_a_phase_change_is_audited_once_and_logged_once(db: Any, open_election: OpenElection) -> None:
    """The transition helper writes the audit event; the election log keeps its own line; neither twice."""
    await close_vote(db, open_election)
    audit = await db.fetch_all("SELECT before::text AS b, after::text AS a FROM audit_log "
                               "WHERE action = 'election.phase_changed' AND object_id = :e", {"e": str(open_election.id)})
    assert len(audit) == 1 and '"voting_open"' in audit[0]["b"] and '"voting_closed"' in audit[0]["a"]
    logged = await db.fetch_val("SELECT count(*) FROM election_log WHERE election_id = :e AND event = 'phase_changed'",
                                {"e": open_election.id})
    assert logged == 1


async def test_the_count_reveals_what_was_cast(db: Any, open_election: OpenElection) -> None:
    """Every receipt's code is in the revealed ballots with the choice it was cast for."""
    oe = open_election
    receipts = await _cast_all(db, oe)
    await count_sealed(db, oe)
    rows = {r["tracking_code"]: r for r in await db.fetch_all("SELECT tracking_code, category, candidate_id FROM ballots")}
    assert set(rows) == {r.tracking_code for r in receipts}

"""Helpers for the COSOC election tests: staff clients, padrón organizations, the election form."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any

from factories import create_rep, create_user

COMUNA = {"13": "13101", "05": "05101", "08": "08101", "09": "09101", "01": "01101"}


async def signed_in(make_client: Any, email: str) -> Any:
    client = make_client()
    await client.login(email)
    return client


async def staff(make_client: Any, db: Any, role: str) -> Any:
    """A client signed in as a new staff member with `role`."""
    email = f"{role}.{datetime.now().timestamp()}@sermig.cl"
    await create_user(db, email, roles=[role], name=f"Persona {role}")
    return await signed_in(make_client, email)


async def org(db: Any, category: str, region: str = "05", **kw: Any) -> tuple[int, int, str]:
    """A representative of a new approved organization: (user id, org id, email)."""
    return await create_rep(db, category=category, region=region, comuna=COMUNA[region], **kw)


def local(dt: datetime) -> str:
    """A datetime as the form's datetime-local value (Chilean time)."""
    from portal.i18n import CHILE_TZ

    return dt.astimezone(CHILE_TZ).strftime("%Y-%m-%dT%H:%M")


def election_form(**overrides: Any) -> dict[str, str]:
    """A complete, valid settings form, its calendar in order (the form refuses dates out of order):
    the padrón cut-off, its claims and the candidacies today, voting open from an hour ago for two
    hours, results claims until the day voting ends. Tests move past the claims' deadlines by time
    travel (end_padron_claims, end_results_claims), as the officer would by waiting."""
    today = date.today()
    now = datetime.now().astimezone()
    form = {
        "name": "Elección COSOC de prueba", "term_start": (today + timedelta(days=60)).isoformat(),
        "term_end": (today + timedelta(days=790)).isoformat(), "seats_a": "10", "seats_b": "6", "seats_c": "4",
        "territorial_share": "0.5", "gender_share": "0.6", "call_on": (today - timedelta(days=20)).isoformat(),
        "padron_cutoff": today.isoformat(), "padron_claims_until": today.isoformat(),
        "candidacies_from": today.isoformat(), "candidacies_until": today.isoformat(),
        "voting_starts_at": local(now - timedelta(hours=1)), "voting_ends_at": local(now + timedelta(hours=1)),
        "results_claims_until": local(now + timedelta(hours=1))[:10], "proclamation_on": "",
    }
    form.update({k: str(v) for k, v in overrides.items()})
    return form


async def end_padron_claims(db: Any, election_id: int) -> None:
    """Time travel: the padrón's claims period ended yesterday."""
    await db.execute("UPDATE elections SET padron_claims_until = CAST(:d AS date) WHERE id = :e",
                     {"d": date.today() - timedelta(days=1), "e": election_id})


async def end_results_claims(db: Any, election_id: int) -> None:
    """Time travel: the results' claims period ended yesterday."""
    await db.execute("UPDATE elections SET results_claims_until = CAST(:d AS date) WHERE id = :e",
                     {"d": date.today() - timedelta(days=1), "e": election_id})


async def create_election(client: Any, **overrides: Any) -> int:
    response = await client.post("/staff/elecciones", election_form(**overrides))
    assert response.status_code == 303, response.text[:2000]
    return int(response.headers["location"].rsplit("/", 1)[1])


async def advance(client: Any, election_id: int, target: str) -> Any:
    """Ask for one transition through the back-office."""
    paths = {"padron_final": "/padron/certificar", "tallied": "/escrutinio", "proclaimed": "/proclamar"}
    path = paths.get(target, "/fase")
    return await client.post(f"/staff/elecciones/{election_id}{path}", {"to": target})


async def must_advance(client: Any, election_id: int, target: str) -> None:
    response = await advance(client, election_id, target)
    assert response.status_code == 303, f"{target}: {response.status_code} {_alert(response.text)}"


def _alert(html: str) -> str:
    import re

    found = re.findall(r'role="alert">(.*?)</div>', html, re.S)
    return found[0] if found else html[:500]


async def end_voting_window(db: Any, election_id: int) -> None:
    """Time travel: the voting window ended a minute ago."""
    await db.execute(
        """UPDATE elections SET voting_starts_at = now() - interval '2 hours',
                  voting_ends_at = now() - interval '1 minute' WHERE id = :e""", {"e": election_id})


async def set_phase(db: Any, election_id: int, phase: str) -> None:
    """Put an election straight into a phase (for tests about one phase)."""
    await db.execute("UPDATE elections SET phase = :p WHERE id = :e", {"p": phase, "e": election_id})


async def vote_http(client: Any, election_id: int, choice: str) -> Any:
    """Choose → confirm page → cast; returns the cast response."""
    confirm = await client.post(f"/elecciones/{election_id}/votar", {"step": "confirm", "choice": choice})
    assert confirm.status_code == 200, confirm.text[:1500]
    assert "Confirme su voto" in confirm.text
    return await client.post(f"/elecciones/{election_id}/votar", {"step": "cast", "choice": choice})


@contextlib.asynccontextmanager
async def on_ballot_insert(owner_db: Any, body: str) -> AsyncIterator[None]:
    """Run the PL/pgSQL `body` inside the vote's own statement, just before the ballot row is inserted
    (after the has-voted row): a real fault or delay at that point, where Python cannot reach since the
    vote's write is one statement (cast_sealed_ballot()). Dropped afterwards, whatever happens. Created by the
    owner (`owner_db`): the app role may not create functions or triggers."""
    await owner_db.execute(f"CREATE FUNCTION test_ballot_hook() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; "
                     "RETURN NEW; END $$")
    await owner_db.execute("CREATE TRIGGER test_ballot_hook BEFORE INSERT ON sealed_ballots FOR EACH ROW "
                     "EXECUTE FUNCTION test_ballot_hook()")
    try:
        yield
    finally:
        await owner_db.execute("DROP TRIGGER test_ballot_hook ON sealed_ballots")
        await owner_db.execute("DROP FUNCTION test_ballot_hook()")


ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


async def upload(client: Any, url: str, kind: str, content: bytes, name: str = "upload.json") -> Any:
    """A trustee's upload (kind key or step) as a file."""
    return await client.post(url, {"kind": kind}, files={"file": (name, content, "application/json")})


def run_cli(*args: str) -> str:
    """`python -m elections ...` as a trustee or a verifier runs it; returns stdout (fails the test on error)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "elections", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def challenge_of(page: str) -> str:
    """The challenge a trustee's page shows in its keygen command."""
    return page.split("--challenge ")[1].split("<")[0].strip()

"""Demo data: one proclaimed past election (candidates, sealed ballots, its trustees' steps played here,
results, acta, the public record) and one open for voting (its trustees' keys in).

The padrón comes from the registry's approved organizations (the registry demo runs first); when
there are too few, demo organizations with representatives are created here. Idempotent: it does
nothing when its elections exist.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from typing import Any

from elections import seal
from portal import clock, passwords
from portal.accounts import queries as accounts
from portal.db import Database, as_dict
from portal.elections_web import padron, queries as q, record_queries as rq, sealing, trustees, vote, workflow
from portal.guards import found
from portal.rut import check_digit
from portal.security import CurrentUser

PAST = "Elección COSOC 2024 (demostración)"
OPEN = "Elección COSOC 2026 (demostración)"
NEEDED = {"A": 8, "B": 6, "C": 4}
REGIONS = (("13", "13101"), ("05", "05101"), ("08", "08101"), ("02", "02101"), ("13", "13114"), ("09", "09101"))
FIRST = {"F": ("Camila", "María", "Yenny", "Valentina", "Rosa", "Ana", "Fatou"),
         "M": ("Jean", "Luis", "Carlos", "Ahmed", "Pedro", "Wilson", "Andrés"),
         "X": ("Alex", "Noa", "Sam")}
LAST = ("Pérez", "Joseph", "Quispe", "Rodríguez", "Mamani", "Silva", "Díaz", "Haddad", "Soto", "Rojas")


async def _staff(db: Database, email: str, role: str) -> CurrentUser:
    row = as_dict(await db.fetch_one("SELECT id, name FROM users WHERE email = :e", {"e": email}))
    if row is None:  # the demo staff accounts are created first by portal.demo; keep working without them
        from portal.demo import DEMO_PASSWORD

        uid = await accounts.create_user(db, email=email, name=role, verified=True,
                                         password_hash=passwords.hash_password(DEMO_PASSWORD))
        await accounts.set_roles(db, uid, [role])
        row = {"id": uid, "name": role}
    return CurrentUser(id=row["id"], email=email, name=row["name"], roles=frozenset({role}))


async def appoint_trustees(db: Database, election_id: int, officer: Any, people: list[Any]) -> list[bytes]:
    """Name `people` trustees and upload a key for each, made as `python -m elections trustee keygen`
    would; returns their private seeds (the demo, the tests and the benchmarks play the trustees)."""
    seeds = []
    for person in people:
        position = await trustees.name_trustee(db, election_id, officer, person.email)
        t = found(await rq.trustee(db, election_id, position))
        seed, proof = seal.trustee_keygen(str(election_id), t.challenge)
        await trustees.upload_key(db, election_id, t, person, json.dumps(proof))
        seeds.append(seed)
    return seeds


async def open_record(db: Database, election_id: int, secret: str) -> None:
    """The record's opening events, for elections put into voting_open directly (demo, tests)."""
    await sealing.open_record(db, found(await q.get_election(db, election_id)), secret)


async def play_trustees(db: Database, election_id: int, seeds: list[bytes], people: list[Any]) -> None:
    """After the close: each trustee's step in turn (`seal.trustee_step`), uploaded as a trustee would."""
    for position, (seed, person) in enumerate(zip(seeds, people, strict=True), 1):
        e = found(await q.get_election(db, election_id))
        params, items, _ = await sealing.mix_state(db, e)
        step = seal.trustee_step(seed, params, items)
        t = found(await rq.trustee(db, election_id, position))
        await trustees.upload_step(db, election_id, t, person, json.dumps(step))


OBSERVER = "observador@demo.participa.cl"


async def _observer(db: Database) -> Any:
    """The second trustee: an observer with a plain account (no staff role)."""
    from portal.demo import DEMO_PASSWORD

    uid = await db.fetch_val("SELECT id FROM users WHERE email = :e", {"e": OBSERVER})
    if uid is None:
        uid = await accounts.create_user(db, email=OBSERVER, name="Observadora del COSOC", verified=True,
                                         password_hash=passwords.hash_password(DEMO_PASSWORD))
    return CurrentUser(id=uid, email=OBSERVER, name="Observadora del COSOC", roles=frozenset())


async def _ensure_orgs(db: Database) -> list[str]:
    """Create demo organizations (each with a representative) until every category has enough."""
    from portal.demo import DEMO_PASSWORD

    lines, pw = [], passwords.hash_password(DEMO_PASSWORD)
    for cat, need in NEEDED.items():
        have = await db.fetch_val(
            """SELECT count(*) FROM organizations WHERE status = 'approved' AND category = :c
                 AND (vigencia_expires_on IS NULL OR vigencia_expires_on >= :today)""",
            {"c": cat, "today": clock.today()})
        for i in range(have, need):
            region, comuna = REGIONS[i % len(REGIONS)]
            email = f"elecciones.{cat.lower()}{i + 1}@demo.participa.cl"
            body = 65_100_000 + {"A": 0, "B": 1000, "C": 2000}[cat] + i
            org_id = await db.fetch_val(
                """INSERT INTO organizations (rut, legal_name, legal_form, category, region_code, comuna_code,
                                              description, status, vigencia_issued_on, vigencia_expires_on,
                                              submitted_at, approved_at)
                   VALUES (:rut, :name, 'asociacion', :cat, :region, :comuna, :d, 'approved', CAST(:today AS date) - 30,
                           CAST(:today AS date) + 335, now() - interval '40 days', now() - interval '30 days')
                   ON CONFLICT (rut) DO NOTHING RETURNING id""",
                {"rut": f"{body}-{check_digit(body)}", "name": f"Organización demo {cat}{i + 1}", "cat": cat,
                 "region": region, "comuna": comuna, "d": "Organización de demostración para las elecciones COSOC.",
                 "today": clock.today()})
            if org_id is None or await accounts.email_taken(db, email):
                continue
            uid = await accounts.create_user(db, email=email, name=f"Representante {cat}{i + 1}", verified=True,
                                             password_hash=pw)
            await db.execute("INSERT INTO org_representatives (org_id, user_id, is_legal) VALUES (:o, :u, true)",
                             {"o": org_id, "u": uid})
            lines.append(f"  org    {email:<34} representative of Organización demo {cat}{i + 1} (category {cat})")
    return lines


# The proclaimed election shows every correction the count can make (docs/elections.md, Quota rules):
# per category, each candidacy as (gender, from outside the RM? None: either, votes it gets).
Slot = tuple[str, bool | None, int]
PAST_PLAN: dict[str, tuple[Slot, ...]] = {
    # 4 seats, at most 2 per gender: the three most voted are women, so the third gives way to a man
    "A": (("F", True, 3), ("F", True, 2), ("F", None, 1), ("M", None, 1), ("M", None, 0)),
    # 3 seats, at least 2 outside the RM: two of the three most voted are from the RM, the second gives way
    "B": (("F", True, 2), ("M", False, 2), ("F", False, 1), ("M", True, 0)),
    # 2 seats, one per gender: two men tie for the second seat and both comply, so the sorteo decides
    "C": (("F", True, 2), ("M", True, 1), ("M", True, 1)),
}


async def _election(db: Database, name: str, term_start: date, seats: dict[str, int]) -> int:
    """An election with a coherent calendar (cut-off ≤ claims ≤ candidacies ≤ voting ≤ results claims):
    a past one voted two days ago and is proclaimed today; an open one votes until next week."""
    today = clock.today()
    past = term_start <= today
    eid = await q.create_election(db, {
        "name": name, "term_start": today if past else term_start,
        "term_end": (today if past else term_start) + timedelta(days=730),
        "seats_a": seats["A"], "seats_b": seats["B"], "seats_c": seats["C"],
        "call_on": today - timedelta(days=40), "padron_cutoff": today - timedelta(days=28),
        "padron_claims_until": today - timedelta(days=24), "candidacies_from": today - timedelta(days=22),
        "candidacies_until": today - timedelta(days=8),
        "results_claims_until": today - timedelta(days=1) if past else today + timedelta(days=12)})
    # The demo's organizations were created moments ago: the padrón counts them as of today.
    await padron.snapshot(db, eid, today)
    await padron.freeze(db, eid)
    return eid


def _pick(entries: list[Any], slots: tuple[Slot, ...] | None, n: int) -> list[tuple[Any, str | None]]:
    """The padrón entries that stand, each with its planned gender; a slot's region when one is free."""
    if slots is None:
        return [(e, None) for e in entries[:n]]
    chosen: list[tuple[Any, str | None]] = []
    for gender, outside, _votes in slots:
        free = [e for e in entries if all(e is not c for c, _g in chosen)]
        fits = [e for e in free if outside is None or (e.region_code != "13") == outside]
        if fits or free:
            chosen.append(((fits or free)[0], gender))
    return chosen


async def _candidates(db: Database, eid: int, per_cat: dict[str, int], rng: random.Random,
                      skip: set[int], plan: dict[str, tuple[Slot, ...]] | None = None) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for cat, n in per_cat.items():
        entries = [e for e in await padron.entries(db, eid, category=cat) if e.org_id not in skip]
        out[cat] = []
        for i, (entry, planned) in enumerate(_pick(entries, plan.get(cat) if plan else None, n)):
            gender = planned or ("FMFMX"[i % 5] if cat == "A" else "FM"[i % 2])
            name = f"{rng.choice(FIRST[gender])} {rng.choice(LAST)}"
            cid = await q.save_candidate(db, eid, entry.org_id, cat, entry.region_code, {
                "name": name, "document_type": "passport", "document_number": f"DEMO{eid}{cat}{i}",
                "gender": gender,
                "bio": f"{name} coordina programas de {entry.name} con la comunidad migrante de su región."})
            await db.execute("UPDATE candidates SET status = 'admissible' WHERE id = :c", {"c": cid})
            out[cat].append(cid)
    return out


def _choice(options: list[int], left: list[int] | None, rng: random.Random) -> int | bool | None:
    """A voter's choice: the next planned vote, else blank or abstain (False); unplanned: at random."""
    if left is not None:
        for i, n in enumerate(left):
            if n > 0:
                left[i] -= 1
                return options[i]
        return None if rng.random() < 0.5 else False
    return None if not options or rng.random() < 0.1 else rng.choice(options[:1] * 3 + options)


async def _cast(db: Database, eid: int, cands: dict[str, list[int]], rng: random.Random, share: float,
                keep_out: set[int], secret: str, plan: dict[str, tuple[Slot, ...]] | None = None) -> int:
    await open_record(db, eid, secret)
    await db.execute("""UPDATE elections SET phase = 'voting_open', voting_starts_at = now() - interval '1 day',
                               voting_ends_at = now() + interval '7 days' WHERE id = :e""", {"e": eid})
    left = {cat: [votes for _g, _o, votes in slots] for cat, slots in plan.items()} if plan else {}
    cast = 0
    for entry in await padron.entries(db, eid):
        if entry.org_id in keep_out or (not plan and rng.random() > share):
            continue
        choice = _choice(cands.get(entry.category) or [], left.get(entry.category) if plan else None, rng)
        if choice is False:
            continue
        await vote.cast_vote(db, eid, entry.org_id, choice or None, secret=secret)
        cast += 1
    return cast


async def _past(db: Database, rng: random.Random, secret: str, officer: Any, trustees: list[Any]) -> tuple[int, int]:
    """The proclaimed election: sealed ballots, closed, its trustees' steps played, counted, proclaimed."""
    ministro = trustees[0]
    past = await _election(db, PAST, clock.today() - timedelta(days=400), {"A": 4, "B": 3, "C": 2})
    cands = await _candidates(db, past, {cat: len(slots) for cat, slots in PAST_PLAN.items()}, rng, set(), PAST_PLAN)
    await db.execute("UPDATE elections SET lottery_seed = 'acto-publico-demo-2024', sorteo_fixed_at = now() WHERE id = :e",
                     {"e": past})
    seeds = await appoint_trustees(db, past, officer, trustees)
    n_past = await _cast(db, past, cands, rng, 0.9, set(), secret, PAST_PLAN)
    await db.execute("""UPDATE elections SET voting_starts_at = now() - interval '3 days',
                               voting_ends_at = now() - interval '2 days' WHERE id = :e""", {"e": past})
    await workflow.transition(db, past, "voting_closed", officer)
    await play_trustees(db, past, seeds, trustees)
    await workflow.transition(db, past, "tallied", officer)
    await workflow.transition(db, past, "proclaimed", ministro)
    await workflow.transition(db, past, "constituted", officer)
    return past, n_past


async def load(db: Database, secret: str | None = None) -> list[str]:
    """Load both demo elections once; return what to try. `secret`: the app's secret key (default: the
    one `portal serve` reads, PORTAL_SECRET_KEY or the data folder's), from which the portal's
    per-election sealing key derives."""
    if secret is None:
        from portal.settings import Settings

        secret = str(Settings.from_env().secret_key)
    if await db.fetch_val("SELECT count(*) FROM elections WHERE name IN (:a, :b)", {"a": PAST, "b": OPEN}):
        return ["  elections: demo elections already loaded (/elecciones, /consejo)"]
    lines = ["COSOC elections:"]
    lines += await _ensure_orgs(db)
    officer = await _staff(db, "elecciones@demo.participa.cl", "election_officer")
    ministro = await _staff(db, "ministro@demo.participa.cl", "ministro_de_fe")
    observer = await _observer(db)
    rng = random.Random(2024)  # noqa: S311 (demo data, reproducible; nothing secret)
    rep_org = await db.fetch_val(
        """SELECT r.org_id FROM org_representatives r JOIN users u ON u.id = r.user_id
           WHERE u.email = 'rep@demo.participa.cl'""")
    try_org = rep_org or await db.fetch_val(
        "SELECT r.org_id FROM org_representatives r JOIN users u ON u.id = r.user_id "
        "WHERE u.email = 'elecciones.a1@demo.participa.cl'")

    past, n_past = await _past(db, rng, secret, officer, [ministro, observer])

    current = await _election(db, OPEN, clock.today() + timedelta(days=330), {"A": 3, "B": 2, "C": 2})
    skip = {try_org} if try_org else set()
    cands = await _candidates(db, current, {"A": 4, "B": 3, "C": 2}, rng, skip)
    await db.execute("UPDATE elections SET lottery_seed = 'semilla-anunciada-2026', sorteo_fixed_at = now() WHERE id = :e",
                     {"e": current})
    await appoint_trustees(db, current, officer, [ministro, observer])  # their keys are thrown away: a demo
    n_open = await _cast(db, current, cands, rng, 0.4, skip, secret)
    e = await q.get_election(db, current)
    if e is not None:
        await workflow.record_event(db, e, officer, "demo_loaded", detail={"ballots": n_open}, to_phase="voting_open")
    who = "rep@demo.participa.cl" if rep_org else "elecciones.a1@demo.participa.cl"
    lines += [
        f"  /consejo and /elecciones/{past}/resultados: the proclaimed {PAST} ({n_past} ballots, acta, bulletin)",
        f"  /elecciones/{current}: {OPEN}, voting open now ({n_open} organizations already voted)",
        f"  sign in as {who} to check «¿Puedo votar?» and vote at /elecciones/{current}/votar",
        "  staff: elecciones@demo.participa.cl (phases, padrón, count), ministro@demo.participa.cl (sorteo, acta)",
        f"  trustees: ministro@demo.participa.cl and {OBSERVER} (/elecciones/{past}/custodios, registro.json)",
    ]
    return lines

"""A complete election through HTTP, Helios style: create → call → padrón → claims → final →
candidacies → review → sorteo → vote → close → count → proclaim → constitute → vacancy.

The scenario (seats A 3, B 2, C 1; shares 1/2 and 3/5), with the arithmetic the count must do:

Category A, n = 3: nominal territorial minimum ⌈3/2⌉ = 2 outside RM; gender cap max(⌊0.6·3⌋, ⌈3/2⌉)
= max(1, 2) = 2. Candidates (gender, region): A1 (F, 13), A2 (F, 13), A3 (M, 13), A4 (M, 05); A5 is
declared inadmissible. 8 padrón organizations vote: A1 3, A2 2, A3 1, A4 1, blank 1 (3+2+1+1+1 = 8).
Only one non-RM candidate, so the minimum relaxes to min(2, 1) = 1. The committee must hold A4;
{A1, A2, A4} has votes (3, 2, 1), the greatest vector possible, genders F, F, M within the cap 2.
Elected: A1, A2, A4.

Category B, n = 2: minimum ⌈2/2⌉ = 1 outside RM; cap max(⌊1.2⌋, 1) = 1 per gender. Candidates B1 (F, 13),
B2 (F, 05), B3 (M, 13). 6 organizations vote B1 3, B2 2, B3 1 (3+2+1 = 6). The top two, B1 and B2, are
both F (cap 1), so one seat is M: B3. Then the F seat must be non-RM (B3 is RM): B2. {B2, B3} has
(2, 1); {B1, B3} would have (3, 1) but no seat outside RM. Elected: B2, B3 — the most voted, B1, is not.

Category C, n = 1: minimum 1 outside RM, cap max(0, 1) = 1. C1 (X, 08) gets 1 vote, 1 blank. Elected: C1.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import elections
from cosoc_helpers import challenge_of, create_election, end_padron_claims, end_results_claims, end_voting_window, \
    must_advance, org, run_cli, signed_in, staff, upload, vote_http
from elections.audit import check_record
from factories import create_org, create_user

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = {  # key: (category, gender, region, votes)
    "A1": ("A", "F", "13", 3), "A2": ("A", "F", "13", 2), "A3": ("A", "M", "13", 1), "A4": ("A", "M", "05", 1),
    "B1": ("B", "F", "13", 3), "B2": ("B", "F", "05", 2), "B3": ("B", "M", "13", 1),
    "C1": ("C", "X", "08", 1),
}
BLANKS = {"A": 1, "B": 0, "C": 1}


async def test_a_complete_election_through_http(db: Any, make_client: Any, tmp_path: Path) -> None:
    officer = await staff(make_client, db, "election_officer")
    ministro = await staff(make_client, db, "ministro_de_fe")
    nominators = {key: await org(db, cat, region=region) for key, (cat, _g, region, _v) in CANDIDATES.items()}
    inadmissible = await org(db, "A", region="05")
    voters_only = {cat: [await org(db, cat) for _ in range(n)] for cat, n in (("A", 4), ("B", 3), ("C", 1))}
    expired = await org(db, "A", vigencia_expires_on=date.today() - timedelta(days=3))
    removed = await org(db, "B")
    late_rut = "76543210-3"
    late = await create_org(db, status="in_review", category="C", region="09", comuna="09101", rut=late_rut)

    eid = await create_election(officer, seats_a=3, seats_b=2, seats_c=1)
    for target in ("call_open", "padron_provisional"):
        await must_advance(officer, eid, target)
    padron_ids = {r["org_id"] for r in await db.fetch_all("SELECT org_id FROM padron_entries WHERE election_id = :e", {"e": eid})}
    assert expired[1] not in padron_ids and removed[1] in padron_ids and late not in padron_ids

    # claims: remove one organization, add another, each resolved with a reason (audited)
    rut_removed = await db.fetch_val("SELECT rut FROM organizations WHERE id = :o", {"o": removed[1]})
    for rut, action in ((rut_removed, "remove"), (late_rut, "add")):
        r = await officer.post(f"/staff/elecciones/{eid}/padron/reclamos",
                               {"org_rut": rut, "action": action, "claimant": "Una organización", "body": "Fundamento."})
        assert r.status_code == 303, r.text[:800]
    premature = await ministro.post(f"/staff/elecciones/{eid}/padron/certificar")
    assert premature.status_code == 409 and "reclamos pendientes" in premature.text
    for claim_id in [r["id"] for r in await db.fetch_all("SELECT id FROM election_claims ORDER BY id")]:
        r = await officer.post(f"/staff/elecciones/{eid}/reclamos/{claim_id}", {"decision": "accepted", "resolution": "Acogido."})
        assert r.status_code == 303
    # only the ministro de fe certifies the padrón
    assert (await officer.post(f"/staff/elecciones/{eid}/padron/certificar")).status_code == 403
    await end_padron_claims(db, eid)
    await must_advance(ministro, eid, "padron_final")
    padron_text = (await officer.get(f"/elecciones/{eid}/padron.txt")).content
    stored = await db.fetch_one("SELECT padron_sha256, padron_size::text AS size FROM elections WHERE id = :e", {"e": eid})
    assert stored["padron_sha256"] == hashlib.sha256(padron_text).hexdigest()
    assert f"\t{late}\t".encode() in padron_text and f"\t{removed[1]}\t".encode() not in padron_text
    assert json.loads(stored["size"]) == {"A": 9, "B": 6, "C": 3}

    # candidacies
    await must_advance(officer, eid, "candidacies_open")
    cand_ids: dict[str, int] = {}
    for key, (_cat, gender, _region, _v) in {**CANDIDATES, "A5": ("A", "M", "05", 0)}.items():
        who = inadmissible if key == "A5" else nominators[key]
        client = await signed_in(make_client, who[2])
        r = await client.post(f"/elecciones/{eid}/candidatura", {
            "name": f"Persona {key}", "document_type": "passport", "document_number": f"P-{key}",
            "gender": gender, "bio": "Trabaja hace años con personas migrantes en su región.", "accepted": "1"})
        assert r.status_code == 303, r.text[:1500]
        cand_ids[key] = await db.fetch_val("SELECT id FROM candidates WHERE org_id = :o", {"o": who[1]})
    await must_advance(officer, eid, "candidacies_review")
    for key, cid in cand_ids.items():
        data = {"status": "inadmissible", "reason": "No aceptó por escrito."} if key == "A5" else {"status": "admissible"}
        assert (await officer.post(f"/staff/elecciones/{eid}/candidaturas/{cid}", data)).status_code == 303
    r = await ministro.post(f"/staff/elecciones/{eid}/sorteo", {"seed": "acto-publico-2026"})
    assert r.status_code == 303

    # trustees: the ministro de fe and an observer; each makes a key offline and uploads it
    trustees = await _appoint_trustees(db, make_client, officer, ministro, eid, tmp_path)
    await must_advance(officer, eid, "voting_open")
    early_record = (await officer.get(f"/elecciones/{eid}/registro.json")).content  # someone saves a copy

    # voting: every nominator and the other padrón organizations; blanks as in BLANKS
    plan: list[tuple[str, str]] = []
    for key, (cat, _g, _r, votes) in CANDIDATES.items():
        plan += [(cat, str(cand_ids[key]))] * votes
    plan += [(cat, "blank") for cat, n in BLANKS.items() for _ in range(n)]
    pool = {cat: [v for k, v in nominators.items() if CANDIDATES[k][0] == cat] + voters_only[cat] for cat in "ABC"}
    pool["A"].append(inadmissible)
    receipts = []
    for cat, choice in plan:
        voter = pool[cat].pop()
        client = await signed_in(make_client, voter[2])
        cast = await vote_http(client, eid, choice)
        assert cast.status_code == 200 and cast.headers["cache-control"] == "no-store"
        code = cast.text.split('data-code="')[1].split('"')[0]
        receipts.append(code)
        assert code[:4] + "</span> <span" in cast.text and "<svg" not in cast.text  # grouped by 4; QR on demand
        printable = await client.post(f"/elecciones/{eid}/comprobante/imprimir", {"code": code})
        assert printable.status_code == 200 and printable.headers["cache-control"] == "no-store"
        assert "<svg" in printable.text and code[:4] + "</span> <span" in printable.text  # the QR code, grouped
        assert "se envió por correo" not in cast.text and "no trae el código" not in cast.text  # no mail server
        kept = await client.post(f"/elecciones/{eid}/comprobante.txt", {"code": code})
        assert kept.status_code == 200 and " ".join(code[i:i + 4] for i in range(0, 64, 4)) in kept.text
        assert kept.headers["cache-control"] == "no-store"
        again = await client.get(f"/elecciones/{eid}/comprobante")
        assert code not in again.text and "no puede mostrarse de nuevo" in again.text
        mails = await db.fetch_all("SELECT body, redacted_body FROM outbox WHERE to_addr = :t", {"t": voter[2]})
        assert any("quedó registrado" in m["body"] for m in mails)
        # no mail server configured: the code that links the organization to its ballot is never stored
        assert not any(code in (m["body"] + (m["redacted_body"] or "")) for m in mails)
    assert len(set(receipts)) == len(plan) == 8 + 6 + 2
    # nobody sees results before the count
    assert "no hay resultados parciales" in (await officer.get(f"/elecciones/{eid}/resultados")).text
    assert (await officer.get(f"/elecciones/{eid}/boletin.json")).status_code == 404

    refused = await officer.post(f"/staff/elecciones/{eid}/fase", {"to": "voting_closed"})
    assert refused.status_code == 409 and "ventana" in refused.text
    await end_voting_window(db, eid)
    await must_advance(officer, eid, "voting_closed")
    premature = await officer.post(f"/staff/elecciones/{eid}/escrutinio")
    assert premature.status_code == 409 and "pasos de custodios" in premature.text
    await _trustee_steps(officer, trustees, eid, tmp_path)
    await must_advance(officer, eid, "tallied")

    # the stored allocation equals elections.allocate on the same data, computed here directly
    counts = {str(r["candidate_id"]): r["n"] for r in await db.fetch_all(
        "SELECT candidate_id, count(*) AS n FROM ballots WHERE election_id = :e AND candidate_id IS NOT NULL GROUP BY 1",
        {"e": eid})}
    direct = elections.allocate({"A": 3, "B": 2, "C": 1}, [
        {"id": str(cand_ids[k]), "category": c, "gender": g, "region": reg, "votes": counts.get(str(cand_ids[k]), 0)}
        for k, (c, g, reg, _v) in CANDIDATES.items()], lottery_seed="acto-publico-2026",
        rules={"territorial_share": "1/2", "gender_share": "3/5"})
    header = json.loads(await db.fetch_val("SELECT header::text FROM election_results WHERE election_id = :e", {"e": eid}))
    assert header["allocation"] == direct.to_dict("en")
    expected = {"A": ["A1", "A2", "A4"], "B": ["B2", "B3"], "C": ["C1"]}
    for cat, keys in expected.items():
        assert sorted(direct.categories[cat].elected) == sorted(str(cand_ids[k]) for k in keys)
    assert header["totals"]["categories"]["A"]["blank"] == 1 and header["totals"]["ballots"] == 16

    results = await officer.get(f"/elecciones/{eid}/resultados")
    assert results.status_code == 200 and "Persona B2" in results.text and header["padron_sha256"] in results.text
    lookup = await officer.get(f"/elecciones/{eid}/recibo", params={"codigo": receipts[0]})
    assert "fue contado" in lookup.text
    grouped = "-".join(receipts[1][i:i + 4] for i in range(0, 64, 4)).upper()  # as printed, typed back
    assert "fue contado" in (await officer.get(f"/elecciones/{eid}/recibo", params={"codigo": grouped})).text

    # the bulletin verifies with the elections verifier (API and CLI); one changed ballot fails
    bulletin = await officer.get(f"/elecciones/{eid}/boletin.json")
    assert bulletin.status_code == 200
    digest = await db.fetch_val("SELECT bulletin_sha256 FROM election_results WHERE election_id = :e", {"e": eid})
    assert hashlib.sha256(bulletin.content).hexdigest() == digest
    path, padron_path = tmp_path / "boletin.json", tmp_path / "padron.txt"
    path.write_bytes(bulletin.content)
    padron_path.write_bytes(padron_text)
    assert elections.verify_bulletin(io.StringIO(bulletin.text)) == []
    cli = subprocess.run([sys.executable, "-m", "elections", "verify", str(path), "--padron", str(padron_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    tampered = _tamper(bulletin.text, str(cand_ids["B1"]), str(cand_ids["B2"]))
    (tmp_path / "bad.json").write_text(tampered)
    assert elections.verify_bulletin(io.StringIO(tampered))
    bad = subprocess.run([sys.executable, "-m", "elections", "verify", str(tmp_path / "bad.json")],
                         cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 1

    # proclamation by the ministro de fe: the acta (HTML and PDF) with both hashes
    assert (await officer.post(f"/staff/elecciones/{eid}/proclamar")).status_code == 403
    await end_results_claims(db, eid)
    await must_advance(ministro, eid, "proclaimed")
    acta = await officer.get(f"/elecciones/{eid}/acta")
    assert acta.status_code == 200 and digest in acta.text and header["padron_sha256"] in acta.text
    pdf = await officer.get(f"/elecciones/{eid}/acta.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    await must_advance(officer, eid, "constituted")
    council = await officer.get("/consejo")
    assert all(f"Persona {k}" in council.text for keys in expected.values() for k in keys)

    # a vacancy: the seat goes to elections.replacement_order's first candidate
    leaving = str(cand_ids["A4"])
    want = elections.replacement_order(direct.categories["A"], leaving)
    r = await officer.post(f"/staff/elecciones/{eid}/vacantes",
                           {"leaving_id": leaving, "left_on": date.today().isoformat(), "reason": "Renuncia."})
    assert r.status_code == 303
    got = await db.fetch_val("SELECT replacement_id FROM council_changes WHERE election_id = :e", {"e": eid})
    assert (str(got) if got else None) == (want[0] if want else None)
    council = await officer.get("/consejo")
    assert "Persona A4" in council.text  # named in the changes, not among the members
    members = council.text.split("Cambios durante el periodo")[0]
    assert "Persona A4" not in members

    # the public record verifies offline, with a copy saved during the vote; any change to any event fails it
    record = await officer.get(f"/elecciones/{eid}/registro.json")
    (tmp_path / "registro.json").write_bytes(record.content)
    (tmp_path / "early.json").write_bytes(early_record)
    out = run_cli("verify", str(tmp_path / "registro.json"), "--checkpoint", str(tmp_path / "early.json"))
    assert "OK" in out or "stage: proclaimed" in out
    parsed = json.loads(record.content)
    assert [e["type"] for e in parsed["events"]][-3:] == ["tally", "allocation", "proclamation"]
    assert all(len(e["at"]) == 10 for e in parsed["events"])  # dates only: coarse
    for i in range(len(parsed["events"])):
        changed = json.loads(record.content)
        changed["events"][i]["payload"] = {"changed": True, **(changed["events"][i]["payload"] or {})}
        assert not check_record(changed).ok, f"event {i} changed and the record still verifies"

    # every transition is in the election log and the audit log
    log = [r["to_phase"] for r in await db.fetch_all(
        "SELECT to_phase FROM election_log WHERE election_id = :e AND event = 'phase_changed' ORDER BY id", {"e": eid})]
    assert log == ["call_open", "padron_provisional", "padron_final", "candidacies_open", "candidacies_review",
                   "voting_open", "voting_closed", "tallied", "proclaimed", "constituted"]
    audited = await db.fetch_val("SELECT count(*) FROM audit_log WHERE action = 'election.phase_changed'")
    assert audited == len(log)


async def _appoint_trustees(db: Any, make_client: Any, officer: Any, ministro: Any, eid: int,
                            tmp_path: Path) -> list[tuple[Any, Path]]:
    """The officer names the ministro de fe and an observer; each runs `trustee keygen` and uploads."""
    ministro_email = await db.fetch_val("SELECT u.email FROM users u JOIN user_roles r ON r.user_id = u.id "
                                        "WHERE r.role = 'ministro_de_fe' ORDER BY u.id DESC LIMIT 1")
    await create_user(db, "observadora@cosoc.cl", name="Observadora del COSOC")
    observer = await signed_in(make_client, "observadora@cosoc.cl")
    for email in (ministro_email, "observadora@cosoc.cl"):
        assert (await officer.post(f"/staff/elecciones/{eid}/custodios", {"email": email})).status_code == 303
    refused = await officer.post(f"/staff/elecciones/{eid}/fase", {"to": "voting_open"})
    assert refused.status_code == 409 and "claves de custodios" in refused.text
    out = []
    for position, client in ((1, ministro), (2, observer)):
        page = await client.get(f"/elecciones/{eid}/custodios/{position}")
        assert page.status_code == 200
        folder = tmp_path / f"custodio{position}"
        run_cli("trustee", "keygen", "--out", str(folder), "--election", str(eid), "--challenge", challenge_of(page.text))
        if position == 2:  # a proof made for another challenge is refused, with the reason
            run_cli("trustee", "keygen", "--out", str(tmp_path / "otro"), "--election", str(eid), "--challenge", "otro")
            bad = await upload(client, f"/elecciones/{eid}/custodios/2", "key",
                               (tmp_path / "otro" / "trustee-public.json").read_bytes())
            assert bad.status_code == 409 and "another challenge" in bad.text
            assert (await client.get(f"/elecciones/{eid}/custodios/1")).status_code == 404  # not their page
        r = await upload(client, f"/elecciones/{eid}/custodios/{position}", "key",
                         (folder / "trustee-public.json").read_bytes())
        assert r.status_code == 303, r.text[:1000]
        out.append((client, folder))
    return out


async def _trustee_steps(officer: Any, trustees: list[tuple[Any, Path]], eid: int, tmp_path: Path) -> None:
    """After the close each trustee downloads its batch, runs `trustee step` offline and uploads it
    (the second one works from the whole record, which the command verifies first)."""
    for position, (client, folder) in enumerate(trustees, 1):
        if position == 1:
            source = await client.get(f"/elecciones/{eid}/custodios/1/lote.json")
        else:
            source = await client.get(f"/elecciones/{eid}/registro.json")
        assert source.status_code == 200
        (folder / "input.json").write_bytes(source.content)
        run_cli("trustee", "step", "--key", str(folder / "trustee.key"), "--input", str(folder / "input.json"),
                "--out", str(folder / "step.json"))
        r = await upload(client, f"/elecciones/{eid}/custodios/{position}", "step", (folder / "step.json").read_bytes())
        assert r.status_code == 303, r.text[:1000]
    progress = await officer.get(f"/elecciones/{eid}/custodios")
    assert progress.text.count("Subido y verificado") == 2


def _tamper(text: str, old: str, new: str) -> str:
    """Change one ballot's choice (its tracking code no longer matches)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith('{"code"') and f'"choice":"{old}"' in line:
            lines[i] = line.replace(f'"choice":"{old}"', f'"choice":"{new}"')
            return "\n".join(lines)
    raise AssertionError("no ballot to tamper with")

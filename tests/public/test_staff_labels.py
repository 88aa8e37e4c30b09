"""Staff pages show labels, not codes (issue 16, item 10): the audit log's actions and objects, the outbox's
delivery status."""

from __future__ import annotations

from typing import Any

import pytest
from factories import create_user

from portal import audit, mail


@pytest.mark.parametrize(("lang", "expected"), [
    ("es", ["Registro: aprobada", "Organización n.º 60", "Sello Migrante: enlace invitado", "Municipalidad 05101 (Sello)",
            "Elecciones: cambio de etapa", "Cuentas: creada", "En cola"]),
    ("en", ["Registry: approved", "Organization no. 60", "Sello Migrante: liaison invited",
            "Municipality 05101 (Sello)", "Elections: phase change", "Accounts: created", "Queued"]),
])
async def test_audit_log_and_outbox_show_labels(db: Any, make_client: Any, lang: str, expected: list[str]) -> None:
    await create_user(db, "admin@sermig.cl", roles=["admin"])
    await audit.record(db, actor=None, action="registry.approved", object_type="organization", object_id=60)
    await audit.record(db, actor=None, action="sello.liaison_invited", object_type="sello_municipality", object_id="05101")
    await audit.record(db, actor=None, action="election.phase_changed", object_type="election", object_id=3)
    await audit.record(db, actor=None, action="account.created", object_type="user", object_id=7)
    await audit.record(db, actor=None, action="novel.thing_done", object_type="widget_kind", object_id=1)
    await mail.queue(db, "a@example.cl", "Asunto", "Cuerpo")
    admin = make_client()
    await admin.login("admin@sermig.cl")
    admin.http.cookies.set("lang", lang)
    text = (await admin.get("/staff/auditoria")).text + (await admin.get("/staff/correo")).text
    for label in expected:
        assert label in text
    for code in ("registry.approved", "sello.liaison_invited", "election.phase_changed", "novel.thing_done",
                 "organization 60", ">pending<"):
        assert code not in text
    assert 'href="/staff/registro/60"' in text and 'href="/staff/sello/05101"' in text

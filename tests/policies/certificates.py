"""Access rules for certificates: public verification and PDF, the registry certificate, revocation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from policies import World, only, public

from portal import clock
from portal.certificates import service


async def extend_world(db: Any, world: World) -> None:
    world.ids["certificate"] = await service.issue(
        db, kind="sello", subject_type="municipality", subject_id="05101", subject_name="Municipalidad de Valparaíso",
        title="Sello Migrante 2026–2028", valid_from=clock.today(), valid_until=clock.today() + timedelta(days=730),
        actor=None)


def _code(w: World) -> dict[str, Any]:
    return {"code": w.ids["certificate"]}


POLICY = {
    ("GET", "/certificados"): public(),
    ("GET", "/certificados/{code}.pdf"): public(params=_code),
    ("GET", "/certificados/{code}"): public(params=_code),
    ("GET", "/mi-organizacion/certificado"): only("rep", "rep_other"),
    ("POST", "/mi-organizacion/certificado"): only("rep", "rep_other"),
    ("GET", "/staff/certificados/{code}/revocar"): only("sello_evaluator", params=_code),
    ("POST", "/staff/certificados/{code}/revocar"): only("sello_evaluator", params=_code),
}

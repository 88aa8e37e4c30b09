"""Property-based: arbitrary input to the record form and the public search never causes a 500."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from factories import create_org, create_user
from registry_helpers import org_form

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
NASTY = st.sampled_from(["&", "|", "!", "(", ")", ":*", "'", '"', "\\", "<->", "-", "or", "%", "_", "\x00",
                         "ñ", "é", "𝔘", "<script>", "x" * 5000, "1" * 5000, "", "de la y", "!(a|b)&c:*"])
QUERY = st.lists(st.one_of(TEXT, NASTY), max_size=4).map(" ".join)
FIELDS = ("rut", "legal_name", "short_name", "legal_form", "category", "region_code", "comuna_code", "address",
          "public_email", "phone", "website", "description", "areas", "founded_on", "members", "migrant_share",
          "legal_rep_name", "legal_rep_run")
SETTINGS = settings(deadline=None, max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(q=QUERY, region=st.one_of(TEXT, st.sampled_from(["05", "13", "99"])),
       page=st.one_of(TEXT, st.integers().map(str)), extra=st.one_of(TEXT, NASTY))
async def test_search_never_fails(client: Any, db: Any, q: str, region: str, page: str, extra: str) -> None:
    if not await db.fetch_val("SELECT count(*) FROM organizations"):
        await create_org(db, name="Fundación Búsqueda")
    response = await client.get("/organizaciones", params={"q": q, "region": region, "page": page,
                                                           "comuna": extra, "area": extra, "status": extra})
    assert response.status_code == 200
    assert "Fundación Búsqueda" in response.text or "organizaciones" in response.text


@SETTINGS
@given(field=st.sampled_from(FIELDS), value=st.one_of(TEXT, NASTY), second=st.sampled_from(FIELDS),
       other=st.one_of(TEXT, NASTY))
async def test_record_form_never_fails(client: Any, db: Any, field: str, value: str, second: str, other: str) -> None:
    if client.user is None:
        await create_user(db, "fuzz@prueba.cl")
        await client.login("fuzz@prueba.cl")
        client.user = "fuzz@prueba.cl"
    response = await client.post("/mi-organizacion/inscribir", org_form(**{field: value, second: other}))
    assert response.status_code in (303, 422), response.status_code
    stored = await db.fetch_val("SELECT count(*) FROM organizations")
    if response.status_code == 422:
        assert stored == 0  # nothing partial
    else:  # valid after all: undo, so the person has no organization for the next example
        assert stored == 1
        await db.execute("DELETE FROM organizations")

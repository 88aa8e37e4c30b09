"""Property-based: arbitrary input to the account forms never causes a 500 and never stores junk."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
FIELDS = ("name", "email", "document_type", "document_number", "password", "password_confirm")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({k: text for k in FIELDS}))
async def test_signup_never_fails_with_a_500(client: Any, db: Any, values: dict[str, str]) -> None:
    before = await db.fetch_val("SELECT count(*) FROM users")
    response = await client.post("/cuenta/crear", values)
    assert response.status_code in (303, 422, 429), response.status_code
    after = await db.fetch_val("SELECT count(*) FROM users")
    if response.status_code == 422:
        assert "Revise los datos marcados" in response.text
        assert after == before  # nothing partial stored
    elif response.status_code == 303:
        assert after in (before, before + 1)  # an email already taken answers the same, creating nothing


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(email=text, password=text, next_=text)
async def test_login_never_fails_with_a_500(client: Any, email: str, password: str, next_: str) -> None:
    response = await client.post("/ingresar", {"email": email, "password": password, "next": next_})
    assert response.status_code in (422, 429)

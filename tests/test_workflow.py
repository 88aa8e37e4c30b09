"""The shared workflow layer: transition(), Conflict and its one 409 page, Check, the clock, Where."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from portal import audit, clock
from portal.txn import atomic
from portal.where import Where
from portal.workflow import ALLOWED, Check, Conflict, Machine, first_refusal, moves, refuse, require, transition

ITEMS = Machine(table="workflow_test_items", object_type="test_item", audit_prefix="test",
                moves=moves(open=("draft",), closed=("open",), draft=("closed",)))


@pytest.fixture
async def items(db: Any, owner_db: Any) -> Any:
    """A throw-away table made by the owner (the app's role may not create tables), used by the app."""
    await owner_db.execute("CREATE TABLE IF NOT EXISTS workflow_test_items (id int PRIMARY KEY, status text NOT NULL, "
                           "closed_at timestamptz)")
    app_role = await db.fetch_val("SELECT current_user")
    await owner_db.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON workflow_test_items TO "{app_role}"')
    await db.execute("INSERT INTO workflow_test_items (id, status) VALUES (1, 'draft'), (2, 'open')")
    yield db
    await owner_db.execute("DROP TABLE workflow_test_items")


async def _status(db: Any, key: int) -> str:
    return str(await db.fetch_val("SELECT status FROM workflow_test_items WHERE id = :k", {"k": key}))


async def test_transition_writes_state_and_audit_together(items: Any) -> None:
    moved = await transition(items, ITEMS, 2, "closed", actor=None, sets={"closed_at": "now()"},
                             after={"why": "done"})
    assert (moved.before, moved.after) == ("open", "closed")
    assert await _status(items, 2) == "closed"
    assert await items.fetch_val("SELECT closed_at IS NOT NULL FROM workflow_test_items WHERE id = 2")
    events = await audit.history(items, "test_item", 2)
    assert [e["action"] for e in events] == ["test.closed"]
    assert (await audit.verify(items)).ok


async def test_a_move_from_an_unexpected_state_is_a_conflict_and_changes_nothing(items: Any) -> None:
    with pytest.raises(Conflict) as refused:
        await transition(items, ITEMS, 1, "closed", actor=None)  # draft → closed is not a move
    assert "estado cambió" in refused.value.reason
    with pytest.raises(Conflict, match="ya está abierto"):
        await transition(items, ITEMS, 2, "open", actor=None, refusal="ya está abierto")
    with pytest.raises(Conflict):  # a missing row is refused the same way
        await transition(items, ITEMS, 99, "open", actor=None)
    with pytest.raises(Conflict):  # `expected` narrows the machine's sources
        await transition(items, ITEMS, 1, "open", actor=None, expected=("closed",))
    assert [await _status(items, 1), await _status(items, 2)] == ["draft", "open"]
    assert await items.fetch_val("SELECT count(*) FROM audit_log") == 0


async def test_a_conflict_inside_a_transaction_rolls_back_what_came_before(items: Any) -> None:
    with pytest.raises(Conflict):
        async with atomic(items):
            await transition(items, ITEMS, 1, "open", actor=None)
            await transition(items, ITEMS, 1, "open", actor=None)  # the second one sees 'open'
    assert await _status(items, 1) == "draft"
    assert await items.fetch_val("SELECT count(*) FROM audit_log") == 0


async def test_sets_may_not_overwrite_the_state_column(items: Any) -> None:
    with pytest.raises(ValueError, match="state column"):
        await transition(items, ITEMS, 2, "closed", actor=None, sets={"status": "'open'"})
    assert await _status(items, 2) == "open"


def test_checks() -> None:
    assert ALLOWED == (True, "")
    allowed, reason = refuse("no")
    assert (allowed, reason) == (False, "no")
    assert first_refusal(ALLOWED, refuse("a"), refuse("b")) == Check(False, "a")
    assert first_refusal(ALLOWED, ALLOWED).allowed
    require(ALLOWED)
    with pytest.raises(Conflict, match="a"):
        require(refuse("a"), page="/x")


async def _raise(request: Request) -> PlainTextResponse:
    raise Conflict("La elección ya cerró.", page=request.query_params.get("page"))


@pytest.fixture
async def conflict_client(app: Any, clean_db: None) -> Any:
    route = Route("/_test/conflict", _raise, methods=["GET", "POST"])
    app.router.routes.insert(0, route)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
            yield http
    finally:
        app.router.routes.remove(route)


async def test_conflict_is_409_on_the_page_the_user_was_on(conflict_client: Any) -> None:
    page = await conflict_client.get("/_test/conflict?page=/organizaciones")
    assert page.status_code == 409
    assert "La elección ya cerró." in page.text and 'role="alert"' in page.text
    # the registry's own page was rendered, with its content
    assert "<h1" in page.text and "organizaciones" in page.text.lower()
    # htmx asks the same: the whole page, not a fragment it would swap into the wrong place
    hx = await conflict_client.get("/_test/conflict?page=/organizaciones", headers={"HX-Request": "true"})
    assert hx.status_code == 409 and "La elección ya cerró." in hx.text and "<html" in hx.text


async def test_conflict_falls_back_to_the_plain_409_page(conflict_client: Any) -> None:
    missing = await conflict_client.get("/_test/conflict?page=/no-such-page")
    assert missing.status_code == 409 and "La elección ya cerró." in missing.text
    from_referer = await conflict_client.get("/_test/conflict", headers={"Referer": "http://testserver/datos"})
    assert from_referer.status_code == 409 and "La elección ya cerró." in from_referer.text
    assert "datos" in from_referer.text.lower()
    foreign = await conflict_client.get("/_test/conflict", headers={"Referer": "http://evil.example/datos"})
    assert foreign.status_code == 409 and "La elección ya cerró." in foreign.text


@pytest.mark.parametrize(("utc", "chile_day"), [
    # summer time (UTC-3): 23:30 and 00:30 in Chile
    (datetime(2026, 3, 10, 2, 30, tzinfo=UTC), date(2026, 3, 9)),
    (datetime(2026, 3, 10, 3, 30, tzinfo=UTC), date(2026, 3, 10)),
    # winter time (UTC-4)
    (datetime(2026, 7, 10, 3, 30, tzinfo=UTC), date(2026, 7, 9)),
    (datetime(2026, 7, 10, 4, 30, tzinfo=UTC), date(2026, 7, 10)),
])
def test_today_is_chile_s_date_whatever_the_server_clock(utc: datetime, chile_day: date) -> None:
    with clock.frozen(utc):
        assert clock.today() == chile_day
        assert clock.now().utcoffset() is not None and clock.now() == utc
    with pytest.raises(ValueError):
        with clock.frozen(datetime(2026, 1, 1)):
            pass


async def test_connections_speak_chile_s_time_zone(db: Any) -> None:
    assert await db.fetch_val("SHOW TimeZone") == clock.TZ_NAME


def test_where_builder() -> None:
    w = Where("o.listed").when("05", "o.region_code = :region", "region").when("", "o.kind = :kind", "kind")
    w.when(None, "o.x = :x", "x").add("o.areas @> :areas", areas=["salud"])
    assert w.sql == "WHERE o.listed AND o.region_code = :region AND o.areas @> :areas"
    assert w.params == {"region": "05", "areas": ["salud"]}
    assert Where().sql == "" and Where().conditions == "TRUE"

"""Finding 2 and 10 (issue 10): throttling that protects rather than locks out.

Before: failures were counted per email only, so six wrong passwords from anywhere locked the owner
out (429 on the right password), a reset did not clear it, and nothing limited one address trying
many accounts or asking for many emails (docs/security.md, Throttling)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from factories import TEST_PASSWORD, create_user
from portal import mail
from portal.accounts import throttle


@pytest.fixture
def client_at(app: Any, client: Any):  # type: ignore[no-untyped-def]
    """A client (tests/conftest.py's Client) seen by the app as coming from `address`."""
    def make(address: str) -> Any:
        return type(client)(httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)),
                                              base_url="http://testserver"))
    return make


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The account-wide slowing, observed instead of waited for."""
    seen: list[float] = []

    async def record(seconds: float) -> None:
        seen.append(seconds)

    monkeypatch.setattr(throttle, "pause", record)
    return seen


async def _fail(client: Any, email: str, times: int) -> list[int]:
    return [(await client.post("/ingresar", {"email": email, "password": "equivocada-123"})).status_code
            for _ in range(times)]


async def test_attacker_cannot_lock_the_owner_out(db, client_at, pauses) -> None:
    await create_user(db, "victima@x.cl")
    attacker = client_at("203.0.113.66")
    assert await _fail(attacker, "victima@x.cl", 6) == [422] * 5 + [429]
    refused = await attacker.post("/ingresar", {"email": "victima@x.cl", "password": TEST_PASSWORD})
    assert refused.status_code == 429 and "Demasiados intentos" in refused.text and refused.headers["retry-after"]
    owner = client_at("198.51.100.7")
    await owner.login("victima@x.cl")  # the right password from the owner's address: in
    assert (await owner.get("/cuenta")).status_code == 200
    assert pauses == []


async def test_failures_from_many_addresses_only_slow_the_account(db, client_at, pauses) -> None:
    await create_user(db, "victima@x.cl")
    for n in range(40):  # a distributed attack: 40 addresses, one failure each
        assert await _fail(client_at(f"203.0.113.{n + 1}"), "victima@x.cl", 1) == [422]
    owner = client_at("198.51.100.7")
    await owner.login("victima@x.cl")
    assert pauses and max(pauses) <= throttle.ACCOUNT_PAUSE_MAX  # slowed a little, never refused


async def test_a_password_reset_clears_the_account_failures(db, client_at) -> None:
    await create_user(db, "r@x.cl")
    person = client_at("198.51.100.9")
    await _fail(person, "r@x.cl", 5)
    assert (await person.post("/ingresar", {"email": "r@x.cl", "password": TEST_PASSWORD})).status_code == 429
    assert (await person.post("/cuenta/recuperar", {"email": "r@x.cl"})).status_code == 303
    link = (await mail.recent(db, to="r@x.cl"))[0]["body"].split("http://testserver", 1)[1].split()[0]
    new = "una-clave-nueva-larga"
    assert (await person.post(link, {"password": new, "password_confirm": new})).status_code == 303
    person.forget_token()
    await person.login("r@x.cl", new)


async def test_password_spraying_from_one_address_is_refused(db, client_at) -> None:
    emails = [f"p{n}@x.cl" for n in range(20)]
    for email in emails:
        await create_user(db, email)
    sprayer = client_at("203.0.113.99")
    statuses = [s for _ in range(4) for email in emails for s in await _fail(sprayer, email, 1)]
    assert len(statuses) == 80
    assert statuses.count(422) == throttle.ADDRESS_FREE and statuses.count(429) == 80 - throttle.ADDRESS_FREE
    # another address is not affected
    assert await _fail(client_at("198.51.100.1"), emails[0], 1) == [422]


async def test_reset_requests_do_not_flood_a_mailbox(db, client_at) -> None:
    await create_user(db, "buzon@x.cl")
    statuses = [(await client_at("203.0.113.5").post("/cuenta/recuperar", {"email": "buzon@x.cl"})).status_code
                for _ in range(20)]
    assert statuses[:throttle.MAIL_REQUESTS_PER_ADDRESS] == [303] * throttle.MAIL_REQUESTS_PER_ADDRESS
    assert len(await mail.recent(db, to="buzon@x.cl")) == throttle.MAIL_REQUESTS_PER_EMAIL
    # from many addresses at once: the per-recipient cap in portal/mail.py still holds
    for n in range(20):
        await client_at(f"192.0.2.{n + 1}").post("/cuenta/recuperar", {"email": "buzon@x.cl"})
    assert len(await mail.recent(db, to="buzon@x.cl")) <= throttle.MAIL_PER_RECIPIENT_HOUR


async def test_one_address_asking_for_many_emails_is_refused(db, client_at) -> None:
    asker = client_at("203.0.113.77")
    statuses = [(await asker.post("/cuenta/recuperar", {"email": f"n{n}@x.cl"})).status_code for n in range(25)]
    assert statuses.count(303) == throttle.MAIL_REQUESTS_PER_ADDRESS and statuses[-1] == 429
    page = await asker.post("/cuenta/recuperar", {"email": "otra@x.cl"})
    assert page.status_code == 429 and 'value="otra@x.cl"' in page.text  # the user's value kept


async def test_signup_is_throttled_per_address(client_at) -> None:
    asker = client_at("203.0.113.78")
    form = {"name": "Ana", "document_type": "passport", "document_number": "P123",
            "password": TEST_PASSWORD, "password_confirm": TEST_PASSWORD}
    statuses = [(await asker.post("/cuenta/crear", {**form, "email": f"s{n}@x.cl"})).status_code for n in range(22)]
    assert statuses.count(303) == throttle.MAIL_REQUESTS_PER_ADDRESS and statuses[-1] == 429


async def test_verification_mail_is_throttled_per_email(db, client_at) -> None:
    await create_user(db, "nv@x.cl", verified=False)
    for n in range(6):
        response = await client_at(f"192.0.2.{n + 1}").post("/cuenta/verificar/reenviar", {"email": "nv@x.cl"})
        assert response.status_code == 303
    assert len(await mail.recent(db, to="nv@x.cl")) == throttle.MAIL_REQUESTS_PER_EMAIL


async def test_mail_queue_caps_one_recipient_per_hour(db) -> None:
    for _ in range(8):
        await mail.queue(db, "x@x.cl", "s", "b", per_hour=5)
    await mail.queue(db, "x@x.cl", "s", "b")  # mail nobody can trigger at will is not capped
    assert len(await mail.recent(db, to="x@x.cl")) == 6


@pytest.mark.parametrize(("failures", "free", "expected"), [(0, 5, 0), (4, 5, 0), (5, 5, 30), (6, 5, 60),
                                                            (20, 5, 3600)])
def test_backoff_doubles_up_to_a_cap(failures: int, free: int, expected: float) -> None:
    assert throttle.backoff(failures, free, 30, 3600) == expected

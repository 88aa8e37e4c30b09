"""`portal serve --port P` links to where it answers (issue 16, item 11): the base URL follows the port when
PORTAL_BASE_URL is unset, and the links a person receives (the verification email, a certificate's QR code)
lead to a page that answers 200."""

from __future__ import annotations

import argparse
import os
import re
from datetime import date
from typing import Any

import pytest

from portal import cli
from portal.certificates import pdf as certificate_pdf, service as certificates
from portal.settings import Settings, served_base_url


class _Stop(Exception):
    pass


def _serve(monkeypatch: pytest.MonkeyPatch, *, port: int, host: str = "127.0.0.1") -> None:
    def stop(_settings: Settings) -> Any:
        raise _Stop  # cmd_serve has decided the base URL; nothing is started

    monkeypatch.setattr(cli, "database_targets", stop)
    args = argparse.Namespace(host=host, port=port, demo=False, workers=1, log_level="info", access_log=False)
    with pytest.raises(_Stop):
        cli.cmd_serve(args, Settings(database_url="postgresql://unused/db"))


def test_serve_sets_the_base_url_from_the_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_BASE_URL", "recorded")  # so the variable cmd_serve sets is removed afterwards
    monkeypatch.delenv("PORTAL_BASE_URL")
    _serve(monkeypatch, port=18234)
    assert os.environ["PORTAL_BASE_URL"] == "http://127.0.0.1:18234"
    assert Settings.from_env().base_url == "http://127.0.0.1:18234"  # what every worker's app reads


def test_serve_keeps_a_base_url_that_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_BASE_URL", "https://participa.example.cl")
    _serve(monkeypatch, port=18234)
    assert Settings.from_env().base_url == "https://participa.example.cl"


@pytest.mark.parametrize(("host", "expected"), [
    ("127.0.0.1", "http://127.0.0.1:9000"), ("0.0.0.0", "http://127.0.0.1:9000"),  # noqa: S104 (a test value)
    ("::", "http://127.0.0.1:9000"), ("::1", "http://[::1]:9000"), ("portal.local", "http://portal.local:9000"),
])
def test_served_base_url(host: str, expected: str) -> None:
    assert served_base_url(host, 9000) == expected


async def test_the_verification_link_in_the_email_answers(db: Any, client: Any, settings: Settings) -> None:
    signup = await client.post("/cuenta/crear", {
        "name": "Rosa Pérez", "email": "rosa@example.cl", "document_type": "run", "document_number": "12.345.678-5",
        "password": "una clave larga 123", "password_confirm": "una clave larga 123"})
    assert signup.status_code == 303
    body = await db.fetch_val("SELECT body FROM outbox WHERE to_addr = 'rosa@example.cl'")
    link = re.search(r"(https?://\S+)", body).group(1)
    assert link.startswith(settings.base_url + "/")
    page = await client.get(link.removeprefix(settings.base_url), follow_redirects=True)
    assert page.status_code == 200
    assert await db.fetch_val("SELECT email_verified_at IS NOT NULL FROM users WHERE email = 'rosa@example.cl'")


async def test_the_certificate_qr_link_answers(db: Any, client: Any, settings: Settings,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    code = await certificates.issue(db, kind="sello", subject_type="municipality", subject_id="13101",
                                    subject_name="Municipalidad de Santiago", title="Sello Migrante 2026–2028",
                                    valid_from=date(2026, 1, 5), valid_until=date(2028, 1, 5), actor=None)
    encoded: list[str] = []
    real = certificate_pdf.qr_payload

    def spy(url: str) -> str:
        encoded.append(url)
        return real(url)

    monkeypatch.setattr(certificate_pdf, "qr_payload", spy)
    document = await client.get(f"/certificados/{code}.pdf")
    assert document.status_code == 200 and document.content.startswith(b"%PDF")
    assert encoded == [f"{settings.base_url}/certificados/{code}"]
    page = await client.get(encoded[0].removeprefix(settings.base_url))
    assert page.status_code == 200 and code in page.text

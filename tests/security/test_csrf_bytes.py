"""Finding 7: a non-ASCII CSRF token made every POST a 500 (`hmac.compare_digest` raises TypeError on
non-ASCII str). Now any byte sequence, in the form field, the header or the body, is refused with 403."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, strategies as st

from portal.security import tokens_match

BAD_TOKENS = ["é", "%C3%A9", "ñ" * 40, "\u0000", "x" * 100_000, "\U0001F600"]


@pytest.mark.parametrize("token", BAD_TOKENS)
async def test_non_ascii_form_token_is_refused_not_a_500(client: Any, token: str) -> None:
    await client.token()  # the session has a real token
    response = await client.post("/ingresar", {"email": "a@b.cl", "password": "x", "csrf_token": token}, csrf=False)
    assert response.status_code == 403


async def test_the_reported_request_exactly(client: Any) -> None:
    """`curl --data 'csrf_token=%C3%A9' /ingresar`, with a session and without one."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert (await client.http.post("/ingresar", content=b"csrf_token=%C3%A9", headers=headers)).status_code == 403
    await client.token()
    assert (await client.http.post("/ingresar", content=b"csrf_token=%C3%A9", headers=headers)).status_code == 403


@pytest.mark.parametrize("body", [b"csrf_token=%FF%FE%00", b"csrf_token=\xff\xfe\x00&email=\xc3", b"\x00" * 64,
                                  b"csrf_token=" + b"%E9" * 3000, b"=&&==&csrf_token&csrf_token="])
async def test_raw_bytes_in_a_urlencoded_body(client: Any, body: bytes) -> None:
    await client.token()
    response = await client.http.post("/ingresar", content=body,
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 403


@pytest.mark.parametrize("header", [b"\xc3\xa9", b"\xff" * 10, b"token\x7f", b"a" * 8000])
async def test_raw_bytes_in_the_csrf_header(client: Any, header: bytes) -> None:
    await client.token()
    response = await client.http.post("/cuenta/recuperar", data={"email": "a@b.cl"}, headers={"X-CSRF-Token": header})
    assert response.status_code == 403


async def test_malformed_multipart(client: Any) -> None:
    token = await client.token()
    for content_type, body in [
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
                                              b"\xc3\xa9\r\n--xyz--\r\n"),
        ("multipart/form-data; boundary=xyz", b"\xff\xfe garbage without boundaries"),
        ("multipart/form-data", b"--\r\n"),
        ("multipart/form-data; boundary=" + "é", token.encode()),
    ]:
        response = await client.http.post("/ingresar", content=body, headers={"Content-Type": content_type.encode()})
        assert response.status_code == 403, (content_type, body)


@given(st.one_of(st.text(), st.binary(), st.none(), st.integers()), st.text(min_size=1))
def test_tokens_match_never_raises(sent: Any, expected: str) -> None:
    assert tokens_match(sent, expected) == (isinstance(sent, str) and sent == expected)


def test_tokens_match_needs_an_expected_token() -> None:
    assert not tokens_match("", "") and not tokens_match("a", None) and tokens_match("abc", "abc")
    assert not tokens_match("\udcff", "abc")  # a lone surrogate, as a lenient decoder may produce

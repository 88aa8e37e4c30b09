"""Completing the staff second factor in tests (docs/security.md, Second factor for staff).

`Client.login` (tests/conftest.py) and `sign_in` (tests/browser/browser_helpers.py) call these when
the password step answers with the second-factor page. The first sign-in of a staff account enrols:
the manual-entry key is read from the page, as a person would type it into an app. A code is never
accepted twice: the in-process client forgets the account's last accepted step in the database
(many sign-ins a minute in the route walk), the browser uses the next 30-second step with the
portal's clock moved forward for that one request (clock.frozen).
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pyotp

from portal import clock

PAGE = "/ingresar/segundo-factor"
_SECRET = re.compile(r'<code class="totp-secret">([A-Z2-7 ]+)</code>')
_secrets: dict[str, str] = {}
_last_step: dict[str, int] = {}


def _code_for(email: str, page_text: str) -> tuple[str, Any]:
    """The code to type and the clock to type it at (now, or the step after the last one used)."""
    match = _SECRET.search(html.unescape(page_text))
    if match:  # enrolling: a new secret
        _secrets[email] = match.group(1).replace(" ", "")
        _last_step.pop(email, None)
    totp = pyotp.TOTP(_secrets[email])
    moment = clock.now()
    last = _last_step.get(email)
    if last is not None and totp.timecode(moment) <= last:
        moment += timedelta(seconds=30 * (last + 1 - totp.timecode(moment)))
    _last_step[email] = totp.timecode(moment)
    return totp.at(moment), moment


async def complete(client: Any, email: str) -> Any:
    """The in-process test client is on the second-factor step: pass it. Returns the final 303."""
    client.forget_token()
    await client.http._transport.app.state.db.execute(  # the test forgets the replay guard
        "UPDATE users SET totp_last_step = NULL WHERE lower(email) = lower(:e)", {"e": email})
    _last_step.pop(email, None)
    page = await client.get(PAGE)
    assert page.status_code == 200, f"second-factor page answered {page.status_code}"
    code, _moment = _code_for(email, page.text)
    response = await client.http.post(PAGE, data={"code": code, "csrf_token": await client.token()})
    assert response.status_code == 303, f"second factor refused for {email}: {response.status_code}"
    if response.headers["location"].endswith("/codigos"):
        await client.get(response.headers["location"])  # the recovery codes, shown once
    client.forget_token()
    return response


async def complete_in_browser(page: Any, email: str) -> None:
    """The browser is on the second-factor page (the app runs in this process): pass it."""
    code, moment = _code_for(email, await page.content())
    await page.fill("#code", code)
    with clock.frozen(moment):
        async with page.expect_navigation():
            await page.click("main form[action='/ingresar/segundo-factor'] button[type=submit]")
    if page.url.endswith("/codigos"):
        async with page.expect_navigation():
            await page.click("main a.button")

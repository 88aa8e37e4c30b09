"""Browser-test helpers: axe-core checks, signing in through the form, small PDFs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from factories import TEST_PASSWORD, next_rut
from portal import mail, rut
from security import second_factor_login

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.10.3.min.js"
VERIFY_LINK = re.compile(r"https?://\S+/cuenta/verificar/\S+")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_RUN_AXE = """async ([tags, contrast]) => {
  const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
  if (!contrast) options.rules = {'color-contrast': {enabled: false}};
  const result = await axe.run(document, options);
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
  }));
}"""


async def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the current page; needs a bypass_csp context.

    Colour contrast, by far the slowest rule on long pages, depends only on the CSS, not on the
    language: it is checked on the Spanish pages; English pages get every other rule.
    """
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    contrast = not (await page.get_attribute("html", "lang") or "").startswith("en")
    return await page.evaluate(_RUN_AXE, [WCAG_TAGS, contrast])


def describe(violations: list[dict[str, Any]]) -> str:
    """A readable report: rule, impact, help, and each offending element's selector and markup."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:8]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:200]}")
    return "\n".join(lines)


async def assert_axe_clean(page: Any, label: str = "") -> None:
    """Fail listing every WCAG violation axe finds on the page as it is now."""
    violations = await axe_violations(page)
    where = label or page.url
    assert not violations, f"axe found {len(violations)} WCAG violation(s) on {where}:\n{describe(violations)}"


class AxeLog:
    """Collects axe violations over several pages, so one failure lists every page's problems."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.checked: list[str] = []

    async def check(self, page: Any, label: str = "") -> None:
        where = label or page.url
        self.checked.append(where)
        violations = await axe_violations(page)
        if violations:
            self.problems.append(f"{where}:\n{describe(violations)}")

    def assert_clean(self) -> None:
        assert self.checked, "no page was checked"
        assert not self.problems, (f"axe found WCAG violations on {len(self.problems)} of {len(self.checked)} "
                                   "page(s):\n" + "\n".join(self.problems))


async def goto(page: Any, path: str, status: int | tuple[int, ...] = 200) -> Any:
    """Navigate and check the final HTTP status (after redirects)."""
    response = await page.goto(path)
    assert response is not None, f"no response for {path}"
    expected = (status,) if isinstance(status, int) else status
    assert response.status in expected, f"GET {path} answered {response.status}, expected {expected}"
    return response


async def sign_in(page: Any, email: str, password: str = TEST_PASSWORD, next_path: str = "") -> None:
    """Sign in through the login form, as a person would."""
    await goto(page, "/ingresar" + (f"?next={next_path}" if next_path else ""))
    await page.fill("#email", email)
    await page.fill("#password", password)
    async with page.expect_navigation():
        await page.click("main form[action='/ingresar'] button[type=submit]")
    if "/ingresar/segundo-factor" in page.url:  # staff: the second factor
        await second_factor_login.complete_in_browser(page, email)
    assert "/ingresar" not in page.url, f"sign-in as {email} failed: still on {page.url}"


async def sign_up_and_verify(page: Any, db: Any, email: str, name: str = "Rosa Inés Quispe") -> None:
    """Fill the sign-up form, open the verification link from the email, and sign in."""
    await goto(page, "/cuenta/crear")
    await page.fill("#name", name)
    await page.fill("#email", email)
    assert await page.is_checked("input[name=document_type][value=run]"), "RUN is the default document"
    await page.fill("#document_number", rut.display(next_rut(15_000_000)))
    await page.fill("#password", TEST_PASSWORD)
    await page.fill("#password_confirm", TEST_PASSWORD)
    async with page.expect_navigation():
        await page.click("main form button[type=submit]")
    assert page.url.endswith("/cuenta/verificar"), f"sign-up did not finish: {page.url}"

    messages = await mail.recent(db, to=email)
    assert len(messages) == 1, f"expected one verification email, got {len(messages)}"
    link = VERIFY_LINK.search(messages[0]["body"])
    assert link, f"no verification link in: {messages[0]['body']}"
    await goto(page, link.group(0))  # 303 → /ingresar with a flash
    assert page.url.endswith("/ingresar")
    assert await page.locator(".flashes .alert").count() == 1

    await page.fill("#email", email)
    await page.fill("#password", TEST_PASSWORD)
    async with page.expect_navigation():
        await page.click("main form[action='/ingresar'] button[type=submit]")
    assert "/ingresar" not in page.url, f"could not sign in after verifying: {page.url}"


def small_pdf(title: str = "Documento de prueba") -> bytes:
    """A tiny valid PDF made with fpdf2."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(0, 10, title.encode("latin-1", "replace").decode("latin-1"))  # core fonts are latin-1
    return bytes(pdf.output())


def assert_no_js_errors(page: Any) -> None:
    """No uncaught exception or console error (CSP refusals included) in the page's context."""
    messages = page.errors.messages
    assert not messages, "JavaScript errors:\n" + "\n".join(messages)


# What makes the focus indicator visible: a real outline (or a focus ring drawn with box-shadow).
FOCUS_STYLE = """() => {
  const el = document.activeElement, s = getComputedStyle(el);
  return {tag: el.tagName, text: (el.innerText || el.value || '').trim().slice(0, 40),
          outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0,
          outlineColor: s.outlineColor, boxShadow: s.boxShadow,
          matchesFocusVisible: el.matches(':focus-visible')};
}"""


async def tab_to(page: Any, selector: str, limit: int = 80, key: str = "Tab") -> None:
    """Press Tab until the focused element matches `selector` (fails after `limit` presses)."""
    for _ in range(limit):
        await page.keyboard.press(key)
        if await page.evaluate("(sel) => document.activeElement && document.activeElement.matches(sel)", selector):
            return
    raise AssertionError(f"{selector} never received focus after {limit} presses of {key}")


def assert_visible_focus(style: dict[str, Any]) -> None:
    assert style["matchesFocusVisible"], f"{style['tag']} {style['text']!r} is not :focus-visible"
    has_outline = style["outlineStyle"] not in ("none", "hidden") and style["outlineWidth"] >= 2
    has_ring = style["boxShadow"] not in ("none", "")
    assert has_outline or has_ring, f"no visible focus indicator on {style['tag']} {style['text']!r}: {style}"

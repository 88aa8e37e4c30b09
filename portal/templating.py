"""The Jinja2 environment and the one `render()` every view uses.

`render()` returns the whole page, or only the named partial for htmx requests that are not
boosted navigations or history restores; it always sends `Vary: HX-Request` so caches keep
both apart. Templates receive finished values and do no I/O.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Mapping

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from portal import ROOT, i18n

TEMPLATE_DIR = ROOT / "templates"


def _build_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True
    )
    env.filters.update(
        date=i18n.fmt_date,
        datetime=i18n.fmt_datetime,
        number=i18n.fmt_number,
        percent=i18n.fmt_percent,
    )
    env.globals.update(current_language=i18n.current, N_=i18n.N_)
    return env


templates = Jinja2Templates(env=_build_env())
env = templates.env


def register_globals(**values: Any) -> None:
    """Let a domain add template helpers (pure functions only)."""
    env.globals.update(values)


def is_partial_request(request: Request) -> bool:
    """True for htmx requests that want a fragment, not a boosted page or a history restore."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    partial: str | None = None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render `template` (or `partial` for htmx requests) with the common context."""
    name = partial if partial and is_partial_request(request) else template
    ctx = dict(base_context(request))
    ctx.update(context or {})
    response = templates.TemplateResponse(request, name, ctx, status_code=status, headers=dict(headers or {}))
    response.headers["Vary"] = "HX-Request, Cookie, Accept-Language"
    return response


def base_context(request: Request) -> dict[str, Any]:
    """What every page needs: the user, the CSRF token, flash messages, the language."""
    state = request.scope.get("state", {})
    session = request.scope.get("session", {})
    flashes = session.pop("_flashes", []) if "session" in request.scope else []
    return {
        "user": state.get("user"),
        "csrf_token": state.get("csrf_token", ""),
        "flashes": flashes,
        "conflict": state.get("conflict"),  # a refused action's reason (portal.workflow.Conflict)
        "lang": i18n.current(),
        "current_path": request.url.path,
        "current_query": request.url.query,
        "partial_request": is_partial_request(request),
    }


def flash(request: Request, message: str, kind: str = "success") -> None:
    """Queue a message for the next page shown to this user."""
    request.session.setdefault("_flashes", []).append({"message": message, "kind": kind})
    request.session["_flashes"] = request.session["_flashes"]


def html_attrs(**attrs: Any) -> Markup:
    """Helper for macros: render key="value" pairs, skipping None/False."""
    parts = []
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        parts.append(name if value is True else f'{name}="{Markup.escape(value)}"')
    # Safe: names come from the template's keyword arguments, every value was escaped above.
    return Markup(" ".join(parts))  # noqa: S704


env.globals["html_attrs"] = html_attrs

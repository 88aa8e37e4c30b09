"""The Jinja2 environment and the one `render()` every view uses.

`render()` returns the whole page, or only the named partial for htmx requests that are not
boosted navigations or history restores; it always sends `Vary: HX-Request` so caches keep
both apart. Templates receive finished values and do no I/O.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import jinja2
import jinja2.compiler
import jinja2.nodes
import jinja2.runtime
from babel.dates import format_date
from babel.numbers import format_decimal
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from portal import ROOT, i18n

TEMPLATE_DIR = ROOT / "templates"


# The `number` and `date` filters, memoised: Babel takes tens of microseconds per call (it parses the
# locale every time), and a registry page formats dozens of the same figures and dates (its region
# map alone 49 numbers). Same output as i18n.fmt_number / i18n.fmt_date.
def fmt_number(value: float | int | None) -> str:
    if type(value) is int:  # not bool, nor float: 1 and 1.0 and True are equal keys
        return _number(value, i18n.current())
    return i18n.fmt_number(value)


@functools.lru_cache(maxsize=4096)
def _number(value: int, lang: str) -> str:
    return format_decimal(value, locale=i18n.BABEL_LOCALES[lang])


def fmt_date(value: date | datetime | None, fmt: str = "long") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return _date(value, fmt, i18n.current())


@functools.lru_cache(maxsize=4096)
def _date(value: date, fmt: str, lang: str) -> str:
    return format_date(value, format=fmt, locale=i18n.BABEL_LOCALES[lang])


@jinja2.pass_eval_context
def _gettext(eval_ctx: jinja2.nodes.EvalContext, message: str, /, **variables: Any) -> str:
    """Jinja's newstyle gettext (escaped variables, always a format string), one call deep."""
    text: str = i18n.gettext(message)
    if not eval_ctx.autoescape:
        return text % variables
    if variables:
        # Safe: catalogue text, as Jinja's own gettext marks it; the variables are escaped by `%`.
        return Markup(text) % variables  # noqa: S704
    return _plain_markup(text)


_plain: dict[str, Markup] = {}


def _plain_markup(text: str) -> Markup:
    """`Markup(text) % {}`, kept by text: a page shows a hundred fixed strings, each made once."""
    done = _plain.get(text)
    if done is None:
        if len(_plain) >= 20_000:  # only template literals come here; a bound all the same
            _plain.clear()
        done = _plain[text] = Markup(text) % {}  # noqa: S704 (catalogue text, as Jinja's gettext marks it)
    return done


def escape_output(value: Any) -> str:
    """The text `markupsafe.escape(value)` gives, for what `{{ value }}` writes, without a Markup object per
    output: most values have nothing to escape, and Markup's constructor was a tenth of a registry page's CPU
    (its 700 outputs). A value that needs escaping, or of any other type, goes through markupsafe itself."""
    kind = type(value)
    if kind is str:
        if "&" in value or "<" in value or ">" in value or "'" in value or '"' in value:
            return escape(value)
        return value
    if kind is Markup or kind is int:  # already safe; an int's digits need no escaping
        return str(value) if kind is int else value
    return escape(value)


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, with `escape_output` in place of `escape` around each `{{ … }}`. Only the
    outputs change: where Jinja collects them (macros, `{% set %}` blocks, filter blocks, `caller()`), it
    joins them and marks the result Markup itself, as before. (Jinja's own NativeCodeGenerator overrides
    the same method.)"""

    def _output_child_pre(self, node: jinja2.nodes.Expr, frame: jinja2.compiler.Frame,
                          finalize: Any) -> None:
        if frame.eval_ctx.volatile:
            self.write("(environment.escape_output if context.eval_ctx.autoescape else str)(")
        elif frame.eval_ctx.autoescape:
            self.write("environment.escape_output(")
        else:
            self.write("str(")
        if finalize.src is not None:
            self.write(finalize.src)


class _Context(jinja2.runtime.Context):
    """Jinja's context, with `_()` called straight: a page calls it a hundred times, and Context.call's
    checks (is it a callable object? which argument does it want?) cost more than the lookup itself. The
    answer for `_gettext` is known: the evaluation context. Every other callable goes through Jinja."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if __obj is _gettext:
            if kwargs:  # Jinja passes the loop's and block's variables to every call; _() needs neither
                kwargs.pop("_loop_vars", None)
                kwargs.pop("_block_vars", None)
            return _gettext(__self.eval_ctx, *args, **kwargs)
        return super().call(__obj, *args, **kwargs)


class PortalEnvironment(jinja2.Environment):
    """The portal's Jinja environment: the same templates and output, cheaper escaping (`escape_output`)
    and `_()` calls (`_Context`)."""

    code_generator_class = _CodeGenerator
    context_class = _Context
    escape_output = staticmethod(escape_output)


def _build_env() -> jinja2.Environment:
    env = PortalEnvironment(
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
    # `_()` and `gettext()` straight to the catalogue: Jinja's alias goes through two more
    # Context.call layers, and a page calls them a hundred times or more.
    env.globals.update(_=_gettext, gettext=_gettext)
    env.filters.update(
        date=fmt_date,
        datetime=i18n.fmt_datetime,
        number=fmt_number,
        percent=i18n.fmt_percent,
    )
    env.globals.update(current_language=i18n.current, N_=i18n.N_)
    return env


templates = Jinja2Templates(env=_build_env())
env = templates.env


def register_globals(**values: Any) -> None:
    """Let a domain add template helpers (pure functions only)."""
    env.globals.update(values)


def register_filters(**filters: Any) -> None:
    """Let a domain add template filters (pure functions only). A filter is called directly, where a
    global function goes through Jinja's Context.call (its checks cost more than a short helper itself)."""
    env.filters.update(filters)


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

"""portal.templating's environment writes `{{ … }}` with escape_output instead of markupsafe.escape: the
rendered text must be exactly what stock Jinja gives, for every kind of value and every place an output can
sit (page, macro, call block, set block, filter block, autoescape blocks)."""

from __future__ import annotations

import enum
from typing import Any

import jinja2
import pytest
from markupsafe import Markup

from portal.templating import PortalEnvironment, env as portal_env, escape_output


class Colour(enum.IntEnum):
    RED = 1


class Html:
    def __html__(self) -> str:
        return "<b>safe</b>"


class Text(str):
    pass


VALUES: list[Any] = ["plain", "a & b < c > d 'e' \"f\"", "", "ñandú «x»", Markup("<i>ok</i>"), 0, -12, 10**20,
                     True, 1.5, None, Colour.RED, Html(), Text("<sub>"), ["<li>", 1], {"k": "<v>"}]

TEMPLATE = """{% macro m(x) %}[{{ x }}]{% endmacro %}{% macro c(x) %}[{{ x }}{{ caller() }}]{% endmacro %}
{{ v }}|{{ m(v) }}|{% call c(v) %}{{ v }}{% endcall %}|{% set s %}{{ v }}{% endset %}{{ s }}|
{% filter upper %}{{ v }}{% endfilter %}|{% autoescape false %}{{ v }}{% endautoescape %}|
{% autoescape flag %}{{ v }}{% endautoescape %}|{{ v ~ '<' }}|{{ v|string }}|{{ "%s"|format(v) }}"""


def _environments() -> tuple[jinja2.Environment, jinja2.Environment]:
    return (jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined),
            PortalEnvironment(autoescape=True, undefined=jinja2.StrictUndefined))


@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("flag", [True, False])
def test_same_text_as_stock_jinja(value: Any, flag: bool) -> None:
    stock, ours = _environments()
    expected = stock.from_string(TEMPLATE).render(v=value, flag=flag)
    assert ours.from_string(TEMPLATE).render(v=value, flag=flag) == expected


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_escape_output_is_markupsafe_escape(value: Any) -> None:
    assert escape_output(value) == str(jinja2.utils.markupsafe.escape(value))  # type: ignore[attr-defined]  # markupsafe as Jinja imports it


def test_undefined_still_raises() -> None:
    with pytest.raises(jinja2.UndefinedError):
        _environments()[1].from_string("{{ missing }}").render()


def test_the_portal_environment_uses_it() -> None:
    assert isinstance(portal_env, PortalEnvironment)
    assert "environment.escape_output(" in portal_env.compile("{{ x }}", raw=True)

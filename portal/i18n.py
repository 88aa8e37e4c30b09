"""Spanish (Chile) by default, English available: gettext over Babel catalogues.

Source strings are Spanish. English translations live in
`portal/translations/en/LC_MESSAGES/*.po` (one file per domain, so teams do not collide);
they are read with Babel at start-up and merged. The current language is a context variable
set per request by `LocaleMiddleware`, so `_()` works in views, forms and templates alike.
"""

from __future__ import annotations

import contextvars
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from portal import clock

LANGUAGES = ("es", "en")
DEFAULT = "es"
BABEL_LOCALES = {"es": "es_CL", "en": "en_GB"}
CATALOG_DIR = Path(__file__).parent / "translations"
COOKIE = "lang"
CHILE_TZ = ZoneInfo("America/Santiago")

_current: contextvars.ContextVar[str] = contextvars.ContextVar("lang", default=DEFAULT)
_catalogs: dict[str, dict[str, Any]] = {}


def load_catalogs(directory: Path = CATALOG_DIR) -> dict[str, dict[str, Any]]:
    """Read every .po file per language into one dict of msgid → msgstr (or plural tuple)."""
    catalogs: dict[str, dict[str, Any]] = {}
    for lang in LANGUAGES:
        merged: dict[str, Any] = {}
        for po in sorted((directory / lang / "LC_MESSAGES").glob("*.po")):
            with po.open("rb") as fh:
                for message in read_po(fh, locale=BABEL_LOCALES[lang]):
                    if message.id and message.string and not message.fuzzy:
                        key = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
                        merged[str(key)] = message.string
        catalogs[lang] = merged
    return catalogs


def install(directory: Path = CATALOG_DIR) -> None:
    """Load the catalogues once per process."""
    _catalogs.clear()
    _catalogs.update(load_catalogs(directory))


def current() -> str:
    return _current.get()


def set_language(lang: str) -> contextvars.Token[str]:
    return _current.set(lang if lang in LANGUAGES else DEFAULT)


def reset_language(token: contextvars.Token[str]) -> None:
    _current.reset(token)


def gettext(message: str, **variables: Any) -> str:
    """Translate `message` into the current language; `%(name)s` variables are filled in."""
    if not _catalogs:
        install()
    text = _catalogs.get(current(), {}).get(message) or message
    if isinstance(text, (tuple, list)):
        text = text[0] or message
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    """Plural-aware translation; `num` is always available to the message."""
    if not _catalogs:
        install()
    entry = _catalogs.get(current(), {}).get(singular)
    if isinstance(entry, (tuple, list)) and len(entry) >= 2:
        text = entry[0] if n == 1 else entry[1]
    else:
        text = singular if n == 1 else plural
    return text % {"num": n, **variables}


_ = gettext


def N_(message: str) -> str:
    """Mark a string for extraction; translate it later, where it is shown."""
    return message


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The switcher's cookie, else Accept-Language, else Spanish."""
    if cookie in LANGUAGES:
        return cookie
    for lang, _q in _parse_accept(accept_language or ""):
        base = lang.split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return DEFAULT


def _parse_accept(header: str) -> list[tuple[str, float]]:
    items = []
    for part in header.split(","):
        bits = part.strip().split(";")
        if not bits[0]:
            continue
        q = 1.0
        for bit in bits[1:]:
            if bit.strip().startswith("q="):
                try:
                    q = float(bit.strip()[2:])
                except ValueError:
                    q = 0.0
        items.append((bits[0].strip(), q))
    return sorted(items, key=lambda item: -item[1])


def babel_locale() -> Locale:
    return Locale.parse(BABEL_LOCALES[current()])


def fmt_date(value: date | datetime | None, fmt: str = "long") -> str:
    """A date in the user's language (e.g. '5 de marzo de 2026')."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format=fmt, locale=BABEL_LOCALES[current()])


def fmt_datetime(value: datetime | None, fmt: str = "medium") -> str:
    """A date and time in Chile's time zone (`clock.local`: a naive value is UTC), in the user's language,
    to the minute and naming the zone: '29-11-2026 12:05 (hora de Chile)'. `fmt` is the date's length
    (short, medium, long, full) or a full Babel pattern."""
    if value is None:
        return ""
    local, locale = clock.local(value), BABEL_LOCALES[current()]
    if fmt not in ("short", "medium", "long", "full"):
        return format_datetime(local, format=fmt, locale=locale)
    return (f"{format_date(local, format=fmt, locale=locale)} {format_time(local, 'HH:mm', locale=locale)} "
            f"({format_datetime(local, format='vvvv', locale=locale)})")


def fmt_number(value: float | int | None) -> str:
    return "" if value is None else format_decimal(value, locale=BABEL_LOCALES[current()])


def fmt_percent(value: float | None, digits: int = 1) -> str:
    if value is None:
        return ""
    return format_percent(value, format="#,##0." + "0" * digits + " %" if digits else "#,##0 %",
                          locale=BABEL_LOCALES[current()])

"""Every Spanish string shown to users has an English translation, and the catalogues parse."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_file

from portal import i18n

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extracted() -> dict[str, list[str]]:
    """msgid → where it is used, from every Python module and template (partials in _folders too)."""
    found: dict[str, list[str]] = {}
    sources = [(p, "python") for p in sorted((ROOT / "portal").rglob("*.py"))]
    sources += [(p, "jinja2") for p in sorted((ROOT / "templates").rglob("*.html"))]
    for path, method in sources:
        options = {"extensions": "jinja2.ext.i18n"} if method == "jinja2" else {}
        for lineno, message, _comments, _ctx in extract_from_file(method, str(path), keywords=KEYWORDS, options=options):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.setdefault(msgid, []).append(f"{path.relative_to(ROOT)}:{lineno}")
    return found


def test_every_message_has_an_english_translation() -> None:
    catalog = i18n.load_catalogs()["en"]
    missing = {m: where for m, where in extracted().items() if m not in catalog}
    report = "\n".join(f"{where[0]}: {m!r}" for m, where in sorted(missing.items(), key=lambda kv: kv[1][0]))
    assert not missing, f"{len(missing)} messages lack English (add them to a .po in portal/translations/en/LC_MESSAGES):\n{report}"


def test_translations_keep_their_placeholders() -> None:
    import re

    pattern = re.compile(r"%\((\w+)\)s")
    catalog = i18n.load_catalogs()["en"]
    wrong = [m for m, t in catalog.items() if isinstance(t, str) and set(pattern.findall(m)) != set(pattern.findall(t))]
    assert not wrong, f"placeholders differ: {wrong}"

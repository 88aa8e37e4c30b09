"""Pure rules of the help domain: contact topics and states, limits, the display modes (docs/help.md)."""

from __future__ import annotations

from datetime import timedelta

from portal.i18n import N_

# A contact message's states; the same strings as the CHECK in migrations/0070_help_contact.sql.
NEW = "new"
ANSWERED = "answered"
STATUS_LABELS = {NEW: N_("Sin responder"), ANSWERED: N_("Respondido")}

TOPICS = {
    "account": N_("Mi cuenta"),
    "registry": N_("Registro de organizaciones"),
    "elections": N_("Elecciones del COSOC"),
    "sello": N_("Sello Migrante"),
    "compromiso": N_("Compromiso Migrante"),
    "certificates": N_("Certificados"),
    "accessibility": N_("Una barrera de accesibilidad"),
    "privacy": N_("Mis datos personales"),
    "other": N_("Otro tema"),
}

# Server-side limits (the same as the table's CHECKs; the form's maxlength only helps the browser).
NAME_MAX = 120
MESSAGE_MAX = 4000
ANSWER_MAX = 8000

# At most this many messages per hour from one network address, and to one email address.
RATE_LIMIT = 5
RATE_WINDOW = timedelta(hours=1)

# Display modes: the cookie holds the chosen ones, the page gets them as classes on <html>.
DISPLAY_COOKIE = "display"
CONTRAST = "contrast-high"
LARGE_TEXT = "text-large"
MODES = (CONTRAST, LARGE_TEXT)
# /visualizacion/{choice}: which mode it turns on or off.
CHOICES = {
    "contraste-alto": (CONTRAST, True),
    "contraste-normal": (CONTRAST, False),
    "texto-grande": (LARGE_TEXT, True),
    "texto-normal": (LARGE_TEXT, False),
}


def display_modes(cookie: str | None) -> list[str]:
    """The known modes named in the cookie's value, in a fixed order (anything else is ignored)."""
    chosen = set((cookie or "").split("."))
    return [mode for mode in MODES if mode in chosen]


def choose(cookie: str | None, choice: str) -> str | None:
    """The cookie's new value after `choice` (None for an unknown choice)."""
    if choice not in CHOICES:
        return None
    mode, on = CHOICES[choice]
    modes = set(display_modes(cookie))
    if on:
        modes.add(mode)
    else:
        modes.discard(mode)
    return ".".join(m for m in MODES if m in modes)


def over_limit(from_client: int, to_email: int) -> bool:
    """True when the last hour already holds RATE_LIMIT messages from this address or for this email."""
    return from_client >= RATE_LIMIT or to_email >= RATE_LIMIT

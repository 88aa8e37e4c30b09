"""One form function per form of the reminders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal import i18n
from portal.forms import Form
from portal.reminders.kinds import KINDS, TOPICS

STATUSES = ("scheduled", "sent", "skipped")


def preferences_form(data: Mapping[str, Any]) -> Form:
    """The topics a person wants (unchecked ones are opted out) and the language of the reminders."""
    form = Form(data)
    wanted = form.multi_choice("topics", TOPICS)
    form.cleaned["optouts"] = set(TOPICS) - set(wanted)
    language = form.choice("language", ("account", *i18n.LANGUAGES), required=False)
    form.cleaned["language"] = None if language in (None, "account") else language
    return form


def staff_filters(params: Mapping[str, Any]) -> Form:
    form = Form(params)
    form.cleaned["status"] = form.choice("status", STATUSES, required=False)
    form.cleaned["kind"] = form.choice("kind", tuple(KINDS), required=False)
    form.cleaned["start"] = form.date("start", required=False)
    form.cleaned["end"] = form.date("end", required=False)
    return form

"""The help domain's forms: the contact form, staff's answer, the inbox filters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.forms import Form
from portal.help import rules


def contact_form(data: Mapping[str, Any]) -> Form:
    """Name, email, topic and message, each checked on the server (lengths as in the table)."""
    form = Form(data)
    form.text("name", max_length=rules.NAME_MAX)
    form.email("email")
    form.choice("topic", rules.TOPICS)
    form.text("message", max_length=rules.MESSAGE_MAX, min_length=10)
    return form


def answer_form(data: Mapping[str, Any]) -> Form:
    """Staff's answer, sent by email."""
    form = Form(data)
    form.text("answer", max_length=rules.ANSWER_MAX, min_length=2)
    return form


def inbox_filters(params: Mapping[str, Any]) -> Form:
    """The inbox's filters (a GET form: unknown values are dropped, never an error page)."""
    form = Form(params)
    form.choice("status", rules.STATUS_LABELS, required=False)
    form.choice("topic", rules.TOPICS, required=False)
    form.text("q", required=False, max_length=100)
    if form.errors:
        for name in form.errors.fields:
            form.cleaned[name] = None
            form.values[name] = ""
    return form

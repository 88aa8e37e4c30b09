"""Reminder preferences (/cuenta/recordatorios), the one-click unsubscribe, the staff schedule
(docs/reminders.md). Thin handlers: guard → form → atomic(queries) → flash → 303."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from portal import guards, i18n
from portal.reminders import catalog  # noqa: F401 (imported for its registrations, see below)
from portal.reminders import forms, queries, service
from portal.reminders.kinds import KINDS, TOPICS
from portal.security import read_form
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, get_settings, page_param, see_other

# The portal's own kinds and topics register when the catalog is imported: the pages need them in
# every process, including web nodes that run no job runner (PORTAL_JOBS=external or off).

_ = i18n.gettext
SKIP_REASONS = {
    "no_longer_applies": i18n.N_("ya no corresponde"), "deadline_moved": i18n.N_("el plazo cambió"),
    "unsubscribed": i18n.N_("la persona no los recibe"), "too_late": i18n.N_("pasó su momento"),
    "no_email": i18n.N_("sin correo"),
}
STATUS_LABELS = {"scheduled": i18n.N_("Programado"), "sent": i18n.N_("Enviado"), "skipped": i18n.N_("Omitido")}


def _topic_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for topic in TOPICS.values():
        groups.setdefault(_(topic.programme), []).append((topic.code, _(topic.label)))
    return list(groups.items())


# ----- the person's preferences -----

async def preferences(request: Request) -> Response:
    user = guards.signed_in(request)
    db = get_db(request)
    optouts = await queries.user_optouts(db, user.id)
    language = await queries.language_choice(db, user.id)
    values = {"topics": [t for t in TOPICS if t not in optouts], "language": language or "account"}
    return render(request, "reminders/preferences.html", {"values": values, "errors": {}, "groups": _topic_groups()})


async def save_preferences(request: Request) -> Response:
    user = guards.signed_in(request)
    form = forms.preferences_form(await read_form(request))
    if form.errors:
        return render(request, "reminders/preferences.html", {"values": form.values, "errors": form.errors.fields,
                                                              "groups": _topic_groups()}, status=422)
    db = get_db(request)
    async with atomic(db):
        await queries.set_optouts(db, user.id, form.cleaned["optouts"])
        await queries.set_language(db, user.id, form.cleaned["language"])
    flash(request, _("Guardamos sus preferencias de recordatorios."))
    return see_other("/cuenta/recordatorios")


# ----- unsubscribe from the email's link, without signing in -----

def _token(request: Request) -> tuple[int, str]:
    found = service.read_unsubscribe(get_settings(request), str(request.path_params["token"]))
    if found is None or found[1] not in TOPICS:
        raise guards.not_found()
    return found


async def unsubscribe_page(request: Request) -> Response:
    user_id, topic = _token(request)
    done = topic in await queries.user_optouts(get_db(request), user_id)
    return render(request, "reminders/unsubscribe.html", {"topic": _(TOPICS[topic].label), "done": done})


async def _opt_out(request: Request) -> None:
    user_id, topic = _token(request)
    db = get_db(request)
    if not await queries.user_exists(db, user_id):
        raise guards.not_found()
    async with atomic(db):
        await queries.opt_out(db, user_id, topic)


async def unsubscribe(request: Request) -> Response:
    await _opt_out(request)
    flash(request, _("Listo: ya no recibirá estos recordatorios."))
    return see_other(str(request.url.path))


async def unsubscribe_one_click(request: Request) -> Response:
    """RFC 8058: the mail program POSTs `List-Unsubscribe=One-Click` here, with no session."""
    await _opt_out(request)
    return PlainTextResponse(_("Listo: ya no recibirá estos recordatorios."))


# ----- staff: the schedule -----

async def staff_schedule(request: Request) -> Response:
    guards.staff(request, "admin")
    filters = forms.staff_filters(request.query_params)
    c = filters.cleaned
    where = queries.staff_filter(c["status"], c["kind"], c["start"], c["end"])
    db, page = get_db(request), page_param(request)
    rows, total = await queries.staff_list(db, where, page)
    counts = await queries.staff_counts(db, where)
    chosen = {k: v for k, v in filters.values.items() if v and k not in filters.errors.fields}
    return render(request, "reminders/staff.html", {
        "rows": rows, "total": total, "counts": _count_table(counts), "page": page,
        "pages": max(1, -(-total // queries.PAGE_SIZE)), "base_query": urlencode(chosen) + "&" if chosen else "",
        "values": filters.values, "errors": filters.errors.fields,
        "kind_options": [(code, _(kind.title)) for code, kind in KINDS.items()],
        "status_options": [(k, _(v)) for k, v in STATUS_LABELS.items()],
        "kind_titles": {code: _(kind.title) for code, kind in KINDS.items()},
        "status_labels": {k: _(v) for k, v in STATUS_LABELS.items()},
        "skip_reasons": {k: _(v) for k, v in SKIP_REASONS.items()}})


def _count_table(rows: list[queries.Row]) -> list[dict[str, object]]:
    table: dict[str, dict[str, object]] = {}
    for row in rows:
        entry = table.setdefault(row["kind"], {"kind": row["kind"], "scheduled": 0, "sent": 0, "skipped": 0})
        entry[row["status"]] = row["n"]
    return list(table.values())

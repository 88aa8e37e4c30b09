"""Help and legal pages, the contact form, the staff inbox and the display modes (docs/help.md).

Thin handlers: guard → form → atomic(queries + workflow) → flash → 303.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from portal import clock, guards, i18n
from portal.forms import Form
from portal.help import forms, queries, rules, workflow
from portal.security import read_form, safe_next
from portal.templating import flash, register_globals, render
from portal.txn import atomic
from portal.web import get_db, get_settings, int_param, page_param, see_other

_ = i18n.gettext


def display_modes(request: Request) -> list[str]:
    """Template global: the display modes this person chose (classes for <html>)."""
    return rules.display_modes(request.cookies.get(rules.DISPLAY_COOKIE))


register_globals(display_modes=display_modes, contact_topics=rules.TOPICS,
                 contact_states=rules.STATUS_LABELS)


# ----- pages -----

async def help_page(request: Request) -> Response:
    return render(request, "help/help.html")


async def accessibility(request: Request) -> Response:
    return render(request, "help/accessibility.html")


async def privacy(request: Request) -> Response:
    return render(request, "help/privacy.html")


async def set_display(request: Request) -> Response:
    """/visualizacion/{choice}: turn a display mode on or off, kept in a cookie for a year; back with 303."""
    value = rules.choose(request.cookies.get(rules.DISPLAY_COOKIE), request.path_params["choice"])
    if value is None:
        raise guards.not_found()
    response = RedirectResponse(safe_next(request.query_params.get("next"), "/"), status_code=303)
    if value:
        response.set_cookie(rules.DISPLAY_COOKIE, value, max_age=365 * 24 * 3600, httponly=True, samesite="lax",
                            secure=get_settings(request).https_only)
    else:
        response.delete_cookie(rules.DISPLAY_COOKIE, httponly=True, samesite="lax",
                               secure=get_settings(request).https_only)
    return response


# ----- contact -----

def _contact_page(request: Request, form: Form | None = None, *, status: int = 200,
                  limited: bool = False) -> Response:
    values, errors = (form.values, form.errors.fields) if form else (_prefilled(request), {})
    headers = {"Retry-After": str(int(rules.RATE_WINDOW.total_seconds()))} if limited else None
    return render(request, "help/contact.html", {"values": values, "errors": errors, "limited": limited,
                                                 "rules": rules, "topic_options": _options(rules.TOPICS)},
                  status=status, headers=headers)


def _options(labels: dict[str, str]) -> list[tuple[str, str]]:
    return [(key, _(label)) for key, label in labels.items()]


def _prefilled(request: Request) -> dict[str, str]:
    """A signed-in person's name and email; the topic a link chose (/contacto?tema=privacy)."""
    user = guards.current_user(request)
    values = {"name": user.name, "email": user.email} if user else {}
    topic = request.query_params.get("tema", "")
    if topic in rules.TOPICS:
        values["topic"] = topic
    return values


async def contact(request: Request) -> Response:
    return _contact_page(request)


async def send_contact(request: Request) -> Response:
    form = forms.contact_form(await read_form(request))
    if form.errors:
        return _contact_page(request, form, status=422)
    db, values = get_db(request), form.cleaned
    client = _client_hash(request)
    counts = await queries.recent_counts(db, client_hash=client, email=values["email"],
                                         since=clock.now() - rules.RATE_WINDOW)
    if rules.over_limit(*counts):
        return _contact_page(request, form, status=429, limited=True)
    async with atomic(db):
        await queries.add_message(db, name=values["name"], email=values["email"], topic=values["topic"],
                                  message=values["message"], lang=i18n.current(), client_hash=client)
    flash(request, _("Gracias. Recibimos su mensaje y le responderemos por correo a %(email)s.",
                     email=values["email"]))
    return see_other("/contacto")


def _client_hash(request: Request) -> str:
    """A keyed hash of the sender's network address: enough to count, never the address itself."""
    address = request.client.host if request.client else ""
    key = str(get_settings(request).secret_key).encode()
    return hmac.new(key, b"contact:" + address.encode(), hashlib.sha256).hexdigest()


# ----- staff inbox (admins only: docs/help.md, Who reads the messages) -----

async def inbox(request: Request) -> Response:
    guards.staff(request, "admin")
    filters = forms.inbox_filters(request.query_params)
    where = queries.inbox_filter(filters.cleaned["status"], filters.cleaned["topic"], filters.cleaned["q"])
    page = page_param(request)
    messages, total = await queries.list_messages(get_db(request), where, page)
    pages = max(1, -(-total // queries.PAGE_SIZE))
    chosen = {k: v for k, v in filters.values.items() if v}
    query = urlencode(chosen) + "&" if chosen else ""
    return render(request, "help/staff_inbox.html", {
        "messages": messages, "total": total, "values": filters.values, "page": page, "pages": pages,
        "base_query": query, "state_options": _options(rules.STATUS_LABELS), "topic_options": _options(rules.TOPICS)})


async def _message(request: Request) -> queries.Message:
    return guards.found(await queries.get_message(get_db(request), int_param(request, "id")))


async def message_detail(request: Request) -> Response:
    guards.staff(request, "admin")
    return render(request, "help/staff_message.html", {"m": await _message(request), "values": {}, "errors": {}})


async def answer(request: Request) -> Response:
    user = guards.staff(request, "admin")
    message = await _message(request)
    form = forms.answer_form(await read_form(request))
    if form.errors:
        return render(request, "help/staff_message.html", {"m": message, "values": form.values,
                                                           "errors": form.errors.fields}, status=422)
    await workflow.answer(get_db(request), message, form.cleaned["answer"], user)
    flash(request, _("Respuesta enviada por correo a %(email)s.", email=message.email))
    return see_other(f"/staff/contacto/{message.id}")

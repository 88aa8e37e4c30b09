"""The ceremony's pages (docs/ballot-secrecy.md): its public progress, each trustee's page (key
upload before voting opens, batch download and step upload after the close), the staff's naming of
trustees, and the election's public record (registro.json)."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from portal import guards
from portal.elections_web import forms, phases, record_queries as rq, trustees as tr
from portal.elections_web.views_public import public_election
from portal.elections_web.views_staff import OFFICER, dashboard, load
from portal.i18n import gettext as _
from portal.security import read_form
from portal.templating import flash, render
from portal.web import get_db, int_param, see_other
from portal.workflow import Conflict

MAX_UPLOAD = 64 * 1024 * 1024  # a step of 10,000 ballots and 3 trustees is about 10 MB


async def ceremony(request: Request) -> Response:
    """Public: who the trustees are, whose key and whose step is in, the record's progress."""
    e = await public_election(request)
    db = get_db(request)
    user = guards.current_user(request)
    return render(request, "elections/ceremony.html", {
        "e": e, **await tr.progress(db, e), "me": user.id if user else None,
        "labels": phases.PHASE_LABELS})


async def _my_trustee(request: Request) -> tuple[Any, Any, rq.Trustee]:
    """Guard: the signed-in account is trustee `pos` of this election (anyone else: 404)."""
    user = guards.signed_in(request)
    e = await public_election(request)
    trustee = await rq.trustee(get_db(request), e.id, int_param(request, "pos"))
    return user, e, guards.readable(trustee, trustee is not None and trustee.user_id == user.id)


async def trustee_page(request: Request) -> Response:
    """GET: the trustee's instructions and forms; POST kind=key|step: upload the key or the step."""
    user, e, trustee = await _my_trustee(request)
    db = get_db(request)
    page = request.url.path
    if request.method == "POST":
        form = forms.upload_form(await read_form(request))
        text = await _uploaded(form.cleaned["file"], form.cleaned["json"])
        if form.cleaned["kind"] == "key":
            await tr.upload_key(db, e.id, trustee, user, text)
            flash(request, _("Clave recibida y verificada."))
        else:
            n = await tr.upload_step(db, e.id, trustee, user, text)
            flash(request, _("Paso recibido y verificado (%(n)s votos).", n=n))
        return see_other(page)
    progress = await tr.progress(db, e)
    steps_in = progress["steps_in"]
    return render(request, "elections/trustee.html", {
        "e": e, "t": trustee, "key_open": phases.can_name_trustee(e).allowed,
        "step_reason": tr.can_step(e, trustee, steps_in) if e.phase == "voting_closed" else None,
        "closed": e.phase == "voting_closed", **progress})


async def _uploaded(file: Any, text: str) -> str:
    """The uploaded JSON: the file if one was sent, else the pasted text."""
    if isinstance(file, UploadFile) and file.filename:
        content = await file.read(MAX_UPLOAD + 1)
        if len(content) > MAX_UPLOAD:
            raise Conflict(_("El archivo es demasiado grande."))
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError:
            raise Conflict(_("El archivo no es texto UTF-8.")) from None
    if not text.strip():
        raise Conflict(_("Elija el archivo JSON que escribió el programa, o pegue su contenido."))
    return text


async def batch(request: Request) -> Response:
    """The batch trustee `pos` opens now (public data: it is in the record too); 404 when not its turn."""
    e = await public_election(request)
    position = int_param(request, "pos")
    data = guards.found(await tr.batch_for(get_db(request), e, position))
    return JSONResponse(data, headers={
        "Content-Disposition": f'attachment; filename="lote-eleccion-{e.id}-custodio-{position}.json"'})


async def record(request: Request) -> Response:
    """The election's public record (elections/record.py), streamed event by event."""
    e = await public_election(request)
    db = get_db(request)
    guards.found(await rq.head(db, e.id))

    async def body() -> Any:
        yield f'{{"format": "cosoc-record/1", "election_id": {json.dumps(str(e.id))}, "events": ['
        sep = "\n"
        async for event in rq.stream_events(db, e.id):
            yield sep + event
            sep = ",\n"
        yield "\n]}\n"

    return StreamingResponse(body(), media_type="application/json", headers={
        "Content-Disposition": f'inline; filename="registro-eleccion-{e.id}.json"', "Cache-Control": "no-cache"})


async def name_trustee(request: Request) -> Response:
    """POST email: the officer names a trustee (before voting opens)."""
    user, e = await load(request, *OFFICER)
    form = forms.trustee_form(await read_form(request))
    if form.errors:
        raise Conflict(form.errors.fields.get("email") or _("Escriba el correo de la cuenta del custodio."),
                       page=dashboard(e))
    position = await tr.name_trustee(get_db(request), e.id, user, form.cleaned["email"])
    flash(request, _("Custodio %(n)s nombrado.", n=position))
    return see_other(dashboard(e))

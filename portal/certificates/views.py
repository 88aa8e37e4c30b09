"""Public verification of certificates, their PDF, the registry membership certificate and revocation."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from portal import clock, guards, i18n
from portal.certificates import queries, service
from portal.forms import Form
from portal.security import read_form
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, get_settings, see_other
from portal.workflow import require

_ = i18n.gettext
# Who may revoke which kind (admins always may).
REVOKERS = {"registry": "reviewer", "sello": "sello_evaluator", "compromiso": "compromiso_evaluator"}
STATE_LABELS = {"valid": i18n.N_("Vigente"), "expired": i18n.N_("Vencido"), "revoked": i18n.N_("Revocado")}
REGISTRY_TITLE = "Inscripción vigente en el Registro de Organizaciones Sociales"


def verify_url(request: Request, code: str) -> str:
    """The public address printed on the PDF and encoded in its QR code."""
    return f"{get_settings(request).base_url}/certificados/{code}"


def _page(request: Request, status: int, **context: Any) -> Response:
    base = {"cert": None, "state": None, "code": "", "problem": None, "kinds": service.KIND_HEADINGS, "labels": STATE_LABELS}
    base.update(context)
    return render(request, "certificates/verify.html", base, status=status)


def reason_form(data: Any) -> Form:
    """The revocation form: a reason of at least five characters."""
    form = Form(data)
    form.text("reason", max_length=1000, min_length=5)
    return form


async def lookup(request: Request) -> Response:
    """GET form: ?codigo= → the verification page."""
    raw = request.query_params.get("codigo", "").strip()
    if not raw:
        return render(request, "certificates/lookup.html", {"values": {}, "errors": {}})
    code = service.normalize_code(raw[:100])
    if code is None:
        errors = {"codigo": _("El código no tiene el formato de un certificado (16 letras y números, como ABCD-EFGH-JKLM-NPQR).")}
        return render(request, "certificates/lookup.html", {"values": {"codigo": raw[:100]}, "errors": errors}, status=400)
    return see_other(f"/certificados/{code}")


async def verify(request: Request) -> Response:
    raw = str(request.path_params.get("code", ""))
    code = service.normalize_code(raw[:100])
    if code is None:
        return _page(request, 400, problem="malformed", code=raw[:100])
    if code != raw:
        return see_other(f"/certificados/{code}")
    cert = await service.get(get_db(request), code)
    if cert is None:
        return _page(request, 404, problem="not_found", code=code)
    return _page(request, 200, cert=cert, state=cert.state(), code=code)


async def pdf(request: Request) -> Response:
    code = service.normalize_code(str(request.path_params.get("code", ""))[:100])
    cert = await service.get(get_db(request), code) if code else None
    if cert is None:
        raise HTTPException(404, _("No existe un certificado con ese código."))
    if cert.state() == "revoked":
        raise HTTPException(404, _("Este certificado fue revocado y ya no se puede descargar."))
    from portal.certificates import pdf as printing  # fpdf2 loads only when a PDF is asked for

    content = printing.certificate_pdf(cert, verify_url(request, cert.code), i18n.current())
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="certificado-{cert.code}.pdf"'})


# ----- registry membership certificate (the representative's area) -----

async def _approved_org(request: Request) -> tuple[guards.Representative, dict[str, Any]]:
    rep = guards.representative(request)
    org = await queries.registry_org(get_db(request), rep.org_id)
    if org is None or org["effective_status"] != "approved":
        raise guards.forbidden(_("Solo una organización con inscripción vigente en el registro puede obtener su certificado."))
    return rep, org


def _current(certs: list[service.Certificate], org: dict[str, Any]) -> service.Certificate | None:
    for cert in certs:
        if cert.kind == "registry" and cert.state() == "valid" and cert.valid_until == org["vigencia_expires_on"]:
            return cert
    return None


async def org_certificate(request: Request) -> Response:
    rep, org = await _approved_org(request)
    db = get_db(request)
    certs = await service.for_subject(db, "organization", org["id"])
    current = _current(certs, org)
    if request.method == "GET":
        return render(request, "certificates/org.html", {"org": org, "current": current, "certs": certs,
                                                          "labels": STATE_LABELS})
    if current is not None:
        return see_other(f"/certificados/{current.code}.pdf")
    async with atomic(db):
        code = await service.issue(
            db, kind="registry", subject_type="organization", subject_id=org["id"], subject_name=org["legal_name"],
            title=REGISTRY_TITLE, valid_from=org["vigencia_issued_on"] or clock.today(),
            valid_until=org["vigencia_expires_on"], actor=rep.user, details={"rut": org["rut"]})
    return see_other(f"/certificados/{code}.pdf")


# ----- revocation (staff of the certificate's domain) -----

async def _revocable(request: Request) -> tuple[Any, service.Certificate]:
    user = guards.staff(request)
    code = service.normalize_code(str(request.path_params.get("code", ""))[:100])
    cert = guards.found(await service.get(get_db(request), code) if code else None)
    if not user.has_role(REVOKERS.get(cert.kind, "admin")):
        raise guards.forbidden(_("Solo la evaluación de este programa o la administración pueden revocar este certificado."))
    return user, cert


async def revoke(request: Request) -> Response:
    user, cert = await _revocable(request)
    context = {"cert": cert, "state": cert.state(), "values": {}, "errors": {}, "labels": STATE_LABELS}
    if request.method == "GET":
        return render(request, "certificates/revoke.html", context)
    require(service.revocable(cert), page=request.url.path)
    form = reason_form(await read_form(request))
    if form.errors:
        context.update(values=form.values, errors=form.errors.fields)
        return render(request, "certificates/revoke.html", context, status=422)
    await service.revoke(get_db(request), cert.code, form.cleaned["reason"], user)  # one transaction, audited
    flash(request, _("Certificado %(code)s revocado.", code=cert.code))
    return see_other(f"/certificados/{cert.code}")

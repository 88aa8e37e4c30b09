"""Public verification of certificates, their PDF, the registry membership certificate and revocation."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from portal import i18n
from portal.certificates import service
from portal.forms import Form
from portal.security import read_form, require_org, require_staff
from portal.templating import flash, render
from portal.web import get_db, get_settings, see_other

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

async def _approved_org(request: Request) -> dict[str, Any]:
    user = require_org(request)
    row = await get_db(request).fetch_one(
        """SELECT id, legal_name, rut, effective_status, vigencia_issued_on, vigencia_expires_on
           FROM organizations_effective WHERE id = :i""", {"i": user.org_id})
    if row is None or row["effective_status"] != "approved":
        raise HTTPException(403, _("Solo una organización con inscripción vigente en el registro puede obtener su certificado."))
    return dict(row._mapping)


def _current(certs: list[service.Certificate], org: dict[str, Any]) -> service.Certificate | None:
    for cert in certs:
        if cert.kind == "registry" and cert.state() == "valid" and cert.valid_until == org["vigencia_expires_on"]:
            return cert
    return None


async def org_certificate(request: Request) -> Response:
    org = await _approved_org(request)
    db = get_db(request)
    certs = await service.for_subject(db, "organization", org["id"])
    current = _current(certs, org)
    if request.method == "GET":
        return render(request, "certificates/org.html", {"org": org, "current": current, "certs": certs,
                                                          "labels": STATE_LABELS})
    if current is None:
        user = require_org(request)
        async with db.transaction():
            code = await service.issue(
                db, kind="registry", subject_type="organization", subject_id=org["id"], subject_name=org["legal_name"],
                title=REGISTRY_TITLE, valid_from=org["vigencia_issued_on"] or date.today(),
                valid_until=org["vigencia_expires_on"], actor=user, details={"rut": org["rut"]})
    else:
        code = current.code
    return see_other(f"/certificados/{code}.pdf")


# ----- revocation (staff of the certificate's domain) -----

async def _revocable(request: Request) -> tuple[Any, service.Certificate]:
    user = require_staff(request)
    code = service.normalize_code(str(request.path_params.get("code", ""))[:100])
    cert = await service.get(get_db(request), code) if code else None
    if cert is None:
        raise HTTPException(404)
    if not user.has_role(REVOKERS.get(cert.kind, "admin")):
        raise HTTPException(403, _("Solo la evaluación de este programa o la administración pueden revocar este certificado."))
    return user, cert


async def revoke(request: Request) -> Response:
    user, cert = await _revocable(request)
    context = {"cert": cert, "state": cert.state(), "values": {}, "errors": {}, "labels": STATE_LABELS}
    if request.method == "GET":
        return render(request, "certificates/revoke.html", context)
    if cert.revoked_at is not None:
        return render(request, "certificates/revoke.html", context, status=409)
    form = Form(await read_form(request))
    reason = form.text("reason", max_length=1000, min_length=5)
    if form.errors:
        context.update(values=form.values, errors=form.errors.fields)
        return render(request, "certificates/revoke.html", context, status=422)
    db = get_db(request)
    async with db.transaction():
        await service.revoke(db, cert.code, reason, user)  # writes the audit event
    flash(request, _("Certificado %(code)s revocado.", code=cert.code))
    return see_other(f"/certificados/{cert.code}")


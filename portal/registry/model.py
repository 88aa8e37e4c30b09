"""The registry's vocabulary: statuses, categories, forms, areas, document kinds (docs/registry.md,
Categories, Record and Documents).

The same values are enforced by the CHECK constraints of migrations 0010/0011; labels are
marked with N_() and translated where they are shown.
"""

from __future__ import annotations

from datetime import date, timedelta

from portal.i18n import N_

# How long a certificado de vigencia counts, and how recent it must be when submitted.
VIGENCIA_VALIDITY = timedelta(days=365)
VIGENCIA_MAX_AGE_DAYS = 60
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
PAGE_SIZE = 50
COUNT_CAP = 500  # counts above this are shown as "more than"
MIGRANT_MAJORITY = 51  # category A: share of migrant members, in percent, at least

STATUSES = ("draft", "submitted", "in_review", "observed", "approved", "rejected", "withdrawn")
PENDING = ("submitted", "in_review", "observed")
EDITABLE = ("draft", "observed")
STATUS_LABELS = {
    "draft": N_("Borrador"),
    "submitted": N_("Enviada"),
    "in_review": N_("En revisión"),
    "observed": N_("Con observaciones"),
    "approved": N_("Inscrita"),
    "expired": N_("Vigencia vencida"),
    "rejected": N_("Rechazada"),
    "withdrawn": N_("Retirada"),
}
PUBLIC_STATUSES = ("approved", "expired", "withdrawn")
REVIEW_KIND_LABELS = {
    "registration": N_("Inscripción"),
    "renewal": N_("Renovación de vigencia"),
    "category_change": N_("Cambio de categoría"),
    "identity_change": N_("Cambio de nombre"),
}

CATEGORIES = ("A", "B", "C")
CATEGORY_LABELS = {
    "A": N_("A · Organizaciones compuestas mayoritariamente por personas migrantes"),
    "B": N_("B · Organizaciones que trabajan con comunidades migrantes"),
    "C": N_("C · Universidades y centros de estudio sobre migración"),
}

LEGAL_FORMS = ("asociacion", "fundacion", "corporacion", "organizacion_funcional", "universidad",
               "centro_estudios", "otra")
LEGAL_FORM_LABELS = {
    "asociacion": N_("Asociación"),
    "fundacion": N_("Fundación"),
    "corporacion": N_("Corporación"),
    "organizacion_funcional": N_("Organización funcional"),
    "universidad": N_("Universidad"),
    "centro_estudios": N_("Centro de estudios"),
    "otra": N_("Otra"),
}

AREAS = ("regularizacion", "derechos_humanos", "trabajo", "salud", "educacion", "vivienda", "genero",
         "ninez", "refugio", "interculturalidad", "investigacion")
AREA_LABELS = {
    "regularizacion": N_("Regularización migratoria"),
    "derechos_humanos": N_("Derechos humanos"),
    "trabajo": N_("Trabajo"),
    "salud": N_("Salud"),
    "educacion": N_("Educación"),
    "vivienda": N_("Vivienda"),
    "genero": N_("Género"),
    "ninez": N_("Niñez"),
    "refugio": N_("Refugio"),
    "interculturalidad": N_("Interculturalidad"),
    "investigacion": N_("Investigación"),
}

DOC_KINDS = ("vigencia", "estatutos", "directorio", "mayoria_migrante", "reconocimiento_estado")
DOC_LABELS = {
    "vigencia": N_("Certificado de vigencia de persona jurídica"),
    "estatutos": N_("Estatutos"),
    "directorio": N_("Certificado de directorio"),
    "mayoria_migrante": N_("Declaración de composición mayoritariamente migrante"),
    "reconocimiento_estado": N_("Documento de reconocimiento del Estado"),
}
EVENT_LABELS = {
    "created": N_("Inscripción iniciada"),
    "submitted": N_("Solicitud enviada"),
    "taken": N_("Revisión iniciada"),
    "observed": N_("Observaciones del equipo revisor"),
    "approved": N_("Inscrita en el registro"),
    "rejected": N_("Solicitud rechazada"),
    "renewal_requested": N_("Renovación solicitada"),
    "renewed": N_("Vigencia renovada"),
    "renewal_rejected": N_("Renovación rechazada"),
    "category_change_requested": N_("Cambio de categoría solicitado"),
    "category_changed": N_("Categoría cambiada"),
    "category_change_rejected": N_("Cambio de categoría rechazado"),
    "identity_change_requested": N_("Cambio de nombre solicitado"),
    "identity_changed": N_("Nombre cambiado"),
    "identity_change_rejected": N_("Cambio de nombre rechazado"),
    "withdrawn": N_("Retirada del registro"),
    "representative_added": N_("Representante agregado"),
    "document_uploaded": N_("Documento cargado"),
    "edited": N_("Datos actualizados"),
    "reopened": N_("Nueva postulación tras el rechazo"),
}


def required_documents(category: str) -> tuple[str, ...]:
    """The documents a submission must carry for `category`."""
    extra = {"A": ("mayoria_migrante",), "C": ("reconocimiento_estado",)}.get(category, ())
    return ("vigencia", "estatutos", "directorio", *extra)


def vigencia_expiry(issued_on: date) -> date:
    """The end of a certificado de vigencia's validity (issue date + VIGENCIA_VALIDITY)."""
    return issued_on + VIGENCIA_VALIDITY


def vigencia_recent(issued_on: date | None, today: date) -> bool:
    """Issued at most VIGENCIA_MAX_AGE_DAYS before `today` (and not in the future)."""
    return issued_on is not None and 0 <= (today - issued_on).days <= VIGENCIA_MAX_AGE_DAYS

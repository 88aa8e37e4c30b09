"""The printable certificate: one A4 page with the subject, the title, the dates, the code and a QR
code pointing to the public verification page (fpdf2 draws the QR as vector squares, so it stays
sharp when printed and needs no image library). Imported only when a PDF is asked for: fpdf2 takes
about 0.17 s to import (portal/pdfdoc.py)."""

from __future__ import annotations

import segno

from portal import clock, i18n
from portal.certificates.service import KIND_HEADINGS, Certificate
from portal.pdfdoc import Document

NAVY = (0, 51, 102)
RED = (218, 41, 28)


def qr_payload(verify_url: str) -> str:
    """What the QR code encodes: exactly the public verification URL."""
    return verify_url


def qr_matrix(verify_url: str) -> list[list[bool]]:
    """The QR modules (True = dark) for `verify_url`, with no quiet zone."""
    qr = segno.make(qr_payload(verify_url), error="m", micro=False)
    return [[bool(cell) for cell in row] for row in qr.matrix]


class _Doc(Document):
    def __init__(self) -> None:
        super().__init__(margin=20)
        self.set_auto_page_break(False)

    def text_line(self, text: str, size: float, bold: bool = False, height: float = 8, color=(0, 0, 0)) -> None:
        self.use(size, bold)
        self.set_text_color(*color)
        self.multi_cell(0, height, self.clean(text), align="C", new_x="LMARGIN", new_y="NEXT")


def _draw_qr(doc: _Doc, verify_url: str, x: float, y: float, size: float) -> None:
    matrix = qr_matrix(verify_url)
    border = 4  # the quiet zone readers need
    cell = size / (len(matrix) + 2 * border)
    doc.set_fill_color(255, 255, 255)
    doc.rect(x, y, size, size, style="F")
    doc.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                doc.rect(x + (c + border) * cell, y + (r + border) * cell, cell, cell, style="F")


def _validity(cert: Certificate) -> str:
    if cert.valid_until is None:
        return i18n.gettext("Vigente desde el %(start)s, sin fecha de término.", start=i18n.fmt_date(cert.valid_from))
    return i18n.gettext("Vigente desde el %(start)s hasta el %(end)s.", start=i18n.fmt_date(cert.valid_from),
                        end=i18n.fmt_date(cert.valid_until))


def certificate_pdf(cert: Certificate, verify_url: str, lang: str) -> bytes:
    """The certificate as PDF bytes, in `lang` ('es' or 'en')."""
    token = i18n.set_language(lang)
    try:
        return _build(cert, verify_url)
    finally:
        i18n.reset_language(token)


def _build(cert: Certificate, verify_url: str) -> bytes:
    doc = _Doc()
    doc.set_title(doc.clean(f"{cert.title} · {cert.code}"))
    doc.set_author(doc.clean(i18n.gettext("Servicio Nacional de Migraciones")))
    doc.add_page()
    _letterhead(doc)
    _statement(doc, cert)
    _verification(doc, cert, verify_url)
    return bytes(doc.output())


def _letterhead(doc: _Doc) -> None:
    """The gob.cl two-colour bar, the frame and the issuer."""
    _ = i18n.gettext
    doc.set_fill_color(*NAVY)
    doc.rect(0, 0, 105, 6, style="F")
    doc.set_fill_color(*RED)
    doc.rect(105, 0, 105, 6, style="F")
    doc.set_draw_color(*NAVY)
    doc.set_line_width(0.8)
    doc.rect(10, 14, 190, 273)
    doc.set_y(28)
    doc.text_line(_("Gobierno de Chile"), 11, color=NAVY, height=6)
    doc.text_line(_("Servicio Nacional de Migraciones"), 14, bold=True, color=NAVY)
    doc.ln(14)


def _statement(doc: _Doc, cert: Certificate) -> None:
    """What is certified, of whom, and until when."""
    _ = i18n.gettext
    doc.text_line(_(KIND_HEADINGS.get(cert.kind, KIND_HEADINGS["registry"])), 20, bold=True, height=10)
    doc.ln(8)
    doc.text_line(_("Se certifica que"), 12)
    doc.ln(2)
    doc.text_line(cert.subject_name, 18, bold=True, height=9)
    doc.ln(4)
    doc.text_line(cert.title, 14, height=8)
    doc.ln(6)
    doc.text_line(_validity(cert), 11, height=7)
    doc.text_line(_("Emitido el %(d)s.", d=i18n.fmt_date(cert.issued_at)), 11, height=7)


def _verification(doc: _Doc, cert: Certificate, verify_url: str) -> None:
    """The QR code, the code and the address where anyone can check it."""
    _ = i18n.gettext
    _draw_qr(doc, verify_url, x=75, y=170, size=60)
    doc.set_y(234)
    doc.text_line(_("Código de verificación"), 10, height=6)
    doc.text_line(cert.code, 16, bold=True, height=8)
    doc.ln(2)
    doc.text_line(_("Compruebe este certificado escaneando el código QR o en:"), 9, height=5)
    doc.text_line(verify_url, 9, height=5, color=NAVY)
    doc.set_y(276)
    doc.text_line(_("Documento generado el %(d)s.", d=i18n.fmt_date(clock.today())), 8, height=4, color=(80, 80, 80))

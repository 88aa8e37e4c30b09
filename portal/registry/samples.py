"""Tiny valid PDFs for the demo data and the tests (fpdf2)."""

from __future__ import annotations


def tiny_pdf(title: str, lines: tuple[str, ...] = ()) -> bytes:
    """A one-page PDF with a title and a few lines of text."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

"""A4 documents printed with fpdf2 (the actas of the count and of the council, certificates).

They use DejaVu Sans from the system when present (Unicode); otherwise the PDF core font with the text
reduced to Latin-1, so documents print on any server without bundling a font. Import this only where
a PDF is made: fpdf2 takes about 0.17 s to import, which every worker would otherwise pay at start-up.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_LATIN1 = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "·": "-", "→": "->",
           "≥": ">=", "≤": "<=", "✓": "v", "✗": "x"}


def _font_dir() -> str | None:
    for folder in _FONT_DIRS:
        if (folder / "DejaVuSans.ttf").exists() and (folder / "DejaVuSans-Bold.ttf").exists():
            return str(folder)
    return None


class Document(FPDF):
    """An A4 page set with equal margins and a 'body' font (regular and bold)."""

    def __init__(self, margin: float) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.folder = _font_dir()
        self.unicode = self.folder is not None
        if self.folder:
            self.add_font("body", "", f"{self.folder}/DejaVuSans.ttf")
            self.add_font("body", "B", f"{self.folder}/DejaVuSans-Bold.ttf")
        self.set_margins(margin, margin, margin)

    def clean(self, text: str) -> str:
        """The text as the font can print it."""
        if self.unicode:
            return text
        for src, dst in _LATIN1.items():
            text = text.replace(src, dst)
        return text.encode("latin-1", "replace").decode("latin-1")

    def use(self, size: float, bold: bool = False) -> None:
        self.set_font("body" if self.unicode else "helvetica", "B" if bold else "", size)


class Minutes(Document):
    """An acta (the count's, a council session's): paragraphs flowing over A4 pages."""

    def __init__(self) -> None:
        super().__init__(margin=18)
        self.set_auto_page_break(True, 18)

    def para(self, text: str, size: float = 10, bold: bool = False, height: float = 5) -> None:
        """One paragraph in the body font, wrapped to the page."""
        self.use(size, bold)
        self.multi_cell(0, height, self.clean(text), new_x="LMARGIN", new_y="NEXT")

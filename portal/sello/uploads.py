"""Uploaded PDFs: checked (magic bytes, size, pypdf can open it) and kept in stored_files."""

from __future__ import annotations

import functools
import hashlib
import io
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from pypdf import PdfReader
from starlette.requests import Request
from starlette.responses import Response

from portal import i18n
from portal.db import Database

MAX_BYTES = 10 * 1024 * 1024
logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed uploads are reported to the user, not the log


@dataclass(frozen=True)
class Pdf:
    filename: str
    content: bytes


async def read_pdf(value: Any, *, required: bool = True) -> tuple[Pdf | None, str | None]:
    """(the PDF, None) or (None, a message for the field); (None, None) when optional and empty."""
    if value is None or isinstance(value, str) or not getattr(value, "filename", None):
        return None, (i18n.gettext("Adjunte un archivo PDF.") if required else None)
    content = await value.read(MAX_BYTES + 1)
    return check_pdf(value.filename, content)


def check_pdf(filename: str, content: bytes) -> tuple[Pdf | None, str | None]:
    """Validate bytes already read."""
    if not content:
        return None, i18n.gettext("El archivo está vacío.")
    if len(content) > MAX_BYTES:
        return None, i18n.gettext("El archivo supera los 10 MB.")
    if not content.startswith(b"%PDF-"):
        return None, i18n.gettext("El archivo debe ser un PDF.")
    try:
        reader = PdfReader(io.BytesIO(content))
        if len(reader.pages) < 1:
            raise ValueError("no pages")
    except Exception:  # pypdf raises many kinds of errors for broken files
        return None, i18n.gettext("No pudimos abrir el PDF: puede estar dañado o protegido.")
    name = filename.replace("\\", "/").rsplit("/", 1)[-1][:200] or "documento.pdf"
    return Pdf(name, content), None


async def store(db: Database, pdf: Pdf, uploaded_by: int | None) -> str:
    """Insert into stored_files; returns the file id (uuid as text)."""
    file_id = await db.fetch_val(
        """INSERT INTO stored_files (sha256, size, filename, content_type, content, uploaded_by)
           VALUES (:sha, :size, :name, 'application/pdf', :content, :by) RETURNING id""",
        {"sha": hashlib.sha256(pdf.content).hexdigest(), "size": len(pdf.content), "name": pdf.filename,
         "content": pdf.content, "by": uploaded_by},
    )
    return str(file_id)


def closes_uploads(view: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """Close the request's temporary upload files once the view is done (the CSRF middleware keeps
    the parsed form open for the view; nothing else closes it)."""

    @functools.wraps(view)
    async def wrapper(request: Request) -> Response:
        try:
            return await view(request)
        finally:
            form = request.scope.get("state", {}).get("form")
            if form is not None:
                await form.close()

    return wrapper

"""Uploaded PDF documents, for every domain: checked by content, stored in stored_files, served as attachments.

A file is accepted only if it starts with the PDF magic bytes AND pypdf can open it and find a page
(a renamed PNG or a truncated file fails), is not password-protected, and is at most 10 MB.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import uuid
import warnings
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from portal import i18n
from portal.db import Database

MAX_BYTES = 10 * 1024 * 1024
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")
logging.getLogger("pypdf").setLevel(logging.ERROR)  # broken uploads are the user's news, not the log's


@dataclass(frozen=True)
class PdfUpload:
    """A checked PDF, ready to store."""

    filename: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def is_upload(value: Any) -> bool:
    """A file field the browser actually filled (an empty file input sends no filename)."""
    return hasattr(value, "read") and bool(getattr(value, "filename", ""))


def safe_filename(name: str | None, fallback: str = "documento") -> str:
    """The base name without characters that could break a Content-Disposition header, ending in .pdf."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE_NAME.sub("_", base).strip(" ._")[-120:] or fallback
    return cleaned if cleaned.lower().endswith(".pdf") else cleaned[:116] + ".pdf"


def pdf_problem(content: bytes) -> str | None:
    """Why `content` is not an acceptable PDF (a message for the user), or None."""
    if not content:
        return i18n.gettext("El archivo está vacío.")
    if len(content) > MAX_BYTES:
        return i18n.gettext("El archivo supera los 10 MB permitidos.")
    if not content.startswith(b"%PDF-"):
        return i18n.gettext("El archivo debe ser un PDF (se revisa su contenido, no su nombre).")
    from pypdf import PdfReader

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about harmless quirks of real-world files
            reader = PdfReader(io.BytesIO(content), strict=False)
            if reader.is_encrypted:
                return i18n.gettext("El PDF está protegido con contraseña; súbalo sin protección.")
            if len(reader.pages) < 1:
                raise ValueError("no pages")
    except Exception:  # pypdf raises many kinds of errors for broken files
        return i18n.gettext("No pudimos abrir el PDF: puede estar dañado.")
    return None


async def read_pdf(value: Any, *, required: bool = True) -> tuple[PdfUpload | None, str | None]:
    """(upload, None) for an acceptable PDF; (None, message) otherwise; (None, None) if optional and empty."""
    if not is_upload(value):
        return None, (i18n.gettext("Adjunte el documento en PDF.") if required else None)
    content = await value.read(MAX_BYTES + 1)
    problem = pdf_problem(content)
    if problem:
        return None, problem
    return PdfUpload(safe_filename(value.filename), content), None


async def store(db: Database, upload: PdfUpload, uploaded_by: int | None) -> str:
    """Insert the file (inside the change's transaction); returns its id (a UUID as text)."""
    file_id = await db.fetch_val(
        """INSERT INTO stored_files (sha256, size, filename, content_type, content, uploaded_by)
           VALUES (:sha, :size, :name, 'application/pdf', :content, :by) RETURNING id""",
        {"sha": upload.sha256, "size": len(upload.content), "name": upload.filename,
         "content": upload.content, "by": uploaded_by},
    )
    return str(file_id)


def parse_file_id(raw: Any) -> str | None:
    """A file id from a URL, or None (so a garbage id is a 404, never a 500)."""
    try:
        return str(uuid.UUID(str(raw)))
    except (ValueError, TypeError, AttributeError):
        return None


def attachment(content: bytes, filename: str, content_type: str = "application/pdf") -> Response:
    """A download that the browser saves rather than renders (documents may hold personal data)."""
    name = safe_filename(filename)
    return Response(
        content,
        media_type=content_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "private, no-store",
        },
    )

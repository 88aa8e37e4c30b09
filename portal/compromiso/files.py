"""Uploaded PDFs (the carta, evidence): checked, stored in stored_files, served as attachments."""

from __future__ import annotations

import functools
import hashlib
import io
import re
import uuid
import warnings
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from portal import i18n
from portal.db import Database

MAX_BYTES = 10 * 1024 * 1024
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass
class PdfUpload:
    """A checked PDF, ready to store."""

    filename: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def closes_uploads(view: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """Close the request's uploaded files when the view is done (the CSRF middleware parsed the form
    and keeps it open for the view; unclosed temporary files would linger until garbage collection)."""

    @functools.wraps(view)
    async def wrapper(request: Request) -> Response:
        try:
            return await view(request)
        finally:
            form = request.scope.get("state", {}).get("form")
            if form is not None:
                await form.close()

    return wrapper


def is_upload(value: Any) -> bool:
    """A file field the browser actually filled (an empty file input sends no filename)."""
    return hasattr(value, "read") and bool(getattr(value, "filename", ""))


def safe_filename(name: str) -> str:
    """The base name, without characters that could break a Content-Disposition header."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE_NAME.sub("_", base).strip(" .") or "documento.pdf"
    return cleaned[-120:] if cleaned.lower().endswith(".pdf") else cleaned[:116] + ".pdf"


async def read_pdf(value: Any) -> tuple[PdfUpload | None, str | None]:
    """(upload, None) for a real PDF of at most 10 MB, else (None, a message for the user)."""
    if not is_upload(value):
        return None, i18n.gettext("Adjunte el documento en PDF.")
    content = await value.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        return None, i18n.gettext("El archivo supera los 10 MB permitidos.")
    if not content.startswith(b"%PDF-") or not _opens_as_pdf(content):
        return None, i18n.gettext("El archivo no es un PDF válido. Adjunte un documento PDF.")
    return PdfUpload(safe_filename(value.filename), content), None


def _opens_as_pdf(content: bytes) -> bool:
    # the magic bytes can be faked; pypdf must also find at least one page
    from pypdf import PdfReader

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return len(PdfReader(io.BytesIO(content)).pages) > 0
    except Exception:  # pypdf raises many kinds of errors on broken files
        return False


async def store(db: Database, upload: PdfUpload, uploaded_by: int | None) -> str:
    """Insert the file (call inside the change's transaction); returns its id."""
    file_id = await db.fetch_val(
        """INSERT INTO stored_files (sha256, size, filename, content_type, content, uploaded_by)
           VALUES (:sha, :size, :name, 'application/pdf', :content, :by) RETURNING id""",
        {"sha": upload.sha256, "size": len(upload.content), "name": upload.filename,
         "content": upload.content, "by": uploaded_by},
    )
    return str(file_id)


def parse_file_id(raw: str) -> str | None:
    try:
        return str(uuid.UUID(raw))
    except (ValueError, TypeError, AttributeError):
        return None


@dataclass
class OwnedFile:
    """A Compromiso file and the company it belongs to."""

    id: str
    company_id: int
    filename: str
    content: bytes


async def owned_file(db: Database, file_id: str) -> OwnedFile | None:
    """A carta or an evidence file of some company (other domains' files are not found here)."""
    row = await db.fetch_one(
        """SELECT f.id::text AS id, owner.company_id, f.filename, f.content
           FROM stored_files f
           JOIN (SELECT carta_file_id AS file_id, id AS company_id FROM compromiso_companies
                 WHERE carta_file_id IS NOT NULL
                 UNION ALL
                 SELECT e.file_id, c.company_id FROM compromiso_evidence e
                 JOIN compromiso_cycles c ON c.id = e.cycle_id) owner ON owner.file_id = f.id
           WHERE f.id = CAST(:id AS uuid)""",
        {"id": file_id},
    )
    if row is None:
        return None
    return OwnedFile(id=row["id"], company_id=row["company_id"], filename=row["filename"],
                     content=bytes(row["content"]))

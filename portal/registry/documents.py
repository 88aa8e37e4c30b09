"""PDF documents of an organization: checked by content, stored in stored_files, linked in org_documents."""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal import i18n
from portal.db import Database, to_dataclass, to_dataclasses
from portal.registry import model

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


class BadDocument(ValueError):
    """The upload is not an acceptable PDF; the message says why, for the user."""


def check_pdf(content: bytes) -> None:
    """A real PDF of at most MAX_UPLOAD_BYTES: magic bytes first, then pypdf must read its pages."""
    if not content:
        raise BadDocument(i18n.gettext("Elija un archivo PDF."))
    if len(content) > model.MAX_UPLOAD_BYTES:
        raise BadDocument(i18n.gettext("El archivo supera el máximo de 10 MB."))
    if not content.startswith(b"%PDF-"):
        raise BadDocument(i18n.gettext("El archivo no es un PDF (se revisa su contenido, no su nombre)."))
    from pypdf import PdfReader

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about harmless quirks of real-world files
            reader = PdfReader(io.BytesIO(content), strict=False)
            if reader.is_encrypted:
                raise BadDocument(i18n.gettext("El PDF está protegido con contraseña; súbalo sin protección."))
            if len(reader.pages) < 1:
                raise ValueError("no pages")
    except BadDocument:
        raise
    except Exception as exc:  # pypdf raises many types for broken files
        raise BadDocument(i18n.gettext("El PDF está dañado o no se puede leer.")) from exc


def safe_filename(name: str | None, kind: str) -> str:
    """A harmless file name for Content-Disposition, always ending in .pdf."""
    base = _SAFE_NAME.sub("_", (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip(" ._")[:80]
    base = base or kind
    return base if base.lower().endswith(".pdf") else base + ".pdf"


@dataclass
class Document:
    id: int
    org_id: int
    kind: str
    issued_on: date | None
    uploaded_at: datetime
    superseded_at: datetime | None
    filename: str
    size: int
    sha256: str
    uploader: str = ""


async def store(db: Database, *, org_id: int, kind: str, content: bytes, filename: str, user_id: int,
                issued_on: date | None = None) -> int:
    """Store the file and make it the current document of its kind (call inside a transaction)."""
    file_id = await db.fetch_val(
        """INSERT INTO stored_files (sha256, size, filename, content_type, content, uploaded_by)
           VALUES (:sha, :size, :name, 'application/pdf', :content, :by) RETURNING id""",
        {"sha": hashlib.sha256(content).hexdigest(), "size": len(content), "name": safe_filename(filename, kind),
         "content": content, "by": user_id})
    await db.execute(
        """UPDATE org_documents SET superseded_at = now()
           WHERE org_id = :o AND kind = :k AND superseded_at IS NULL""", {"o": org_id, "k": kind})
    return await db.fetch_val(
        """INSERT INTO org_documents (org_id, kind, file_id, issued_on, uploaded_by)
           VALUES (:o, :k, :f, :issued, :by) RETURNING id""",
        {"o": org_id, "k": kind, "f": file_id, "issued": issued_on, "by": user_id})


_SELECT = """SELECT d.id, d.org_id, d.kind, d.issued_on, d.uploaded_at, d.superseded_at, f.filename, f.size,
                    f.sha256, COALESCE(u.name, '') AS uploader
             FROM org_documents d JOIN stored_files f ON f.id = d.file_id
             LEFT JOIN users u ON u.id = d.uploaded_by"""


async def for_org(db: Database, org_id: int, *, current_only: bool = False) -> list[Document]:
    """An organization's documents, current first, newest first."""
    rows = await db.fetch_all(
        _SELECT + """ WHERE d.org_id = :o AND (d.superseded_at IS NULL OR NOT CAST(:c AS boolean))
                      ORDER BY d.superseded_at IS NOT NULL, d.uploaded_at DESC, d.id DESC""",
        {"o": org_id, "c": current_only})
    return to_dataclasses(Document, rows)


async def current(db: Database, org_id: int) -> dict[str, Document]:
    return {d.kind: d for d in await for_org(db, org_id, current_only=True)}


async def get(db: Database, doc_id: int) -> Document | None:
    return to_dataclass(Document, await db.fetch_one(_SELECT + " WHERE d.id = :id", {"id": doc_id}))


async def content(db: Database, doc_id: int) -> dict[str, Any] | None:
    row = await db.fetch_one(
        """SELECT f.content, f.filename, f.content_type FROM org_documents d
           JOIN stored_files f ON f.id = d.file_id WHERE d.id = :id""", {"id": doc_id})
    return None if row is None else dict(row._mapping)


def missing(category: str, docs: dict[str, Document]) -> list[str]:
    """Required kinds not yet uploaded for `category`."""
    return [kind for kind in model.required_documents(category) if kind not in docs]

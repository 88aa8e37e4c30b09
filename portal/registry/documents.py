"""PDF documents of an organization: checked by content, stored in stored_files, linked in org_documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal import uploads
from portal.db import Database, to_dataclass, to_dataclasses
from portal.registry import model

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
    file_id = await uploads.store(db, uploads.CheckedFile(uploads.safe_filename(filename, kind), content), user_id)
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

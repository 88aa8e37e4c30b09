"""Uploaded PDFs (the carta, evidence): checked, stored in stored_files, served as attachments."""

from __future__ import annotations

from dataclasses import dataclass

from portal import uploads
from portal.db import Database

# The checks and storage are shared by every domain (portal.uploads); this module knows which
# stored files belong to which company.
CheckedFile = uploads.CheckedFile
read_pdf = uploads.read_pdf
store = uploads.store
is_upload = uploads.is_upload
parse_file_id = uploads.parse_file_id


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

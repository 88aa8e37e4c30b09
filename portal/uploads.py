"""Uploaded files, for every domain: checked by content and stored in stored_files.

A PDF document is accepted only if it starts with the PDF magic bytes AND pypdf can open it and find a
page (a renamed PNG or a truncated file fails), is not password-protected, and is at most 10 MB; it is
served back as an attachment. A photo (JPEG or PNG, at most 5 MB) is decoded with Pillow and stored as
the portal's own re-encoding: a JPEG of at most 600 px with no metadata (no camera data or GPS position
of the uploader), served inline.
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

from starlette.exceptions import HTTPException
from starlette.responses import Response

from portal import i18n
from portal.db import Database

MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_SIDE = 600
PHOTO_MAX_PIXELS = 40_000_000  # larger images are refused before decoding (a "decompression bomb")
_PHOTO_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")
logging.getLogger("pypdf").setLevel(logging.ERROR)  # broken uploads are the user's news, not the log's


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed its checks (a PDF, or the re-encoding of a photo), ready to store."""

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


async def read_pdf(value: Any, *, required: bool = True) -> tuple[CheckedFile | None, str | None]:
    """(upload, None) for an acceptable PDF; (None, message) otherwise; (None, None) if optional and empty."""
    if not is_upload(value):
        return None, (i18n.gettext("Adjunte el documento en PDF.") if required else None)
    content = await value.read(MAX_BYTES + 1)
    problem = pdf_problem(content)
    if problem:
        return None, problem
    return CheckedFile(safe_filename(value.filename), content), None


def normalized_photo(content: bytes) -> tuple[bytes | None, str | None]:
    """(the portal's JPEG of the photo, None), or (None, why it is not acceptable, for the user)."""
    if not content:
        return None, i18n.gettext("El archivo está vacío.")
    if len(content) > PHOTO_MAX_BYTES:
        return None, i18n.gettext("La foto supera los 5 MB permitidos.")
    if not content.startswith(_PHOTO_MAGIC):
        return None, i18n.gettext("La foto debe ser una imagen JPEG o PNG (se revisa su contenido, no su nombre).")
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise ValueError("too many pixels")
            image.draft("RGB", (2 * PHOTO_MAX_SIDE, 2 * PHOTO_MAX_SIDE))  # a JPEG decodes at a reduced scale
            upright = ImageOps.exif_transpose(image)  # keep how it was taken, then drop the metadata
            upright.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            upright.convert("RGB").save(out, "JPEG", quality=85)
    except Exception:  # Pillow raises many kinds of errors for broken or hostile files
        return None, i18n.gettext("No pudimos abrir la imagen: puede estar dañada o ser demasiado grande.")
    return out.getvalue(), None


async def read_photo(value: Any) -> tuple[CheckedFile | None, str | None]:
    """(photo, None) for an acceptable image; (None, message) otherwise; (None, None) when none was sent."""
    if not is_upload(value):
        return None, None
    content, problem = normalized_photo(await value.read(PHOTO_MAX_BYTES + 1))
    if content is None:
        return None, problem
    return CheckedFile("foto.jpg", content), None


async def store(db: Database, upload: CheckedFile, uploaded_by: int | None, content_type: str = "application/pdf") -> str:
    """Insert the file (inside the change's transaction); returns its id (a UUID as text)."""
    file_id = await db.fetch_val(
        """INSERT INTO stored_files (sha256, size, filename, content_type, content, uploaded_by)
           VALUES (:sha, :size, :name, :type, :content, :by) RETURNING id""",
        {"sha": upload.sha256, "size": len(upload.content), "name": upload.filename, "type": content_type,
         "content": upload.content, "by": uploaded_by},
    )
    return str(file_id)


async def read(db: Database, file_id: Any) -> bytes | None:
    """A stored file's content by id (None if there is no such file)."""
    return await db.fetch_val("SELECT content FROM stored_files WHERE id = CAST(:id AS uuid)", {"id": str(file_id)})


@dataclass(frozen=True)
class StoredFile:
    """A stored file as served for download."""

    id: str
    filename: str
    content_type: str
    content: bytes


async def get(db: Database, file_id: Any) -> StoredFile | None:
    """A stored file by id (None if there is no such file, or the id is not a UUID)."""
    parsed = parse_file_id(file_id)
    if parsed is None:
        return None
    row = await db.fetch_one(
        "SELECT id::text AS id, filename, content_type, content FROM stored_files WHERE id = CAST(:id AS uuid)",
        {"id": parsed})
    if row is None:
        return None
    return StoredFile(row["id"], row["filename"], row["content_type"], bytes(row["content"]))


def serve_file(file: StoredFile | None, may_read: bool, *, inline: bool = False) -> Response:
    """Every download: the file when this person may read it, 404 otherwise (missing and not
    theirs answer alike, so a file's existence never leaks)."""
    if file is None or not may_read:
        raise HTTPException(404)
    if inline:
        return Response(file.content, media_type=file.content_type,
                        headers={"Cache-Control": "private, no-store"})
    return attachment(file.content, file.filename, file.content_type)


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

"""Candidacy photos (optional): checked by content, re-encoded without metadata, public once published."""

from __future__ import annotations

import io
import json
from typing import Any

from cosoc_helpers import signed_in
from cosoc_world import build_open_election


def _image(fmt: str = "JPEG", size: tuple[int, int] = (1200, 800)) -> bytes:
    from PIL import Image

    image = Image.new("RGB", size, (0, 111, 179))
    exif = Image.Exif()
    exif[0x010F] = "CamaraSecreta"        # Make
    exif[0x010E] = "Casa de la candidata"  # ImageDescription
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


def _form(**extra: str) -> dict[str, str]:
    return {"name": "Ana Pérez", "document_type": "passport", "document_number": "P123456", "gender": "F",
            "bio": "Dirigenta con diez años de trabajo con familias migrantes.", "accepted": "1", **extra}


async def test_a_photo_is_reencoded_and_published_with_the_list(db: Any, secret: str, make_client: Any) -> None:
    oe = await build_open_election(db, secret, phase="candidacies_open")
    _u, org_id, email = oe.reps["A"][2]
    rep = await signed_in(make_client, email)
    r = await rep.post(f"/elecciones/{oe.id}/candidatura", _form(), files={"photo": ("yo.jpg", _image(), "image/jpeg")})
    assert r.status_code == 303
    cand = await db.fetch_one("SELECT id, photo_file FROM candidates WHERE org_id = :o", {"o": org_id})
    assert cand["photo_file"] is not None
    url = f"/elecciones/{oe.id}/candidaturas/{cand['id']}/foto"
    own = await rep.get(url)  # the organization sees it before publication
    assert own.status_code == 200 and own.headers["content-type"] == "image/jpeg"
    assert own.headers["cache-control"] == "private, no-store"
    from PIL import Image

    stored = Image.open(io.BytesIO(own.content))
    assert max(stored.size) == 600 and stored.size == (600, 400)
    assert b"CamaraSecreta" not in own.content and b"Casa de la candidata" not in own.content
    assert not stored.getexif()
    anon = make_client()
    assert (await anon.get(url)).status_code == 404  # not public before the list is
    await db.execute("UPDATE candidates SET status = 'admissible' WHERE id = :c", {"c": cand["id"]})
    await db.execute("UPDATE elections SET phase = 'voting_open' WHERE id = :e", {"e": oe.id})
    public = await anon.get(url)
    assert public.status_code == 200 and public.content == own.content
    assert public.headers["cache-control"].startswith("public")
    page = await anon.get(f"/elecciones/{oe.id}")
    assert f'src="{url}"' in page.text and 'alt="Foto de Ana Pérez"' in page.text
    other = oe.candidates["A"][0]  # a candidacy without a photo
    assert (await anon.get(f"/elecciones/{oe.id}/candidaturas/{other}/foto")).status_code == 404
    assert (await anon.get(f"/elecciones/{oe.id}/candidaturas/abc/foto")).status_code == 404


async def test_bad_photos_are_refused_beside_the_field_and_nothing_is_stored(db: Any, secret: str, make_client: Any) -> None:
    oe = await build_open_election(db, secret, phase="candidacies_open")
    _u, org_id, email = oe.reps["B"][2]
    rep = await signed_in(make_client, email)
    url = f"/elecciones/{oe.id}/candidatura"
    cases = [
        (("foto.jpg", b"no soy una imagen, solo texto", "image/jpeg"), "debe ser una imagen JPEG o PNG"),
        (("foto.jpg", b"\xff\xd8\xff" + b"\x00" * 400, "image/jpeg"), "No pudimos abrir la imagen"),
        (("foto.jpg", b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), "image/jpeg"), "supera los 5 MB"),
        (("foto.pdf", b"%PDF-1.4 un documento", "application/pdf"), "debe ser una imagen JPEG o PNG"),
    ]
    files_before = await db.fetch_val("SELECT count(*) FROM stored_files")
    for upload, message in cases:
        r = await rep.post(url, _form(), files={"photo": upload})
        assert r.status_code == 422 and message in r.text, message
        assert 'id="photo-error"' in r.text and 'value="Ana Pérez"' in r.text  # the rest of the form is kept
    assert await db.fetch_val("SELECT count(*) FROM candidates WHERE org_id = :o", {"o": org_id}) == 0
    assert await db.fetch_val("SELECT count(*) FROM stored_files") == files_before


async def test_a_png_is_accepted_and_a_photo_can_be_removed(db: Any, secret: str, make_client: Any) -> None:
    oe = await build_open_election(db, secret, phase="candidacies_open")
    _u, org_id, email = oe.reps["C"][2]
    rep = await signed_in(make_client, email)
    url = f"/elecciones/{oe.id}/candidatura"
    assert (await rep.post(url, _form(), files={"photo": ("yo.png", _image("PNG", (300, 500)), "image/png")})).status_code == 303
    cand = await db.fetch_one("SELECT id, photo_file FROM candidates WHERE org_id = :o", {"o": org_id})
    photo = await rep.get(f"/elecciones/{oe.id}/candidaturas/{cand['id']}/foto")
    assert photo.headers["content-type"] == "image/jpeg" and photo.content.startswith(b"\xff\xd8\xff")
    form_page = await rep.get(url)
    assert 'name="remove_photo"' in form_page.text and "Foto actual de Ana Pérez" in form_page.text
    # editing without a new file keeps the photo; ticking "remove" takes it away
    assert (await rep.post(url, _form())).status_code == 303
    assert await db.fetch_val("SELECT photo_file FROM candidates WHERE id = :c", {"c": cand["id"]}) == cand["photo_file"]
    assert (await rep.post(url, _form(remove_photo="1"))).status_code == 303
    assert await db.fetch_val("SELECT photo_file FROM candidates WHERE id = :c", {"c": cand["id"]}) is None
    log = await db.fetch_all("SELECT detail FROM election_log WHERE event = 'candidacy_saved' ORDER BY id")
    details = [d if isinstance(d, dict) else json.loads(d) for d in (row["detail"] for row in log)]
    assert [d["photo"] for d in details] == ["new", "kept", "removed"]  # each change in the election log


async def test_the_election_staff_see_the_photo_they_review(db: Any, secret: str, make_client: Any) -> None:
    from cosoc_helpers import staff

    oe = await build_open_election(db, secret, phase="candidacies_open")
    rep = await signed_in(make_client, oe.reps["A"][2][2])
    await rep.post(f"/elecciones/{oe.id}/candidatura", _form(), files={"photo": ("yo.jpg", _image(), "image/jpeg")})
    cand_id = await db.fetch_val("SELECT id FROM candidates WHERE org_id = :o", {"o": oe.reps["A"][2][1]})
    officer = await staff(make_client, db, "election_officer")
    review = await officer.get(f"/staff/elecciones/{oe.id}/candidaturas")
    url = f"/elecciones/{oe.id}/candidaturas/{cand_id}/foto"
    assert f'src="{url}"' in review.text
    assert (await officer.get(url)).status_code == 200  # before publication, for the review
    other_rep = await signed_in(make_client, oe.reps["A"][1][2])  # another organization
    assert (await other_rep.get(url)).status_code == 404


def test_a_huge_image_is_refused_before_it_is_decoded() -> None:
    """A small file that claims 10,000 × 10,000 pixels (a "decompression bomb") is refused from its header."""
    import struct
    import zlib

    from portal import uploads

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    bomb = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 10_000, 10_000, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
    content, problem = uploads.normalized_photo(bomb)
    assert content is None and problem is not None and "demasiado grande" in problem
    assert len(bomb) < 200

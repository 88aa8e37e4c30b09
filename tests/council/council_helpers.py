"""Steps of a council session through HTTP, as the secretariat takes them."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

from portal import clock

_ID = re.compile(r"/staff/consejo/sesiones/(\d+)$")


def small_pdf(title: str = "Documento") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, title)
    return bytes(pdf.output())


async def create(client: Any, days: int = 7, kind: str = "ordinary") -> int:
    r = await client.post("/staff/consejo/sesiones", {
        "kind": kind, "day": (clock.today() + timedelta(days=days)).isoformat(), "hour": "18:30", "minutes": "120",
        "place": "Sala Consejo, Santiago", "online_url": "https://reunion.example.cl/consejo"})
    assert r.status_code == 303, r.text
    match = _ID.search(r.headers["location"])
    assert match
    return int(match.group(1))


async def add_item(client: Any, sid: int, title: str = "Cuenta de la secretaría", pdf: bool = True) -> Any:
    files = {"file": ("tabla.pdf", io.BytesIO(small_pdf(title)), "application/pdf")} if pdf else None
    return await client.post(f"/staff/consejo/sesiones/{sid}/puntos", {"title": title}, files=files)


async def must(client: Any, url: str, data: Any = None, status: int = 303) -> Any:
    r = await client.post(url, data or {})
    assert r.status_code == status, (url, r.status_code, r.text[-3000:])
    return r


async def convened(client: Any, days: int = 7) -> int:
    sid = await create(client, days)
    assert (await add_item(client, sid)).status_code == 303
    await must(client, f"/staff/consejo/sesiones/{sid}/convocar")
    return sid


async def mark(client: Any, sid: int, marks: dict[int, str], status: int = 303) -> Any:
    return await must(client, f"/staff/consejo/sesiones/{sid}/asistencia",
                      {f"att-{m}": st for m, st in marks.items()}, status)


async def held(client: Any, members: list[int], present: set[int], excused: frozenset[int] = frozenset(),
               days: int = 7) -> int:
    """A session convened, opened, attendance recorded (the rest absent without excuse) and closed."""
    sid = await convened(client, days)
    await must(client, f"/staff/consejo/sesiones/{sid}/abrir")
    await mark(client, sid, {m: "present" if m in present else "excused" if m in excused else "absent"
                             for m in members})
    await must(client, f"/staff/consejo/sesiones/{sid}/cerrar")
    return sid

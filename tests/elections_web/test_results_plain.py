"""Results a citizen understands (issue 16, item 4): the demo's proclaimed election shows a gender
substitution, a territorial substitution and a tie settled by the sorteo, each told in plain words in
Spanish and English, with correct plurals, charts with the same figures as tables, and the full trail
folded below."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from portal import demo as portal_demo
from portal.elections_web import demo

SHOTS = Path("/tmp/shots")


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


async def _past(db: Any, secret: str) -> int:
    await portal_demo.load_staff(db)
    await demo.load(db, secret)
    return int(await db.fetch_val("SELECT id FROM elections WHERE name = :n", {"n": demo.PAST}))


async def test_demo_results_explain_every_correction(db: Any, make_client: Any, secret: str) -> None:
    past = await _past(db, secret)
    page = await make_client().get(f"/elecciones/{past}/resultados")
    assert page.status_code == 200
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / "results_es.html").write_text(page.text, encoding="utf-8")
    text = _text(page.text.split('id="trail-h"')[0])  # above the machine trail (folded, technical)
    assert text.count("Qué cambió y por qué") == 3
    assert "cedió su cupo a" in text and "por la regla de género" in text and "por la regla territorial" in text
    assert "decidió el sorteo público" in text and "Empate resuelto por sorteo" in text
    # correct plurals, no jargon
    for wrong in ("1 cupos", "las 1 personas", "1 votos", "nominal", "iguales en votos", "vector"):
        assert wrong not in text, wrong
    assert "Al menos 1 de los cupos es para personas de regiones distintas de la Metropolitana." in text
    assert "Un mismo género puede ocupar como máximo 1 cupo." in text
    # the trail is folded, the charts are drawn and the same figures are in tables
    assert re.search(r"<details[^>]*>\s*<summary>", page.text)
    assert page.text.count('<figure class="bar-chart" aria-hidden="true"') == 4  # A, B, C and regions
    assert "<svg" in page.text and "Participación por región" in text
    assert page.text.count("<table") >= 8


async def test_results_in_english(db: Any, make_client: Any, secret: str) -> None:
    past = await _past(db, secret)
    page = await make_client().get(f"/elecciones/{past}/resultados", headers={"Accept-Language": "en"})
    text = _text(page.text.split('id="trail-h"')[0])
    assert text.count("What changed and why") == 3
    assert "gave up the seat to" in text and "gender rule" in text and "territorial rule" in text
    assert "the public draw decided" in text
    assert "At least 1 of the seats is for people from regions other than the Metropolitan Region." in text
    assert "No gender may hold more than 1 seat." in text
    for wrong in ("1 seats", "1 votes", "nominal", "Qué cambió", "cedió"):
        assert wrong not in text, wrong

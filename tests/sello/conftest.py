"""Sello Migrante fixtures: an evaluator, two liaisons of two comunas, each with a signed-in client."""

from __future__ import annotations

from typing import Any

import pytest

from factories import create_user
from sello_support import SANTIAGO, VALPARAISO, SelloWorld


@pytest.fixture
async def sello(db: Any, make_client: Any) -> SelloWorld:
    await create_user(db, "evaluadora@sermig.cl", roles=["sello_evaluator"])
    liaison_id = await create_user(db, "enlace@valparaiso.cl", name="Enlace Valparaíso")
    other_id = await create_user(db, "enlace@santiago.cl", name="Enlace Santiago")
    for user_id, code in ((liaison_id, VALPARAISO), (other_id, SANTIAGO)):
        await db.execute("INSERT INTO sello_liaisons (user_id, comuna_code) VALUES (:u, :c)", {"u": user_id, "c": code})
    clients = []
    for email in ("enlace@valparaiso.cl", "enlace@santiago.cl", "evaluadora@sermig.cl"):
        client = make_client()
        await client.login(email)
        clients.append(client)
    return SelloWorld(db, clients[0], clients[1], clients[2], make_client(), "enlace@valparaiso.cl")



"""Access rules for the help domain: help and legal pages, contact, display modes, the staff inbox.

The inbox is for admins only (docs/help.md, Who reads the messages): messages may carry personal
data on any topic, and the admin answers or forwards them.
"""

from __future__ import annotations

from typing import Any

from policies import World, only, public

POLICY = {
    ("GET", "/ayuda"): public(),
    ("GET", "/accesibilidad"): public(),
    ("GET", "/privacidad"): public(),
    ("GET", "/contacto"): public(),
    ("POST", "/contacto"): public(),
    ("GET", "/visualizacion/{choice}"): public(params=lambda w: {"choice": "contraste-alto"}),
    ("GET", "/staff/contacto"): only("admin"),
    ("GET", "/staff/contacto/{id}"): only("admin", params=lambda w: {"id": w.ids["contact_message"]}),
    ("POST", "/staff/contacto/{id}/responder"): only("admin", params=lambda w: {"id": w.ids["contact_message"]},
                                                     data=lambda w: {"answer": ""}),
}


async def extend_world(db: Any, world: World) -> None:
    world.ids["contact_message"] = await db.fetch_val(
        "INSERT INTO contact_messages (name, email, topic, message, client_hash) "
        "VALUES ('Persona', 'persona@walk.cl', 'other', 'Un mensaje de prueba.', repeat('0', 64)) RETURNING id")

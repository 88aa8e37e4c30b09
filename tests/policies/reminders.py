"""Access rules for reminders: a person's own preferences, the unsubscribe link (no sign-in: the
signed token is the proof; a bad one is 404 for everyone), the staff schedule (admins)."""

from __future__ import annotations

from policies import only, public, signed_in

BAD_TOKEN = {"token": "no-es-un-token"}

POLICY = {
    ("GET", "/cuenta/recordatorios"): signed_in(),
    ("POST", "/cuenta/recordatorios"): signed_in(data=lambda w: {"language": "account"}),
    ("GET", "/recordatorios/baja/{token}"): public(params=lambda w: BAD_TOKEN),
    ("POST", "/recordatorios/baja/{token}"): public(params=lambda w: BAD_TOKEN),
    ("POST", "/recordatorios/baja/{token}/un-clic"): public(params=lambda w: BAD_TOKEN),
    ("GET", "/staff/recordatorios"): only("admin"),
}

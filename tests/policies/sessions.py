"""Access rules for the security layer's routes (portal/safeguards/routes.py)."""

from policies import only, public

POLICY = {
    # the walk ends the sessions of the plain user's account, never of the role it walks as
    ("POST", "/staff/cuentas/{id}/cerrar-sesiones"): only("admin", params=lambda w: {"id": w.ids["user:user"]}),
    ("GET", "/transparencia/auditoria.json"): public(),
}

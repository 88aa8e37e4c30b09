"""Access rules for the foundation's routes (home, accounts, staff home and admin pages)."""

from policies import STAFF, only, public, signed_in

POLICY = {
    ("GET", "/"): public(),
    ("GET", "/salud"): public(),
    ("GET", "/cuenta/crear"): public(),
    ("POST", "/cuenta/crear"): public(),
    ("GET", "/cuenta/verificar"): public(),
    ("POST", "/cuenta/verificar/reenviar"): public(),
    ("GET", "/cuenta/verificar/{token}"): public(params=lambda w: {"token": "not-a-token"}),
    ("GET", "/cuenta/recuperar"): public(),
    ("POST", "/cuenta/recuperar"): public(),
    ("GET", "/cuenta/restablecer/{token}"): public(params=lambda w: {"token": "not-a-token"}),
    ("POST", "/cuenta/restablecer/{token}"): public(params=lambda w: {"token": "not-a-token"}),
    ("GET", "/cuenta"): signed_in(),
    ("GET", "/ingresar"): public(),
    ("POST", "/ingresar"): public(),
    # the second step of a staff sign-in: without one under way, signed-in people are sent home
    ("GET", "/ingresar/segundo-factor"): signed_in(),
    ("POST", "/ingresar/segundo-factor"): signed_in(),
    ("GET", "/ingresar/segundo-factor/codigos"): signed_in(),
    ("POST", "/salir"): public(),
    ("GET", "/idioma/{lang}"): public(params=lambda w: {"lang": "en"}),
    ("GET", "/staff"): only(*STAFF),
    ("GET", "/staff/correo"): only("admin"),
    ("GET", "/staff/auditoria"): only("admin"),
    ("GET", "/staff/cuentas"): only("admin"),
    ("POST", "/staff/cuentas"): only("admin"),
    # resets the plain user's second factor, never the one the walk signs in as
    ("POST", "/staff/cuentas/{id}/segundo-factor"): only("admin", params=lambda w: {"id": w.ids["user:user"]}),
}

"""Access rules for ClaveÚnica (docs/claveunica.md).

The button and the return are public: without a client id (as in the walk) both answer 404, the
return with no state would be a 400 page. Linking is for any signed-in account. The development
stand-in answers 404 to everyone outside development (the walk runs as "test")."""

from __future__ import annotations

from policies import Rule, only, public, signed_in

NOBODY: frozenset[str] = frozenset()

POLICY = {
    ("POST", "/ingresar/claveunica"): public(),
    ("GET", "/ingresar/claveunica"): public(),
    ("GET", "/cuenta/claveunica"): signed_in(),
    ("POST", "/cuenta/claveunica"): signed_in(data=lambda w: {"password": "x"}),
    ("POST", "/staff/registro/{id}/representantes/{user_id}/run"): only(
        "reviewer", params=lambda w: {"id": w.ids["org"], "user_id": w.ids["user:rep"]}),
    ("GET", "/_claveunica_fake/openid/authorize/"): Rule(NOBODY, denied=404, anon_denied=404),
    ("GET", "/_claveunica_fake/api/v1/accounts/app/logout"): Rule(NOBODY, denied=404, anon_denied=404),
}

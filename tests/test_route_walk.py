"""Every route × every role, generated from the app's route table and the policies in tests/policies/.

A route with no rule fails `test_every_route_has_a_rule`; each role's walk checks that allowed
roles get through and every other role is refused, and that HEAD on every GET route answers
without a server error; every unsafe route refuses, for every role, a request without a valid
CSRF token, including malformed ones (non-ASCII, overlong, binary) that once made a 500.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

import pytest

from portal.app import csrf_exempt
from starlette.routing import Route

import policies
from factories import create_org, create_user
from policies import ROLES, Rule, World

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
_PARAM = re.compile(r"{([a-zA-Z_]+)(:[a-z]+)?}")


def _policy_modules() -> list[Any]:
    return [importlib.import_module(f"policies.{m.name}") for m in pkgutil.iter_modules(policies.__path__)
            if not m.name.startswith("test_")]  # tests/policies also holds the architecture tests


def merged_policy() -> dict[tuple[str, str], Rule]:
    merged: dict[tuple[str, str], Rule] = {}
    for module in _policy_modules():
        for key, rule in module.POLICY.items():
            assert key not in merged, f"two rules for {key}"
            merged[key] = rule
    return merged


def app_routes(app: Any) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if isinstance(route, Route):
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                found.append((method, route.path))
    return found


async def test_every_route_has_a_rule(app: Any) -> None:
    policy = merged_policy()
    missing = [key for key in app_routes(app) if key not in policy]
    assert not missing, f"routes without an access rule in tests/policies/: {missing}"
    stale = [key for key in policy if key not in set(app_routes(app))]
    assert not stale, f"rules for routes that no longer exist: {stale}"


async def build_world(db: Any) -> World:
    world = World()
    for role in ROLES:
        if role == "anon":
            continue
        email = f"{role}@walk.cl"
        roles = [role] if role in policies.STAFF else []
        world.ids[f"user:{role}"] = await create_user(db, email, roles=roles)
        world.emails[role] = email
    world.ids["org"] = await create_org(db, owner=world.ids["user:rep"], status="approved", category="A")
    world.ids["org_other"] = await create_org(db, owner=world.ids["user:rep_other"], status="approved", category="B")
    for module in _policy_modules():
        extend = getattr(module, "extend_world", None)
        if extend is not None:
            await extend(db, world)
    return world


def url_for(path: str, rule: Rule, world: World) -> str:
    params = rule.params(world) if rule.params else {}
    return _PARAM.sub(lambda m: str(params[m.group(1)]), path)


async def _as(make_client: Any, role: str, world: World) -> Any:
    client = make_client()
    if role != "anon":
        await client.login(world.emails[role])
    return client


def _ordered(routes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # safe methods first; logout last so it cannot end the session mid-walk
    return sorted(routes, key=lambda r: (r[0] in UNSAFE, r[1] == "/salir", r[1]))


@pytest.mark.parametrize("role", ROLES)
async def test_walk_every_route(role: str, app: Any, db: Any, make_client: Any) -> None:
    policy = merged_policy()
    world = await build_world(db)
    client = await _as(make_client, role, world)
    failures = []
    for method, path in _ordered(app_routes(app)):
        rule = policy.get((method, path))
        if rule is None:
            continue  # reported by test_every_route_has_a_rule
        if method in UNSAFE and role != "anon":
            client = await _as(make_client, role, world)  # a POST may have changed the session
        url = url_for(path, rule, world)
        data = rule.data(world) if rule.data else {}
        if method == "GET":
            head = await client.http.head(url)
            if head.status_code >= 500:
                failures.append(f"HEAD {url}: {role} got {head.status_code}")
            response = await client.get(url)
        else:
            response = await client.post(url, data)
        status, location = response.status_code, response.headers.get("location", "")
        to_login = status == 303 and location.startswith("/ingresar")
        if role in rule.allowed:
            if status >= 500 or status in (401, 403) or to_login:
                failures.append(f"{method} {url}: {role} should get through, got {status} {location}")
        elif role == "anon":
            if status != rule.anon_denied or (rule.anon_denied == 303 and not to_login):
                failures.append(f"{method} {url}: anonymous should get {rule.anon_denied}, got {status} {location}")
        elif status != rule.denied:
            failures.append(f"{method} {url}: {role} should get {rule.denied}, got {status}")
    assert not failures, "\n".join(failures)


# Tokens that are not the session's: missing, wrong, and malformed (finding 7: a non-ASCII one was a 500).
BAD_TOKENS: tuple[str | None, ...] = (None, "forged-token", "é", "%C3%A9", "\x00\x01\x02binario", "t" * 20_000)


@pytest.mark.parametrize("role", ROLES)
async def test_unsafe_routes_need_csrf(role: str, app: Any, db: Any, make_client: Any) -> None:
    policy = merged_policy()
    world = await build_world(db)
    client = await _as(make_client, role, world)
    await client.token()  # the session holds a real token, which none of these requests carries
    failures = []
    exempt = [re.compile(p) for p in csrf_exempt()]
    for method, path in app_routes(app):
        if method not in UNSAFE or (method, path) not in policy:
            continue
        url = url_for(path, policy[(method, path)], world)
        if any(p.fullmatch(url.split("?")[0]) for p in exempt):
            continue  # carries its own proof (a signed token); tested in tests/reminders
        for token in BAD_TOKENS:
            data = {} if token is None else {"csrf_token": token}
            response = await client.post(url, data, csrf=False)
            if response.status_code != 403:
                failures.append(f"{method} {url} as {role} with token {token!r:.40}: {response.status_code}")
        raw = await client.http.post(url, content=b"csrf_token=\xff\xfe%E9&x=\x00",
                                     headers={"Content-Type": "application/x-www-form-urlencoded",
                                              "X-CSRF-Token": b"\xc3\xa9\xff"})
        if raw.status_code != 403:
            failures.append(f"{method} {url} as {role} with raw bytes: {raw.status_code}")
    assert not failures, "\n".join(failures)

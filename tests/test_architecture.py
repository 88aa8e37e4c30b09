"""The shared workflow layer's rules, checked on the source (docs/architecture.md explains them).

Each test reads the code as text or syntax tree; none runs it. A failure names the file and line.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORTAL = ROOT / "portal"

DOMAINS = {"registry", "elections_web", "sello", "compromiso", "council", "help"}
SERVICES = {"accounts", "certificates", "jobs", "claveunica"}
# Above the domains, like the pages that gather several (home, staff): they may call each domain's api.
ABOVE = ("app", "cli", "demo", "public", "staff", "reminders", "__init__")
# The database layer: the only modules that may open a transaction another way than atomic().
DB_LAYER = {"portal/db.py", "portal/txn.py", "portal/migrate.py"}  # migrations run on their own connection
# Modules that own SQL besides the domains' queries modules: the database layer and the shared
# stores below every domain (audit log, outbox, stored files, migrations, the transition helper).
SQL_OWNERS = DB_LAYER | {"portal/audit.py", "portal/mail.py", "portal/uploads.py", "portal/migrate.py",
                         "portal/workflow.py", "portal/cli.py"}
SQL = re.compile(r"^\s*(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|WITH\s+\w+\s+AS|LOCK\s+TABLE|SET\s+LOCAL)\b",
                 re.IGNORECASE)


def sources(*folders: str) -> Iterator[tuple[str, ast.Module]]:
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            yield rel, ast.parse(path.read_text(encoding="utf-8"), rel)


def _strings(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            yield node.lineno, str(text)


def _is_sql_owner(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return rel in SQL_OWNERS or name == "queries.py" or name.endswith("_queries.py") or name in ("demo.py", "seed.py")


def test_sql_lives_in_queries_modules() -> None:
    """Views, forms, rules and workflows call query functions; they hold no SQL themselves."""
    found = [f"{rel}:{line}" for rel, tree in sources("portal") if not _is_sql_owner(rel)
             for line, text in _strings(tree) if SQL.match(text)]
    assert not found, "\n" + "\n".join(found)


def test_one_way_into_a_transaction() -> None:
    """Only the database layer calls `.transaction()`; everything else uses portal.txn.atomic."""
    found = [f"{rel}:{node.lineno}" for rel, tree in sources("portal", "bench") if rel not in DB_LAYER
             for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "transaction"]
    assert not found, "\n" + "\n".join(found)


def test_one_clock() -> None:
    """No module but portal/clock.py reads the server's clock for a date or time of day."""
    found = []
    for rel, tree in sources("portal"):
        if rel == "portal/clock.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in ("today", "now", "utcnow") and isinstance(node.func.value, ast.Name) and \
                    node.func.value.id in ("date", "datetime"):
                found.append(f"{rel}:{node.lineno}")
        found += [f"{rel}:{line} (SQL current_date)" for line, text in _strings(tree)
                  if re.search(r"\bcurrent_date\b|\blocaltimestamp\b", text, re.IGNORECASE)]
    assert not found, "\n" + "\n".join(found)


def _imports(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from portal.x import api` names portal.x.api; `from portal.x.queries import f`, portal.x.queries.f
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def _package(rel: str) -> str:
    parts = rel.split("/")
    return parts[1] if len(parts) > 2 else parts[1].removesuffix(".py")


def test_layers_point_down() -> None:
    """Core modules import no service or domain; services (accounts, certificates) import no
    domain; a domain reaches another only through that domain's `api` module."""
    found = []
    for rel, tree in sources("portal"):
        here = _package(rel)
        for line, name in _imports(tree):
            parts = name.split(".")
            if parts[0] != "portal" or len(parts) < 2:
                continue
            there = parts[1]
            if there == here or here in ABOVE:
                continue
            crossing = (
                (here not in DOMAINS | SERVICES and there in DOMAINS | SERVICES)
                or (here in SERVICES and there in DOMAINS)
                or (here in DOMAINS and there in DOMAINS and (len(parts) < 3 or parts[2] != "api"))
            )
            if crossing and "demo" not in rel:
                found.append(f"{rel}:{line} imports {name}")
    assert not found, "\n" + "\n".join(found)


def test_no_lazy_domain_imports() -> None:
    """No import inside a function reaches another domain (the ImportError-fallback pattern)."""
    found = []
    for rel, tree in sources("portal"):
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for line, name in _imports(ast.Module(body=fn.body, type_ignores=[])):
                    parts = name.split(".")
                    if parts[0] == "portal" and len(parts) > 1 and parts[1] in DOMAINS and parts[1] != _package(rel):
                        found.append(f"{rel}:{line}")
    assert not found, "\n" + "\n".join(found)


def test_rules_are_cited_from_docs() -> None:
    """Code cites the project's own docs/, never a file the repository does not have."""
    found = [f"{rel}:{line}" for rel, tree in sources("portal", "elections")
             for line, text in _strings(tree) if "domain.md" in text]
    found += [f"{p.relative_to(ROOT)}" for folder in ("portal", "elections") for p in (ROOT / folder).rglob("*.py")
              if "domain.md" in p.read_text(encoding="utf-8")]
    assert not found, "\n" + "\n".join(found)
    assert (ROOT / "docs" / "architecture.md").is_file()


def test_functions_are_short() -> None:
    """Functions stay under ~40 lines (demo data scripts excepted: they are lists of facts)."""
    found = [f"{rel}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"  # type: ignore[operator]
             for rel, tree in sources("portal", "elections") if not rel.endswith(("demo.py", "demo_data.py"))
             for node in ast.walk(tree)
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno is not None
             and node.end_lineno - node.lineno + 1 > 45]
    assert not found, "\n" + "\n".join(found)


def test_one_conflict_type() -> None:
    """Refusals are portal.workflow.Conflict: no domain defines its own conflict or refusal exception."""
    found = [f"{rel}:{node.lineno} {node.name}" for rel, tree in sources("portal") if rel != "portal/workflow.py"
             for node in ast.walk(tree)
             if isinstance(node, ast.ClassDef) and re.search(r"Conflict|Refused|InvalidTransition", node.name)]
    assert not found, "\n" + "\n".join(found)


def test_no_private_driver_internals() -> None:
    """No private attribute of `databases` or asyncpg is read or replaced (they can be upgraded)."""
    found = []
    for rel, tree in sources("portal", "bench", "tests"):
        text = (ROOT / rel).read_text(encoding="utf-8")
        if "databases" not in text and "asyncpg" not in text:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") \
                    and isinstance(node.value, (ast.Name, ast.Attribute)):
                base = ast.unparse(node.value)
                if re.search(r"asyncpg|databases|\bPostgresConnection\b|\bConnection\b|_backend|raw_connection", base):
                    found.append(f"{rel}:{node.lineno} {base}.{node.attr}")
    assert not found, "\n" + "\n".join(found)

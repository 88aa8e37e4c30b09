"""Static files with content-hashed names, cached for a year; plain names keep working, cached briefly.

At start-up `mount()` reads every file under static/ once and names each by its content:
`css/portal.css` is served as `/static/css/portal.<hash>.css` with
`Cache-Control: public, max-age=31536000, immutable`, and templates write
`static_url('css/portal.css')` to get that address. A changed file gets a new name, so a browser
never keeps a stale copy and never asks again for a current one. Stylesheets name other static
files (fonts, images) by `url(/static/...)`: those references are rewritten to the hashed names
before the stylesheet's own hash is taken, so a new font also renames the stylesheet.

The plain address (`/static/css/portal.css`) still answers, with a five-minute cache, for
anything that links to it from outside.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from portal import ROOT
from portal.templating import register_globals

STATIC_DIR = ROOT / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
HASH_LENGTH = 12
_CSS_URL = re.compile(r"""url\(\s*(["']?)/static/([^"')?#]+)\1\s*\)""")


@dataclass(frozen=True)
class Asset:
    """One file as served under its hashed name."""

    hashed: str        # css/portal.3f2a9c0d1e4b.css
    content: bytes     # stylesheets with their url(/static/…) references rewritten; our own CSS and JS minified
    media_type: str
    gzipped: bytes | None = None  # compressed once, at start-up, for text files


class Manifest:
    """Every static file by plain name and by hashed name, read once."""

    def __init__(self, directory: Path) -> None:
        self.by_name: dict[str, Asset] = {}
        self.by_hashed: dict[str, Asset] = {}
        files = sorted(p for p in directory.rglob("*") if p.is_file() and not p.name.startswith("."))
        # stylesheets last: they refer to the others by their hashed names
        for path in sorted(files, key=lambda p: p.suffix == ".css"):
            name = path.relative_to(directory).as_posix()
            content = path.read_bytes()
            if path.suffix == ".css":
                content = minify_css(_CSS_URL.sub(lambda m: f'url("{self.url(m.group(2))}")', content.decode())).encode()
            elif name.startswith("js/"):  # the portal's own scripts; vendored ones come minified
                content = minify_js(content.decode()).encode()
            media_type = _media_type(name)
            packed = gzip.compress(content, 9, mtime=0) if "charset" in media_type else None
            asset = Asset(hashed_name(name, content), content, media_type, packed)
            self.by_name[name] = asset
            self.by_hashed[asset.hashed] = asset

    def url(self, name: str) -> str:
        """The hashed address of `name` (relative to static/); an unknown name is a template bug."""
        asset = self.by_name.get(name)
        if asset is None:
            raise LookupError(f"no static file {name!r} under {STATIC_DIR}")
        return "/static/" + asset.hashed


def hashed_name(name: str, content: bytes) -> str:
    """`css/portal.css` → `css/portal.<first 12 hex of sha256>.css` (a name without a suffix gets it at the end)."""
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    stem, dot, suffix = name.rpartition(".")
    if not dot or "/" in suffix:
        return f"{name}.{digest}"
    return f"{stem}.{digest}.{suffix}"


def minify_css(css: str) -> str:
    """Comments out, runs of white space to one, none around braces and semicolons (selectors untouched)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s+", " ", css)
    return re.sub(r"\s*([{};])\s*", r"\1", css).strip()


def minify_js(js: str) -> str:
    """Whole-line `//` comments, indentation and blank lines out; nothing else (no code is rewritten).

    Only for the portal's own scripts under static/js, whose style this relies on: no template literals
    or strings spanning lines, no line that starts with `//` inside one.
    """
    lines = (line.strip() for line in js.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//")) + "\n"


def _media_type(name: str) -> str:
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if guessed.startswith("text/") or guessed in ("application/javascript", "image/svg+xml"):
        return guessed + "; charset=utf-8"
    return guessed


class HashedStaticFiles(StaticFiles):
    """Hashed names from memory with the immutable header; plain names from disk with a short cache."""

    def __init__(self, manifest: Manifest, directory: Path) -> None:
        super().__init__(directory=str(directory))
        self.manifest = manifest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        asset = self.manifest.by_hashed.get(_route_path(scope))
        if asset is not None and scope["method"] in ("GET", "HEAD"):
            await _hashed_response(asset, scope)(scope, receive, send)
            return

        async def short_cache(message: Message) -> None:
            if message["type"] == "http.response.start" and message.get("status") in (200, 304):
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message = {**message, "headers": [*headers, (b"cache-control", SHORT.encode())]}
            await send(message)

        await super().__call__(scope, receive, short_cache)


def _hashed_response(asset: Asset, scope: Scope) -> Response:
    """The file from memory, gzipped when the browser takes it (GZipMiddleware leaves it as it is)."""
    headers = {"Cache-Control": IMMUTABLE}
    body = asset.content
    if asset.gzipped is not None:
        headers["Vary"] = "Accept-Encoding"
        if "gzip" in Headers(scope=scope).get("accept-encoding", ""):
            body = asset.gzipped
            headers["Content-Encoding"] = "gzip"
    response = Response(body if scope["method"] == "GET" else b"", media_type=asset.media_type, headers=headers)
    response.headers["Content-Length"] = str(len(body))
    return response


def _route_path(scope: Scope) -> str:
    """The path inside the mount: `css/portal.3f2a….css`."""
    root = scope.get("root_path", "")
    path: str = scope["path"]
    return path[len(root):].lstrip("/") if path.startswith(root) else path.lstrip("/")


_manifest: Manifest | None = None


def manifest() -> Manifest:
    """The manifest, read the first time it is asked for (at start-up, by `mount()`)."""
    global _manifest  # noqa: PLW0603 (one read per process, on purpose)
    if _manifest is None:
        _manifest = Manifest(STATIC_DIR)
    return _manifest


def static_url(name: str) -> str:
    """Jinja global: `static_url('css/portal.css')` → `/static/css/portal.<hash>.css`."""
    return manifest().url(name)


def mount() -> Mount:
    """The /static mount; reads the files and gives templates `static_url`."""
    files = manifest()
    register_globals(static_url=static_url)
    return Mount("/static", app=HashedStaticFiles(files, STATIC_DIR), name="static")

"""Revalidation of public pages: an anonymous GET of an HTML page gets a weak ETag (a hash of the page),
and a browser that sends it back in If-None-Match while the page is unchanged gets 304 and no body.

Why: a person who opens the registry or the Sello page again (a link back, a second visit) downloaded
the whole page every time, 8-11 KB compressed; with the ETag it is a few hundred bytes of headers
(docs/architecture.md, Serving; bench/bench_page_weight.py measures the repeat visit).

Only for requests without a session cookie: a signed-in person's pages are theirs, and a cache between
them and the portal has no business revalidating them. Only for a complete 200 `text/html` body sent in
one message (every rendered page; streams such as the live turnout pass through untouched) and never
when the response sets a cookie. The tag is weak (`W/`) because the gzip layer outside this one may
compress the body: the same page in two encodings is "semantically equivalent", which is what a weak
validator says. The page is still rendered: this saves the network, not the server's work.
"""

from __future__ import annotations

import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.sessions import COOKIE

_SESSION = COOKIE.encode() + b"="
_DROPPED_ON_304 = {b"content-length", b"content-type"}


class ETagMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or _signed_in(scope):
            await self.app(scope, receive, send)
            return
        held: Message | None = None

        async def revalidating_send(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and _taggable(message):
                held = message  # wait for the body: the tag is its hash
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            start, held = held, None
            if message.get("more_body", False):  # a stream: no tag
                await send(start)
                await send(message)
                return
            tag = _tag(message.get("body", b""))
            if _matches(scope, tag):
                headers = [(k, v) for k, v in start["headers"] if k.lower() not in _DROPPED_ON_304]
                await send({"type": "http.response.start", "status": 304, "headers": [*headers, (b"etag", tag)]})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({**start, "headers": [*start["headers"], (b"etag", tag)]})
            await send(message)

        await self.app(scope, receive, revalidating_send)


def _signed_in(scope: Scope) -> bool:
    return any(key == b"cookie" and _SESSION in value for key, value in scope.get("headers", []))


def _taggable(start: Message) -> bool:
    if start["status"] != 200:
        return False
    names = {k.lower(): v for k, v in start.get("headers", [])}
    return (names.get(b"content-type", b"").startswith(b"text/html") and b"set-cookie" not in names
            and b"etag" not in names and b"no-store" not in names.get(b"cache-control", b""))


def _tag(body: bytes) -> bytes:
    return b'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'


def _matches(scope: Scope, tag: bytes) -> bool:
    """If-None-Match lists the tags the browser holds (or `*`); weak comparison, as RFC 9110 asks."""
    for key, value in scope.get("headers", []):
        if key == b"if-none-match":
            held = {t.strip().removeprefix(b"W/") for t in value.split(b",")}
            if b"*" in held or tag.removeprefix(b"W/") in held:
                return True
    return False

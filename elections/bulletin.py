"""The public bulletin: building it, writing it, and reading it back as a stream."""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO, Any, cast

from .allocation import allocate, parse_candidates
from .model import Candidate, InputError
from .rules import Rules
from .tally import ballot_code, tally

BULLETIN_FORMAT = "cosoc-bulletin/1"
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
# Keys in the order they are written; "ballots" is always last so a reader can stream it.
HEADER_KEYS = ("format", "election_id", "padron_sha256", "padron_size", "rules", "seats", "candidates",
               "lottery_order", "lottery_seed", "totals", "allocation")


class BulletinError(ValueError):
    """A bulletin that cannot be read (not JSON, or not in the bulletin's shape)."""


def make_bulletin(*, election_id: str, padron_sha256: str, seats: Mapping[str, int],
                  candidates: Iterable[Candidate | Mapping[str, Any]], ballots: Iterable[Mapping[str, Any]],
                  lottery_order: Sequence[str] | None = None, lottery_seed: str | None = None,
                  rules: Rules | Mapping[str, Any] | None = None,
                  padron_size: Mapping[str, int] | None = None) -> dict[str, Any]:
    """Count the ballots, allocate the seats and return the bulletin as a dict (ballots last)."""
    if not isinstance(padron_sha256, str) or not SHA256_PATTERN.fullmatch(padron_sha256):
        raise InputError("padron_sha256 must be 64 lower-case hexadecimal characters")
    rules = rules if isinstance(rules, Rules) else Rules.from_dict(rules)
    cands = [c for group in parse_candidates(seats, candidates, votes_required=False).values() for c in group]
    published = [_published(election_id, ballot, index) for index, ballot in enumerate(ballots, 1)]
    # Sorting by tracking code hides the casting order and lets a verifier find duplicates in O(1) memory.
    published.sort(key=lambda b: b["code"])
    # Count exactly what is published, so that anyone can recount it.
    counted = tally(published, election_id=election_id, seats=seats, candidates=cands)
    result = allocate(seats, counted.with_votes(cands), lottery_order, lottery_seed, rules)
    bulletin: dict[str, Any] = {"format": BULLETIN_FORMAT, "election_id": election_id,
                                "padron_sha256": padron_sha256}
    if padron_size is not None:
        bulletin["padron_size"] = dict(padron_size)
    bulletin.update(rules=rules.to_dict(), seats=dict(seats),
                    candidates=[c.to_dict(with_votes=False) for c in cands])
    if lottery_seed is not None:
        bulletin["lottery_seed"] = lottery_seed
    else:
        bulletin["lottery_order"] = list(lottery_order or [])
    bulletin.update(totals=counted.to_dict(), allocation=result.to_dict("en"), ballots=published)
    return bulletin


def _published(election_id: str, ballot: Any, index: int) -> dict[str, Any]:
    # Only these four fields may reach the bulletin: anything else could identify a voter.
    if not isinstance(ballot, Mapping):
        raise InputError(f"ballot #{index} is not an object")
    entry = {"code": None, "nonce": ballot.get("nonce"), "category": ballot.get("category"),
             "choice": ballot.get("choice")}
    entry["code"] = ballot_code(election_id, entry)  # rejected ballots get a code and are published too
    if ballot.get("code") not in (None, entry["code"]):
        raise InputError(f"ballot #{index}: its stored tracking code does not match its content")
    return entry


def write_bulletin(bulletin: Mapping[str, Any], fp: IO[str]) -> None:
    """Write a bulletin as JSON: the header indented, then one ballot per line, "ballots" last."""
    fp.write("{\n")
    for key, value in bulletin.items():
        if key != "ballots":
            text = json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n ")
            fp.write(f" {json.dumps(key)}: {text},\n")
    fp.write(' "ballots": [')
    sep = "\n"
    for ballot in bulletin.get("ballots", []):
        fp.write(sep + json.dumps(ballot, ensure_ascii=False, separators=(",", ":")))
        sep = ",\n"
    fp.write("\n]}\n")


_WS = re.compile(r"[ \t\n\r]*")


def _skip(buf: str, pos: int) -> int:
    """The position after any blanks at `pos`."""
    match = _WS.match(buf, pos)
    return match.end() if match is not None else pos
MAX_HEADER_CHARS = 1 << 26  # 64 Mi characters: far above any real header (candidates, totals, trail)


class _Stream:
    """Just enough of an incremental JSON reader to walk one object and stream one array."""

    def __init__(self, fp: IO[str], chunk: int = 1 << 20):
        self.fp, self.chunk = fp, chunk
        self.buf, self.pos, self.eof = "", 0, False
        self.offset = 0  # characters dropped from the front of buf
        self.scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]

    def _more(self) -> bool:
        data = self.fp.read(self.chunk)
        if not data:
            self.eof = True
            return False
        self.offset += self.pos
        self.buf = self.buf[self.pos:] + data
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next non-blank character, without consuming it ('' at the end)."""
        while True:
            self.pos = _skip(self.buf, self.pos)
            if self.pos < len(self.buf) or not self._more():
                return self.buf[self.pos:self.pos + 1]

    def take(self, expected: str) -> None:
        """Consume one expected structural character."""
        got = self.peek()
        if got != expected:
            raise BulletinError(f"expected {expected!r} but found {got or 'end of file'!r} "
                                f"near character {self.where()}")
        self.pos += 1

    def where(self) -> int:
        """The current character offset in the file, for error messages."""
        return self.offset + self.pos

    def value(self) -> Any:
        """Decode one JSON value, reading more of the file until it is complete."""
        self.peek()
        while True:
            try:
                value, end = self.scan(self.buf, self.pos)
            except (StopIteration, json.JSONDecodeError):  # cut by the buffer's end, or invalid
                end = -1
            # A value that ends at the buffer's end may be cut (a number); read on unless at EOF.
            if end != -1 and (end < len(self.buf) or self.eof):
                self.pos = end
                return value
            if len(self.buf) - self.pos > MAX_HEADER_CHARS:  # keeps memory bounded on broken files
                raise BulletinError(f"invalid JSON, or a header value over {MAX_HEADER_CHARS} characters, "
                                    f"near character {self.where()}")
            if not self._more():
                if end != -1:
                    self.pos = end
                    return value
                raise BulletinError(f"invalid JSON near character {self.where()}")


def read_bulletin(fp: IO[str], chunk: int = 1 << 20) -> tuple[dict[str, Any], Iterator[Any]]:
    """The header (every key before "ballots") and an iterator over the ballots, read lazily."""
    stream = _Stream(fp, chunk)
    stream.take("{")
    header: dict[str, Any] = {}
    while True:
        key = stream.value()
        if not isinstance(key, str):
            raise BulletinError("the bulletin is not a JSON object with string keys")
        stream.take(":")
        if key == "ballots":
            return header, _ballots(stream)
        header[key] = stream.value()
        if stream.peek() == "}":
            raise BulletinError('the bulletin has no "ballots" list (it must be the last key)')
        stream.take(",")


_BLANK = frozenset(" \t\n\r")
MAX_BALLOT_CHARS = 1 << 16  # a ballot is ~150 characters; more means the file is broken


def _ballots(stream: _Stream) -> Iterator[Any]:  # noqa: C901, PLR0912, PLR0915 - the hot loop, kept flat
    # The hot loop of verification: it decodes straight from the buffer and touches the slower
    # general reader only at chunk boundaries, so a million ballots cost about a second.
    stream.take("[")
    if stream.peek() == "]":
        stream.pos += 1
    else:
        scan, blank, ws = stream.scan, _BLANK, _skip
        done = False
        while not done:
            buf, pos = stream.buf, stream.pos
            n = len(buf)
            while True:
                if pos < n and buf[pos] in blank:
                    pos = ws(buf, pos)
                try:
                    value, end = scan(buf, pos)
                except (StopIteration, json.JSONDecodeError):
                    break
                sep = ws(buf, end) if end < n and buf[end] in blank else end
                if sep >= n:
                    break  # the separator is not read yet; decode this ballot again after refilling
                if buf[sep] == ",":
                    pos = sep + 1
                    yield value
                elif buf[sep] == "]":
                    pos, done = sep + 1, True
                    yield value
                    break
                else:
                    stream.pos = sep
                    raise BulletinError(f"expected ',' or ']' in the ballots list near character {stream.where()}")
            stream.pos = pos
            if not done and (n - pos > MAX_BALLOT_CHARS or not stream._more()):
                raise BulletinError(f"invalid ballot near character {stream.where()}")
    if stream.peek() == ",":
        raise BulletinError('"ballots" must be the last key of the bulletin')
    stream.take("}")
    if stream.peek():
        raise BulletinError(f"unexpected text after the bulletin near character {stream.where()}")


def open_text(source: str | bytes | os.PathLike[str] | IO[Any]) -> IO[str]:
    """A text stream over a path or an open (text or binary) file."""
    if isinstance(source, (str, bytes, os.PathLike)):
        return open(source, encoding="utf-8")
    if isinstance(source, io.TextIOBase):
        return cast(IO[str], source)
    return io.TextIOWrapper(cast(IO[bytes], source), encoding="utf-8")

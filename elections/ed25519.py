"""Ed25519 signature verification (RFC 8032) in pure Python, and the Ed25519 -> X25519 key map.

The offline verifier must run with the standard library alone, so this module carries the
reference arithmetic of RFC 8032 §5.1 (extended twisted-Edwards coordinates). When PyNaCl
(libsodium) is importable it is used instead, for speed; ``use_accelerated(False)`` or the
environment variable ``ELECTIONS_PURE_PYTHON=1`` forces the pure path (the tests do).

Speed without a library: the portal signs every layer of every ballot with one key, so
``Verifier(public_key)`` precomputes 8-bit fixed-base tables for both the base point and that
key; a verification is then about 64 point additions and one inversion (well under a
millisecond), against ~10 ms for a textbook double-and-add. One-off checks (a trustee's key
proof, a trustee's step signature) use ``verify()``.

The check is the strict, cofactorless one libsodium applies: ``S < L``, a canonical encoding of
``A`` that is not of small order, and ``encode([S]B - [h]A) == R`` byte for byte (so a
non-canonical ``R`` fails too).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

try:  # optional acceleration; the pure path below is complete without it
    import nacl.bindings as _nacl_bindings
    import nacl.exceptions as _nacl_exceptions
except ImportError:  # pragma: no cover - depends on the environment
    _nacl_bindings = None  # type: ignore[assignment]
    _nacl_exceptions = None  # type: ignore[assignment]

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, -1, P) % P
D2 = 2 * D % P
SQRT_M1 = pow(2, (P - 1) // 4, P)

Point = tuple[int, int, int, int]  # extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z
Niels = tuple[int, int, int]  # an affine point as (y + x, y - x, 2d·x·y), for mixed addition

_IDENTITY: Point = (0, 1, 1, 0)
_accelerated = _nacl_bindings is not None and os.environ.get("ELECTIONS_PURE_PYTHON", "") in ("", "0")


def accelerated() -> bool:
    """Whether libsodium (PyNaCl) does the work."""
    return _accelerated


def use_accelerated(flag: bool) -> bool:
    """Turn the libsodium path on or off (on only if PyNaCl is importable); returns the new state."""
    global _accelerated  # noqa: PLW0603 - one process-wide switch, for tests and `bench --pure`
    _accelerated = bool(flag) and _nacl_bindings is not None
    return _accelerated


def _add(p: Point, q: Point) -> Point:
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = t1 * D2 * t2 % P
    d = z1 * 2 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return e * f % P, g * h % P, f * g % P, e * h % P


def _add_niels(p: Point, q: Niels) -> Point:
    x1, y1, z1, t1 = p
    yplusx, yminusx, xy2d = q
    a = (y1 - x1) * yminusx % P
    b = (y1 + x1) * yplusx % P
    c = t1 * xy2d % P
    d = 2 * z1
    e, f, g, h = b - a, d - c, d + c, b + a
    return e * f % P, g * h % P, f * g % P, e * h % P


def _double(p: Point) -> Point:
    x1, y1, z1, _ = p
    a = x1 * x1 % P
    b = y1 * y1 % P
    c = 2 * z1 * z1 % P
    h = a + b
    e = h - (x1 + y1) * (x1 + y1) % P
    g = a - b
    f = c + g
    return e * f % P, g * h % P, f * g % P, e * h % P


def _negate(p: Point) -> Point:
    x, y, z, t = p
    return (P - x) % P, y, z, (P - t) % P


def _mul(k: int, p: Point) -> Point:
    """[k]P for any point (4-bit fixed window)."""
    table = [_IDENTITY, p]
    for _ in range(14):
        table.append(_add(table[-1], p))
    q = _IDENTITY
    for shift in range(((k.bit_length() + 3) // 4) * 4 - 4, -4, -4):
        q = _double(_double(_double(_double(q))))
        q = _add(q, table[(k >> shift) & 15])
    return q


def _equal(p: Point, q: Point) -> bool:
    return (p[0] * q[2] - q[0] * p[2]) % P == 0 and (p[1] * q[2] - q[1] * p[2]) % P == 0


def encode(p: Point) -> bytes:
    """The 32-byte encoding of a point (y, with the sign of x in the top bit)."""
    zi = pow(p[2], -1, P)
    x, y = p[0] * zi % P, p[1] * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def decode(data: bytes) -> Point | None:
    """The point a 32-byte encoding names, or None if it names none (or is not canonical)."""
    if len(data) != 32:
        return None
    n = int.from_bytes(data, "little")
    sign, y = n >> 255, n & ((1 << 255) - 1)
    if y >= P:
        return None
    u, v = (y * y - 1) % P, (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P  # RFC 8032 §5.1.3 step 2
    vx2 = v * x * x % P
    if vx2 == (P - u) % P:
        x = x * SQRT_M1 % P
    elif vx2 != u:
        return None
    if x == 0 and sign:
        return None
    if x & 1 != sign:
        x = P - x
    return x, y, 1, x * y % P


_BY = 4 * pow(5, -1, P) % P
_BX_CANDIDATE = decode(_BY.to_bytes(32, "little"))
assert _BX_CANDIDATE is not None  # noqa: S101 - the base point decodes (module invariant)
BASE: Point = _BX_CANDIDATE


def _small_order(p: Point) -> bool:
    return _equal(_double(_double(_double(p))), _IDENTITY)


def _niels_table(p: Point) -> list[list[Niels]]:
    """table[j][k] = k·256^j·P in affine Niels form, for j < 32 and k < 256 (one batch inversion)."""
    rows: list[list[Point]] = []
    base = p
    for _ in range(32):
        row = [_IDENTITY, base]
        for _ in range(254):
            row.append(_add(row[-1], base))
        rows.append(row)
        base = _double(row[128])
    flat = [q for row in rows for q in row]
    # Montgomery's trick: one modular inversion for all 8192 Z coordinates.
    prefix, acc = [], 1
    for q in flat:
        prefix.append(acc)
        acc = acc * q[2] % P
    inv = pow(acc, -1, P)
    inverses = [0] * len(flat)
    for i in range(len(flat) - 1, -1, -1):
        inverses[i] = inv * prefix[i] % P
        inv = inv * flat[i][2] % P
    out: list[Niels] = []
    for q, zi in zip(flat, inverses, strict=True):
        x, y = q[0] * zi % P, q[1] * zi % P
        out.append(((y + x) % P, (y - x) % P, D2 * x * y % P))
    return [out[j * 256:(j + 1) * 256] for j in range(32)]


def _fixed_mul(table: list[list[Niels]], k: int, start: Point = _IDENTITY) -> Point:
    q = start
    for j, byte in enumerate(k.to_bytes(32, "little")):
        if byte:
            q = _add_niels(q, table[j][byte])
    return q


_base_table: list[list[Niels]] | None = None


def _base() -> list[list[Niels]]:
    global _base_table  # noqa: PLW0603 - built once, on first use
    if _base_table is None:
        _base_table = _niels_table(BASE)
    return _base_table


def _challenge(r: bytes, a: bytes, message: bytes) -> int:
    return int.from_bytes(hashlib.sha512(r + a + message).digest(), "little") % L


def _split(signature: bytes) -> tuple[bytes, int] | None:
    if len(signature) != 64:
        return None
    s = int.from_bytes(signature[32:], "little")
    return (signature[:32], s) if s < L else None


def _nacl_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    assert _nacl_bindings is not None and _nacl_exceptions is not None  # noqa: S101 - caller checked
    try:
        _nacl_bindings.crypto_sign_open(signature + message, public_key)
    except (_nacl_exceptions.BadSignatureError, _nacl_exceptions.ValueError, ValueError, TypeError):
        return False
    return True


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether `signature` is a valid Ed25519 signature of `message` under `public_key`."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    if _accelerated:
        return _nacl_verify(public_key, message, signature)
    a = decode(public_key)
    parts = _split(signature)
    if a is None or parts is None or _small_order(a):
        return False
    r, s = parts
    h = _challenge(r, public_key, message)
    return encode(_fixed_mul(_base(), s, _mul(h, _negate(a)))) == r


class Verifier:
    """Verifies many signatures by one key quickly (fixed-base tables on the pure path)."""

    def __init__(self, public_key: bytes):
        self.public_key = bytes(public_key)
        point = decode(self.public_key)
        self.valid = point is not None and not _small_order(point)
        self._point = point
        self._table: list[list[Niels]] | None = None

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether `signature` signs `message` under this verifier's key."""
        if not self.valid or len(signature) != 64:
            return False
        if _accelerated:
            return _nacl_verify(self.public_key, message, signature)
        parts = _split(signature)
        if parts is None or self._point is None:
            return False
        if self._table is None:
            self._table = _niels_table(_negate(self._point))
        r, s = parts
        h = _challenge(r, self.public_key, message)
        return encode(_fixed_mul(self._table, h, _fixed_mul(_base(), s))) == r


def to_x25519(public_key: bytes) -> bytes | None:
    """The X25519 (Montgomery u) public key of an Ed25519 key: u = (1 + y) / (1 - y); None if invalid.

    Same map as libsodium's crypto_sign_ed25519_pk_to_curve25519, and the private scalars match,
    so a signature by the Ed25519 key proves possession of the X25519 private key."""
    point = decode(public_key)
    if point is None or _small_order(point):
        return None
    y = int.from_bytes(public_key, "little") & ((1 << 255) - 1)
    u = (1 + y) * pow((1 - y) % P, -1, P) % P
    return u.to_bytes(32, "little")


def describe() -> dict[str, Any]:
    """Which implementation is in use (for reports and benchmarks)."""
    return {"ed25519": "libsodium (PyNaCl)" if _accelerated else "pure Python (RFC 8032)"}

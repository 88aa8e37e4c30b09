"""The staff second factor: TOTP (RFC 6238, through pyotp) and one-time recovery codes.

docs/security.md, Second factor for staff. The secret is kept sealed (XSalsa20-Poly1305, key derived
from the app's secret key), so a copy of the database does not give anyone's codes. A code is
accepted in its 30-second step or the one before or after (clock drift), and never twice: the last
accepted step is stored and every step up to it is refused afterwards. Recovery codes are shown
once and stored as argon2id hashes (portal/passwords.py).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import nacl.exceptions
import nacl.secret
import pyotp
import segno

from portal import clock, passwords

ISSUER = "Portal Participa"
DRIFT_STEPS = 1
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud and typed by hand


def new_secret() -> str:
    """A fresh base32 secret (160 bits, RFC 4226's recommended length)."""
    return pyotp.random_base32(length=32)


def _box(app_secret: str) -> nacl.secret.SecretBox:
    key = hashlib.sha256(b"portal-participa totp v1\n" + app_secret.encode()).digest()
    return nacl.secret.SecretBox(key)


def seal(app_secret: str, totp_secret: str) -> bytes:
    return bytes(_box(app_secret).encrypt(totp_secret.encode()))


def unseal(app_secret: str, sealed: bytes) -> str | None:
    """The secret, or None if it was sealed under another key (the app's secret changed)."""
    try:
        return _box(app_secret).decrypt(bytes(sealed)).decode()
    except nacl.exceptions.CryptoError:
        return None


def provisioning_uri(totp_secret: str, email: str) -> str:
    return pyotp.TOTP(totp_secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The otpauth:// URI as an inline SVG QR code (no external request, no script)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", title=None))


def matching_step(totp_secret: str, code: str, last_step: int | None) -> int | None:
    """The time step `code` belongs to (now ± DRIFT_STEPS, after `last_step`), or None."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(totp_secret)
    now = clock.now()
    current = totp.timecode(now)
    for offset in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        step = current + offset
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(now, counter_offset=offset), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes of 10 characters (about 49 bits each), grouped 5-5 for reading."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def normalize_recovery(code: str) -> str:
    raw = "".join(ch for ch in code.lower() if ch.isalnum())
    return f"{raw[:5]}-{raw[5:]}" if len(raw) == 10 else ""


def hash_recovery(code: str) -> str:
    return passwords.hash_password(code)


def recovery_matches(code_hash: str, code: str) -> bool:
    return passwords.verify_password(code_hash, code)

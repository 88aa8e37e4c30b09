"""Signed, expiring tokens for email verification, password reset and invitations."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"  # noqa: S105 (a token purpose name, not a password)
INVITE = "invite"
MAX_AGE = {VERIFY_EMAIL: 7 * 24 * 3600, RESET_PASSWORD: 3600, INVITE: 14 * 24 * 3600}


class TokenError(ValueError):
    """The token is malformed, tampered with or expired (`expired` tells which)."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def make(secret: str, purpose: str, payload: Any) -> str:
    return URLSafeTimedSerializer(secret, salt=purpose).dumps(payload)


def read(secret: str, purpose: str, token: str, max_age: int | None = None) -> Any:
    """The payload of a valid token, else `TokenError`."""
    try:
        return URLSafeTimedSerializer(secret, salt=purpose).loads(token, max_age=max_age or MAX_AGE[purpose])
    except SignatureExpired as exc:
        raise TokenError(expired=True) from exc
    except BadSignature as exc:
        raise TokenError(expired=False) from exc

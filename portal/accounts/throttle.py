"""Throttling that protects rather than locks out (docs/security.md, Throttling).

Sign-in failures are counted three ways, over the last 24 hours:
- per (account, client address), since the account's last success (a sign-in or a password reset):
  after `login_max_failures` failures that address waits 30 s, then 60 s, 120 s … (at most an hour)
  before it may try that account again;
- per client address, over every account: after 20 failures the address waits 5 s, 10 s, 20 s …
  (at most an hour) before any attempt: password spraying from one address is refused;
- per account, over every address: after 10 failures each attempt is slowed by 0.25 s, 0.5 s …
  at most 3 s, and never refused. So failures an attacker makes from elsewhere cannot keep the
  owner out: the right password from the owner's own address still works, a few seconds later at worst.
A refused attempt is not counted (hammering does not lengthen anyone's wait, nor the owner's).

Requests that send mail (sign-up, password reset, a new verification link) are counted per
address (20 an hour, then the same doubling wait) and per email (3 an hour: further requests get
the same answer but send nothing). portal/mail.py caps mail to one recipient per hour as a last line.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.requests import Request

from portal import clock
from portal.accounts import queries
from portal.db import Database

WINDOW_HOURS = 24
PAIR_BASE_SECONDS = 30
ADDRESS_FREE = 20
ADDRESS_BASE_SECONDS = 5
ACCOUNT_FREE = 10
ACCOUNT_PAUSE_BASE = 0.25
ACCOUNT_PAUSE_MAX = 3.0
MAX_WAIT_SECONDS = 3600
MAIL_REQUESTS_PER_ADDRESS = 20   # per hour, per kind
MAIL_REQUESTS_PER_EMAIL = 3      # per hour, per kind
MAIL_PER_RECIPIENT_HOUR = 5      # portal/mail.py's cap for the account mail

# Tests replace this to observe the account-wide slowing without waiting.
pause = asyncio.sleep


@dataclass(frozen=True)
class Verdict:
    """`wait`: seconds before this address may try (0: go ahead); `slow`: seconds to pause first."""

    wait: int
    slow: float = 0.0


def backoff(failures: int, free: int, base: float, cap: float) -> float:
    """0 under `free` failures, then base, 2·base, 4·base … up to `cap`."""
    if failures < free:
        return 0.0
    return float(min(cap, base * 2 ** min(failures - free, 30)))


def remaining(delay: float, last: datetime | None, now: datetime) -> int:
    """Whole seconds left of `delay` counted from `last` (0 when over)."""
    if not delay or last is None:
        return 0
    return max(0, math.ceil(delay - (now - last).total_seconds()))


def client_address(request: Request) -> str:
    """The client's address as the server sees it (behind the proxy: see docs/security.md, Throttling)."""
    return request.client.host if request.client else ""


def login_verdict(counts: queries.FailureCounts, now: datetime, pair_free: int) -> Verdict:
    """Pure: what the counts allow now."""
    wait = max(
        remaining(backoff(counts.pair, pair_free, PAIR_BASE_SECONDS, MAX_WAIT_SECONDS), counts.pair_last, now),
        remaining(backoff(counts.address, ADDRESS_FREE, ADDRESS_BASE_SECONDS, MAX_WAIT_SECONDS),
                  counts.address_last, now),
    )
    slow = backoff(counts.account, ACCOUNT_FREE, ACCOUNT_PAUSE_BASE, ACCOUNT_PAUSE_MAX)
    return Verdict(wait, slow)


async def check_login(db: Database, email: str, ip: str, pair_free: int) -> Verdict:
    """Whether this address may try this account now; pauses for the account-wide slowing."""
    now = clock.now()
    counts = await queries.login_failures(db, email.lower(), ip, now, WINDOW_HOURS)
    verdict = login_verdict(counts, now, pair_free)
    if not verdict.wait and verdict.slow:
        await pause(verdict.slow)
    return verdict


async def record_login(db: Database, email: str, ip: str, succeeded: bool) -> None:
    await queries.record_request(db, "login", email, ip, clock.now(), succeeded)


async def cleared_by_reset(db: Database, email: str, ip: str) -> None:
    """A successful password reset counts as a success: the account's failures no longer count."""
    await record_login(db, email, ip, True)


async def check_mail_request(db: Database, kind: str, email: str, ip: str) -> tuple[int, bool]:
    """(seconds this address must wait, whether mail may go to `email`); records the request when
    the address may proceed."""
    now = clock.now()
    for_email, from_address, last = await queries.requests_since(
        db, kind, email.lower(), ip, now - timedelta(hours=1))
    wait = remaining(backoff(from_address, MAIL_REQUESTS_PER_ADDRESS, ADDRESS_BASE_SECONDS, MAX_WAIT_SECONDS),
                     last, now)
    if wait:
        return wait, False
    await queries.record_request(db, kind, email, ip, now)
    return 0, for_email < MAIL_REQUESTS_PER_EMAIL

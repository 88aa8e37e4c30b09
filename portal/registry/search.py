"""The public registry's search form: filters checked against the allowed values, and the words of
a search turned into a safe prefix query (the SQL is in search_queries.py)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from collections.abc import Mapping
from urllib.parse import urlencode

from portal.registry import model
from portal.registry.territory import Territory

MAX_QUERY = 200
MAX_WORDS = 8
# With a search, how many rows in the list's order are walked before sorting every match instead
# (search_queries.public_page; the benchmark's minimal app mirrors it).
SCAN_BUDGET = 3000
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_OPERATORS = re.compile(r'["\-]|\bor\b', re.IGNORECASE)


@dataclass
class Filters:
    """What the visitor asked for, already checked against the allowed values."""

    q: str = ""
    category: str = ""
    region: str = ""
    comuna: str = ""
    area: str = ""
    status: str = ""
    page: int = 1

    def query_string(self) -> str:
        """The filters as a query string prefix for pagination links (ends with '&')."""
        pairs = [(k, v) for k, v in (("q", self.q), ("category", self.category), ("region", self.region),
                                     ("comuna", self.comuna), ("area", self.area), ("status", self.status)) if v]
        return urlencode(pairs) + "&" if pairs else ""

    @property
    def active(self) -> bool:
        return bool(self.q or self.category or self.region or self.comuna or self.area or self.status)


def parse_filters(params: Mapping[str, str], territory: Territory) -> Filters:
    """Unknown or malformed values are dropped, never an error."""
    def pick(name: str, allowed: Any) -> str:
        value = params.get(name, "")
        return value if isinstance(value, str) and value in allowed else ""

    q = params.get("q", "")
    q = q.replace("\x00", "").strip()[:MAX_QUERY] if isinstance(q, str) else ""
    region = pick("region", {r.code for r in territory.regions})
    comuna = pick("comuna", territory.comunas)
    if comuna and region and not territory.comuna_in_region(comuna, region):
        comuna = ""
    elif comuna and not region:
        region = territory.comunas[comuna].region_code  # a link with only ?comuna= shows its region
    try:
        page = min(max(int(params.get("page", "1")), 1), 10_000)
    except (TypeError, ValueError):
        page = 1
    return Filters(q=q, category=pick("category", model.CATEGORIES), region=region, comuna=comuna,
                   area=pick("area", model.AREAS), status=pick("status", model.PUBLIC_STATUSES), page=page)


def fold(text: str) -> str:
    """Lower case without accents (like portal_unaccent, for the words we send)."""
    return "".join(ch for ch in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(ch))


def prefix_tsquery(q: str) -> str:
    """'Fundación Mig' → 'fundacion & mig:*': plain words only, so it cannot be malformed."""
    words = [w for w in _WORD.findall(fold(q)) if w.isalnum()][:MAX_WORDS]
    if not words:
        return ""
    return " & ".join([*words[:-1], words[-1] + ":*"])


def walk_first(share: float, offset: int, limit: int) -> bool:
    """Whether to look for a page of matches by walking the list in order (search_queries._IDS_SCANNED)
    rather than sorting every match: when the matches expected among the first SCAN_BUDGET rows (the
    planner's `share` of organizations that match) cover the rows up to this page's end.

    A wrong guess costs time, never rows: a walk that falls short is followed by the sort. Guessing "walk"
    costs at most SCAN_BUDGET rows; guessing "sort" for a common word sorts thousands of matches."""
    return offset + limit <= SCAN_BUDGET and share * SCAN_BUDGET >= offset + limit


def is_web_search(q: str) -> bool:
    """Quotes, -negation or "or": the user wrote a web-search query, to be honoured as written."""
    return bool(_OPERATORS.search(q)) or not prefix_tsquery(q)

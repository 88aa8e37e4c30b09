"""COSOC election count for Portal Participa (SERMIG): allocation, tally, bulletin, verification.

A pure package: standard library only, no database or web imports, so that anyone can run the
count and audit it offline. The rules are those of ``docs/elections.md`` (Res. Ex. 70.419, 2022).

Allocation
==========
``allocate(seats, candidates, lottery_order=None, lottery_seed=None, rules=None) -> Result``

* ``seats``: ``{"A": 10, "B": 6, "C": 4}``.
* ``candidates``: ``Candidate`` objects or dicts ``{"id", "category", "votes", "gender", "region"}``
  (optional ``"name"``). Gender: ``F``/``M``/``X`` or words in Spanish or English, any case
  (``mujer``, ``female``, ``hombre``, ``male``, ``no binario``, ``other`` ...). Region: a CUT code
  (``"13"``, ``"5"``), a name with or without "Región" and accents, ``RM``, a Roman numeral.
* The sorteo, exactly one of: ``lottery_order``, the candidate ids as drawn (first wins ties; one
  list may cover every category, each category keeps its own relative order), or ``lottery_seed``:
  candidates ordered by ``SHA-256("<seed>|<category>|<candidate id>")`` hex, ascending.
* ``rules``: ``Rules(territorial_share=1/2, gender_share=3/5, central_region="13")`` or a dict
  of the same keys; per election configurable.
* Bad input raises ``InputError`` (a ``ValueError``) with a message for people.

Per category with n seats and m = min(n, candidates): at least ``min(ceil(n/2), non-RM
candidates)`` seats outside region 13; at most ``least c >= max(floor(0.6 n), ceil(n/2)) with
sum_g min(c, #g) >= m`` seats per gender value. Among all m-sets meeting both, the winner has the
lexicographically greatest descending vote vector, and between sets equal on votes the
lexicographically least ascending vector of strict-order ranks (votes descending, then lottery):
the sorteo settles ties seat by seat from the top. The search is exact: candidates of one
(territory x gender) cell are interchangeable, so a small dynamic programme over seat counts per
cell, with an additive key that encodes both orders, finds the optimum (see ``allocation._Pool``).

``Result.categories[cat]`` is a ``CategoryResult``; ``Result.to_dict(lang="en")`` is the JSON of
``python -m elections allocate``::

    {"categories": {"A": {"seats", "filled", "vacancies", "min_non_rm", "min_non_rm_effective",
                          "gender_cap", "gender_cap_effective", "preliminary": [ids],
                          "elected": [ids], "substitutions": [{"out", "in"}], "lottery_decisive",
                          "lottery_losers": [ids], "notes": [text], "skipped": [{"id", "votes",
                          "reason"}], "substitutions_detail": [{"out", "in", "out_attrs",
                          "in_attrs"}], "order": [ids], "lottery_order": [ids],
                          "replacements": {elected id: id or null}}},
     "council": {"filled", "by_gender": {"F": n, ...}, "max_gender_share_ok"}}

``preliminary`` is the top m by votes (ties by the sorteo); ``elected`` and every list of ids
are in the allocation's ``order`` (votes descending, then lottery order). Substitutions pair the
outgoing (least-voted first) with the incoming (most-voted first). ``skipped`` gives a reason for
every non-elected candidate with at least the votes of the least-voted elected one;
``lottery_losers`` are those the sorteo decided against (``lottery_decisive`` is whether there
are any). ``notes`` explain vacancies and relaxed bounds. Texts are English by default (the
canonical trail, as in ``shared/elections/quota_vectors.json``); ``to_dict("es")`` gives Spanish.
``Result.to_text(lang="es")`` renders the whole trail for people, in Spanish or English; each
``Message`` (a note or a skipped reason) also carries a stable ``code`` and ``params``.

Vacancies during the term: ``replacement_order(category_result, leaving, members=None,
unavailable=()) -> list[str]`` lists, in the allocation's order, the candidates who could take the
seat while keeping both rules (first = the replacement; empty = the seat stays vacant);
``next_replacement(...)`` returns just the first or None. ``replacements`` in the JSON applies it
to each elected member of the original council.

Ballots and tally
=================
A ballot is ``{"code", "nonce", "category", "choice"}``: ``nonce`` is 32 lower-case hex
characters (128 random bits, ``make_ballot`` draws them), ``choice`` a candidate id of that
category or ``null`` for a blank ballot. Its tracking code is::

    SHA-256 hex of UTF-8 "cosoc-ballot/1|<election_id>|<category>|<nonce>|<choice>"

with an empty ``<choice>`` for a blank ballot (``tracking_code(...)``; election id, categories and
candidate ids may not contain ``|``, which keeps the text unambiguous). The voter keeps the code;
nothing in the ballot names the voter. ``tally(ballots, *, election_id, seats, candidates) ->
Tally`` counts valid votes and blank ballots per category and rejects malformed ballots with a
reason (not an object, missing or unexpected fields, bad nonce, unknown category, a choice that is
not a candidate of that category, a wrong tracking code).

Bulletin (``cosoc-bulletin/1``)
===============================
``make_bulletin(*, election_id, padron_sha256, seats, candidates, ballots, lottery_order=None,
lottery_seed=None, rules=None, padron_size=None) -> dict`` counts and allocates;
``write_bulletin(bulletin, fp)`` writes it. One JSON object, keys in this order:

* ``format``: ``"cosoc-bulletin/1"``; ``election_id``; ``padron_sha256``: SHA-256 hex of the
  frozen padrón; optional ``padron_size``: ``{category: organizations}``;
* ``rules``: ``{"territorial_share": "1/2", "gender_share": "3/5", "central_region": "13"}``;
  ``seats``; ``candidates``: ``[{"id", "category", "gender", "region"(CUT), "name"?}]``;
* ``lottery_order`` (the drawn ids) or ``lottery_seed``;
* ``totals``: ``{"ballots": n, "categories": {cat: {"votes": {id: n}, "blank": n, "ballots": n}},
  "rejected": [{"code", "reason"}]}``;
* ``allocation``: ``Result.to_dict("en")`` as above;
* ``ballots``: LAST, every ballot cast (rejected ones too), one per line, sorted by tracking code
  ascending. The sort hides the casting order and lets a verifier detect duplicate codes while
  streaming; being last lets it read the header first and then stream a million ballots.

Verification
============
``verify_bulletin(path_or_file, padron=None) -> list[str]`` (empty: it verifies) and
``check(...) -> Report`` stream the ballots (``read_bulletin(fp) -> (header, iterator)``, never
the whole file), recompute each tracking code, the order, the totals and the allocation with its
trail, and name every mismatch by its path (``totals.categories.A.votes.A01: published 120,
recomputed 119``). CLI: ``python -m elections verify bulletin.json [--padron FILE]`` prints
``OK`` or the problems; exit status 0 or 1 (2 for a file it cannot read).
``python -m elections allocate FILE|- [--text] [--lang es|en]``: bad input gives a message and
exit status 2.

Sealed ballots, trustees, the public record (issue 15; docs/ballot-secrecy.md)
============================================================================
``seal``: keys, ``Sealer(params, portal_seed).seal(category, choice) -> Sealed`` (store
``.item`` and ``.fingerprint``; show ``.code`` on the receipt page only), ``trustee_step``,
``check_key_proof``, ``check_step``, ``reveal``. ``record``: the hash-chained event log,
``checkpoint_payload``, ``check_chain``, ``check_saved``. ``audit.check_record`` verifies a whole
record; ``ed25519`` is the pure-Python verifier (PyNaCl, when importable, only speeds things up).
CLI: ``python -m elections trustee keygen|step``, ``verify RECORD.json [--checkpoint SAVED]``,
``bench``. Sealing and opening need PyNaCl; verifying does not.
"""

from .allocation import allocate, parse_candidates
from .bulletin import BULLETIN_FORMAT, BulletinError, make_bulletin, read_bulletin, write_bulletin
from .model import GENDERS, REGIONS, Candidate, InputError, normalize_gender, normalize_region
from .result import CategoryResult, Result, Skipped, next_replacement, replacement_order
from .rules import Bounds, Rules, effective_bounds
from .sorteo import order_from_seed, seed_key
from .tally import BallotRules, Tally, make_ballot, tally, tracking_code
from .trail import Message
from .verify import Report, check, verify_bulletin

__all__ = [
    "BULLETIN_FORMAT",
    "GENDERS",
    "REGIONS",
    "BallotRules",
    "Bounds",
    "BulletinError",
    "Candidate",
    "CategoryResult",
    "InputError",
    "Message",
    "Report",
    "Result",
    "Rules",
    "Skipped",
    "Tally",
    "allocate",
    "check",
    "effective_bounds",
    "make_ballot",
    "make_bulletin",
    "next_replacement",
    "normalize_gender",
    "normalize_region",
    "order_from_seed",
    "parse_candidates",
    "read_bulletin",
    "replacement_order",
    "seed_key",
    "tally",
    "tracking_code",
    "verify_bulletin",
    "write_bulletin",
]

"""Sealed ballots: a decryption mix with one layer per trustee (see docs/ballot-secrecy.md).

Parties and keys
----------------
* The **portal** holds a per-election Ed25519 signing key (``portal_keygen()``); its public key is
  published in the record's ``setup`` event.
* Each **trustee** holds an Ed25519 seed (``trustee_keygen()``, offline). The X25519 key ballots are
  sealed to is derived from it (libsodium's map), so an Ed25519 signature over the election id, the
  portal's challenge and both public keys (``key_proof``) proves possession of the X25519 private key.
  Trustees are ordered: trustee 1 removes the outer layer, trustee n the innermost one.

A ballot
--------
The plaintext is the ballot text of ``tally.tracking_code`` (``cosoc-ballot/1|<election>|<category>|
<nonce>|<choice>``) with a 2-byte length, zero-padded to ``PLAINTEXT_SIZE`` bytes, so every ballot
of an election has the same size at every stage. Its SHA-256 (of the text) is the tracking code.

An *item at position k* (k = 1 .. n+1) is ``(body, signature)`` where the signature is the portal's
over ``b"cosoc-seal/1|<election>|<k>|" + body``. Position n+1's body is the padded plaintext; for
k <= n, ``body_k = SealedBox(trustee_k).encrypt(sig_{k+1} + body_{k+1})``. The portal stores
item 1 (``seal_ballot``). Trustee k's step (``trustee_step``) opens every body of its input batch
(items at position k), checks the portal's inner signature, and publishes the items at position k+1
sorted by body: a function of the output set only, so its order says nothing about the input order.

What anyone can check (``check_batch``, ``check_step``): equal counts (nothing dropped or added),
every output signed by the portal for that position of that election (nothing replaced by an item
the portal did not seal at cast time), no duplicates, exact sizes, canonical order, the trustee's
signature over the input and output hashes. ``reveal`` turns the last batch into ballots.
Checks need only the standard library (``ed25519``); sealing and opening need PyNaCl.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import ed25519
from .model import InputError
from .tally import BALLOT_FORMAT, NONCE_PATTERN, tracking_code

try:  # sealing, opening and signing need libsodium; checking does not
    from nacl.public import PrivateKey, PublicKey, SealedBox
    from nacl.signing import SigningKey
except ImportError:  # pragma: no cover - depends on the environment
    PrivateKey = PublicKey = SealedBox = SigningKey = None  # type: ignore[assignment, misc]

SEAL_FORMAT = "cosoc-seal/1"
KEY_FORMAT = "cosoc-trustee-key/1"
STEP_FORMAT = "cosoc-mix-step/1"
BATCH_FORMAT = "cosoc-mix-batch/1"
PLAINTEXT_SIZE = 256
SIGNATURE_SIZE = 64
SEALED_BOX_OVERHEAD = 48  # ephemeral X25519 key + Poly1305 tag
LAYER_OVERHEAD = SIGNATURE_SIZE + SEALED_BOX_OVERHEAD
_HEX64 = re.compile(r"[0-9a-f]{64}")
_SHOWN = 5

Item = tuple[bytes, bytes]  # (body, portal signature)


class SealError(InputError):
    """A key, batch or step that cannot be used, with the reason for people."""


def _need_nacl() -> None:
    if SealedBox is None:
        raise SealError("sealing, opening and signing need PyNaCl (pip install pynacl); checking does not")


@dataclass(frozen=True)
class SealParams:
    """The public parameters ballots are sealed with: election, portal key, trustees in order."""

    election_id: str
    portal_key: bytes  # Ed25519 public key of the portal for this election
    trustees: tuple[bytes, ...]  # trustees' Ed25519 public keys, in peeling order

    def __post_init__(self) -> None:
        if not isinstance(self.election_id, str) or not self.election_id or "|" in self.election_id:
            raise SealError("the election id must be a non-empty text without '|'")
        if len(self.portal_key) != 32 or not self.trustees or any(len(t) != 32 for t in self.trustees):
            raise SealError("the portal key and at least one trustee key (32 bytes each) are needed")
        if len(set(self.trustees)) != len(self.trustees):
            raise SealError("two trustees have the same key")

    def size(self, position: int) -> int:
        """The body size of an item at `position` (1 .. n+1)."""
        return PLAINTEXT_SIZE + (len(self.trustees) + 1 - position) * LAYER_OVERHEAD

    def to_dict(self) -> dict[str, Any]:
        """JSON form (as in the record's setup and trustee_key events, and in batch files)."""
        return {"format": SEAL_FORMAT, "election_id": self.election_id, "portal_key": self.portal_key.hex(),
                "trustees": [t.hex() for t in self.trustees], "plaintext_size": PLAINTEXT_SIZE}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SealParams:
        """Read the JSON form back (raises SealError)."""
        try:
            if data.get("format") != SEAL_FORMAT or data.get("plaintext_size", PLAINTEXT_SIZE) != PLAINTEXT_SIZE:
                raise SealError(f"seal parameters must have format {SEAL_FORMAT!r} and plaintext_size {PLAINTEXT_SIZE}")
            return cls(data["election_id"], _hex32(data["portal_key"], "portal_key"),
                       tuple(_hex32(t, "trustee key") for t in data["trustees"]))
        except (KeyError, TypeError, AttributeError) as exc:
            raise SealError(f"malformed seal parameters: {exc}") from None


def _hex32(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise SealError(f"{what} must be 64 lower-case hexadecimal characters")
    return bytes.fromhex(value)


def _label(election_id: str, position: int) -> bytes:
    return f"{SEAL_FORMAT}|{election_id}|{position}|".encode()


# --- keys -------------------------------------------------------------------------------------------

def portal_keygen() -> tuple[bytes, bytes]:
    """A fresh per-election portal signing key: (32-byte seed to keep secret, 32-byte public key)."""
    _need_nacl()
    key = SigningKey.generate()
    return bytes(key), bytes(key.verify_key)


def _key_message(election_id: str, challenge: str, signing_key: str, public_key: str) -> bytes:
    return f"{KEY_FORMAT}|{election_id}|{challenge}|{signing_key}|{public_key}".encode()


def key_proof(seed: bytes, election_id: str, challenge: str) -> dict[str, Any]:
    """The public part a trustee uploads: its keys and a signature binding them to the election and
    to the portal's challenge (which proves possession of the private key)."""
    _need_nacl()
    key = SigningKey(seed)
    signing = bytes(key.verify_key).hex()
    public = bytes(key.verify_key.to_curve25519_public_key()).hex()
    signature = key.sign(_key_message(election_id, challenge, signing, public)).signature
    return {"format": KEY_FORMAT, "election_id": election_id, "challenge": challenge, "signing_key": signing,
            "public_key": public, "signature": signature.hex()}


def trustee_public(seed: bytes) -> bytes:
    """A trustee's Ed25519 public key (as listed in SealParams.trustees) from its seed."""
    _need_nacl()
    return bytes(SigningKey(seed).verify_key)


def trustee_keygen(election_id: str, challenge: str) -> tuple[bytes, dict[str, Any]]:
    """A fresh trustee key: (32-byte seed to keep offline, the proof to upload)."""
    _need_nacl()
    seed = secrets.token_bytes(32)
    return seed, key_proof(seed, election_id, challenge)


def check_key_proof(proof: Any, election_id: str, challenge: str | None = None) -> list[str]:  # noqa: C901, PLR0911 - first reason wins
    """Problems with an uploaded key proof (empty: accept). `challenge`: the one the portal issued
    (None: any, as for a verifier reading a record that already shows it)."""
    if not isinstance(proof, dict):
        return ["the key proof must be a JSON object"]
    expected = {"format", "election_id", "challenge", "signing_key", "public_key", "signature"}
    if set(proof) != expected:
        return [f"the key proof must have exactly the fields {', '.join(sorted(expected))}"]
    if proof["format"] != KEY_FORMAT:
        return [f"the key proof's format must be {KEY_FORMAT!r}"]
    if proof["election_id"] != election_id:
        return [f"the key proof is for election {proof['election_id']!r}, not {election_id!r}"]
    if challenge is not None and proof["challenge"] != challenge:
        return ["the key proof answers another challenge (generate it with this election's challenge)"]
    if not isinstance(proof["challenge"], str) or "|" in proof["challenge"]:
        return ["the challenge must be a text without '|'"]
    for field in ("signing_key", "public_key"):
        if not isinstance(proof[field], str) or not _HEX64.fullmatch(proof[field]):
            return [f"{field} must be 64 lower-case hexadecimal characters"]
    if not isinstance(proof["signature"], str) or not re.fullmatch(r"[0-9a-f]{128}", proof["signature"]):
        return ["signature must be 128 lower-case hexadecimal characters"]
    signing = bytes.fromhex(proof["signing_key"])
    derived = ed25519.to_x25519(signing)
    if derived is None:
        return ["signing_key is not a valid Ed25519 public key"]
    if derived.hex() != proof["public_key"]:
        return ["public_key is not the X25519 key of signing_key"]
    message = _key_message(election_id, proof["challenge"], proof["signing_key"], proof["public_key"])
    if not ed25519.verify(signing, message, bytes.fromhex(proof["signature"])):
        return ["the signature does not verify: this proof was not made with the private key"]
    return []


# --- sealing ----------------------------------------------------------------------------------------

def pad(text: str) -> bytes:
    """The fixed-size plaintext of a ballot text: 2-byte length, UTF-8, zeros."""
    data = text.encode("utf-8")
    if len(data) > PLAINTEXT_SIZE - 2:
        raise SealError(f"a ballot text longer than {PLAINTEXT_SIZE - 2} bytes cannot be sealed")
    return len(data).to_bytes(2, "big") + data + bytes(PLAINTEXT_SIZE - 2 - len(data))


def unpad(body: bytes) -> str | None:
    """The ballot text of a padded plaintext (None if it is not one)."""
    if len(body) != PLAINTEXT_SIZE:
        return None
    n = int.from_bytes(body[:2], "big")
    if n > PLAINTEXT_SIZE - 2 or any(body[2 + n:]):
        return None
    try:
        return body[2:2 + n].decode("utf-8")
    except UnicodeDecodeError:
        return None


def ballot_text(election_id: str, category: str, nonce: str, choice: str | None) -> str:
    """The canonical text a tracking code hashes (see tally.tracking_code)."""
    return f"{BALLOT_FORMAT}|{election_id}|{category}|{nonce}|{'' if choice is None else choice}"


@dataclass(frozen=True)
class Sealed:
    """A sealed ballot as cast: `item` to store; `code` to show on the receipt page only."""

    item: Item
    code: str  # the tracking code: never stored where it can be linked to the voter

    @property
    def fingerprint(self) -> str:
        """SHA-256 hex of the sealed body: its public identity in checkpoints (safe to store)."""
        return fingerprint(self.item)


class Sealer:
    """Seals ballots for one election (build once per process; sealing is ~0.2 ms per layer)."""

    def __init__(self, params: SealParams, portal_seed: bytes):
        _need_nacl()
        self.params = params
        self._key = SigningKey(portal_seed)
        if bytes(self._key.verify_key) != params.portal_key:
            raise SealError("the portal seed does not match the election's portal key")
        self._boxes = [SealedBox(PublicKey(bytes.fromhex(p)))
                       for p in (_x25519_hex(t) for t in params.trustees)]

    def seal(self, category: str, choice: str | None, nonce: str | None = None) -> Sealed:
        """Seal one ballot (category, candidate id or None for blank) with a fresh 128-bit nonce."""
        for label in (category, choice or ""):
            if not isinstance(label, str) or "|" in label:
                raise SealError("category and choice may not contain '|'")
        nonce = secrets.token_hex(16) if nonce is None else nonce
        if not NONCE_PATTERN.fullmatch(nonce):
            raise SealError("nonce must be 32 lower-case hexadecimal characters")
        text = ballot_text(self.params.election_id, category, nonce, choice)
        body = pad(text)
        eid = self.params.election_id
        n = len(self._boxes)
        for position in range(n + 1, 1, -1):
            signature = self._key.sign(_label(eid, position) + body).signature
            body = self._boxes[position - 2].encrypt(signature + body)
        signature = self._key.sign(_label(eid, 1) + body).signature
        return Sealed((bytes(body), signature), tracking_code(eid, category, nonce, choice))


def _x25519_hex(signing_key: bytes) -> str:
    derived = ed25519.to_x25519(signing_key)
    if derived is None:
        raise SealError("a trustee key is not a valid Ed25519 public key")
    return derived.hex()


def seal_ballot(params: SealParams, portal_seed: bytes, category: str, choice: str | None) -> Sealed:
    """One-off convenience for Sealer(params, portal_seed).seal(category, choice)."""
    return Sealer(params, portal_seed).seal(category, choice)


# --- batches ----------------------------------------------------------------------------------------

def fingerprint(item: Item) -> str:
    """SHA-256 hex of an item's body."""
    return hashlib.sha256(item[0]).hexdigest()


def batch_sha256(items: Iterable[Item]) -> str:
    """SHA-256 hex over the items in order: SHA-256 of the concatenated SHA-256(body || signature)."""
    outer = hashlib.sha256()
    for body, signature in items:
        outer.update(hashlib.sha256(body + signature).digest())
    return outer.hexdigest()


def items_to_json(items: Iterable[Item]) -> list[list[str]]:
    """Items as [[base64 body, base64 signature], ...]."""
    return [[base64.b64encode(b).decode(), base64.b64encode(s).decode()] for b, s in items]


def items_from_json(data: Any) -> list[Item]:
    """Items from their JSON form (raises SealError naming the first bad one)."""
    if not isinstance(data, list):
        raise SealError("a batch must be a list of [body, signature] pairs")
    out: list[Item] = []
    for index, pair in enumerate(data, 1):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
            raise SealError(f"item #{index}: not a [body, signature] pair of base64 texts")
        try:
            out.append((base64.b64decode(pair[0], validate=True), base64.b64decode(pair[1], validate=True)))
        except (binascii.Error, ValueError):
            raise SealError(f"item #{index}: not valid base64") from None
    return out


class _Problems:
    def __init__(self, where: str):
        self.where = where
        self.items: list[str] = []
        self.counts: dict[str, int] = {}

    def add(self, kind: str, text: str) -> None:
        n = self.counts[kind] = self.counts.get(kind, 0) + 1
        if n <= _SHOWN:
            self.items.append(f"{self.where}: {text}")

    def done(self) -> list[str]:
        self.items += [f"{self.where}: ... and {n - _SHOWN} more item(s) with the same problem ({kind})"
                       for kind, n in self.counts.items() if n > _SHOWN]
        return self.items


_verifiers: dict[bytes, ed25519.Verifier] = {}


def _portal_verifier(key: bytes) -> ed25519.Verifier:
    if key not in _verifiers:
        _verifiers[key] = ed25519.Verifier(key)
    return _verifiers[key]


def check_batch(params: SealParams, position: int, items: Sequence[Item], *, where: str = "batch",
                sorted_required: bool = False) -> list[str]:
    """Problems with a batch of items at `position`: sizes, the portal's signatures, duplicates,
    and (if required) the canonical order (sorted by body)."""
    problems = _Problems(where)
    verifier = _portal_verifier(params.portal_key)
    label, size = _label(params.election_id, position), params.size(position)
    if not verifier.valid:
        return [f"{where}: the portal key is not a valid Ed25519 public key"]
    seen: set[bytes] = set()
    previous = b""
    for index, (body, signature) in enumerate(items, 1):
        if len(body) != size or len(signature) != SIGNATURE_SIZE:
            problems.add("size", f"item #{index} has {len(body)} + {len(signature)} bytes, expected {size} + "
                         f"{SIGNATURE_SIZE}: not a ballot sealed for this election at position {position}")
            continue
        if body in seen:
            problems.add("duplicate", f"item #{index} is a duplicate of an earlier item (fingerprint "
                         f"{hashlib.sha256(body).hexdigest()[:16]}…)")
        seen.add(body)
        if sorted_required and body < previous:
            problems.add("order", f"item #{index} is out of order (a step's output is sorted by body)")
        previous = body
        if not verifier.verify(label + body, signature):
            problems.add("signature", f"item #{index} is not signed by the portal for position {position} "
                         "(a ballot the portal did not seal at cast time: replaced, invented or garbage)")
    return problems.done()


def _step_message(election_id: str, trustee: int, input_sha256: str, output_sha256: str) -> bytes:
    return f"{STEP_FORMAT}|{election_id}|{trustee}|{input_sha256}|{output_sha256}".encode()


def trustee_step(seed: bytes, params: SealParams, items: Sequence[Item]) -> dict[str, Any]:
    """A trustee's step, offline: check the input batch, open this trustee's layer of every item,
    check the portal's inner signatures, and return the signed step with the output sorted by body.

    Raises SealError (with the reason) rather than publish anything from a bad input batch."""
    _need_nacl()
    key = SigningKey(seed)
    me = bytes(key.verify_key)
    if me not in params.trustees:
        raise SealError("this key is not one of the election's trustees")
    position = params.trustees.index(me) + 1
    problems = check_batch(params, position, items, where="input")
    if problems:
        raise SealError("the input batch is not valid: " + "; ".join(problems))
    box = SealedBox(key.to_curve25519_private_key())
    work = list(items)
    secrets.SystemRandom().shuffle(work)  # the processing order owes nothing to the input order
    output: list[Item] = []
    for body, _ in work:
        try:
            opened = box.decrypt(body)
        except Exception:  # libsodium raises CryptoError; any failure means "not for us"
            raise SealError("an input item does not open with this key (wrong key, wrong position, "
                            "or a ballot not sealed for this trustee)") from None
        output.append((opened[SIGNATURE_SIZE:], opened[:SIGNATURE_SIZE]))
    output.sort()
    problems = check_batch(params, position + 1, output, where="output")
    if problems:
        raise SealError("opened items are not signed by the portal: " + "; ".join(problems))
    input_sha, output_sha = batch_sha256(items), batch_sha256(output)
    signature = key.sign(_step_message(params.election_id, position, input_sha, output_sha)).signature
    return {"format": STEP_FORMAT, "election_id": params.election_id, "trustee": position,
            "signing_key": me.hex(), "input_sha256": input_sha, "count": len(output),
            "output_sha256": output_sha, "signature": signature.hex(), "output": items_to_json(output)}


def check_step(params: SealParams, inputs: Sequence[Item], step: Any,  # noqa: C901, PLR0911 - first reason wins
               expected_trustee: int | None = None) -> tuple[list[str], list[Item]]:
    """Check an uploaded step against its input batch: (problems, output items).

    Refuse the upload when problems is not empty; its first entry is the main reason."""
    if not isinstance(step, dict):
        return ["the step must be a JSON object"], []
    keys = {"format", "election_id", "trustee", "signing_key", "input_sha256", "count", "output_sha256",
            "signature", "output"}
    if set(step) != keys:
        return [f"the step must have exactly the fields {', '.join(sorted(keys))}"], []
    if step["format"] != STEP_FORMAT or step["election_id"] != params.election_id:
        return [f"the step is not a {STEP_FORMAT} step of election {params.election_id!r}"], []
    k = step["trustee"]
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= len(params.trustees):
        return [f"trustee must be a number from 1 to {len(params.trustees)}"], []
    if expected_trustee is not None and k != expected_trustee:
        return [f"this is trustee {k}'s step; trustee {expected_trustee}'s is expected now"], []
    who = f"trustee {k}'s step"
    if step["signing_key"] != params.trustees[k - 1].hex():
        return [f"{who}: signed with a key that is not trustee {k}'s"], []
    try:
        output = items_from_json(step["output"])
    except SealError as exc:
        return [f"{who}: {exc}"], []
    problems: list[str] = []
    if step["input_sha256"] != batch_sha256(inputs):
        problems.append(f"{who}: made on another input batch (input_sha256 does not match)")
    if len(output) != len(inputs) or step["count"] != len(inputs):
        problems.append(f"{who}: {len(output)} items out for {len(inputs)} in (a ballot dropped or added)")
    if step["output_sha256"] != batch_sha256(output):
        problems.append(f"{who}: output_sha256 does not match its output")
    signature = step["signature"]
    if not (isinstance(signature, str) and re.fullmatch(r"[0-9a-f]{128}", signature) and ed25519.verify(
            params.trustees[k - 1], _step_message(params.election_id, k, str(step["input_sha256"]),
                                                  str(step["output_sha256"])), bytes.fromhex(signature))):
        problems.append(f"{who}: the trustee's signature does not verify")
    problems += check_batch(params, k + 1, output, where=f"{who}, output", sorted_required=True)
    return problems, output


# --- the reveal -------------------------------------------------------------------------------------

def reveal(params: SealParams, items: Sequence[Item]) -> tuple[list[str], list[dict[str, Any]]]:
    """The ballots of the last step's output: (problems, ballots sorted by tracking code).

    Each ballot is {"code", "nonce", "category", "choice"} as in the bulletin; whether its category
    and choice are valid is the tally's business (invalid ones are published as rejected)."""
    problems: list[str] = []
    ballots: list[dict[str, Any]] = []
    prefix = f"{BALLOT_FORMAT}|{params.election_id}|"
    for index, (body, _) in enumerate(items, 1):
        text = unpad(body)
        parts = text[len(prefix):].split("|") if text is not None and text.startswith(prefix) else []
        if len(parts) != 3 or not NONCE_PATTERN.fullmatch(parts[1]):
            problems.append(f"revealed item #{index} is not a ballot text of this election")
            continue
        category, nonce, choice = parts[0], parts[1], parts[2] or None
        ballots.append({"code": tracking_code(params.election_id, category, nonce, choice), "nonce": nonce,
                        "category": category, "choice": choice})
    ballots.sort(key=lambda b: str(b["code"]))
    return problems, ballots


def batch_file(params: SealParams, position: int, items: Sequence[Item]) -> dict[str, Any]:
    """The file a trustee downloads for its step (``python -m elections trustee step --input``)."""
    return {"format": BATCH_FORMAT, "seal": params.to_dict(), "position": position,
            "input_sha256": batch_sha256(items), "items": items_to_json(items)}


def read_batch_file(data: Any) -> tuple[SealParams, int, list[Item]]:
    """(params, position, items) from a batch file (raises SealError)."""
    if not isinstance(data, dict) or data.get("format") != BATCH_FORMAT:
        raise SealError(f"not a {BATCH_FORMAT} file")
    params = SealParams.from_dict(data.get("seal") or {})
    items = items_from_json(data.get("items"))
    if data.get("input_sha256") != batch_sha256(items):
        raise SealError("the batch file's input_sha256 does not match its items")
    return params, int(data.get("position", 0)), items

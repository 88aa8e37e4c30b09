"""Command line: `python -m elections allocate FILE|-`, `verify BULLETIN|RECORD`, `trustee keygen|step`, `bench`."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import ed25519
from .allocation import allocate
from .audit import check_record, next_batch
from .model import InputError
from .record import RECORD_FORMAT
from .seal import read_batch_file, trustee_keygen, trustee_public, trustee_step
from .verify import check

USAGE_ERROR = 2


def _read_input(path: str) -> Any:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as fp:
                text = fp.read()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None


def _allocate(args: argparse.Namespace) -> int:
    data = _read_input(args.file)
    if not isinstance(data, dict):
        raise InputError("the input must be a JSON object with seats, candidates and a lottery")
    unknown = set(data) - {"seats", "candidates", "lottery_order", "lottery_seed", "rules"}
    if unknown:
        raise InputError(f"unknown key(s) in the input: {', '.join(sorted(unknown))}")
    for key in ("seats", "candidates"):
        if key not in data:
            raise InputError(f"the input lacks {key!r}")
    result = allocate(data["seats"], data["candidates"], data.get("lottery_order"),
                      data.get("lottery_seed"), data.get("rules"))
    if args.text:
        sys.stdout.write(result.to_text(args.lang or "es"))
    else:
        json.dump(result.to_dict(args.lang or "en"), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    return 0


def _is_record(path: str) -> tuple[bool, bytes | None]:
    """Whether a file is a record (it starts with its format); stdin is read whole to decide."""
    if path == "-":
        data = sys.stdin.buffer.read()
        return data.lstrip()[:200].replace(b" ", b"").startswith(b'{"format":"' + RECORD_FORMAT.encode()), data
    try:
        with open(path, "rb") as fp:
            head = fp.read(200)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    return head.lstrip().replace(b" ", b"").startswith(b'{"format":"' + RECORD_FORMAT.encode()), None


def _verify_record(path: str, data: bytes | None, saved_path: str | None) -> int:
    started = time.perf_counter()
    try:
        record = json.loads(data) if data is not None else _read_input(path)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"the record is not valid JSON: {exc}") from None
    report = check_record(record, _read_input(saved_path) if saved_path else None)
    seconds = time.perf_counter() - started
    if report.ok:
        print(f"OK: {report.summary()}; tally and allocation recomputed "
              f"({seconds:.1f} s, {ed25519.describe()['ed25519']})")
        return 0
    print(f"FAILED: {len(report.problems)} problem(s)")
    for problem in report.problems:
        print(f"- {problem}")
    return 1


def _verify(args: argparse.Namespace) -> int:
    is_record, data = _is_record(args.bulletin)
    if is_record or args.checkpoint:
        return _verify_record(args.bulletin, data, args.checkpoint)
    try:
        source: Any = io.BytesIO(data) if data is not None else args.bulletin
        report = check(source, args.padron)
    except OSError as exc:
        raise InputError(f"cannot read {exc.filename or args.bulletin}: {exc.strerror or exc}") from None
    if report.ok:
        print(f"OK: {report.ballots} ballots; tracking codes, totals and allocation match")
        return 0
    print(f"FAILED: {len(report.problems)} problem(s)")
    for problem in report.problems:
        print(f"- {problem}")
    return 1


def _keygen(args: argparse.Namespace) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    key_path, public_path = out / "trustee.key", out / "trustee-public.json"
    if key_path.exists():
        raise InputError(f"{key_path} exists: refusing to overwrite a trustee key")
    seed, proof = trustee_keygen(args.election, args.challenge)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fp:
        fp.write(seed.hex() + "\n")
    public_path.write_text(json.dumps(proof, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(proof, indent=1))
    print(f"private key: {key_path} (keep it offline; it is needed once, after the close)", file=sys.stderr)
    print(f"upload: {public_path}", file=sys.stderr)
    return 0


def _read_seed(path: str) -> bytes:
    try:
        text = Path(path).read_text(encoding="ascii").strip()
        seed = bytes.fromhex(text)
    except (OSError, UnicodeDecodeError, ValueError):
        raise InputError(f"cannot read a trustee key from {path}") from None
    if len(seed) != 32:
        raise InputError(f"{path} is not a trustee key (64 hexadecimal characters)")
    return seed


def _step(args: argparse.Namespace) -> int:
    seed = _read_seed(args.key)
    data = _read_input(args.input)
    if isinstance(data, dict) and data.get("format") == RECORD_FORMAT:
        report, params, position, items = next_batch(data)
        if not report.ok:
            raise InputError("the record does not verify; no step made:\n- " + "\n- ".join(report.problems))
        if params is None or items is None:
            raise InputError(f"the record awaits no trustee step (stage: {report.stage})")
    else:
        params, position, items = read_batch_file(data)
    mine = trustee_public(seed)
    if mine in params.trustees and params.trustees.index(mine) + 1 != position:
        raise InputError(f"this key is trustee {params.trustees.index(mine) + 1}'s; the batch is for trustee {position}")
    step = trustee_step(seed, params, items)
    Path(args.out).write_text(json.dumps(step) + "\n", encoding="utf-8")
    print(f"trustee {step['trustee']}: {step['count']} ballots opened and sorted; output_sha256 "
          f"{step['output_sha256']}; upload {args.out}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from .ceremony import simulate

    sim = simulate(args.ballots, args.trustees)
    parts = {**sim.seconds}
    record = sim.record.to_dict()
    for accelerated in (True, False):
        if ed25519.use_accelerated(accelerated) != accelerated:
            continue
        started = time.perf_counter()
        report = check_record(record)
        label = "verify (libsodium)" if accelerated else "verify (pure Python)"
        parts[label] = time.perf_counter() - started
        if not report.ok:
            raise InputError("the simulated record does not verify: " + "; ".join(report.problems[:3]))
    size = len(json.dumps(record))
    print(f"{args.ballots} ballots, {args.trustees} trustees, record {size / 1e6:.1f} MB")
    for name, seconds in parts.items():
        per = f" ({seconds / max(args.ballots, 1) * 1e3:.3f} ms per ballot)" if name == "seal" else ""
        print(f"  {name:22} {seconds:8.2f} s{per}")
    steps = sum(v for k, v in parts.items() if k.startswith("step ")) + parts["reveal and count"]
    print(f"  {'steps + count':22} {steps:8.2f} s")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(prog="python -m elections",
                                     description="COSOC seat allocation and bulletin verification")
    sub = parser.add_subparsers(dest="command", required=True)
    alloc = sub.add_parser("allocate", help="allocate seats from a JSON file (or - for stdin)")
    alloc.add_argument("file", help='JSON {"seats", "candidates", "lottery_order" | "lottery_seed"}')
    alloc.add_argument("--text", action="store_true", help="print the trail for people")
    alloc.add_argument("--lang", choices=("es", "en"),
                       help="language of the trail (text: es by default; JSON: en by default)")
    alloc.set_defaults(run=_allocate)
    ver = sub.add_parser("verify", help="verify an election record (chain, keys, checkpoints, trustees' "
                         "steps, reveal, tally, allocation) or a bulletin")
    ver.add_argument("bulletin", help="record or bulletin JSON file (or - for stdin)")
    ver.add_argument("--padron", help="bulletin: the padrón file, to check it against padron_sha256")
    ver.add_argument("--checkpoint", help="record: a record or event saved earlier, which must still be in it")
    ver.set_defaults(run=_verify)
    trustee = sub.add_parser("trustee", help="a trustee's offline commands").add_subparsers(
        dest="action", required=True)
    keygen = trustee.add_parser("keygen", help="make a key pair and the proof to upload")
    keygen.add_argument("--out", required=True, help="folder for trustee.key (0600) and trustee-public.json")
    keygen.add_argument("--election", required=True, help="the election id the portal shows")
    keygen.add_argument("--challenge", required=True, help="the challenge the portal shows")
    keygen.set_defaults(run=_keygen)
    step = trustee.add_parser("step", help="open your layer of a batch (a batch file or the record)")
    step.add_argument("--key", required=True, help="your trustee.key")
    step.add_argument("--input", required=True, help="the batch file or registro.json")
    step.add_argument("--out", required=True, help="where to write the step to upload")
    step.set_defaults(run=_step)
    bench = sub.add_parser("bench", help="time sealing, trustees' steps, count and verification")
    bench.add_argument("--ballots", type=int, default=1000)
    bench.add_argument("--trustees", type=int, default=2)
    bench.set_defaults(run=_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 1 verification failed, 2 bad input)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE_ERROR


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly, as Unix tools do
        sys.stderr.close()
        sys.exit(1)

"""Command line: `python -m elections allocate FILE|-` and `python -m elections verify BULLETIN`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any
from collections.abc import Sequence

from .allocation import allocate
from .model import InputError
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


def _verify(args: argparse.Namespace) -> int:
    try:
        report = check(sys.stdin.buffer if args.bulletin == "-" else args.bulletin, args.padron)
    except OSError as exc:
        raise InputError(f"cannot read {exc.filename or args.bulletin}: {exc.strerror or exc}") from None
    if report.ok:
        print(f"OK: {report.ballots} ballots; tracking codes, totals and allocation match")
        return 0
    print(f"FAILED: {len(report.problems)} problem(s)")
    for problem in report.problems:
        print(f"- {problem}")
    return 1


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
    ver = sub.add_parser("verify", help="recompute a bulletin's tracking codes, totals and allocation")
    ver.add_argument("bulletin", help="bulletin JSON file (or - for stdin)")
    ver.add_argument("--padron", help="the padrón file, to check it against padron_sha256")
    ver.set_defaults(run=_verify)
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

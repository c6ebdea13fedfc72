"""The command line every benchmark shares: its own options plus ``--quick``.

``--quick`` runs a benchmark's code paths with tiny sizes and few repetitions, so the
test suite (tests/test_benchmarks_smoke.py) can check in seconds that every script still
runs against the current API. Its figures are printed but measure nothing, so the first
line says so and a MISS verdict does not fail the run.
"""

from __future__ import annotations

import argparse
from typing import Optional, Sequence

QUICK_NOTICE = "quick mode: figures are not measurements"


def parser(doc: str) -> argparse.ArgumentParser:
    """A parser described by the first line of the script's docstring, with ``--quick``."""
    result = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    result.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes and few repetitions: checks that the benchmark runs "
        "(a few seconds); its figures are not measurements",
    )
    return result


def parse(arg_parser: argparse.ArgumentParser, argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse ``argv`` (default: the command line); in quick mode, say first that the figures mean nothing."""
    args = arg_parser.parse_args(argv)
    if args.quick:
        print(QUICK_NOTICE, flush=True)
    return args


def exit_status(args: argparse.Namespace, met_targets: bool) -> int:
    """0 when every target was met; in quick mode always 0 (a verdict on tiny sizes means nothing)."""
    return 0 if met_targets or args.quick else 1

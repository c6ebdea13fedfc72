"""``fctrigger`` command line: ``event``, ``list``, ``lint``.

Imports nothing heavy up front; each subcommand loads its module when it runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import List, Optional

# subcommand -> module defining add_parser(subparsers) and run(args) -> int
SUBCOMMANDS = {
    "event": "pytest_fctrigger.events.cli_event",
    "list": "pytest_fctrigger.events.cli_list",
    "lint": "pytest_fctrigger.triggers.cli_lint",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fctrigger",
        description="Alibaba Cloud Function Compute trigger events and trigger config checks.",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{event,list,lint}")
    sub.required = True
    for _name, module_name in SUBCOMMANDS.items():
        importlib.import_module(module_name).add_parser(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    from .errors import FCTriggerError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = int(args.run(args) or 0)
        sys.stdout.flush()
        return status
    except FCTriggerError as exc:
        # argparse's own form ("fctrigger lint: error: ..."), so every error of the
        # command reads alike; the messages themselves carry no prefix of their own
        print(f"fctrigger {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader went away (`fctrigger list | head`): not an error of ours; point
        # stdout at devnull so the interpreter's final flush does not complain again
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

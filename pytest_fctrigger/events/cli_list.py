"""``fctrigger list [--json]``: every trigger type, its builder and its variants."""

from __future__ import annotations

import argparse
import json
from typing import Any, Dict, List


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "list",
        help="list every trigger type and its variants",
        description="List every trigger type `fctrigger event` and fc_matrix know, with the "
        "builder that makes it and its variants.",
    )
    parser.add_argument("--json", action="store_true", help="print the catalog as JSON")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from .catalog import ALIASES, CATALOG

    aliases: Dict[str, List[str]] = {}
    for alias, target in ALIASES.items():
        aliases.setdefault(target, []).append(alias)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "type": s.trigger_type,
                        "builder": s.builder,
                        "aliases": aliases.get(s.trigger_type, []),
                        "variants": list(s.variants),
                        "description": s.description,
                    }
                    for s in CATALOG.values()
                ],
                indent=2,
            )
        )
        return 0
    for source in CATALOG.values():
        also = aliases.get(source.trigger_type)
        alias_note = f"; aliases: {', '.join(also)}" if also else ""
        print(f"{source.trigger_type}  ({source.builder}{alias_note}) {source.description}")
        for variant in source.variants:
            print(f"  {variant}")
    return 0

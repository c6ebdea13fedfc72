"""``fctrigger lint FILE... [--vars k=v ...] [--format text|json]``.

Exit status: 0 when there are no errors (warnings only, or nothing), 1 when any finding
of any file is an error (including a file that cannot be loaded, FCT001), 2 for usage
errors. ``--format json`` prints one report object for one file, and
``{"errors", "warnings", "files": [report, ...]}`` for several.
Loading and checking are imported only when the command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, List, Optional


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "lint",
        help="check the triggers of an s.yaml / template.yml against FC's rules",
        description="Check the triggers an s.yaml (Serverless Devs fc / fc3) or template.yml "
        "(Funcraft) declares against Function Compute's rules. Exit status 1 when "
        "any finding is an error, 0 otherwise.",
    )
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help="s.yaml, s.yml or template.yml; several are checked in turn"
    )
    parser.add_argument(
        "--vars",
        nargs="+",
        action="extend",
        default=[],
        metavar="KEY=VALUE",
        help="values for {{ placeholders }} and ${vars.x} (a.b=v sets a nested var); repeatable",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json (for CI systems)"
    )
    parser.set_defaults(run=run)
    return parser


def parse_vars(items: List[str]) -> Dict[str, Any]:
    values: Dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            from ..errors import ConfigError

            raise ConfigError(f"--vars takes KEY=VALUE, got {item!r}")
        values[key.strip()] = value
    return values


def run(args: argparse.Namespace, out: Optional[Any] = None) -> int:
    from .lint import has_errors, lint

    out = out or sys.stdout
    variables = parse_vars(args.vars)  # checked once, before any file is read
    reports = []
    status = 0
    for path in args.files:
        findings = lint(path, variables)
        errors = sum(1 for f in findings if f.is_error)
        warnings = len(findings) - errors
        status = max(status, 1 if has_errors(findings) else 0)
        if args.format == "json":
            reports.append(
                {
                    "file": path,
                    "errors": errors,
                    "warnings": warnings,
                    "findings": [f.to_dict() for f in findings],
                }
            )
        else:
            for finding in findings:
                out.write(str(finding) + "\n")
            # a file that cannot be loaded at all is its one FCT001 line; a count adds nothing
            if not (len(findings) == 1 and findings[0].code == "FCT001"):
                out.write(f"{path}: {errors} error(s), {warnings} warning(s)\n")
    if args.format == "json":
        document: Dict[str, Any] = reports[0]
        if len(reports) > 1:
            document = {
                "errors": sum(r["errors"] for r in reports),
                "warnings": sum(r["warnings"] for r in reports),
                "files": reports,
            }
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")
    return status

"""``fctrigger event TYPE [--FIELD VALUE ...]``: print one trigger event as FC delivers it."""

from __future__ import annotations

import argparse
import inspect
import json
import re
import sys
from typing import Any, Dict, List, Tuple

from ..errors import ConfigError

_DESCRIPTION = """\
Fields are the builder's keyword arguments (--event-name = event_name). Text fields
take the value as text; other fields take it as JSON when it parses (--size 1024,
--object-meta true, --attributes '{"k": "v"}'), else as text. A non-text --field
with no value means true. --set PATH=VALUE sets any path of the payload (VALUE: JSON
if it parses, else text), e.g. --set events.0.region=cn-beijing.

Output is the exact payload FC delivers: compact JSON, or the raw body of an MNS
STREAM message. Tablestore events are CBOR, printed as hex; --json prints their JSON
view instead (blobs as base64). --pretty indents JSON output."""

_TEXT_TOKENS = {"Optional", "Union", "str", "bytes", "None"}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "event",
        help="print a trigger event (like `sam local generate-event`)",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="fctrigger event TYPE [--FIELD VALUE ...] [--variant V] [--seed N] "
        "[--set PATH=VALUE ...] [--json] [--pretty]",
        epilog="`fctrigger list` shows every type and variant; `fctrigger event TYPE --help` lists the fields of TYPE.",
    )
    parser.add_argument("type", help="trigger type, e.g. oss, mns_topic, tablestore (aliases: sls, cdn, ots)")
    parser.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.set_defaults(run=run)
    return parser


def _parse_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _coerce(param: inspect.Parameter, raw: Any) -> Any:
    annotation = param.annotation if isinstance(param.annotation, str) else repr(param.annotation)
    tokens = set(re.findall(r"[A-Za-z_]\w*", annotation))
    text_only = bool(tokens) and tokens <= _TEXT_TOKENS
    if not isinstance(raw, str):  # a --flag without a value: true, which no text field takes
        if text_only:
            raise ConfigError(f"--{param.name.replace('_', '-')} needs a value")
        return raw
    return raw if text_only else _parse_value(raw)


def _split(args: List[str]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """(options, fields) from the words after the type."""
    opts: Dict[str, Any] = {"variant": None, "seed": 0, "set": [], "json": False, "pretty": False, "help": False}
    fields: Dict[str, Any] = {}
    i = 0
    while i < len(args):
        word = args[i]
        if not word.startswith("-") or word in ("-", "--"):
            raise ConfigError(f"unexpected argument {word!r}; fields are given as --name VALUE")
        name, eq, inline = word.lstrip("-").partition("=")
        takes_value = not eq and i + 1 < len(args) and not args[i + 1].startswith("--")
        value: Any = inline if eq else (args[i + 1] if takes_value else True)
        i += 2 if takes_value else 1
        key = name.replace("-", "_")
        if word in ("-h", "--help"):
            opts["help"] = True
        elif key in ("json", "pretty"):
            opts[key] = True
            if takes_value:  # a flag does not take a value: give the word back
                i -= 1
        elif key == "variant":
            opts["variant"] = value
        elif key == "seed":
            try:
                opts["seed"] = int(value)
            except (TypeError, ValueError):
                raise ConfigError(f"--seed takes an integer, got {value!r}") from None
        elif key == "set":
            if not isinstance(value, str) or "=" not in value:
                raise ConfigError(f"--set takes PATH=VALUE (e.g. events.0.region=cn-beijing), got {value!r}")
            path, _, text = value.partition("=")
            opts["set"].append((path, _parse_value(text)))
        else:
            if key in fields:
                raise ConfigError(f"--{name} given twice")
            fields[key] = value
    return opts, fields


def _help(source: Any, builder: Any) -> str:
    params = [
        p
        for p in inspect.signature(builder).parameters.values()
        if p.kind is p.KEYWORD_ONLY and p.name not in ("rng", "overrides")
    ]
    lines = [
        f"fctrigger event {source.trigger_type}: fields of {source.builder}()",
        f"variants: {', '.join(source.variants)}",
        "",
    ]
    for p in params:
        default = "" if p.default is None else f" (default {p.default!r})"
        kind = str(p.annotation).replace("_dt.", "")
        lines.append(f"  --{p.name.replace('_', '-'):<18} {kind}{default}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from ..errors import UnknownFieldError
    from ._random import FCRandom
    from .catalog import get_source

    source = get_source(args.type)
    opts, raw_fields = _split(list(args.args))
    builder = source.builder_function()
    if opts["help"]:
        print(_help(source, builder))
        return 0
    params = {
        name: p
        for name, p in inspect.signature(builder).parameters.items()
        if p.kind is p.KEYWORD_ONLY and name not in ("rng", "overrides")
    }
    unknown = [k for k in raw_fields if k not in params]
    if unknown:
        valid = list(params)
        raise UnknownFieldError(
            f"fctrigger event {source.trigger_type}",
            [f"--{u.replace('_', '-')}" for u in unknown],
            [f"--{v.replace('_', '-')}" for v in valid],
        )
    fields = {k: _coerce(params[k], v) for k, v in raw_fields.items()}
    if opts["set"]:
        fields["overrides"] = dict(opts["set"])
    event = source.build(FCRandom(opts["seed"]), opts["variant"], **fields)
    if source.trigger_type == "tablestore":
        if opts["json"]:
            from .tablestore import tablestore_json_view

            view = tablestore_json_view(event.data)
            if opts["pretty"]:
                print(json.dumps(view, ensure_ascii=False, indent=2))
            else:
                print(json.dumps(view, ensure_ascii=False, separators=(",", ":")))
        else:
            print(bytes(event).hex())
        return 0
    if opts["json"]:
        raise ConfigError("--json is for tablestore events (CBOR); other events are printed as they are delivered")
    if opts["pretty"] and not isinstance(event.data, str):
        print(json.dumps(event.data, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(bytes(event).decode("utf-8") + "\n")
    return 0

"""``fctrigger event TYPE [--FIELD VALUE ...]``: print one trigger event as FC delivers it."""

from __future__ import annotations

import argparse
import difflib
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
    # These options are read from the words after TYPE (with the fields); they are declared
    # here so that `fctrigger event --help` lists them.
    options = parser.add_argument_group("options (after TYPE, with the fields)")
    options.add_argument("--variant", metavar="V", help="the event variant (`fctrigger list` shows them)")
    options.add_argument("--seed", metavar="N", help="seed of the random values (default 0): same seed, same event")
    options.add_argument(
        "--set",
        action="append",
        metavar="PATH=VALUE",
        help="set any path of the payload, e.g. events.0.region=cn-beijing; repeatable",
    )
    options.add_argument("--json", action="store_true", help="tablestore only: the JSON view instead of CBOR hex")
    options.add_argument("--pretty", action="store_true", help="indent JSON output")
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


def _value_kind(param: inspect.Parameter) -> str:
    """What the command line takes for a field, from the builder's annotation."""
    annotation = param.annotation if isinstance(param.annotation, str) else repr(param.annotation)
    tokens = set(re.findall(r"[A-Za-z_]\w*", annotation))
    if tokens and tokens <= _TEXT_TOKENS:
        return "TEXT"
    kinds = []
    if "int" in tokens or "float" in tokens:
        kinds.append("NUMBER")
    if tokens & {"datetime", "_dt"}:
        kinds.append("TIME")
    if tokens & {"Mapping", "Dict", "dict"}:
        kinds.append("{JSON}")
    if tokens & {"Sequence", "List", "list", "Iterable", "Tuple", "tuple"}:
        kinds.append("[JSON]")
    if "bool" in tokens:
        kinds.append("true|false")
    if "str" in tokens:
        kinds.append("TEXT")
    return "|".join(kinds) or "JSON"


def _field_docs(builder: Any) -> Dict[str, str]:
    """``name``: first sentence, for every field the builder's docstring describes that way."""
    doc = " ".join((inspect.getdoc(builder) or "").split())
    doc = re.sub(r":\w+:`~?([^`]*)`", r"\1", doc)  # Sphinx roles read as their target
    found: Dict[str, str] = {}
    for match in re.finditer(r"``(\w+)``(?: \([^)]*\))?: (.+?)(?=(?:\. |\.$|; ``|, ``\w+``: |$))", doc):
        found.setdefault(match.group(1), match.group(2).replace("``", "").strip())
    return found


def _help(source: Any, builder: Any) -> str:
    params = [
        p
        for p in inspect.signature(builder).parameters.values()
        if p.kind is p.KEYWORD_ONLY and p.name not in ("rng", "overrides")
    ]
    docs = _field_docs(builder)
    lines = [
        f"usage: fctrigger event {source.trigger_type} [--FIELD VALUE ...] [--variant V] [--seed N] "
        "[--set PATH=VALUE ...] [--pretty]" + (" [--json]" if source.trigger_type == "tablestore" else ""),
        "",
        f"{source.description or source.trigger_type} ({source.builder}() in Python)",
        f"variants (--variant): {', '.join(source.variants)}",
        "",
        "fields (unset ones are drawn from --seed or take the default shown):",
    ]
    for p in params:
        flag = f"--{p.name.replace('_', '-')} {_value_kind(p)}"
        notes = []
        if p.default is not None and p.default is not inspect.Parameter.empty:
            notes.append(f"default {p.default!r}")
        if p.name in docs:
            notes.append(docs[p.name])
        text = "; ".join(notes)
        if len(text) > 80:
            text = text[:77].rstrip() + "..."
        if len(flag) > 32:  # a long flag gets its own line
            lines += [f"  {flag}", f"  {'':<32} {text}".rstrip()]
        else:
            lines.append(f"  {flag:<32} {text}".rstrip())
    lines += [
        "",
        "options:",
        "  --variant V                      one of the variants above",
        "  --seed N                         seed of the random values (default 0)",
        "  --set PATH=VALUE                 set any path of the payload (VALUE: JSON if it parses); repeatable",
        "  --pretty                         indent JSON output",
    ]
    if source.trigger_type == "tablestore":
        lines.append("  --json                           print the JSON view instead of the CBOR hex")
    return "\n".join(lines)


def _source(name: str) -> Any:
    """The catalog entry of ``name``; an unknown name's error suggests the closest type."""
    from .catalog import ALIASES, CATALOG, get_source

    try:
        return get_source(name)
    except ConfigError as exc:
        guess = difflib.get_close_matches(str(name).lower(), [*CATALOG, *ALIASES], n=1, cutoff=0.6)
        if not guess:
            raise
        # an alias that is close ('mnstopic') points at its type's own name ('mns_topic')
        raise ConfigError(f"{exc}; did you mean {ALIASES.get(guess[0], guess[0])!r}?") from None


def _merge_leading_options(args: argparse.Namespace, opts: Dict[str, Any]) -> None:
    """Options given before TYPE (``fctrigger event --seed 3 oss``) count as if given after it."""
    after = {word.lstrip("-").partition("=")[0] for word in args.args if word.startswith("--")}
    leading: List[str] = []
    for key in ("variant", "seed"):
        value = getattr(args, key, None)
        if value is not None:
            if key in after:
                raise ConfigError(f"--{key} given twice")
            leading.append(f"--{key}={value}")
    leading += [f"--set={item}" for item in getattr(args, "set", None) or []]
    given, _ = _split(leading)
    for key in ("variant", "seed"):
        if getattr(args, key, None) is not None:
            opts[key] = given[key]
    opts["set"] = given["set"] + opts["set"]
    for key in ("json", "pretty"):
        opts[key] = opts[key] or bool(getattr(args, key, False))


def run(args: argparse.Namespace) -> int:
    from ..errors import UnknownFieldError
    from ._random import FCRandom

    source = _source(args.type)
    opts, raw_fields = _split(list(args.args))
    _merge_leading_options(args, opts)
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
        # what= names the type only: main() already prefixes "fctrigger event: error:"
        raise UnknownFieldError(
            f"{source.trigger_type} events",
            [f"--{u.replace('_', '-')}" for u in unknown],
            [f"--{v.replace('_', '-')}" for v in params],
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

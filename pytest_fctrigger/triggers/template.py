"""Serverless Devs templating: ``{{ var }}`` placeholders and ``${...}`` expressions.

Two stages, as in real files:

1. ``{{ name }}`` placeholders (app templates, ``s init``) are plain text substitution
   and are rendered BEFORE YAML parsing, because unquoted ones (``maxRetryTime:
   {{ maxRetryTime }}``) are not valid YAML. Values come from ``vars``, then from the
   ``default`` of the parameter in a neighbouring ``publish.yaml``, then the name itself;
   each fallback is reported. A ``line_map`` keeps YAML line numbers pointing at the
   user's file even when a value spans lines.
2. ``${...}`` expressions live inside YAML scalars and are evaluated AFTER parsing:
   ``${vars.x}``, ``${vars.a.b}`` (vars may use vars), ``${env(X)}``,
   ``${env('X', 'default')}``, ``${config(AccountID)}`` (a visibly fake account id, never
   the user's real config), ``${path('./x')}``, ``${this.props.functionName}`` and
   ``${resources.<name>.props.<key>}`` / ``${services.<name>.props.<key>}``. A scalar that
   is exactly one expression keeps the value's type (``service: ${vars.service}`` gives
   a mapping); otherwise the value is interpolated as text.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from ..errors import ConfigError
from ._yaml import YDict, YList

# The account id ``${config(AccountID)}`` renders to: 16 digits like a real UID, but
# obviously not one (FC account ids never start with 0).
FAKE_ACCOUNT_ID = "0123456789012345"

# What ``${...}`` evaluation may produce in one file: characters of interpolated text
# and values copied while resolving. Real files produce a few KB; vars that double a
# string (``b: ${vars.a}${vars.a}``, ``c: ${vars.b}${vars.b}`` ...) reach gigabytes in
# 30 lines, so evaluation stops with one ConfigError at these bounds.
MAX_EXPANSION_CHARS = 2_000_000
MAX_RESOLVED_VALUES = 300_000
MAX_VAR_CHAIN = 50  # vars.a uses vars.b uses ... (each level is ~10 Python frames)

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w.\-]*)\s*\}\}")
_EXPRESSION = re.compile(r"\$\{([^{}]*)\}")

Note = Tuple[str, str, Optional[int], str]  # (code, message, line, fix)


# --------------------------------------------------------------------------- {{ }}
def publish_defaults(directory: str) -> Dict[str, Any]:
    """``Parameters.properties.<name>.default`` of a ``publish.yaml`` next to or above the file."""
    for folder in (directory, os.path.dirname(directory)):
        candidate = os.path.join(folder, "publish.yaml")
        if os.path.isfile(candidate):
            from ._yaml import load_yaml, read_config_bytes

            try:
                doc = load_yaml(read_config_bytes(candidate).decode("utf-8-sig"), candidate)
            except (OSError, UnicodeDecodeError, ConfigError):
                return {}
            if not isinstance(doc, dict):
                return {}
            props = ((doc or {}).get("Parameters") or {}).get("properties") or {}
            if not isinstance(props, dict):
                return {}
            return {k: v["default"] for k, v in props.items() if isinstance(v, dict) and "default" in v}
    return {}


def _placeholder_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _lookup_dotted(values: Mapping[str, Any], name: str) -> Tuple[bool, Any]:
    if name in values:
        return True, values[name]
    node: Any = values
    for part in name.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return False, None
    return True, node


def render_placeholders(
    text: str,
    values: Mapping[str, Any],
    defaults: Callable[[], Mapping[str, Any]],
    record: Optional[List[Tuple[int, str, str]]] = None,
) -> Tuple[str, Optional[List[int]], List[Note]]:
    """Substitute ``{{ name }}``; returns (text, line_map or None, notes).

    ``record`` (if given) gets ``(line, name, text substituted)`` of every substitution, so a
    YAML error on a line a substitution broke can name it.
    """
    if "{{" not in text:
        return text, None, []
    notes: List[Note] = []
    default_values: Optional[Mapping[str, Any]] = None
    reported = set()
    out_lines: List[str] = []
    line_map: List[int] = []
    shifted = False
    for lineno, line in enumerate(text.split("\n"), start=1):
        # a whole-line YAML comment is documentation, not a placeholder to fill
        if "{{" in line and not line.lstrip().startswith("#"):

            def substitute(match: re.Match[str]) -> str:
                nonlocal default_values
                name = match.group(1)
                found, value = _lookup_dotted(values, name)
                if found:
                    return _placeholder_text(value)
                if default_values is None:
                    default_values = defaults()
                if name in default_values:
                    value = default_values[name]
                    if name not in reported:
                        reported.add(name)
                        notes.append(
                            (
                                "FCT010",
                                f"placeholder {{{{ {name} }}}} has no value; using the publish.yaml default {value!r}",
                                lineno,  # noqa: B023 - called within this iteration
                                _vars_fix(name),
                            )
                        )
                    return _placeholder_text(value)
                if name not in reported:
                    reported.add(name)
                    notes.append(
                        (
                            "FCT010",
                            f"placeholder {{{{ {name} }}}} has no value and no default; using its name {name!r}",
                            lineno,  # noqa: B023
                            _vars_fix(name),
                        )
                    )
                return name

            def recorded(match: re.Match[str]) -> str:
                text = substitute(match)
                if record is not None:
                    record.append((lineno, match.group(1), text))  # noqa: B023 - within this iteration
                return text

            line = _PLACEHOLDER.sub(recorded, line)
        pieces = line.split("\n")
        if len(pieces) > 1:
            shifted = True
        out_lines.extend(pieces)
        line_map.extend([lineno] * len(pieces))
    return "\n".join(out_lines), (line_map if shifted else None), notes


def _vars_fix(name: str) -> str:
    return f"pass vars={{{name!r}: ...}} (load_app, fc_matrix) or --vars {name}=... (fctrigger lint)"


# --------------------------------------------------------------------------- ${ }
class _Unresolved(Exception):
    """An expression refers to something the loader cannot know (kept as written)."""


_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|(?P<num>-?\d+(?:\.\d+)?)"
    r"|(?P<ident>[A-Za-z_$][\w\-]*)|(?P<punct>[.(),\[\]]))"
)


def _tokenize(expr: str) -> List[Tuple[str, str]]:
    tokens: List[Tuple[str, str]] = []
    pos = 0
    expr = expr.rstrip()
    while pos < len(expr):
        match = _TOKEN.match(expr, pos)
        if not match or match.end() == pos:
            raise ValueError(f"unexpected character {expr[pos:].strip()[:1]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class Evaluator:
    """Evaluates ``${...}`` in a parsed document, with file/line in every error."""

    def __init__(
        self,
        file: Optional[str],
        variables: Any,
        *,
        env: Mapping[str, str],
        account_id: str,
        roots: Optional[Dict[str, Any]] = None,
        base_dir: str = ".",
    ):
        self.file = file
        self.env = env
        self.account_id = account_id
        self.roots: Dict[str, Any] = dict(roots or {})
        self.base_dir = base_dir
        self.notes: List[Note] = []
        self._raw_vars = variables if isinstance(variables, dict) else {}
        self._vars_done: Dict[str, Any] = {}
        self._vars_busy: List[str] = []
        self._cache: Dict[str, Any] = {}  # expression -> value (expressions without `this`)
        self.this: Any = None
        self._produced_chars = 0  # characters of text produced by interpolation so far
        self._resolved_values = 0  # values visited by resolve() so far

    # --- public ------------------------------------------------------------------
    def resolve(self, value: Any, line: Optional[int] = None) -> Any:
        """A copy of ``value`` with every ``${...}`` evaluated (line info kept)."""
        self._resolved_values += 1
        if self._resolved_values > MAX_RESOLVED_VALUES:
            raise ConfigError(
                f"${{...}} expressions in this file copy more than {MAX_RESOLVED_VALUES:,} values "
                "(a var or resource referenced inside itself many times over?); refused",
                self.file,
                line,
            )
        if isinstance(value, str):
            return self._resolve_str(value, line) if "${" in value else value
        if isinstance(value, YDict):
            out = YDict(line=value.line)
            for k, v in value.items():
                out[k] = self.resolve(v, value.line_of(k))
                if k in value.key_lines:
                    out.key_lines[k] = value.key_lines[k]
            return out
        if isinstance(value, YList):
            out_list = YList(line=value.line)
            out_list.item_lines = list(value.item_lines)
            for i, v in enumerate(value):
                out_list.append(self.resolve(v, value.line_of(i)))
            return out_list
        if isinstance(value, dict):
            return {k: self.resolve(v, line) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v, line) for v in value]
        return value

    def var(self, dotted: str, line: Optional[int]) -> Any:
        """``vars.<dotted>``, with vars that refer to other vars resolved (cycles reported)."""
        parts = dotted.split(".")
        head = parts[0]
        if head not in self._vars_done:
            if head not in self._raw_vars:
                defined = ", ".join(sorted(map(str, self._raw_vars))) or "none"
                raise ConfigError(f"${{vars.{dotted}}} is not defined; defined vars: {defined}", self.file, line)
            if head in self._vars_busy:
                chain = " -> ".join(self._vars_busy + [head])
                raise ConfigError(f"vars refer to each other in a cycle: {chain}", self.file, line)
            if len(self._vars_busy) >= MAX_VAR_CHAIN:
                raise ConfigError(
                    f"vars refer to vars more than {MAX_VAR_CHAIN} levels deep "
                    f"({self._vars_busy[0]} -> ... -> {head}); refused",
                    self.file,
                    line,
                )
            self._vars_busy.append(head)
            try:
                raw = self._raw_vars[head]
                self._vars_done[head] = self.resolve(raw, _line_in(self._raw_vars, head, line))
            finally:
                self._vars_busy.pop()
        node = self._vars_done[head]
        for i, part in enumerate(parts[1:], start=1):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                where = ".".join(parts[:i])
                keys = ", ".join(map(str, node)) if isinstance(node, dict) else type(node).__name__
                raise ConfigError(
                    f"${{vars.{dotted}}} is not defined: vars.{where} has no {part!r} (it has: {keys})", self.file, line
                )
        return node

    def resolved_vars(self) -> Dict[str, Any]:
        return {name: self.var(name, _line_in(self._raw_vars, name, None)) for name in self._raw_vars}

    # --- internals ---------------------------------------------------------------
    def _resolve_str(self, text: str, line: Optional[int]) -> Any:
        whole = _EXPRESSION.fullmatch(text.strip())
        if whole:
            try:
                return self._evaluate(whole.group(1), line)
            except _Unresolved:
                return text

        def substitute(match: re.Match[str]) -> str:
            try:
                value = self._evaluate(match.group(1), line)
            except _Unresolved:
                return match.group(0)
            if isinstance(value, (dict, list)):
                return json.dumps(value, ensure_ascii=False)
            return _placeholder_text(value)

        result = _EXPRESSION.sub(substitute, text)
        self._produced_chars += len(result)
        if self._produced_chars > MAX_EXPANSION_CHARS:
            raise ConfigError(
                f"${{...}} expressions in this file expand to more than {MAX_EXPANSION_CHARS:,} characters "
                f"(this value alone is {len(result):,}; vars that repeat other vars double at each step); refused",
                self.file,
                line,
            )
        return result

    def _evaluate(self, expr: str, line: Optional[int]) -> Any:
        cacheable = "this" not in expr
        if cacheable and expr in self._cache:
            value = self._cache[expr]
            if value is _Unresolved:
                raise _Unresolved
            return value
        try:
            value = self._evaluate_uncached(expr, line)
        except _Unresolved:
            if cacheable:
                self._cache[expr] = _Unresolved
            raise
        if cacheable:
            self._cache[expr] = value
        return value

    def _evaluate_uncached(self, expr: str, line: Optional[int]) -> Any:
        try:
            tokens = _tokenize(expr)
            if not tokens:
                raise ValueError("empty expression")
            value, pos = self._expression(tokens, 0, line, literal_idents=False)
            if pos != len(tokens):
                raise ValueError(f"unexpected {tokens[pos][1]!r}")
            return value
        except ConfigError:
            raise  # already names its own line (e.g. a var that var refers to); not wrapped again
        except ValueError as exc:
            raise ConfigError(f"cannot evaluate ${{{expr}}}: {exc}", self.file, line) from None

    def _expression(
        self, tokens: Sequence[Tuple[str, str]], pos: int, line: Optional[int], literal_idents: bool
    ) -> Tuple[Any, int]:
        kind, text = tokens[pos]
        if kind == "str":
            return _unquote(text), pos + 1
        if kind == "num":
            return (float(text) if "." in text else int(text)), pos + 1
        if kind != "ident":
            raise ValueError(f"unexpected {text!r}")
        if pos + 1 < len(tokens) and tokens[pos + 1] == ("punct", "("):
            args: List[Any] = []
            pos += 2
            while tokens[pos : pos + 1] != [("punct", ")")]:
                if pos >= len(tokens):
                    raise ValueError(f"missing ')' after {text}(")
                value, pos = self._expression(tokens, pos, line, literal_idents=True)
                args.append(value)
                if tokens[pos : pos + 1] == [("punct", ",")]:
                    pos += 1
                elif tokens[pos : pos + 1] != [("punct", ")")]:
                    raise ValueError(f"expected ',' or ')' in {text}(...)")
            return self._call(text, args, line), pos + 1
        # a reference: ident(.ident | [index])*
        path = [text]
        pos += 1
        while pos < len(tokens):
            if tokens[pos] == ("punct", ".") and pos + 1 < len(tokens) and tokens[pos + 1][0] in ("ident", "num"):
                path.append(tokens[pos + 1][1])
                pos += 2
            elif tokens[pos] == ("punct", "[") and pos + 2 < len(tokens) and tokens[pos + 2] == ("punct", "]"):
                index_kind, index = tokens[pos + 1]
                path.append(_unquote(index) if index_kind == "str" else index)
                pos += 3
            else:
                break
        if literal_idents and len(path) == 1:
            return text, pos  # env(X), config(AccountID): a bare name is the name itself
        return self._reference(path, line), pos

    def _reference(self, path: List[str], line: Optional[int]) -> Any:
        root = path[0]
        if root == "vars":
            if len(path) == 1:
                return self.resolved_vars()
            return self.var(".".join(path[1:]), line)
        if root == "this" and self.this is not None:
            return self._walk(self.this, path[1:], "this", line)
        if root in self.roots:
            return self._walk(self.roots[root], path[1:], root, line)
        self.notes.append(
            (
                "FCT014",
                f"${{{'.'.join(path)}}} refers to something only known at deploy time; kept as written",
                line,
                "",
            )
        )
        raise _Unresolved

    def _walk(self, node: Any, path: List[str], shown: str, line: Optional[int]) -> Any:
        for part in path:
            if isinstance(node, dict) and part in node:
                node = node[part]
                shown += "." + part
            elif isinstance(node, list) and str(part).isdigit() and int(part) < len(node):
                node = node[int(part)]
                shown += f"[{part}]"
            else:
                self.notes.append(
                    (
                        "FCT014",
                        f"${{{shown}.{part}}} is not defined in the file (maybe a deploy-time output); kept as written",
                        line,
                        "",
                    )
                )
                raise _Unresolved
        return self.resolve(node, line)

    def _call(self, name: str, args: List[Any], line: Optional[int]) -> Any:
        if name == "env":
            if not 1 <= len(args) <= 2:
                raise ValueError("env() takes the variable name and an optional default")
            key = str(args[0])
            if key in self.env:
                return self.env[key]
            if len(args) == 2:
                return args[1]
            self.notes.append(
                (
                    "FCT013",
                    f"${{env({key})}}: environment variable {key} is not set and has no default; using ''",
                    line,
                    f"export {key} or write ${{env('{key}', 'default')}}",
                )
            )
            return ""
        if name == "config":
            if len(args) != 1:
                raise ValueError("config() takes one key, e.g. config(AccountID)")
            key = str(args[0])
            from .._credentials import FAKE_AK_PREFIX, fake_secret

            fake_ak = FAKE_AK_PREFIX + "0" * 15
            fakes = {
                "accountid": self.account_id,
                "accesskeyid": fake_ak,
                "accesskeysecret": fake_secret(fake_ak),
                "securitytoken": "",
            }
            if key.lower() in fakes:
                return fakes[key.lower()]
            raise ValueError(
                f"config({key}) is not a known credential key; known: "
                "AccountID, AccessKeyID, AccessKeySecret, SecurityToken"
            )
        if name == "path":
            if len(args) != 1:
                raise ValueError("path() takes one relative path")
            return os.path.normpath(os.path.join(self.base_dir, str(args[0])))
        self.notes.append(
            (
                "FCT014",
                f"${{{name}(...)}} is a deploy-time function the loader does not evaluate; kept as written",
                line,
                "",
            )
        )
        raise _Unresolved


def _unquote(token: str) -> str:
    body = token[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


def _line_in(mapping: Any, key: str, default: Optional[int]) -> Optional[int]:
    if isinstance(mapping, YDict):
        return mapping.line_of(key)
    return default


def apply_var_overrides(variables: Any, overrides: Mapping[str, Any]) -> Any:
    """``vars`` of the file with ``overrides`` applied (``a.b`` keys set nested values)."""
    if not overrides:
        return variables
    merged = YDict(line=getattr(variables, "line", None))
    if isinstance(variables, dict):
        merged.update(variables)
        merged.key_lines.update(getattr(variables, "key_lines", {}))
    for key, value in overrides.items():
        parts = str(key).split(".")
        node = merged
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = YDict(line=node.line)
            else:
                copy = YDict(line=getattr(child, "line", None))
                copy.update(child)
                copy.key_lines.update(getattr(child, "key_lines", {}))
                child = copy
            node[part] = child
            node = child
        node[parts[-1]] = value
    return merged

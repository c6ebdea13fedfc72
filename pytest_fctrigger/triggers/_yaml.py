"""A YAML loader that remembers line numbers, so config errors can name ``file:line``.

Mappings load as ``YDict`` (a ``dict`` with ``.line`` and ``.key_lines``) and sequences
as ``YList`` (a ``list`` with ``.line`` and ``.item_lines``). Lines are 1-based and go
through ``line_map`` when the text was rendered from a template whose placeholders
changed the line count, so they always point into the file the user wrote.

PyYAML is imported on first use (this module is loaded only by the loaders).

Bad input is bounded (a config file is read by a test run, so it must never hang it or
eat the machine's memory): the parsed node graph is checked BEFORE any Python object
is built from it, so a recursive alias, nesting deeper than ``MAX_DEPTH`` or aliases
that expand past ``MAX_EXPANDED_NODES`` / ``MAX_EXPANDED_CHARS`` ("billion laughs")
are one ``ConfigError`` with the line; a value Python cannot build (an integer of
more than 4300 digits) is one too. ``read_config_text`` caps the bytes read.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..errors import ConfigError

# Limits of what one config file may expand to. Real s.yaml / template.yml files nest
# about 10 levels and expand to at most a few thousand nodes; these are 10x-100x that,
# and low enough that walking the expansion takes well under 1 s and 100 MB.
MAX_DEPTH = 100
MAX_EXPANDED_NODES = 100_000  # nodes after every alias is expanded (or 2x the file's own nodes, if more)
MAX_EXPANDED_CHARS = 10_000_000  # characters of scalars after alias expansion (or 2x the file's own)
# Bytes a config file may have: a large s.yaml is ~100 KB; this stops /dev/zero or a
# mistaken path to a data file from being read into memory.
MAX_FILE_BYTES = 10 * 1024 * 1024


class YDict(dict):
    """A mapping from a YAML file: ``line`` of the mapping, ``key_lines[key]`` of each key."""

    __slots__ = ("line", "key_lines")

    def __init__(self, *args: Any, line: Optional[int] = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.line = line
        # None: a key added after loading whose line is unknown (line_of then says None too)
        self.key_lines: Dict[Any, Optional[int]] = {}

    def line_of(self, key: Any) -> Optional[int]:
        return self.key_lines.get(key, self.line)


class YList(list):
    """A sequence from a YAML file: ``line`` of the sequence, ``item_lines[i]`` of each item."""

    __slots__ = ("line", "item_lines")

    def __init__(self, *args: Any, line: Optional[int] = None):
        super().__init__(*args)
        self.line = line
        self.item_lines: List[int] = []

    def line_of(self, index: int) -> Optional[int]:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


class RosTag(str):
    """A scalar written with a local tag, e.g. ROS ``!Ref Bucket``: the text, plus ``tag`` ("Ref").

    Funcraft templates are ROS templates; the loader resolves ``!Ref`` and reports the
    other intrinsic functions instead of taking their argument for the value.
    """

    tag: str = ""


def line_of(container: Any, key: Any = None) -> Optional[int]:
    """Line of ``container[key]`` (or of the container itself) if it came from a file."""
    if key is not None and isinstance(container, (YDict, YList)):
        return container.line_of(key)
    return getattr(container, "line", None)


_LOADER_CLASS: Any = None


def _loader_class():
    """Build the loader class once, on top of libyaml when it is available (10x faster).

    Rebuilt if ``yaml`` itself was re-imported (pytester drops modules between runs),
    so the loader, its node classes and the caught exceptions always come from the
    same ``yaml``.
    """
    global _LOADER_CLASS
    import yaml

    if _LOADER_CLASS is not None and _LOADER_CLASS.yaml_module is yaml:
        return _LOADER_CLASS

    base = yaml.SafeLoader
    if getattr(yaml, "CSafeLoader", None) is not None:
        import yaml._yaml as libyaml

        # A re-imported ``yaml`` (pytester drops modules between in-process runs) gets
        # new node/error classes while the C extension keeps the first ones; the C
        # loader is only usable when both agree.
        if getattr(libyaml, "ScalarNode", None) is yaml.nodes.ScalarNode:
            base = yaml.CSafeLoader

    class LineLoader(base):  # type: ignore[misc, valid-type]
        yaml_module = yaml
        line_map: Optional[Sequence[int]] = None
        file: Optional[str] = None

        _depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            # The pure-Python composer recurses per nesting level (RecursionError near
            # 500 levels); libyaml stops at 1000 levels itself. Count the levels here so
            # both stop at MAX_DEPTH with the line.
            self._depth += 1
            try:
                if self._depth > MAX_DEPTH:
                    raise ConfigError(_too_deep(), self.file, self._line(self.peek_event()))
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

        def construct_object(self, node: Any, deep: bool = False) -> Any:
            try:
                return super().construct_object(node, deep=deep)
            except ConfigError:
                raise
            except (ValueError, OverflowError) as exc:
                # e.g. an integer of more than 4300 digits (Python's int/str limit) or
                # a timestamp like 2024-02-30: one line naming the value's line
                if node.tag == "tag:yaml.org,2002:int":
                    digits = sum(c.isdigit() for c in node.value)
                    what = f"an integer of {digits:,} digits is too long to read; quote it if it is meant as text"
                else:
                    what = f"cannot read this value: {_first_line(exc)}"
                raise ConfigError(what, self.file, self._line(node)) from None

        def _line(self, node: Any) -> int:
            line = node.start_mark.line
            if self.line_map is not None and line < len(self.line_map):
                return self.line_map[line]
            return line + 1

        def _construct_map(self, node: Any):
            data = YDict(line=self._line(node))
            yield data
            if node.id != "mapping":
                raise yaml.constructor.ConstructorError(
                    None, None, f"expected a mapping, found {node.id}", node.start_mark
                )
            # Duplicate keys are an error in js-yaml (what Serverless Devs uses); PyYAML
            # would silently keep the last one. Merged keys (<<) may be overridden.
            seen: Dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.id == "scalar" and key_node.tag != "tag:yaml.org,2002:merge":
                    key = key_node.value
                    if key in seen:
                        raise ConfigError(
                            f"duplicate key {key!r} (first defined at line {seen[key]}); "
                            "YAML mappings must not repeat a key",
                            self.file,
                            self._line(key_node),
                        )
                    seen[key] = self._line(key_node)
            self.flatten_mapping(node)
            for key_node, value_node in node.value:
                key = self.construct_object(key_node, deep=False)
                try:
                    hash(key)
                except TypeError:
                    raise ConfigError(
                        "a mapping key must be a plain value, not a list or mapping",
                        self.file,
                        self._line(key_node),
                    ) from None
                data[key] = self.construct_object(value_node, deep=False)
                data.key_lines[key] = self._line(key_node)

        def _construct_seq(self, node: Any):
            data = YList(line=self._line(node))
            yield data
            for item in node.value:
                data.append(self.construct_object(item, deep=False))
                data.item_lines.append(self._line(item))

        def _construct_tagged(self, tag_suffix: str, node: Any):
            # ROS short forms (!Ref, !Sub, ...) and other local tags: the plain value,
            # scalars marked with their tag so the Funcraft loader can resolve !Ref
            if node.id == "mapping":
                return self._construct_map(node)
            if node.id == "sequence":
                return self._construct_seq(node)
            value = RosTag(self.construct_scalar(node))
            value.tag = tag_suffix
            return value

    LineLoader.add_constructor("tag:yaml.org,2002:map", LineLoader._construct_map)
    LineLoader.add_constructor("tag:yaml.org,2002:omap", LineLoader._construct_map)
    LineLoader.add_constructor("tag:yaml.org,2002:seq", LineLoader._construct_seq)
    LineLoader.add_multi_constructor("!", LineLoader._construct_tagged)
    _LOADER_CLASS = LineLoader
    return LineLoader


def read_config_bytes(path: Any) -> bytes:
    """The bytes of a config file, refusing one of more than ``MAX_FILE_BYTES`` (or endless, as /dev/zero).

    Raises ``OSError`` as ``open`` does; a too-large file is a ``ConfigError``.
    """
    with open(path, "rb") as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(
            f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB (or endless); "
            "an s.yaml / template.yml is a few KB: is this the right path?",
            str(path),
        )
    return data


def load_yaml(text: str, file: Optional[str] = None, line_map: Optional[Sequence[int]] = None) -> Any:
    """Parse one YAML document; malformed input raises one ``ConfigError`` with file and line."""
    import yaml

    loader = _loader_class()(text)
    loader.file = file
    loader.line_map = line_map
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node, loader, len(text))
        return loader.construct_document(node)
    except RecursionError:
        # only reachable if the interpreter's limit is far below MAX_DEPTH levels
        raise ConfigError(_too_deep(), file) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None
        if mark is not None:
            # "unexpected end of stream" points past the text: name the last line written
            lines = text.rstrip().count("\n")
            row = min(mark.line, lines)
            line = row + 1
            if line_map is not None and row < len(line_map):
                line = line_map[row]
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{what} ({exc.context})"
        raise ConfigError(f"malformed YAML: {what}", file, line) from None
    except yaml.YAMLError as exc:
        # ReaderError (a control character, bad encoding) has a position, not a mark
        position = getattr(exc, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        if line is not None and line_map is not None and line - 1 < len(line_map):
            line = line_map[line - 1]
        reason = getattr(exc, "reason", None)
        character = getattr(exc, "character", None)
        what = f"{reason} (character {character!r})" if reason and character is not None else str(exc).splitlines()[0]
        raise ConfigError(f"malformed YAML: {what}", file, line) from None
    finally:
        loader.dispose()


def _too_deep() -> str:
    return f"the YAML nests more than {MAX_DEPTH} levels deep; a config file needs about 10"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _check_graph(root: Any, loader: Any, text_chars: int) -> None:
    """Reject a node graph that is cyclic, too deep, or expands past the limits.

    An alias is the anchored node itself in the graph, so a recursive alias is a cycle
    and an alias bomb is a small DAG with a huge expansion. Sizes are memoised per
    node, so this is linear in the file, and iterative, so it cannot hit the
    recursion limit itself.
    """
    expanded: Dict[int, Tuple[int, int]] = {}  # id(node) -> (nodes, chars) once expanded
    on_path: Dict[int, int] = {}  # id(node) -> depth, for the nodes being expanded
    own_nodes = own_chars = 0
    stack: List[Tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            del on_path[key]
            nodes, chars = 1, 0
            for child in _children(node):
                child_nodes, child_chars = expanded[id(child)]
                nodes += child_nodes
                chars += child_chars
            expanded[key] = (nodes, chars)
            if nodes > max(MAX_EXPANDED_NODES, 2 * own_nodes) or chars > max(MAX_EXPANDED_CHARS, 2 * text_chars):
                raise ConfigError(
                    f"YAML aliases here expand to {nodes:,} values / {chars:,} characters "
                    f"(limits: {MAX_EXPANDED_NODES:,} values, {MAX_EXPANDED_CHARS:,} characters); "
                    "an alias of an alias of ... (a 'billion laughs' file) is refused",
                    loader.file,
                    loader._line(node),
                )
            continue
        if key in expanded:
            continue
        if key in on_path:
            raise ConfigError(
                "recursive YAML alias: the anchor defined here is used inside its own value",
                loader.file,
                loader._line(node),
            )
        depth = len(on_path) + 1
        if depth > MAX_DEPTH:
            raise ConfigError(_too_deep(), loader.file, loader._line(node))
        on_path[key] = depth
        own_nodes += 1
        if node.id == "scalar":
            own_chars += len(node.value)
            expanded[key] = (1, len(node.value))
            del on_path[key]
            continue
        stack.append((node, True))
        for child in _children(node):
            if id(child) not in expanded:
                stack.append((child, False))


def _children(node: Any) -> List[Any]:
    if node.id == "sequence":
        return list(node.value)
    if node.id == "mapping":
        return [part for pair in node.value for part in pair]
    return []

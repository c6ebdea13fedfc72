"""A YAML loader that remembers line numbers, so config errors can name ``file:line``.

Mappings load as ``YDict`` (a ``dict`` with ``.line`` and ``.key_lines``) and sequences
as ``YList`` (a ``list`` with ``.line`` and ``.item_lines``). Lines are 1-based and go
through ``line_map`` when the text was rendered from a template whose placeholders
changed the line count, so they always point into the file the user wrote.

PyYAML is imported on first use (this module is loaded only by the loaders).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from ..errors import ConfigError


class YDict(dict):
    """A mapping from a YAML file: ``line`` of the mapping, ``key_lines[key]`` of each key."""

    __slots__ = ("line", "key_lines")

    def __init__(self, *args: Any, line: Optional[int] = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.line = line
        self.key_lines: Dict[Any, int] = {}

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


def load_yaml(text: str, file: Optional[str] = None, line_map: Optional[Sequence[int]] = None) -> Any:
    """Parse one YAML document; malformed input raises one ``ConfigError`` with file and line."""
    import yaml

    loader = _loader_class()(text)
    loader.file = file
    loader.line_map = line_map
    try:
        return loader.get_single_data()
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

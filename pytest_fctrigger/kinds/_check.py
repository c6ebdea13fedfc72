"""Checks shared by the kinds' config normalisers: a failing check is one ``ConfigError``
at the line of the offending key (``Check.fail``) or of its parent (``Check.missing``).

``canonical`` is the loader's ``Canonical`` (normalised config plus the line of every key).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from ..errors import ConfigError


class Check:
    """Raises ``ConfigError`` at the line of a normalised config path."""

    def __init__(
        self, what: str, canonical: Any, file: Optional[str], line: Optional[int], config_line: Optional[int]
    ) -> None:
        self.what = what
        self.canonical = canonical
        self.file = file
        self.line = line
        self.config_line = config_line or line

    def line_of(self, path: str) -> Optional[int]:
        while path:
            if path in self.canonical.lines:
                return self.canonical.lines[path]
            path = path.rpartition(".")[0]
        return self.config_line

    def fail(self, path: str, message: str) -> ConfigError:
        return ConfigError(f"{self.what}: {message}", self.file, self.line_of(path))

    def missing(self, path: str, hint: str) -> ConfigError:
        # a missing key is reported where it belongs: its parent mapping (the trigger
        # itself for sourceArn, which sits beside the config)
        line = self.line if path == "sourceArn" else self.line_of(path.rpartition(".")[0])
        return ConfigError(f"{self.what}: missing required key {path!r}; {hint}", self.file, line)


def get_path(config: Mapping[str, Any], path: str) -> Any:
    node: Any = config
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def set_path(config: Dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = config
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def as_int(check: Check, config: Dict[str, Any], path: str) -> None:
    value = get_path(config, path)
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, str))
        or (isinstance(value, str) and not value.strip().lstrip("-").isdigit())
    ):
        raise check.fail(path, f"{path} must be an integer, got {value!r}")
    set_path(config, path, int(value))


def as_bool(check: Check, config: Dict[str, Any], path: str) -> None:
    value = get_path(config, path)
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        set_path(config, path, value.strip().lower() == "true")
        return
    raise check.fail(path, f"{path} must be true or false, got {value!r}")


def as_str(check: Check, config: Dict[str, Any], path: str, required: str = "") -> Optional[str]:
    value = get_path(config, path)
    if value is None or value == "":
        if required:
            raise check.missing(path, required)
        return None
    if isinstance(value, (dict, list)):
        raise check.fail(path, f"{path} must be a string, got {value!r}")
    if not isinstance(value, str):
        value = "true" if value is True else "false" if value is False else str(value)
        set_path(config, path, value)
    return value


def as_str_list(check: Check, config: Dict[str, Any], path: str) -> Optional[List[str]]:
    value = get_path(config, path)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise check.fail(path, f"{path} must be a list of strings, got {value!r}")
    value = [str(v) for v in value]
    set_path(config, path, value)
    return value


def choice(
    check: Check, path: str, value: str, choices: Tuple[str, ...], fold: Callable[[str], str] = str.lower
) -> str:
    for choice in choices:
        if fold(choice) == fold(value):
            return choice
    raise check.fail(path, f"{path} {value!r} is not one of {', '.join(choices)}")


def arn_resource(arn: Optional[str], service: str) -> Optional[str]:
    if not arn:
        return None
    parts = arn.split(":", 4)
    if len(parts) == 5 and parts[0] == "acs" and parts[1] == service:
        return parts[4]
    return None

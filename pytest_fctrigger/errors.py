"""Exceptions shared by every part of the plugin.

Every error a user can cause (bad config, bad override, bad handler string, an SDK
call the simulation does not cover) is one of these, with one message that names
what is wrong and where.
"""

from __future__ import annotations

from typing import Iterable, Optional


class FCTriggerError(Exception):
    """Base class of the plugin's own errors."""


class UnknownFieldError(FCTriggerError, TypeError):
    """An override names a field the event (or context) does not have."""

    def __init__(self, what: str, unknown: Iterable[str], valid: Iterable[str]):
        self.what = what
        self.unknown = sorted(unknown)
        self.valid = sorted(valid)
        names = ", ".join(repr(u) for u in self.unknown)
        message = f"{what}: unknown field(s) {names}. Valid fields: {', '.join(self.valid)}"
        guesses = did_you_mean(self.unknown, self.valid)
        if guesses:
            message += f"; did you mean {guesses}?"
        super().__init__(message)


def did_you_mean(unknown: Iterable[str], valid: Iterable[str]) -> str:
    """``"'bucket'"`` (or ``"'a' for 'x', 'b' for 'y'"``): the closest valid name of each
    unknown one that has a close one, or ``""``."""
    import difflib  # only when an error is being reported

    choices = list(valid)
    pairs = []
    for name in unknown:
        close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
        if close:
            pairs.append((name, close[0]))
    if len(pairs) == 1:
        return repr(pairs[0][1])
    return ", ".join(f"{right!r} for {wrong!r}" for wrong, right in pairs)


class ConfigError(FCTriggerError, ValueError):
    """A configuration file or value is invalid.

    ``file`` and ``line`` locate the problem when it comes from a file; the
    message always reads ``<file>:<line>: <what is wrong>`` when they are known.
    """

    def __init__(self, message: str, file: Optional[str] = None, line: Optional[int] = None):
        self.file = file
        self.line = line
        self.reason = message
        where = ""
        if file is not None:
            where = f"{file}:{line}: " if line is not None else f"{file}: "
        super().__init__(where + message)


class NotSimulatedError(FCTriggerError):
    """The handler called an SDK operation the simulated service does not implement."""

    def __init__(self, service: str, operation: str, hint: str = ""):
        self.service = service
        self.operation = operation
        msg = f"{service} operation {operation!r} is not simulated by pytest-fctrigger"
        if hint:
            msg += f": {hint}"
        super().__init__(msg)


class NetworkBlockedError(FCTriggerError, ConnectionError):
    """A connection to a non-loopback address was refused by the network guard."""

    def __init__(self, host: str, port: Optional[int] = None):
        self.host = host
        self.port = port
        target = f"{host}:{port}" if port is not None else host
        super().__init__(
            f"pytest-fctrigger blocked a network connection to {target}: tests must not "
            "reach real services. Use the simulated services of `fc_cloud` (oss2, "
            "alibabacloud-oss-v2, aliyun-log, tablestore, mns) or pass "
            "--fc-allow-network / @pytest.mark.fc(allow_network=True) to opt out."
        )

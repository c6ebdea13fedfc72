"""The runtime's log markers and the capture of what a handler writes."""

from __future__ import annotations

from typing import Any, List

LOG_INVOKE_START = "FC Invoke Start RequestId: "
LOG_INVOKE_END = "FC Invoke End RequestId: "
LOG_INIT_START = "FC Initialize Start RequestId: "
LOG_INIT_END = "FC Initialize End RequestId: "
LOG_ERROR_SUFFIX = ", Error: Unhandled function error"


class _Tee:
    """A text stream that records what is written and passes it on."""

    def __init__(self, sink: List[str], target: Any):
        self._sink = sink
        self._target = target

    def write(self, s: str) -> int:
        self._sink.append(s)
        return self._target.write(s)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._target.flush()

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, isatty, buffer, ...
        return getattr(self._target, name)

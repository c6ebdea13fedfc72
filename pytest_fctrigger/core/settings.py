"""Values of the plugin's settings that more than one layer names (one table each)."""

from __future__ import annotations

# --fc-loop / ini fc_loop / @pytest.mark.fc(loop=...): what a self-trigger loop does
LOOP_MODES = ("fail", "warn", "allow")

# --fc-isolate / ini fc_isolate / @pytest.mark.fc(isolate=...) / fc_invoke(isolate=...):
# where a handler runs ('none': in the test process; 'process': pytest_fctrigger.instances)
ISOLATE_MODES = ("none", "process")
DEFAULT_ISOLATE = "none"


def check_isolate(value: object, where: str) -> str:
    """``value`` if it is an isolation mode, else a ``ConfigError`` naming ``where``."""
    if isinstance(value, str) and value in ISOLATE_MODES:
        return value
    from ..errors import ConfigError

    raise ConfigError(
        f"{where}: isolation mode must be one of {', '.join(repr(m) for m in ISOLATE_MODES)}, got {value!r} "
        f"('none': in the test process, the default; 'process': each FC instance is a child process)"
    )

"""The plugin's exception classes, as seen from the core layer.

They are defined in :mod:`pytest_fctrigger.errors` (a stdlib-only module every user imports
from); the import graph counts that module as part of ``core``.
"""

from __future__ import annotations

from ..errors import ConfigError, FCTriggerError, NetworkBlockedError, NotSimulatedError, UnknownFieldError

__all__ = ["ConfigError", "FCTriggerError", "NetworkBlockedError", "NotSimulatedError", "UnknownFieldError"]

"""Hooks other packages (and ``conftest.py`` files) implement to extend the plugin.

Registered with ``pytest_addhooks``; implement them like any pytest hook.
"""

from __future__ import annotations

from typing import Any, List, Optional

import pytest

hookspec = pytest.hookspec

# The list-returning hooks are typed Optional: pluggy drops an implementation's None
# (so returning None adds nothing), and a spec's body is never run.


@hookspec
def pytest_fctrigger_trigger_kinds(config: pytest.Config) -> Optional[List[Any]]:
    """Return trigger kinds (``pytest_fctrigger.kinds.TriggerKind``) to add for this session.

    A kind brings its name and aliases, config schema and ``fc_trigger`` marker
    shorthands, normalisation, lint rules (with their ``rules`` rows), its ``write_rule``
    (loop detection), ``matrix_cases`` and ``event_source`` (``fc_matrix``) and its
    invocation type. Called once at configure time; the kinds are removed when the
    session ends. The narrower hooks below keep working beside it:
    ``pytest_fctrigger_event_sources`` adds a builder-only source at collection time and
    ``pytest_fctrigger_loop_rules`` a rule applied to every trigger of every kind.
    """


@hookspec
def pytest_fctrigger_matrix_cases(config: pytest.Config, definition: Any, cases: List[Any]) -> None:
    """Add, drop or reorder the cases of one ``fc_matrix`` test, in place.

    ``cases`` is the list of ``pytest_fctrigger.matrix.MatrixCase`` the marker
    produced for ``definition`` (the test function's ``FunctionDefinition``).
    Called at collection time, once per ``fc_matrix`` test.
    """


@hookspec
def pytest_fctrigger_event_sources(config: pytest.Config) -> Optional[List[Any]]:
    """Return extra event sources for ``fc_matrix`` (like ``pytest_fctrigger.events.catalog.EventSource``).

    Each source has a ``trigger_type``, its ``variants`` and a ``build(rng, variant)``
    callable returning an ``FCEvent``; ``fc_matrix('<trigger_type>')`` then covers it.
    """


@hookspec
def pytest_fctrigger_loop_rules(config: pytest.Config) -> Optional[List[Any]]:
    """Return extra loop rules: callables ``rule(write, trigger) -> bool``.

    A rule returning ``True`` says the write fires the trigger; the built-in rules
    (OSS bucket/event/prefix/suffix, MNS topic/tag, Tablestore table, SLS logstore)
    are always applied.
    """

"""Public names that moved in the trigger-kinds restructure (issue 8) keep working for one
release, with a DeprecationWarning that names the replacement (CHANGELOG "Deprecated")."""

from __future__ import annotations

import importlib

import pytest

MOVED = [
    ("pytest_fctrigger.plugin", "LOOP_MODES", "pytest_fctrigger.core.settings", "LOOP_MODES"),
    ("pytest_fctrigger.triggers.model", "TYPE_ALIASES", "pytest_fctrigger.kinds.REGISTRY", None),
    ("pytest_fctrigger.triggers.normalize", "HTTP_METHODS", "pytest_fctrigger.kinds.http", "HTTP_METHODS"),
    ("pytest_fctrigger.triggers.normalize", "HTTP_AUTH_TYPES", "pytest_fctrigger.kinds.http", "HTTP_AUTH_TYPES"),
    (
        "pytest_fctrigger.triggers.normalize",
        "EVENTBRIDGE_MODES",
        "pytest_fctrigger.kinds.eventbridge",
        "EVENTBRIDGE_MODES",
    ),
    (
        "pytest_fctrigger.triggers.normalize",
        "EVENTBRIDGE_SCHEMAS",
        "pytest_fctrigger.kinds.eventbridge",
        "EVENTBRIDGE_SCHEMAS",
    ),
    (
        "pytest_fctrigger.triggers.normalize",
        "EVENTBRIDGE_REQUIRED",
        "pytest_fctrigger.kinds.eventbridge",
        "EVENTBRIDGE_REQUIRED",
    ),
    ("pytest_fctrigger.triggers.normalize", "OSS_CONFIG_EVENTS", "pytest_fctrigger.kinds.oss", "OSS_CONFIG_EVENTS"),
    ("pytest_fctrigger.triggers.lint", "MNS_NOTIFY_FORMATS", "pytest_fctrigger.kinds.mns_topic", "MNS_NOTIFY_FORMATS"),
    (
        "pytest_fctrigger.triggers.lint",
        "MNS_NOTIFY_STRATEGIES",
        "pytest_fctrigger.kinds.mns_topic",
        "MNS_NOTIFY_STRATEGIES",
    ),
    ("pytest_fctrigger.triggers.lint", "expand_oss_events", "pytest_fctrigger.kinds.oss", "expand_oss_events"),
]


@pytest.mark.parametrize("old_module,old_name,new_module,new_name", MOVED, ids=[f"{m[0]}.{m[1]}" for m in MOVED])
def test_a_moved_name_still_works_and_names_its_replacement(old_module, old_name, new_module, new_name):
    module = importlib.import_module(old_module)
    with pytest.warns(DeprecationWarning, match=new_module.replace(".", r"\.")) as record:
        value = getattr(module, old_name)
    assert record[0].filename == __file__  # the warning points at the user's line
    if new_name is not None:
        assert value is getattr(importlib.import_module(new_module), new_name)


def test_the_old_config_schemas_table_is_built_from_the_kinds():
    from pytest_fctrigger.kinds import REGISTRY
    from pytest_fctrigger.triggers import normalize

    with pytest.warns(DeprecationWarning, match=r"config_schemas\(\)"):
        schemas = normalize.CONFIG_SCHEMAS
    assert set(schemas) == {"timer", "oss", "log", "http", "mns_topic", "cdn_events", "tablestore", "eventbridge"}
    assert schemas["oss"] == REGISTRY.get("oss").config_schema


def test_an_unknown_name_is_still_an_attribute_error():
    from pytest_fctrigger.triggers import normalize

    with pytest.raises(AttributeError, match="no attribute 'NOT_A_NAME'"):
        normalize.NOT_A_NAME

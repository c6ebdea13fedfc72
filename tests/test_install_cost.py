"""Installing pytest-fctrigger must not slow down every pytest session of a user's repo.

The plugin is installed into function repos, so every ``pytest`` run there loads its
entry module and every pytest plugin its required dependencies register. Our entry
module is import-light (test_plugin_startup.py); here: the default install (no extras)
brings no other pytest plugin. Faker's did (~0.2 s a session), so Faker is an extra.
benchmarks/bench_install_cost.py measures the whole-install figure.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, distribution
from typing import Dict, Set

import pytest
from packaging.requirements import Requirement

from pytest_fctrigger.events._random import FCRandom

# pytest itself (and its own dependencies) are what a bare session already pays for.
ALREADY_IN_A_BARE_SESSION = {"pytest", "pluggy", "iniconfig", "packaging", "exceptiongroup", "tomli", "colorama"}


def _name(dist_name: str) -> str:
    return dist_name.lower().replace("_", "-")


def _default_closure(root: str) -> Dict[str, Set[str]]:
    """Every installed distribution the default install of ``root`` requires (no extras),
    mapped to the pytest11 entry points it registers."""
    seen: Dict[str, Set[str]] = {}
    todo = [root]
    env = {"extra": ""}
    while todo:
        name = todo.pop()
        if _name(name) in seen:
            continue
        try:
            dist = distribution(name)
        except PackageNotFoundError:  # an optional platform dependency (e.g. tzdata off Windows)
            continue
        seen[_name(name)] = {ep.name for ep in dist.entry_points if ep.group == "pytest11"}
        for raw in dist.requires or []:
            req = Requirement(raw)
            if req.marker is None or req.marker.evaluate(env):
                todo.append(req.name)
    return seen


def test_the_default_install_registers_no_pytest_plugin_but_ours():
    closure = _default_closure("pytest-fctrigger")
    assert "pytest" in closure and "requests" in closure  # the walk did follow the requirements
    plugins = {
        name: eps
        for name, eps in closure.items()
        if eps and name != "pytest-fctrigger" and name not in ALREADY_IN_A_BARE_SESSION
    }
    assert plugins == {}, (
        f"required dependencies register pytest plugins that load in every session: {plugins}; "
        "make them an extra (as Faker is)"
    )
    assert closure["pytest-fctrigger"] == {"fctrigger"}


def test_faker_is_an_extra_not_a_requirement():
    requires = [Requirement(r) for r in distribution("pytest-fctrigger").requires or []]
    faker = [r for r in requires if _name(r.name) == "faker"]
    assert faker, "the faker extra is declared"
    assert all(r.marker is not None and "extra" in str(r.marker) for r in faker)


def test_fc_random_faker_without_faker_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "faker", None)  # what `import faker` sees when it is not installed
    rng = FCRandom(7)
    with pytest.raises(Exception) as excinfo:
        rng.faker
    assert excinfo.type.__name__ == "ConfigError"
    assert "pip install 'pytest-fctrigger[faker]'" in str(excinfo.value)
    assert excinfo.value.__cause__ is None and excinfo.value.__suppress_context__


def test_sls_fake_logs_need_no_faker(monkeypatch):
    from pytest_fctrigger.cloud.sls.store import SlsStore

    monkeypatch.setitem(sys.modules, "faker", None)
    store = SlsStore(FCRandom(3)).logstore("p", "l")
    access = store.fake_logs(30, kind="access")
    app = store.fake_logs(30, kind="app")
    assert len(access) == len(app) == 30
    agents = {log["http_user_agent"] for log in access}
    assert len(agents) > 1 and all(agent for agent in agents)
    assert all(log["request_uri"].startswith("/") for log in access)

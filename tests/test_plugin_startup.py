"""The pytest11 entry module must cost nothing until a fixture is used (Hypothesis style)."""

import json
import subprocess
import sys

HEAVY = (
    "faker",
    "yaml",
    "responses",
    "requests",
    "cbor2",
    "redis",
    "fakeredis",
    "croniter",
    "oss2",
    "alibabacloud_oss_v2",
    "aliyun",
    "tablestore",
    "mns",
    "lz4",
    "google.protobuf",
)


def _modules_after(code: str) -> set:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_plugin_module_imports_nothing_heavy():
    loaded = _modules_after("import pytest_fctrigger.plugin")
    heavy = sorted(m for m in loaded for h in HEAVY if m == h or m.startswith(h + "."))
    assert heavy == [], f"importing the plugin loaded heavy modules: {heavy}"
    ours = sorted(m for m in loaded if m.startswith("pytest_fctrigger"))
    assert ours == ["pytest_fctrigger", "pytest_fctrigger.plugin"], ours


def test_package_import_is_lazy_but_complete():
    loaded = _modules_after("import pytest_fctrigger")
    assert not any(m.startswith("pytest_fctrigger.") for m in loaded)
    import pytest_fctrigger

    # every advertised public name resolves
    for name in pytest_fctrigger.__all__:
        assert getattr(pytest_fctrigger, name) is not None, name


def test_cli_help_is_cheap():
    loaded = _modules_after(
        "import contextlib, io\n"
        "from pytest_fctrigger import cli\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    cli.main(['--help'])"
    )
    heavy = sorted(m for m in loaded for h in HEAVY if m == h or m.startswith(h + "."))
    assert heavy == [], f"`fctrigger --help` loaded heavy modules: {heavy}"


def test_cli_output_into_a_closed_pipe_is_not_a_traceback():
    # `fctrigger list | head -1`: the reader closes the pipe early
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest_fctrigger.cli", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()  # before the child writes a byte
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=30) == 0
    assert "Traceback" not in stderr, stderr


def test_startup_modules_have_no_assert_to_rewrite():
    # pytest_fctrigger._entry loads these with Python's own importer, bypassing pytest's
    # assertion rewriting (a measured start-up cost); that is only lossless while they
    # have no assert statement
    import ast
    import importlib.util

    from pytest_fctrigger import _entry

    for name in _entry._STARTUP:
        path = importlib.util.find_spec(name).origin
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        asserts = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert)]
        assert asserts == [], f"{name} has assert statements (lines {asserts}): drop them or leave _STARTUP"


def test_entry_point_registers_the_plugin_module_itself(pytester):
    # a fresh process, as a user's session: the plugin pytest registers under the name
    # "fctrigger" is the importable pytest_fctrigger.plugin, loaded by the standard loader
    pytester.makeconftest(
        "import sys, importlib.machinery\n"
        "def test_registered(request):\n"
        "    plugin = request.config.pluginmanager.get_plugin('fctrigger')\n"
        "    import pytest_fctrigger.plugin as module\n"
        "    assert plugin is module is sys.modules['pytest_fctrigger.plugin']\n"
        "    assert isinstance(module.__loader__, importlib.machinery.SourceFileLoader), module.__loader__\n"
        "    import pytest_fctrigger\n"
        "    assert pytest_fctrigger.plugin is module\n"
    )
    pytester.makepyfile("from conftest import test_registered\n")
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1)
    blocked = pytester.runpytest_subprocess("-p", "no:fctrigger", "-p", "no:randomly")
    blocked.assert_outcomes(failed=1)  # -p no:fctrigger still blocks it by name

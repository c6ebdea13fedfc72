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

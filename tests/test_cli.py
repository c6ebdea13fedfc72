"""The ``fctrigger`` command line itself: --version, per-field help, several files for
lint, "did you mean", one error prefix."""

from __future__ import annotations

import importlib.metadata
import inspect
import json

import pytest
from triggers_helpers import oss_trigger, write_fc3

import pytest_fctrigger
from pytest_fctrigger.cli import main
from pytest_fctrigger.errors import UnknownFieldError
from pytest_fctrigger.events import CATALOG, oss_event


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's --help / --version / usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def timer(name, cron):
    return {"triggerName": name, "triggerType": "timer", "triggerConfig": {"cronExpression": cron, "enable": True}}


# --------------------------------------------------------------------------- --version
def test_version_is_the_installed_distribution_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out == f"fctrigger {pytest_fctrigger.__version__}\n"
    assert pytest_fctrigger.__version__ == importlib.metadata.version("pytest-fctrigger")


# --------------------------------------------------------------------------- help
def test_event_help_lists_the_options(capsys):
    code, out, _ = run(capsys, "event", "--help")
    assert code == 0
    for option in ("--variant V", "--seed N", "--set PATH=VALUE", "--json", "--pretty"):
        assert option in out


@pytest.mark.parametrize("trigger_type", sorted(CATALOG))
def test_type_help_lists_every_field_with_its_value_kind(capsys, trigger_type):
    code, out, _ = run(capsys, "event", trigger_type, "--help")
    assert code == 0
    builder = CATALOG[trigger_type].builder_function()
    fields = [
        p
        for p in inspect.signature(builder).parameters.values()
        if p.kind is p.KEYWORD_ONLY and p.name not in ("rng", "overrides")
    ]
    assert fields
    for p in fields:
        [line] = [ln for ln in out.splitlines() if ln.strip().startswith(f"--{p.name.replace('_', '-')} ")]
        kinds = set(line.split()[1].split("|"))
        assert kinds and kinds <= {"TEXT", "NUMBER", "TIME", "{JSON}", "[JSON]", "true|false", "true", "false", "JSON"}


def test_type_help_shows_kinds_defaults_and_descriptions(capsys):
    _, out, _ = run(capsys, "event", "oss", "--help")
    lines = {ln.split()[0]: ln for ln in out.splitlines() if ln.startswith("  --")}
    assert lines["--size"].split()[1] == "NUMBER"
    assert lines["--bucket"].split()[1] == "TEXT"
    assert "default 'ObjectCreated:PutObject'" in lines["--event-name"]
    assert "TIME" in lines["--event-time"] and "string kept verbatim" in lines["--event-time"]
    assert "ObjectRemoved:DeleteObjects" in out  # the variants


def test_options_before_the_type_count_as_after_it(capsys):
    code, out, _ = run(capsys, "event", "--seed", "3", "--set", "events.0.region=cn-x", "oss", "--bucket", "bkt-photos")
    assert code == 0
    data = json.loads(out)
    assert data == json.loads(bytes(oss_event(bucket="bkt-photos", rng=3, overrides={"events.0.region": "cn-x"})))
    code, _, err = run(capsys, "event", "--seed", "3", "oss", "--seed", "4")
    assert code == 2 and "--seed given twice" in err


# --------------------------------------------------------------------------- did you mean
@pytest.mark.parametrize(
    "argv,suggestion",
    [
        (["event", "osss"], "did you mean 'oss'?"),
        (["event", "mns-topik"], "did you mean 'mns_topic'?"),
        (["event", "oss", "--buket", "x"], "did you mean '--bucket'?"),
        (["event", "timer", "--payloda", "x"], "did you mean '--payload'?"),
    ],
)
def test_unknown_types_and_fields_suggest_the_closest(capsys, argv, suggestion):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.rstrip("\n").endswith(suggestion)


def test_no_suggestion_when_nothing_is_close(capsys):
    _, _, err = run(capsys, "event", "zzzzzz")
    assert "did you mean" not in err


def test_builders_suggest_too():
    with pytest.raises(UnknownFieldError, match=r"did you mean 'bucket'\?$"):
        oss_event(buckett="x")
    err = UnknownFieldError("f()", ["sise", "kee"], ["size", "key", "bucket"])
    assert str(err).endswith("did you mean 'key' for 'kee', 'size' for 'sise'?")


# --------------------------------------------------------------------------- one prefix
@pytest.mark.parametrize(
    "argv",
    [
        ["event", "oss", "--buket", "x"],
        ["event", "nope"],
        ["event", "oss", "--seed", "x"],
        ["lint", "s.yaml", "--vars", "oops"],
        ["lint", "s.yaml", "--format", "xml"],
        ["nope"],
    ],
)
def test_every_error_has_one_prefix(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    last = err.rstrip("\n").splitlines()[-1]
    assert last.startswith("fctrigger")
    assert last.count("error:") == 1 and last.count("fctrigger") == 1, last


# --------------------------------------------------------------------------- lint FILE...
def test_lint_several_files_exit_status_is_the_worst(tmp_path, capsys):
    good = write_fc3(tmp_path, {"f": [timer("tick", "0 0 4 * * 0")]}, name="good.yaml")
    bad = write_fc3(tmp_path, {"f": [timer("tick", "0 0 4 * * 7")]}, name="bad.yaml")
    code, out, _ = run(capsys, "lint", str(good), str(bad))
    assert code == 1
    assert f"{good}: 0 error(s), 0 warning(s)" in out and f"{bad}: 1 error(s), 0 warning(s)" in out
    assert "FCT201" in out
    code, out, _ = run(capsys, "lint", str(good), str(good))
    assert code == 0 and out.count("0 error(s)") == 2


def test_lint_several_files_json(tmp_path, capsys):
    warn = write_fc3(tmp_path, {"f": [oss_trigger("up", "oss:ObjectCreated:*")]}, name="warn.yaml")
    missing = tmp_path / "missing.yaml"
    code, out, _ = run(capsys, "lint", str(warn), str(missing), "--format", "json")
    assert code == 1  # the missing file is an FCT001 error
    report = json.loads(out)
    assert (report["errors"], report["warnings"]) == (1, 1)
    assert [r["file"] for r in report["files"]] == [str(warn), str(missing)]
    assert report["files"][1]["findings"][0]["code"] == "FCT001"
    # one file: the single report object, as before
    code, out, _ = run(capsys, "lint", str(warn), "--format", "json")
    assert code == 0 and json.loads(out)["file"] == str(warn)


def test_lint_needs_a_file(capsys):
    code, _, err = run(capsys, "lint")
    assert code == 2 and "FILE" in err

"""pytest wiring of process instances: --fc-isolate, ini fc_isolate, @pytest.mark.fc(isolate=...),
the report header, instances ending with their test; and that the default (in-process) mode
keeps --pdb and pytest-cov working on handler code."""

from __future__ import annotations

import os
import sys

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="process instances fork a zygote (POSIX)")

HANDLER = """
import os

def handler(event, context):
    return {"pid": os.getpid()}
"""

TEST_PID = """
import os
import pytest

@pytest.fixture
def here(request):
    return str(request.config.rootpath)

def test_pid(fc_invoke, here):
    assert fc_invoke("index.handler", {}, code_dir=here).json()["pid"] {op} os.getpid()
"""


def test_the_option_runs_handlers_in_an_instance_and_says_so_in_the_header(pytester):
    pytester.makepyfile(index=HANDLER, test_it=TEST_PID.replace("{op}", "!="))
    result = pytester.runpytest("--fc-isolate=process", "-p", "no:randomly")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["fctrigger: isolate process; process instances: *"])


def test_the_default_runs_in_process_and_the_header_says_nothing_of_instances(pytester):
    pytester.makepyfile(index=HANDLER, test_it=TEST_PID.replace("{op}", "=="))
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1)
    assert "isolate process" not in result.stdout.str()


def test_the_ini_value_and_the_marker_select_process_mode(pytester):
    pytester.makeini("[pytest]\nfc_isolate = process\n")
    pytester.makepyfile(
        index=HANDLER,
        test_it=TEST_PID.replace("{op}", "!=")
        + """
@pytest.mark.fc(isolate="none")
def test_marked_back_in_process(fc_invoke, here):
    assert fc_invoke("index.handler", {}, code_dir=here).json()["pid"] == os.getpid()

@pytest.mark.fc(isolate="none")
def test_per_call(fc_invoke, here):
    assert fc_invoke("index.handler", {}, code_dir=here, isolate="process").json()["pid"] != os.getpid()
""",
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["fctrigger: isolate process; *"])


def test_bad_values_are_one_clear_error_each(pytester):
    pytester.makepyfile(
        index=HANDLER, test_it="import pytest\n\n@pytest.mark.fc(isolate='threads')\ndef test_x(fc_invoke):\n    pass\n"
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*test_x: @pytest.mark.fc(isolate='threads'): must be one of none, process*"])
    assert "Traceback" not in result.stdout.str()

    bad_option = pytester.runpytest("--fc-isolate=proc")
    assert bad_option.ret == pytest.ExitCode.USAGE_ERROR
    bad_option.stderr.fnmatch_lines(["*--fc-isolate: invalid choice: 'proc'*"])

    pytester.makeini("[pytest]\nfc_isolate = sandbox\n")
    bad_ini = pytester.runpytest()
    assert bad_ini.ret == pytest.ExitCode.USAGE_ERROR
    bad_ini.stderr.fnmatch_lines(["*ini fc_isolate = sandbox: the isolation mode must be one of none, process*"])


def test_instances_end_with_their_test(pytester, tmp_path):
    record = tmp_path / "pid"
    pytester.makepyfile(
        index=HANDLER,
        test_it=f"""
import os, time

def test_a_starts_an_instance(fc_invoke, request):
    pid = fc_invoke("index.handler", {{}}, code_dir=str(request.config.rootpath)).json()["pid"]
    open({str(record)!r}, "w").write(str(pid))

def test_b_sees_it_gone():
    pid = int(open({str(record)!r}).read())
    deadline = time.monotonic() + 2
    while os.path.exists(f"/proc/{{pid}}") and time.monotonic() < deadline:
        with open(f"/proc/{{pid}}/stat") as fh:
            if fh.read().rsplit(")", 1)[1].split()[0] in "ZX":
                break
        time.sleep(0.02)
    else:
        assert not os.path.exists(f"/proc/{{pid}}")
""",
    )
    result = pytester.runpytest("--fc-isolate=process", "-p", "no:randomly")
    result.assert_outcomes(passed=2)


FAILING = """
def handler(event, context):
    secret_local = 40 + 2
    raise RuntimeError("stop here")
"""


def test_pdb_reaches_the_handler_frame_in_the_default_mode(pytester):
    pytester.makepyfile(
        index=FAILING,
        test_it="def test_fails(fc_invoke, request):\n"
        "    fc_invoke('index.handler', {}, code_dir=str(request.config.rootpath))\n",
    )
    result = pytester.run(
        sys.executable, "-m", "pytest", "--pdb", "-p", "no:randomly", stdin=b"p secret_local * 1000\nc\n", timeout=120
    )
    out = result.stdout.str()
    assert "entering PDB" in out and "42000" in out


def test_coverage_measures_handler_code_in_the_default_mode(pytester):
    pytest.importorskip("pytest_cov")
    pytester.makepyfile(
        index="def handler(event, context):\n    if event:\n        return 'some'\n    return 'none'\n",
        test_it="def test_cov(fc_invoke, request):\n"
        "    assert fc_invoke('index.handler', b'x', code_dir=str(request.config.rootpath)).text == 'some'\n",
    )
    result = pytester.runpytest_subprocess("--cov=index", "--cov-report=term-missing", "-p", "no:randomly")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["index.py * 4 * 1 * 75%*4"])  # line 4 (the other branch) is missing


def test_the_summary_names_the_protection_when_only_a_marker_selects_process_mode(pytester):
    pytester.makepyfile(
        index=HANDLER,
        test_it=TEST_PID.replace("{op}", "!=").replace(
            "def test_pid", "@pytest.mark.fc(isolate='process')\ndef test_pid"
        ),
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["fctrigger: isolate process was used by some tests; process instances: *"])
    assert "fctrigger: isolate process;" not in result.stdout.str()  # not in the header

"""The fc_flow fixture wired into pytest (pytester): relative app paths, clear failures for bad
input, loops and runaways failing the test, and the same events under -n 2 as in one process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests  # noqa: F401  one requests / PyYAML for every in-process pytester run (see test_loops_plugin)
import yaml  # noqa: F401

DATA = Path(__file__).parent / "data"
CODE = DATA / "flows" / "code"


def _app(pytester, fail_times=0):
    doc = {
        "edition": "3.0.0",
        "name": "t",
        "resources": {
            "worker": {
                "component": "fc3",
                "props": {
                    "region": "cn-hangzhou",
                    "functionName": "worker",
                    "runtime": "python3.10",
                    "handler": "index.flaky",
                    "code": str(CODE),
                    "environmentVariables": {"FAIL_TIMES": str(fail_times)},
                    # the first call imports the SDKs cold; on a loaded CI machine that took
                    # over FC's default 3 s, and the extra timeout changed the attempts seen
                    "timeout": 60,
                    "triggers": [
                        {
                            "triggerName": "in",
                            "triggerType": "mns_topic",
                            "sourceArn": "acs:mns:cn-hangzhou:1:/topics/jobs",
                            "triggerConfig": {},
                        }
                    ],
                },
            }
        },
    }
    app_dir = pytester.path / "app"
    app_dir.mkdir(exist_ok=True)
    (app_dir / "s.yaml").write_text(json.dumps(doc))


def test_fixture_resolves_a_relative_path_from_the_test_file(pytester):
    _app(pytester, fail_times=2)
    pytester.makepyfile(
        test_flow="""
        def test_retries(fc_cloud, fc_flow):
            flow = fc_flow("app/s.yaml")
            fc_cloud.mns.topic("jobs").publish("work")
            run = flow.run()
            assert [i.attempt for i in run] == [1, 2, 3] and run.invocations[-1].ok
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_missing_app_is_one_line_naming_the_call(pytester):
    pytester.makepyfile(
        test_flow="""
        def test_missing(fc_flow):
            fc_flow("nope/s.yaml")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*test_flow.py::test_missing: fc_flow(*nope/s.yaml): *no such file*"])
    assert "Traceback" not in result.stdout.str()


def test_bad_option_is_one_line(pytester):
    _app(pytester)
    pytester.makepyfile(
        test_flow="""
        def test_bad(fc_flow):
            fc_flow("app/s.yaml", duplicates="2")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*fc_flow(*app/s.yaml): fc_flow(duplicates=...) takes an integer >= 0, got '2'"])


def test_include_disabled_reaches_the_flow_and_is_checked(pytester):
    _app(pytester)
    pytester.makepyfile(
        test_flow="""
        def test_on(fc_flow):
            assert fc_flow("app/s.yaml", include_disabled=True).include_disabled is True
            assert fc_flow("app/s.yaml").include_disabled is False

        def test_bad(fc_flow):
            fc_flow("app/s.yaml", include_disabled=1)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*fc_flow(*app/s.yaml): fc_flow(include_disabled=...) takes True or False, got 1"])


def test_a_misspelt_option_is_one_line_with_the_closest_name(pytester):
    _app(pytester)
    pytester.makepyfile(
        test_flow="""
        def test_typo(fc_flow):
            fc_flow("app/s.yaml", include_disable=True)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*fc_flow(): unknown field(s) 'include_disable'*did you mean*include_disabled*"])
    assert "Traceback" not in result.stdout.str()


def test_runaway_fails_the_test_with_the_bound(pytester):
    _app(pytester, fail_times=10**6)
    pytester.makepyfile(
        test_flow="""
        import pytest
        from pytest_fctrigger.flows import FlowRunaway

        def test_runaway(fc_cloud, fc_flow):
            flow = fc_flow("app/s.yaml", duplicates=3, max_invocations=6)
            fc_cloud.mns.topic("jobs").publish("work")
            with pytest.raises(FlowRunaway, match="ran 6 invocations"):
                flow.run()
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


DETERMINISM = """
import json, os

def _digest(fc_cloud, fc_flow, n):
    flow = fc_flow("app/s.yaml", duplicates=1)
    for i in range(n):
        fc_cloud.mns.topic("jobs").publish(f"m{i}")
    run = flow.run()
    return [(i.function, i.attempt, i.duplicate, i.time, bytes(i.event).decode(), i.result.request_id) for i in run]

def test_a(fc_cloud, fc_flow, request):
    out = os.path.join(os.environ["FLOW_OUT"], "a.json")
    open(out, "w").write(json.dumps(_digest(fc_cloud, fc_flow, 2)))

def test_b(fc_cloud, fc_flow, request):
    out = os.path.join(os.environ["FLOW_OUT"], "b.json")
    open(out, "w").write(json.dumps(_digest(fc_cloud, fc_flow, 3)))
"""


def test_same_events_and_order_under_xdist_as_in_one_process(pytester, tmp_path, monkeypatch):
    pytest.importorskip("xdist")
    _app(pytester, fail_times=1)
    pytester.makepyfile(test_det=DETERMINISM)
    seen = []
    for args in ((), ("-p", "xdist", "-n", "2")):
        out = tmp_path / ("xdist" if args else "plain")
        out.mkdir()
        monkeypatch.setenv("FLOW_OUT", str(out))
        run = pytester.runpytest_subprocess if args else pytester.runpytest  # one process: in-process
        result = run("-p", "no:cacheprovider", "-p", "no:randomly", *args)
        result.assert_outcomes(passed=2)
        seen.append({name: json.loads((out / name).read_text()) for name in ("a.json", "b.json")})
    assert seen[0] == seen[1]
    assert len(seen[0]["a.json"]) == 8  # 2 messages x (1 + 1 duplicate) x (fail + retry)

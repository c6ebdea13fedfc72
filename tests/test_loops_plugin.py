"""Loop detection wired into pytest: fc_trigger markers, fc_invoke, --fc-loop, --fc-loop-depth,
the fc(loop=..., loop_depth=...) marker option, fc_app cascades and the loop-rules hook (pytester).

The handlers are the real samples of tests/data/loops (seeds/003 image resize via oss2 and the
V2 SDK; seeds/001 OSS "触发规则" for the safe src/ -> dst/ layout).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests  # noqa: F401  likewise one requests (and http.cookiejar): re-imported in a second

#                  in-process run, the V2 SDK's session fails "You can only merge into CookieJar"
import yaml  # noqa: F401  one PyYAML for every in-process pytester run: its C parser keeps the

#              node classes of the first import, so a re-import inside a run breaks loaders

DATA = Path(__file__).parent / "data" / "loops"

HEADER = f"""
import pytest
RESIZE = {str(DATA / "oss_resize")!r}
RESIZE_V2 = {str(DATA / "oss_resize_v2")!r}
PNG = b"\\x89PNG\\r\\n\\x1a\\n" + bytes(range(256))

@pytest.fixture
def upload(fc_cloud, oss_event):
    fc_cloud.oss.bucket("images").put("source/cat.png", PNG)
    return oss_event(bucket="images", key="source/cat.png")
"""

LOOPING = (
    HEADER
    + """
@pytest.mark.fc_trigger("oss", name="resize", bucket="images", events=["oss:ObjectCreated:*"])
def test_resize(fc_invoke, upload):
    fc_invoke("index.handler", upload, code_dir=RESIZE)
"""
)

CHAIN_LINES = [
    "E   pytest_fctrigger.loops.SelfTriggerLoop: Self-trigger loop: handler index.handler writes what "
    "fires its own trigger, so in FC every invocation starts another one.",
    "E     oss trigger 'resize' on bucket 'images' (oss:ObjectCreated:*; no prefix/suffix filter)",
    "E     -> event ObjectCreated:PutObject oss://images/source/cat.png",
    "E     -> handler index.handler",
    "E     -> write ProcessObject oss://images/processed/cat.png",
    "E     -> fires oss trigger 'resize' again",
]


def run(pytester, source, *args):
    pytester.makepyfile(test_handler=source)
    return pytester.runpytest("-p", "no:cacheprovider", "--tb=short", *args)


def test_marker_trigger_and_fc_invoke_fail_the_test_with_the_chain(pytester):
    result = run(pytester, LOOPING)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(CHAIN_LINES, consecutive=True)
    result.stdout.fnmatch_lines(["E   Fix: give the trigger a prefix or suffix filter*"])


def test_safe_form_passes(pytester):
    result = run(
        pytester,
        HEADER
        + """
@pytest.mark.fc_trigger("oss", name="resize", bucket="images", prefix="source/")
def test_resize(fc_invoke, upload, fc_cloud):
    result = fc_invoke("index.handler", upload, code_dir=RESIZE)
    assert result.loop is None
    assert fc_cloud.oss.bucket("images").get("processed/cat.png") == PNG
""",
    )
    result.assert_outcomes(passed=1)


def test_fc_loop_warn_reports_a_warning_and_passes(pytester):
    result = run(pytester, LOOPING, "--fc-loop=warn")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*SelfTriggerLoopWarning: Self-trigger loop: handler index.handler writes what fires its own trigger*",
            "*-> fires oss trigger 'resize' again",
        ]
    )


def test_fc_loop_allow_is_silent(pytester):
    result = run(pytester, LOOPING, "--fc-loop=allow")
    result.assert_outcomes(passed=1)
    assert "SelfTriggerLoop" not in result.stdout.str()


def test_ini_fc_loop_is_the_default(pytester):
    pytester.makeini("[pytest]\nfc_loop = warn\n")
    result = run(pytester, LOOPING)
    result.assert_outcomes(passed=1, warnings=1)


def test_fc_loop_depth_redelivers_and_reports_no_convergence(pytester):
    result = run(pytester, LOOPING, "--fc-loop-depth", "2")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E     -> event ObjectCreated:PutObject oss://images/processed/cat.png",
            "E     -> handler index.handler",
            "E     -> write ProcessObject oss://images/processed/cat.png",
            "E     -> fires oss trigger 'resize' again",
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(["E   --fc-loop-depth 2: re-delivered 2 hops; the chain does not converge*"])


CONVERGING = (
    HEADER
    + """
@pytest.mark.fc_trigger("oss", name="resize", bucket="images")
def test_thumbs(fc_invoke, upload):
    result = fc_invoke("index.handler", upload, code_dir=RESIZE_V2)
    assert result.loop.converged is True and len(result.loop.hops) == 1
"""
)


def test_fc_loop_depth_lets_a_converging_handler_pass_where_depth_0_fails(pytester):
    # the V2 handler's thumbnail fires it once more, then it writes nothing: the chain ends
    run(pytester, CONVERGING, "--fc-loop-depth", "2").assert_outcomes(passed=1)
    failed = run(pytester, CONVERGING)
    failed.assert_outcomes(failed=1)
    failed.stdout.fnmatch_lines(["E   pytest_fctrigger.loops.SelfTriggerLoop: Self-trigger loop: *"])


def test_marker_option_loop_and_depth_converging_handler_passes(pytester):
    result = run(
        pytester,
        HEADER
        + """
@pytest.mark.fc(loop="warn", loop_depth=3)
@pytest.mark.fc_trigger("oss", name="resize", bucket="images")
def test_thumbs(fc_invoke, upload):
    result = fc_invoke("index.handler", upload, code_dir=RESIZE_V2)
    assert result.loop.converged is True and len(result.loop.hops) == 1

@pytest.mark.fc(loop="warn", loop_depth=3)
@pytest.mark.fc_trigger("oss", name="resize", bucket="images")
def test_seed_sample(fc_invoke, upload):
    with pytest.warns(Warning, match="re-delivered 3 hops; the chain does not converge"):
        result = fc_invoke("index.handler", upload, code_dir=RESIZE)
    assert len(result.loop.hops) == 3
""",
    )
    result.assert_outcomes(passed=2)


def test_closest_marker_wins_over_the_command_line(pytester):
    result = run(
        pytester,
        LOOPING.replace("@pytest.mark.fc_trigger", '@pytest.mark.fc(loop="fail")\n@pytest.mark.fc_trigger'),
        "--fc-loop=allow",
    )
    result.assert_outcomes(failed=1)


def test_cascade_through_fc_app_from_s_yaml(pytester):
    pytester.makeconftest(f"""
import pytest
from pytest_fctrigger.triggers.loader import load_app

@pytest.fixture
def fc_app():
    return load_app({str(DATA / "cascade" / "s.yaml")!r})
""")
    result = run(
        pytester,
        """
def test_split(fc_invoke, fc_app, fc_cloud, oss_event):
    fc_cloud.oss.bucket("media-pipeline").put("in/a.txt", b"abcdef")
    fc_invoke(fc_app.function("split"), oss_event(bucket="media-pipeline", key="in/a.txt"))
""",
        "--fc-loop-depth=1",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E   pytest_fctrigger.loops.SelfTriggerLoop: Self-trigger loop across functions: "
            "'split' -> 'merge' -> 'split'.*",
        ]
    )


def test_loop_rules_hook_adds_a_rule(pytester):
    # an EventBridge trigger with an OSS event source: no built-in rule, the conftest supplies one
    pytester.makeconftest("""
def pytest_fctrigger_loop_rules(config):
    def oss_events_via_eventbridge(write, trigger):
        return (trigger.type == "eventbridge" and write.service == "oss"
                and '"acs.oss"' in trigger.config.get("eventRuleFilterPattern", ""))
    return [oss_events_via_eventbridge]
""")
    result = run(
        pytester,
        HEADER
        + """
@pytest.mark.fc_trigger("eventbridge", name="bus",
                        eventRuleFilterPattern='{"source":["acs.oss"]}')
def test_resize(fc_invoke, upload):
    fc_invoke("index.handler", upload, code_dir=RESIZE)
""",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E   Why: the loop rule *oss_events_via_eventbridge says this write fires it.",
            "E   Fix: write somewhere the trigger does not watch.",
        ]
    )


@pytest.mark.parametrize(
    "bad, message",
    [
        ('"stop"', "loop mode 'stop' is not one of fail, warn, allow"),
        ("-1", "fc loop depth must be >= 0, got -1"),
    ],
)
def test_bad_marker_options_are_usage_errors(pytester, bad, message):
    key = "loop" if bad.startswith('"') else "loop_depth"
    result = run(
        pytester,
        HEADER
        + f"""
@pytest.mark.fc({key}={bad})
def test_x(fc_invoke):
    pass
""",
    )
    assert message in result.stdout.str() + result.stderr.str()


def test_warning_category_can_be_made_an_error(pytester):
    result = run(pytester, LOOPING, "--fc-loop=warn", "-W", "error::pytest_fctrigger.loops.SelfTriggerLoopWarning")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*SelfTriggerLoopWarning: Self-trigger loop*"])


def test_fc_invoke_of_a_function_spec_also_applies_the_tests_fc_trigger_markers(pytester):
    # issue 9 point 2: the same handler loops with a handler string and with its FunctionSpec
    source = (
        HEADER
        + """
from pytest_fctrigger.triggers.model import FunctionSpec

@pytest.mark.fc_trigger("oss", name="resize", bucket="images", events=["oss:ObjectCreated:*"])
def test_resize_spec(fc_invoke, upload):
    spec = FunctionSpec(name="resize", handler="index.handler", runtime="python3.10")
    fc_invoke(spec, upload, code_dir=RESIZE)
"""
    )
    result = run(pytester, source)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*SelfTriggerLoop: Self-trigger loop*", "*oss trigger 'resize' on bucket 'images'*"])

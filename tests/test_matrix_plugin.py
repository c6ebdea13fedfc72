"""fc_matrix through pytest (pytester): parametrization, ids, laziness, hooks, errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pytest_fctrigger.events.catalog import CATALOG

DATA = Path(__file__).parent / "data" / "triggers"


def test_matrix_over_all_trigger_types_runs_a_trivial_handler_for_every_variant(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import json
        import pytest

        def handler(event, context):
            assert isinstance(event, bytes)
            return {"bytes": len(event), "request": context.request_id}

        @pytest.mark.fc_matrix()
        def test_handler_accepts_every_event(fc_trigger_event, fc_invoke):
            result = fc_invoke(handler, fc_trigger_event)
            assert result.error is None
            assert json.loads(result.payload)["bytes"] == len(fc_trigger_event)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    total = sum(len(source.variants) for source in CATALOG.values())
    result.assert_outcomes(passed=total)
    for source in CATALOG.values():
        for variant in source.variants:
            result.stdout.fnmatch_lines(
                [f"*test_handler_accepts_every_event[[]{source.trigger_type}[[]{variant}]]*PASSED*"]
            )


def test_matrix_from_s_yaml_produces_exactly_the_cases_its_triggers_imply(pytester: pytest.Pytester):
    shutil.copytree(DATA / "fc-templated", pytester.path / "app")
    pytester.makepyfile(
        test_app="""
        import json
        import pytest

        @pytest.mark.fc_matrix(app="app/src/s.yaml", function="events", vars={"bucketName": "media-in"})
        def test_events(fc_trigger_event, fc_matrix_case, fc_triggers):
            assert fc_matrix_case.function.name == "events"
            assert [t.name for t in fc_triggers] == ["nightly", "orders", "table-stream", "cdn-logs"]
            assert fc_trigger_event.trigger_type == fc_matrix_case.trigger_type

        @pytest.mark.fc_matrix(app="app/src/s.yaml", function="resize-dev", vars={"bucketName": "media-in"})
        def test_resize(fc_trigger_event):
            record = json.loads(fc_trigger_event)["events"][0]
            assert record["oss"]["object"]["key"].startswith("source/")
            assert record["oss"]["object"]["key"].endswith(".png")

        @pytest.mark.fc_matrix(app="app/src/s.yaml", vars={"bucketName": "media-in"})
        def test_all(fc_trigger_event, fc_matrix_case):
            assert fc_trigger_event.trigger_type == fc_matrix_case.trigger_type
            assert fc_matrix_case.trigger in fc_matrix_case.function.triggers
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--collect-only", "-q")
    ids = sorted(line.split("::", 1)[1] for line in result.outlines if "::" in line)
    assert ids == sorted(
        [
            "test_events[nightly[fire-1]]",
            "test_events[nightly[fire-2]]",
            "test_events[nightly[fire-3]]",
            "test_events[orders[JSON]]",
            "test_events[orders[JSON+attrs]]",
            "test_events[table-stream[PutRow]]",
            "test_events[table-stream[UpdateRow]]",
            "test_events[table-stream[DeleteRow]]",
            "test_events[cdn-logs[LogFileCreated]]",
            "test_resize[on-upload[ObjectCreated:PutObject]]",
            "test_resize[on-upload[ObjectCreated:PostObject]]",
            # no function=: every function's triggers, ids prefixed with the function name
            "test_all[resize-dev/on-upload[ObjectCreated:PutObject]]",
            "test_all[resize-dev/on-upload[ObjectCreated:PostObject]]",
            "test_all[etl/sls-trigger[media-logs/access-log]]",
            "test_all[events/nightly[fire-1]]",
            "test_all[events/nightly[fire-2]]",
            "test_all[events/nightly[fire-3]]",
            "test_all[events/orders[JSON]]",
            "test_all[events/orders[JSON+attrs]]",
            "test_all[events/table-stream[PutRow]]",
            "test_all[events/table-stream[UpdateRow]]",
            "test_all[events/table-stream[DeleteRow]]",
            "test_all[events/cdn-logs[LogFileCreated]]",
            "test_all[web/http[GET]]",
            "test_all[web/http[POST]]",
        ]
    )
    pytester.runpytest("-p", "no:cacheprovider", "-W", "ignore::UserWarning").assert_outcomes(passed=25)


def test_events_are_built_lazily_from_the_test_seed(pytester: pytest.Pytester):
    pytester.makeconftest(
        """
        BUILT = []

        def _recording(source):
            def build(rng, case):
                BUILT.append(case.id)
                return source.build(rng, case.variant, **case.resolved_fields(rng))
            return build

        def pytest_fctrigger_matrix_cases(config, definition, cases):
            for case in cases:
                case.builder = _recording(case.source)

        def pytest_collection_finish(session):
            assert BUILT == [], "events must not be built at collection"
        """
    )
    pytester.makepyfile(
        """
        import pytest
        from conftest import BUILT

        @pytest.mark.fc_matrix("timer", "log")
        def test_seeded(fc_trigger_event, fc_seed, fc_matrix_case):
            assert BUILT[-1] == fc_matrix_case.id  # built for this test, by the fixture
            from pytest_fctrigger.events._random import FCRandom
            from pytest_fctrigger.events.catalog import get_source
            again = get_source(fc_trigger_event.trigger_type).build(FCRandom(fc_seed), fc_trigger_event.variant)
            assert bytes(again) == bytes(fc_trigger_event)  # drawn from the test's own seed
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_hook_adds_and_drops_cases(pytester: pytest.Pytester):
    pytester.makeconftest(
        """
        from pytest_fctrigger.matrix import MatrixCase

        def pytest_fctrigger_matrix_cases(config, definition, cases):
            cases[:] = [c for c in cases if "Removed" not in c.id]
            cases.append(MatrixCase("oss[big-upload]", "oss", "ObjectCreated:PutObject",
                                    {"key": "source/huge.bin", "size": 5 * 1024 ** 3}))
        """
    )
    pytester.makepyfile(
        """
        import json
        import pytest

        @pytest.mark.fc_matrix("oss")
        def test_oss(fc_trigger_event, fc_matrix_case):
            obj = json.loads(fc_trigger_event)["events"][0]["oss"]["object"]
            if fc_matrix_case.id == "oss[big-upload]":
                assert (obj["key"], obj["size"]) == ("source/huge.bin", 5 * 1024 ** 3)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=10)  # 9 ObjectCreated + the added one
    result.stdout.fnmatch_lines(["*test_oss[[]oss[[]big-upload]]*PASSED*"])
    assert "ObjectRemoved" not in result.stdout.str()


def test_hook_event_sources_join_the_matrix(pytester: pytest.Pytester):
    pytester.makeconftest(
        """
        from pytest_fctrigger.events._base import FCEvent

        class WebhookSource:
            trigger_type = "webhook"
            variants = ("push", "ping")
            def build(self, rng, variant=None, **fields):
                return FCEvent.from_json({"kind": variant, "id": rng.hex(6)}, "webhook", variant)

        def pytest_fctrigger_event_sources(config):
            return [WebhookSource()]
        """
    )
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.fc_matrix("webhook", "timer")
        def test_custom(fc_trigger_event):
            assert fc_trigger_event.trigger_type in ("webhook", "timer")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=3)
    # one pattern at a time: pytest-randomly (installed with the suite) reorders the
    # inner session's tests, and fnmatch_lines matches a list in order
    for variant in ("push", "ping"):
        result.stdout.fnmatch_lines([f"*test_custom[[]webhook[[]{variant}]]*PASSED*"])


def test_missing_fc_trigger_event_argument_is_a_clear_collection_error(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.fc_matrix("oss")
        def test_forgot(fc_invoke):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*test_forgot: @pytest.mark.fc_matrix parametrizes the fc_trigger_event argument, but test_forgot() "
            "does not take it; add it: def test_forgot(fc_trigger_event, ...)*"
        ]
    )
    assert "Traceback" not in result.stdout.str()


@pytest.mark.parametrize(
    "marker, message",
    [
        ('"sqs"', "unknown trigger type 'sqs'"),
        ('app="missing.yaml"', "missing.yaml: no such file"),
        ('app="s.yaml", function="nope"', "declares no function 'nope'"),
        ('"oss", app="s.yaml"', "either trigger types or app="),
        ('function="f"', "fc_matrix(function=...) needs app='s.yaml'"),
        ('app="s.yaml", fires=0', "fires=) must be a positive integer"),
        ('"oss", colour="red"', "unknown @pytest.mark.fc_matrix option(s) colour"),
        ('app="bad.yaml"', "bad.yaml:2: malformed YAML"),
    ],
)
def test_bad_matrix_markers_fail_collection_with_one_line(pytester: pytest.Pytester, marker, message):
    shutil.copy(DATA / "fc3-app" / "s.yaml", pytester.path / "s.yaml")
    (pytester.path / "bad.yaml").write_text("edition: 3.0.0\nresources: [\n")
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.fc_matrix({marker})
        def test_it(fc_trigger_event):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    assert message in result.stdout.str()
    assert "Traceback" not in result.stdout.str()


def test_fc_trigger_event_without_marker_is_a_usage_error(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        def test_plain(fc_trigger_event):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fc_trigger_event is parametrized by @pytest.mark.fc_matrix*"])


def test_class_level_marker_and_xdist(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.fc_matrix("mns_topic")
        class TestTopic:
            def test_event(self, fc_trigger_event):
                assert fc_trigger_event.trigger_type == "mns_topic"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider", "-n", "2").assert_outcomes(passed=4)

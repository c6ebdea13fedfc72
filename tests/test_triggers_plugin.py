"""The trigger model under pytest (pytester): fc_trigger markers and in-process reloads."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "triggers"


def test_load_app_works_in_consecutive_in_process_sessions(pytester: pytest.Pytester, monkeypatch):
    """A loops reviewer saw "could not determine a constructor for the tag None" in pytester runs.

    pytester's in-process runs drop every module imported during the run, so the second
    session imports a new ``yaml`` while the libyaml C extension keeps the node classes
    of the first; a loader class built on the C loader then constructs nothing. Here
    ``yaml`` is first imported inside the inner sessions (it is taken out of
    ``sys.modules`` for this test), exactly as when such a test file runs first.
    """
    for name in [m for m in sys.modules if m == "yaml" or m.startswith("yaml.")]:
        monkeypatch.delitem(sys.modules, name)
    shutil.copy(DATA / "fc3-app" / "s.yaml", pytester.path / "s.yaml")
    pytester.makepyfile(
        """
        from pytest_fctrigger.triggers.loader import load_app

        def test_load():
            app = load_app("s.yaml", env={}, warn=False)
            assert list(app.functions) == ["orders-prod-thumbs", "orders-prod-bus", "orders-prod-api"]
        """
    )
    for session in range(3):
        result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
        assert "constructor for the tag" not in result.stdout.str(), f"session {session + 1}"
        result.assert_outcomes(passed=1)


def test_fc_matrix_from_s_yaml_in_consecutive_in_process_sessions(pytester: pytest.Pytester, monkeypatch):
    # the same path as above, through collection: fc_matrix(app=) loads the file per session
    for name in [m for m in sys.modules if m == "yaml" or m.startswith("yaml.")]:
        monkeypatch.delitem(sys.modules, name)
    shutil.copy(DATA / "fc3-app" / "s.yaml", pytester.path / "s.yaml")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.fc_matrix(app="s.yaml", function="api")
        def test_api(fc_trigger_event):
            assert fc_trigger_event.trigger_type == "http"
        """
    )
    for _ in range(2):
        pytester.runpytest_inprocess("-p", "no:cacheprovider", "-W", "ignore::UserWarning").assert_outcomes(passed=3)


def test_fc_trigger_markers_of_module_class_and_test_add_up_outermost_first(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.fc_trigger("timer", name="nightly", cronExpression="0 0 4 * * *")

        @pytest.mark.fc_trigger("mns_topic", name="orders", topic="orders", format="json")
        class TestOrders:
            @pytest.mark.fc_trigger("oss", name="uploads", bucket="photos", prefix="src/",
                                    events=["ObjectCreated:PutObject"])
            def test_triggers(self, fc_triggers):
                assert [(t.name, t.type) for t in fc_triggers] == [
                    ("nightly", "timer"), ("orders", "mns_topic"), ("uploads", "oss")]
                nightly, orders, uploads = fc_triggers
                assert nightly.cron == "0 0 4 * * *"
                assert (orders.topic, orders.notify_format) == ("orders", "JSON")
                assert (uploads.bucket, uploads.prefix, uploads.events) == (
                    "photos", "src/", ["oss:ObjectCreated:PutObject"])

        def test_module_marker_only(fc_triggers):
            assert [t.name for t in fc_triggers] == ["nightly"]
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


@pytest.mark.parametrize(
    "marker, message",
    [
        ('"sqs", queue="q"', "@pytest.mark.fc_trigger('sqs', ...): unknown trigger type 'sqs'; valid types: oss, log"),
        (
            '"oss", bucket="bkt", events=["ObjectCreated:Put"]',
            "@pytest.mark.fc_trigger('oss', ...): oss trigger 'oss-trigger': unknown OSS event "
            "'oss:ObjectCreated:Put'; valid events: oss:ObjectCreated:*",
        ),
        ('"oss", "photos"', "@pytest.mark.fc_trigger takes one positional argument, the trigger type"),
    ],
)
def test_a_bad_fc_trigger_marker_is_one_line_naming_the_test(pytester: pytest.Pytester, marker, message):
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.fc_trigger({marker})
        def test_it(fc_invoke):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    assert f"test_a_bad_fc_trigger_marker_is_one_line_naming_the_test.py::test_it: {message}" in out
    assert "Traceback" not in out and "plugin.py" not in out and "During handling" not in out

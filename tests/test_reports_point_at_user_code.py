"""A loop or invoke failure report starts at the test's line and the handler's frames,
not in the plugin's own code (``_check_loops``, ``LoopDetector.check``)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]
pytest.importorskip("oss2")


def test_a_self_trigger_loop_report_shows_no_plugin_frames(pytester):
    pytester.makepyfile(
        index="""
        import oss2

        def handler(event, context):
            c = context.credentials
            auth = oss2.StsAuth(c.access_key_id, c.access_key_secret, c.security_token)
            bucket = oss2.Bucket(auth, f"https://oss-{context.region}-internal.aliyuncs.com", "photos")
            bucket.put_object("thumbs/a.png", b"x")
        """
    )
    pytester.makepyfile(
        test_loop="""
        import pytest

        @pytest.mark.fc_trigger("oss", bucket="photos", events=["oss:ObjectCreated:*"])
        def test_resize(fc_invoke, fc_cloud):
            fc_cloud.oss.bucket("photos")
            fc_invoke("index.handler", b"{}")
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    assert "SelfTriggerLoop" in text
    assert "def check(" not in text and "_check_loops" not in text and "loops.py:" not in text
    result.stdout.fnmatch_lines(["test_loop.py:6: SelfTriggerLoop"])

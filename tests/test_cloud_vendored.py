"""An SDK vendored into the code dir (``pip install -t code/ <sdk>``; FC installs nothing,
so users ship their dependencies this way) is served by ``fc_cloud`` exactly like the
installed copy. The vendored copies here are real: the installed package directories,
copied into ``tmp_path`` (no network)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import textwrap

import pytest

pytest_plugins = ["pytester"]

# imported here, before any in-process pytester run: pytester drops the modules a run
# imported, and numpy (which the tablestore SDK pulls in) cannot be loaded twice
pytest.importorskip("tablestore")
pytest.importorskip("mns.account")
pytest.importorskip("oss2")

# sdk -> (packages to vendor, handler body, assertion on fc_cloud after the call)
HANDLERS = {
    "mns": (
        ["mns"],
        """
        import mns
        from mns.account import Account
        from mns.topic import TopicMessage

        def handler(event, context):
            c = context.credentials
            endpoint = f"http://{context.account_id}.mns.{context.region}-internal.aliyuncs.com"
            account = Account(endpoint, c.access_key_id, c.access_key_secret, c.security_token)
            account.get_topic("orders").publish_message(TopicMessage("hello"))
            return mns.__file__
        """,
        "fc_cloud.mns.topic('orders')",
        "[m.body for m in fc_cloud.mns.topic('orders').published] == ['hello']",
    ),
    "tablestore": (
        ["tablestore"],
        """
        import tablestore
        from tablestore import OTSClient, Row

        def handler(event, context):
            c = context.credentials
            client = OTSClient(f"https://inst1.{context.region}.vpc.tablestore.aliyuncs.com",
                               c.access_key_id, c.access_key_secret, "inst1", sts_token=c.security_token)
            client.put_row("orders", Row([("id", "o-1")], [("state", "paid")]))
            return tablestore.__file__
        """,
        "fc_cloud.tablestore.table('inst1', 'orders', primary_key=[('id', 'STRING')])",
        "fc_cloud.tablestore.table('inst1', 'orders').get([('id', 'o-1')]).columns == {'state': 'paid'}",
    ),
    "oss2": (
        ["oss2", "requests", "urllib3"],
        """
        import oss2

        def handler(event, context):
            c = context.credentials
            auth = oss2.StsAuth(c.access_key_id, c.access_key_secret, c.security_token)
            bucket = oss2.Bucket(auth, f"https://oss-{context.region}-internal.aliyuncs.com", "photos")
            bucket.put_object("a.txt", b"hello")
            return oss2.__file__
        """,
        "fc_cloud.oss.bucket('photos')",
        "fc_cloud.oss.bucket('photos').get('a.txt') == b'hello'",
    ),
    "alibabacloud_oss_v2": (
        ["alibabacloud_oss_v2", "requests", "urllib3"],
        """
        import alibabacloud_oss_v2 as oss

        def handler(event, context):
            c = context.credentials
            cfg = oss.config.load_default()
            cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(
                c.access_key_id, c.access_key_secret, c.security_token)
            cfg.region = context.region
            client = oss.Client(cfg)
            client.put_object(oss.PutObjectRequest(bucket="photos", key="a.txt", body=b"hello"))
            return oss.__file__
        """,
        "fc_cloud.oss.bucket('photos')",
        "fc_cloud.oss.bucket('photos').get('a.txt') == b'hello'",
    ),
    "aliyun.log": (
        ["aliyun", "requests", "urllib3"],
        """
        import aliyun.log
        from aliyun.log import LogClient, LogItem, PutLogsRequest

        def handler(event, context):
            c = context.credentials
            client = LogClient(f"{context.region}-intranet.log.aliyuncs.com",
                               c.access_key_id, c.access_key_secret, c.security_token)
            item = LogItem()
            item.set_contents([("status", "200")])
            client.put_logs(PutLogsRequest("proj", "access", "", "", [item]))
            return aliyun.log.__file__
        """,
        "fc_cloud.sls.logstore('proj', 'access', shards=1)",
        "len([w for w in fc_cloud.journal if w.service == 'sls']) == 1",
    ),
}


def _package_dir(name: str) -> str:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"{name} is not installed")
    return list(spec.submodule_search_locations)[0]


@pytest.mark.parametrize("sdk", sorted(HANDLERS))
def test_a_vendored_sdk_is_served_like_the_installed_one(pytester, tmp_path, sdk):
    packages, body, seed, check = HANDLERS[sdk]
    code = tmp_path / "code"
    code.mkdir()
    for package in packages:
        shutil.copytree(_package_dir(package), code / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (code / "index.py").write_text(textwrap.dedent(body))
    pytester.makepyfile(
        test_vendored=f"""
        import os

        def test_handler(fc_invoke, fc_cloud):
            {seed}
            # the vendored copy has no bytecode yet: its first import compiles the whole SDK,
            # which took over FC's default 3 s on a loaded machine (not what this test is about)
            where = fc_invoke("index.handler", b"{{}}", code_dir={str(code)!r}, timeout=120).return_value
            # the handler ran on its own copy of the SDK, not the installed one
            assert os.path.realpath(where).startswith(os.path.realpath({str(code)!r}))
            assert {check}
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*use the simulated services*")


def test_the_seam_patcher_patches_every_copy_as_it_is_imported(tmp_path):
    """Keyed by module identity: two copies of one module name, each patched once, both restored."""
    import sys

    from pytest_fctrigger.cloud._seams import SeamPatcher, patch_attribute

    for name in ("one", "two"):
        pkg = tmp_path / name / "fcseamdemo"
        pkg.mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "wire.py").write_text("def send():\n    return 'network'\n")
    patched = []

    def patch(module):
        patched.append(module)
        return patch_attribute(module, "send", lambda: "fake")

    seams = SeamPatcher()
    seams.add("fcseamdemo.wire", patch)
    copies = []
    saved_path = list(sys.path)
    try:
        with seams:
            for name in ("one", "two"):
                sys.path.insert(0, str(tmp_path / name))
                import fcseamdemo.wire

                copies.append(fcseamdemo.wire)
                assert fcseamdemo.wire.send() == "fake"
                sys.path.remove(str(tmp_path / name))
                for key in ("fcseamdemo", "fcseamdemo.wire"):
                    sys.modules.pop(key)
        assert copies[0] is not copies[1] and patched == copies
        assert [c.send() for c in copies] == ["network", "network"]
        # a later activation patches copies seen before, even outside sys.modules
        with SeamPatcher() as again:
            again.add("fcseamdemo.wire", patch)
            assert [c.send() for c in copies] == ["fake", "fake"]
        assert [c.send() for c in copies] == ["network", "network"]
    finally:
        sys.path[:] = saved_path
        for key in ("fcseamdemo", "fcseamdemo.wire"):
            sys.modules.pop(key, None)
    assert not any(type(f).__name__ == "_Finder" for f in sys.meta_path)
    assert os.path.isdir(tmp_path)

"""FCT903 in the function's code: a Tablestore-triggered function must reach Tablestore by
the VPC endpoint, never the internal one (seeds/001 10.1 注意事项: "不可以使用Tablestore内网
Endpoint"). Samples build the endpoint in the handler, so lint reads the top-level modules
of the code dir and reports the file and line."""

from __future__ import annotations

import textwrap

from pytest_fctrigger.triggers.lint import lint

SYAML = """\
edition: 3.0.0
name: ots
resources:
  orders:
    component: fc3
    props:
      region: cn-hangzhou
      functionName: orders
      runtime: python3.10
      handler: index.handler
      timeout: 30
      code: ./code
      triggers:
        - triggerName: stream
          triggerType: tablestore
          sourceArn: acs:ots:cn-hangzhou:123:instance/shop/table/orders
        - triggerName: stream2
          triggerType: tablestore
          sourceArn: acs:ots:cn-hangzhou:123:instance/shop/table/refunds
"""

HANDLER = textwrap.dedent(
    """\
    import os
    import tablestore

    # not the internal endpoint: https://shop.cn-hangzhou.ots-internal.aliyuncs.com
    ENDPOINT = "https://{}.{}.ots-internal.aliyuncs.com".format("shop", os.environ.get("FC_REGION"))


    def handler(event, context):
        return ENDPOINT
    """
)


def _app(tmp_path, handler):
    code = tmp_path / "code"
    (code / "vendored").mkdir(parents=True)
    (code / "index.py").write_text(handler, encoding="utf-8")
    # a vendored package in a sub-folder is not the user's code: not read
    (code / "vendored" / "sdk.py").write_text('HOST = "x.ots-internal.aliyuncs.com"\n', encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SYAML, encoding="utf-8")
    return tmp_path / "s.yaml"


def test_an_internal_endpoint_in_the_handler_is_reported_at_its_line(tmp_path):  # seeds/001 10.1
    path = _app(tmp_path, HANDLER)
    [finding] = [f for f in lint(str(path)) if f.code == "FCT903"]  # once, though two triggers
    assert (finding.file, finding.line) == (str(tmp_path / "code" / "index.py"), 5)
    assert finding.severity == "warning" and finding.function == "orders"
    assert "ots-internal" in finding.message and "vpc.tablestore.aliyuncs.com" in finding.fix
    assert str(finding).startswith(f"{tmp_path / 'code' / 'index.py'}:5: warning FCT903")


def test_a_vpc_endpoint_in_the_handler_passes(tmp_path):  # seeds/001 10.1: {instance}.{region}.vpc...
    path = _app(tmp_path, HANDLER.replace('.ots-internal.aliyuncs.com"', '.vpc.tablestore.aliyuncs.com"'))
    assert [f.code for f in lint(str(path))] == []

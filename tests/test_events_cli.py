"""``fctrigger event`` and ``fctrigger list``, driven through ``pytest_fctrigger.cli.main``."""

from __future__ import annotations

import base64
import json

import cbor
import pytest

from pytest_fctrigger.cli import main
from pytest_fctrigger.events import CATALOG, FCRandom, get_source, oss_event, tablestore_event


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_event_prints_the_exact_payload_for_the_seed(capsys):
    code, out, err = run(capsys, "event", "oss", "--seed", "5")
    assert code == 0 and err == ""
    assert out == bytes(oss_event(rng=FCRandom(5))).decode() + "\n"


def test_event_fields_variant_and_typed_values(capsys):
    code, out, _ = run(
        capsys,
        "event",
        "oss",
        "--bucket",
        "photos",
        "--key",
        "source/a.png",
        "--size",
        "2048",
        "--variant",
        "ObjectRemoved:DeleteObject",
        "--region=cn-beijing",
        "--object-meta",
    )
    assert code == 0
    record = json.loads(out)["events"][0]
    assert record["eventName"] == "ObjectRemoved:DeleteObject"
    assert record["oss"]["bucket"]["name"] == "photos" and record["region"] == "cn-beijing"
    assert record["oss"]["object"]["size"] == 2048 and record["oss"]["object"]["deltaSize"] == -2048
    assert record["oss"]["object"]["key"] == "source/a.png"
    assert record["oss"]["object"]["objectMeta"]["mimeType"] == "image/png"


def test_text_fields_stay_text_even_when_they_look_like_json(capsys):
    code, out, _ = run(capsys, "event", "mns_topic", "--format", "JSON", "--message", "123", "--topic", "true")
    data = json.loads(out)
    assert code == 0 and data["Message"] == "123" and data["TopicName"] == "true"


def test_json_values_for_structured_fields_and_set_paths(capsys):
    code, out, _ = run(
        capsys,
        "event",
        "mns_topic",
        "--variant",
        "JSON",
        "--attributes",
        '{"key": "value"}',
        "--set",
        "TopicOwner=1000000000000001",
        "--set",
        'Message="42"',
    )
    data = json.loads(out)
    assert code == 0 and data["key"] == "value"
    assert data["TopicOwner"] == 1000000000000001 and data["Message"] == "42"


def test_mns_stream_prints_the_raw_body(capsys):
    code, out, _ = run(capsys, "event", "mns_topic", "--message", "hello topic")
    assert (code, out) == (0, "hello topic\n")


def test_tablestore_prints_cbor_hex_by_default_and_json_view_with_flag(capsys):
    code, out, _ = run(capsys, "event", "ots", "--seed", "3", "--variant", "UpdateRow")
    raw = bytes.fromhex(out.strip())
    assert code == 0 and raw == bytes(tablestore_event(row_type="UpdateRow", rng=FCRandom(3)))
    assert cbor.loads(raw)["Records"][0]["Type"] == "UpdateRow"
    code, out, _ = run(capsys, "event", "tablestore", "--seed", "3", "--json")
    view = json.loads(out)
    blob = [c for c in view["Records"][0]["Columns"] if c["ColumnName"] == "note"][0]["Value"]
    expected = tablestore_event(rng=FCRandom(3)).data["Records"][0]["Columns"][4]["Value"]
    assert base64.b64decode(blob) == expected and isinstance(expected, bytes)


def test_pretty_output_is_indented_json(capsys):
    code, out, _ = run(capsys, "event", "kafka", "--variant", "connector", "--pretty")
    assert code == 0 and out.startswith("[\n  {") and isinstance(json.loads(out), list)


def test_field_help_lists_the_builder_fields(capsys):
    code, out, _ = run(capsys, "event", "cdn", "--help")
    assert code == 0 and "--event-name" in out and "CdnDomainStopped" in out


@pytest.mark.parametrize(
    "argv,message",
    [
        (["event", "nope"], "unknown trigger type 'nope'; valid types: timer, oss"),
        (["event", "oss", "--buket", "x"], "unknown field(s) '--buket'. Valid fields: --account-id, --bucket"),
        (["event", "oss", "--variant", "PutObject"], "unknown variant 'PutObject'"),
        (["event", "oss", "--set", "events.0.nope=1"], "unknown field(s) 'events.0.nope'"),
        (["event", "oss", "--set", "nothing"], "--set takes PATH=VALUE"),
        (["event", "oss", "--seed", "x"], "--seed takes an integer"),
        (["event", "oss", "stray"], "unexpected argument 'stray'"),
        (["event", "oss", "--json"], "--json is for tablestore events"),
        (["event", "oss", "--bucket", "a", "--bucket", "b"], "--bucket given twice"),
        (["event", "cdn", "--variant", "CdnDomainAdded", "--file-size", "3"], "file_size not part of a CdnDomainAdded"),
        (["event", "oss", "--bucket"], "--bucket needs a value"),
        (["event", "http", "--headers", "5"], "http_event(headers=): expected a dict or a list of (name, value) pairs"),
        (["event", "apigw", "--query", "[1, 2]"], "apigw_event() query: expected a dict or a list of (name, value)"),
        (["event", "apigw", "--path-params", "5"], "apigw_event(path_params=): expected a dict"),
        (["event", "rocketmq", "--user-properties", "5"], "rocketmq_event(user_properties=): expected a dict"),
        (["event", "cdn", "--variant", "CachedObjectsPushed", "--object-paths", "5"], "expected a list of paths"),
        (["event", "eventbridge", "--event-time", "1e400"], "is not a usable epoch time"),
        (["event", "mns_topic", "--variant", "JSON", "--publish-time", "1.5"], "expected epoch milliseconds (int)"),
    ],
)
def test_errors_are_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("fctrigger event: error: ")
    assert message in err


def test_list_prints_every_type_and_variant(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    for source in CATALOG.values():
        header = [line for line in lines if line.startswith(source.trigger_type + "  (")]
        assert len(header) == 1 and source.builder in header[0]
        start = lines.index(header[0])
        assert [v.strip() for v in lines[start + 1 : start + 1 + len(source.variants)]] == list(source.variants)
    assert "aliases: sls" in out


def test_list_json(capsys):
    code, out, _ = run(capsys, "list", "--json")
    listed = {item["type"]: item["variants"] for item in json.loads(out)}
    assert code == 0 and listed == {t: list(s.variants) for t, s in CATALOG.items()}
    assert get_source("cdn").trigger_type in listed

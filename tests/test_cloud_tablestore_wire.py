"""The simulated Tablestore's wire: signatures both ways (V2 and V4), the SDK's reply
validators, credentials, the async client, operations that are not simulated, and
the PlainBuffer codec against the SDK's own encoder/decoder."""

import asyncio
import base64
import datetime as dt
import hashlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ots = pytest.importorskip("tablestore")
from cloud_tablestore_helpers import INSTANCE, active_cloud, client, create_table, endpoint  # noqa: E402
from tablestore import (  # noqa: E402
    CastType,
    ComparatorType,
    Condition,
    OTSClientError,
    OTSServiceError,
    RegexRule,
    Row,
    SingleColumnRegexCondition,
)
from tablestore.plainbuffer.plain_buffer_builder import PlainBufferBuilder  # noqa: E402
from tablestore.plainbuffer.plain_buffer_coded_stream import PlainBufferCodedInputStream  # noqa: E402
from tablestore.plainbuffer.plain_buffer_stream import PlainBufferInputStream  # noqa: E402

from pytest_fctrigger.cloud.tablestore import UnknownAccessKeyError, _Signer  # noqa: E402
from pytest_fctrigger.cloud.tablestore import plainbuffer as pb  # noqa: E402
from pytest_fctrigger.errors import NotSimulatedError  # noqa: E402

PK = [("gid", 1), ("uid", "u")]


@pytest.fixture
def cloud():
    with active_cloud(71, region="cn-beijing") as c:
        yield c


@pytest.mark.parametrize("v4", [False, True], ids=["sign-v2", "sign-v4"])
def test_every_reply_passes_the_sdks_own_validators(cloud, v4):
    db = client(cloud, v4=v4)
    create_table(db, "t")
    db.put_row("t", Row(PK, [("a", 1)]))
    err = pytest.raises(OTSServiceError, db.put_row, "t", Row(PK, [("a", 2)]), Condition("EXPECT_NOT_EXIST"))
    assert err.value.get_error_code() == "OTSConditionCheckFail"  # error replies are signed too
    assert db.get_row("t", PK)[1].attribute_columns[0][:2] == ("a", 1)
    (write,) = [w for w in cloud.journal if w.api == "PutRow"]
    assert write.region == "cn-beijing" and write.resource["instance"] == INSTANCE


def test_a_reply_with_a_wrong_signature_is_rejected_by_the_sdk(cloud, monkeypatch):
    """Proves the SDK's validator is in the loop: tamper with the fake's signature."""
    db = client(cloud)
    original = _Signer.response_authorization
    monkeypatch.setattr(_Signer, "response_authorization", lambda self, headers: original(self, headers)[:-4] + "AAA=")
    with pytest.raises(OTSClientError, match="Invalid signature in response"):
        db.list_table()


def test_reply_headers_are_what_the_sdk_requires(cloud):
    c = ots.OTSClient(endpoint(cloud), "unused", "unused", INSTANCE)
    query, headers, body = c.protocol.make_request("ListTable", _sdk_signer(), _sdk_context(cloud))
    status, reason, reply, payload = cloud.tablestore.handle(endpoint(cloud), query, headers, body)
    assert (status, reason) == (200, "OK")
    assert reply["x-ots-contentmd5"] == base64.b64encode(hashlib.md5(payload).digest()).decode()
    assert reply["x-ots-contenttype"] == "protocol buffer" and len(reply["x-ots-requestid"]) == 36
    sent = dt.datetime.strptime(reply["x-ots-date"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
    assert abs((dt.datetime.now(dt.timezone.utc) - sent).total_seconds()) < 900  # the SDK's 15-minute rule
    assert reply["authorization"].startswith(f"OTS {headers['x-ots-accesskeyid']}:")


def _sdk_context(cloud):
    from tablestore.auth import RequestContext
    from tablestore.credentials import StaticCredentialsProvider

    from pytest_fctrigger._credentials import fake_credentials

    creds = fake_credentials(cloud.rng)
    return RequestContext(
        StaticCredentialsProvider(creds.access_key_id, creds.access_key_secret, creds.security_token).get_credentials()
    )


def _sdk_signer():
    from tablestore.auth import SignV2

    return SignV2("utf8")


def test_wrong_secret_for_a_fake_key_is_ots_auth_failed(cloud):
    db = client(cloud, secret="FCTESTSECRET-but-wrong")
    with pytest.raises(OTSServiceError) as info:
        db.list_table()
    assert (info.value.get_http_status(), info.value.get_error_code()) == (403, "OTSAuthFailed")


def test_a_key_that_is_not_a_fake_credential_is_refused_with_directions(cloud):
    db = client(cloud, access_key_id="LTAI5tRealLookingKey", secret="whatever")
    with pytest.raises(UnknownAccessKeyError, match="context.credentials") as info:
        db.list_table()
    assert "LTAI5tRealLookingKey" in str(info.value)


def test_async_client_is_served_too(cloud):
    async def scenario():
        async with client(cloud, asynchronous=True) as db:
            await db.create_table(
                ots.TableMeta("t", [("id", "STRING")]),
                ots.TableOptions(),
                ots.ReservedThroughput(ots.CapacityUnit(0, 0)),
            )
            await db.put_row("t", Row([("id", "a")], [("v", "async")]))
            return await db.get_row("t", [("id", "a")])

    _, row, _ = asyncio.run(scenario())
    assert row.attribute_columns[0][:2] == ("v", "async")
    assert [w.api for w in cloud.journal] == ["PutRow"]


def test_an_api_that_is_not_simulated_fails_naming_it(cloud):
    db = client(cloud)
    with pytest.raises(NotSimulatedError, match="Tablestore operation 'ListSearchIndex' is not simulated"):
        db.list_search_index("t")


def test_a_regex_column_condition_is_not_simulated(cloud):
    db = client(cloud)
    create_table(db, "t")
    cond = SingleColumnRegexCondition("a", ComparatorType.EQUAL, 1, RegexRule("v(\\d+)", CastType.VT_INTEGER))
    with pytest.raises(NotSimulatedError, match="SingleColumnRegexCondition"):
        db.put_row("t", Row(PK, [("a", "v1")]), Condition("IGNORE", cond))


def test_column_pagination_filter_on_reads(cloud):
    """ColumnPaginationFilter has no SDK class in 6.4.8: build the protobuf request."""
    import tablestore.protobuf.table_store_filter_pb2 as fpb
    import tablestore.protobuf.table_store_pb2 as pb2

    from pytest_fctrigger.cloud.tablestore.handlers import TablestoreApi

    table = cloud.tablestore.table(INSTANCE, "wide", primary_key=[("id", "INTEGER")])
    table.put([("id", 1)], [(f"c{i}", i) for i in range(6)])
    page = fpb.ColumnPaginationFilter(offset=2, limit=3)
    request = pb2.GetRowRequest(
        table_name="wide",
        primary_key=pb.encode_row([("id", 1)]),
        max_versions=1,
        filter=fpb.Filter(type=fpb.FT_COLUMN_PAGINATION, filter=page.SerializeToString()).SerializeToString(),
    )
    api = TablestoreApi(cloud.tablestore.store, INSTANCE, lambda *a: None)
    response = api.dispatch("GetRow", request.SerializeToString())
    assert [c.name for c in pb.decode_row(response.row).cells] == ["c2", "c3", "c4"]


# --- PlainBuffer ------------------------------------------------------------------------------
def test_codec_reads_sdk_update_rows_the_sdk_reader_cannot():
    data = bytes(
        PlainBufferBuilder.serialize_for_update_row(
            PK, {"put": [("a", 1, 5)], "delete": [("b", None, 7)], "delete_all": ["c"], "increment": [("d", 2)]}
        )
    )
    with pytest.raises(NameError, match="cell_type"):  # the SDK bug this codec exists for
        PlainBufferCodedInputStream(PlainBufferInputStream(data)).read_row()
    row = pb.decode_row(data)
    assert row.primary_key == PK
    assert [(c.name, c.op, c.value, c.timestamp) for c in row.cells] == [
        ("a", None, 1, 5),
        ("b", pb.OP_DELETE_ONE_VERSION, None, 7),
        ("c", pb.OP_DELETE_ALL_VERSIONS, None, None),
        ("d", pb.OP_INCREMENT, 2, None),
    ]


def test_codec_rejects_a_corrupted_checksum():
    data = bytearray(PlainBufferBuilder.serialize_for_put_row(PK, [("a", 1)]))
    data[-1] ^= 0xFF
    with pytest.raises(pb.PlainBufferError, match="row checksum mismatch"):
        pb.decode_row(bytes(data))
    with pytest.raises(pb.PlainBufferError, match="header"):
        pb.decode_row(b"\x00\x00\x00\x00")


_values = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.booleans(),
    st.text(max_size=20),
    st.binary(max_size=20).map(bytearray),
)
_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(
    pk_int=st.integers(-(2**63), 2**63 - 1),
    pk_str=st.text(max_size=10),
    columns=st.lists(st.tuples(_names, _values, st.integers(0, 2**62)), max_size=6),
)
def test_codec_round_trips_with_the_sdk_both_ways(pk_int, pk_str, columns):
    pk = [("i", pk_int), ("s", pk_str)]
    # SDK encoder -> our reader (bytes go out as VT_STRING, bytearray as VT_BLOB)
    ours = pb.decode_row(bytes(PlainBufferBuilder.serialize_for_put_row(pk, columns)))
    assert ours.primary_key == pk
    assert [(c.name, c.value, c.timestamp) for c in ours.cells] == [
        (n, bytes(v) if isinstance(v, bytearray) else v, ts) for n, v, ts in columns
    ]
    # our writer -> SDK reader
    data = pb.encode_row(pk, [(n, bytes(v) if isinstance(v, bytearray) else v, ts) for n, v, ts in columns])
    sdk_pk, sdk_columns = PlainBufferCodedInputStream(PlainBufferInputStream(data)).read_row()
    assert sdk_pk == pk and sdk_columns == list(columns)


def test_filter_operand_values_decode():
    for value in (7, -1.5, True, "s", bytearray(b"\x00")):
        raw = bytes(PlainBufferBuilder.serialize_column_value(value))
        assert pb.decode_value(raw) == (bytes(value) if isinstance(value, bytearray) else value)
    assert pb.encode_value(7) == bytes([pb.VT_INTEGER]) + struct.pack("<q", 7)


def test_importing_the_services_does_not_import_the_sdks():
    """The SDKs (tablestore pulls numpy) load only when a cloud is activated."""
    import subprocess
    import sys

    code = (
        "import sys, pytest_fctrigger.cloud.tablestore, pytest_fctrigger.cloud.mns; "
        "print(sorted(m for m in ('tablestore', 'mns', 'numpy', 'google.protobuf') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

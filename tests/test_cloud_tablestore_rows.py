"""Simulated Tablestore rows as the ``tablestore`` SDK sees them (reference/sdk-wire.md section 4).

Every test drives a real ``OTSClient``: its encoder, signer, reply validator and
decoder all run; assertions are on what the SDK returns or raises.
"""

import pytest

ots = pytest.importorskip("tablestore")
from cloud_tablestore_helpers import INSTANCE, active_cloud, client, create_table  # noqa: E402
from tablestore import (  # noqa: E402
    INF_MAX,
    INF_MIN,
    PK_AUTO_INCR,
    BatchGetRowRequest,
    BatchWriteRowRequest,
    ComparatorType,
    CompositeColumnCondition,
    Condition,
    DeleteRowItem,
    LogicalOperator,
    OTSServiceError,
    PutRowItem,
    ReturnType,
    Row,
    SingleColumnCondition,
    TableInBatchGetRowItem,
    TableInBatchWriteRowItem,
    UpdateRowItem,
)

from pytest_fctrigger.errors import ConfigError  # noqa: E402

PK = [("gid", 1), ("uid", "u-1")]


@pytest.fixture
def cloud():
    with active_cloud(59) as c:
        yield c


@pytest.fixture
def db(cloud):
    c = client(cloud)
    create_table(c, "orders", max_versions=3)
    return c


def _service_error(call) -> OTSServiceError:
    with pytest.raises(OTSServiceError) as info:
        call()
    return info.value


def test_put_then_get_returns_every_type_with_server_timestamps(cloud, db):
    columns = [("s", "中文 text"), ("i", -(2**63)), ("f", 0.1), ("b", True), ("blob", bytearray(b"\x00\xffz"))]
    consumed, row = db.put_row("orders", Row(PK, columns))
    assert (consumed.read, consumed.write, row) == (0, 1, None)
    _, got, _ = db.get_row("orders", PK)
    assert got.primary_key == PK
    stamp = cloud.tablestore.store.now_ms
    assert got.attribute_columns == sorted((name, value, stamp) for name, value in columns)


def test_put_replaces_the_row_and_get_selects_columns_and_versions(db):
    db.put_row("orders", Row(PK, [("a", 1), ("b", 2)]))
    db.put_row("orders", Row(PK, [("a", 10, 1000), ("c", 3)]))
    _, row, _ = db.get_row("orders", PK, columns_to_get=["a", "b"])
    assert row.primary_key == [] and row.attribute_columns == [("a", 10, 1000)]
    db.update_row("orders", Row(PK, {"put": [("a", 11, 2000), ("a", 12, 3000)]}), None)
    _, row, _ = db.get_row("orders", PK, columns_to_get=["a"], max_version=2)
    assert row.attribute_columns == [("a", 12, 3000), ("a", 11, 2000)]
    _, row, _ = db.get_row("orders", PK, columns_to_get=["a"], max_version=None, time_range=(1000, 2500))
    assert row.attribute_columns == [("a", 11, 2000), ("a", 10, 1000)]
    _, row, _ = db.get_row("orders", PK, columns_to_get=["a"], max_version=None, time_range=2000)
    assert row.attribute_columns == [("a", 11, 2000)]


def test_update_applies_put_delete_one_version_delete_all_and_increment(db):
    db.put_row("orders", Row(PK, [("keep", "k", 5), ("v", 1, 100), ("gone", True), ("n", 40)]))
    db.update_row(
        "orders",
        Row(
            PK, {"put": [("v", 2, 200)], "delete": [("v", None, 100)], "delete_all": ["gone"], "increment": [("n", 2)]}
        ),
        Condition("EXPECT_EXIST"),
    )
    _, row, _ = db.get_row("orders", PK, max_version=3)
    assert [(n, v) for n, v, _ in row.attribute_columns] == [("keep", "k"), ("n", 42), ("n", 40), ("v", 2)]


def test_versions_beyond_max_versions_are_dropped(db):
    for ts in (1, 2, 3, 4):
        db.update_row("orders", Row(PK, {"put": [("v", ts, ts)]}), None)
    _, row, _ = db.get_row("orders", PK, max_version=10)
    assert [ts for _, _, ts in row.attribute_columns] == [4, 3, 2]


def test_delete_row_then_get_finds_nothing(db):
    db.put_row("orders", Row(PK, [("a", 1)]))
    db.delete_row("orders", Row(PK), Condition("EXPECT_EXIST"))
    assert db.get_row("orders", PK)[1] is None
    err = _service_error(lambda: db.delete_row("orders", Row(PK), Condition("EXPECT_EXIST")))
    assert (err.get_http_status(), err.get_error_code()) == (403, "OTSConditionCheckFail")


@pytest.mark.parametrize(
    "api, expectation, exists",
    [
        ("put", "EXPECT_NOT_EXIST", True),
        ("put", "EXPECT_EXIST", False),
        ("update", "EXPECT_EXIST", False),
        ("update", "EXPECT_NOT_EXIST", True),
    ],
)
def test_row_existence_conditions(db, api, expectation, exists):
    if exists:
        db.put_row("orders", Row(PK, [("a", 1)]))
    row = Row(PK, [("a", 2)]) if api == "put" else Row(PK, {"put": [("a", 2)]})
    call = getattr(db, f"{api}_row")
    err = _service_error(lambda: call("orders", row, Condition(expectation)))
    assert (err.get_http_status(), err.get_error_code(), err.get_error_message()) == (
        403,
        "OTSConditionCheckFail",
        "Condition check failed.",
    )
    _, got, _ = db.get_row("orders", PK)
    assert (got.attribute_columns[0][1] if got else None) == (1 if exists else None)


def test_delete_with_expect_not_exist_is_rejected(db):
    err = _service_error(lambda: db.delete_row("orders", Row(PK), Condition("EXPECT_NOT_EXIST")))
    assert (err.get_http_status(), err.get_error_code()) == (400, "OTSParameterInvalid")


def test_column_conditions_guard_writes(db):
    db.put_row("orders", Row(PK, [("status", "new"), ("qty", 5)]))
    pay = Row(PK, {"put": [("status", "paid")]})
    is_new = SingleColumnCondition("status", "new", ComparatorType.EQUAL)
    db.update_row("orders", pay, Condition("EXPECT_EXIST", is_new))
    assert (
        _service_error(lambda: db.update_row("orders", pay, Condition("IGNORE", is_new))).get_error_code()
        == "OTSConditionCheckFail"
    )

    both = CompositeColumnCondition(LogicalOperator.AND)
    both.add_sub_condition(SingleColumnCondition("qty", 3, ComparatorType.GREATER_THAN))
    both.add_sub_condition(SingleColumnCondition("missing", 1, ComparatorType.EQUAL, pass_if_missing=True))
    db.put_row("orders", Row(PK, [("qty", 6)]), Condition("IGNORE", both))
    strict = SingleColumnCondition("missing", 1, ComparatorType.EQUAL, pass_if_missing=False)
    assert _service_error(lambda: db.put_row("orders", Row(PK, [("qty", 7)]), Condition("IGNORE", strict)))
    negated = CompositeColumnCondition(LogicalOperator.NOT)
    negated.add_sub_condition(SingleColumnCondition("qty", 6, ComparatorType.EQUAL))
    assert _service_error(lambda: db.delete_row("orders", Row(PK), Condition("IGNORE", negated)))
    assert db.get_row("orders", PK)[1].attribute_columns[0][1] == 6


def test_filter_on_reads_returns_no_row_when_it_does_not_match(db):
    db.put_row("orders", Row(PK, [("status", "paid")]))
    unpaid = SingleColumnCondition("status", "paid", ComparatorType.NOT_EQUAL)
    assert db.get_row("orders", PK, column_filter=unpaid)[1] is None
    paid = SingleColumnCondition("status", "paid", ComparatorType.EQUAL)
    assert db.get_row("orders", PK, column_filter=paid)[1].primary_key == PK


def test_missing_table_and_primary_key_mismatches_are_rejected_like_the_service(db):
    err = _service_error(lambda: db.put_row("nope", Row(PK, [("a", 1)])))
    assert (err.get_http_status(), err.get_error_code(), err.get_error_message()) == (
        404,
        "OTSObjectNotExist",
        "Requested table does not exist.",
    )
    cases = [
        ([("gid", 1)], "Validate PK size fail. Input: 1, Meta: 2."),
        ([("uid", "x"), ("gid", 1)], "Validate PK name fail. Input: uid, Meta: gid."),
        ([("gid", "1"), ("uid", "x")], "Validate PK type fail. Input: VT_STRING, Meta: VT_INTEGER."),
    ]
    for pk, message in cases:
        err = _service_error(lambda: db.put_row("orders", Row(pk, [("a", 1)])))
        assert (err.get_http_status(), err.get_error_code(), err.get_error_message()) == (
            400,
            "OTSParameterInvalid",
            message,
        )


def test_get_range_pages_forward_and_backward(db):
    for gid in range(5):
        for uid in ("a", "b"):
            db.put_row("orders", Row([("gid", gid), ("uid", uid)], [("n", gid * 10)]))
    start, end = [("gid", 1), ("uid", INF_MIN)], [("gid", 4), ("uid", INF_MIN)]
    _, next_pk, rows, _ = db.get_range("orders", "FORWARD", start, end, limit=4)
    assert [r.primary_key for r in rows] == [
        [("gid", 1), ("uid", "a")],
        [("gid", 1), ("uid", "b")],
        [("gid", 2), ("uid", "a")],
        [("gid", 2), ("uid", "b")],
    ]
    assert next_pk == [("gid", 3), ("uid", "a")]
    _, next_pk, rows, _ = db.get_range("orders", "FORWARD", next_pk, end, limit=4)
    assert (len(rows), next_pk) == (2, None)
    _, _, rows, _ = db.get_range(
        "orders", "BACKWARD", [("gid", INF_MAX), ("uid", INF_MAX)], [("gid", 3), ("uid", INF_MAX)]
    )
    assert [r.primary_key[0][1] for r in rows] == [4, 4]
    big = SingleColumnCondition("n", 30, ComparatorType.GREATER_EQUAL)
    _, _, rows, _ = db.get_range(
        "orders",
        "FORWARD",
        [("gid", INF_MIN), ("uid", INF_MIN)],
        [("gid", INF_MAX), ("uid", INF_MAX)],
        column_filter=big,
    )
    assert [r.primary_key[0][1] for r in rows] == [3, 3, 4, 4]
    err = _service_error(lambda: db.get_range("orders", "FORWARD", end, start))
    assert err.get_error_code() == "OTSParameterInvalid"


def test_batch_write_applies_each_row_and_reports_failures_per_row(db):
    db.put_row("orders", Row([("gid", 9), ("uid", "old")], [("a", 1)]))
    request = BatchWriteRowRequest()
    request.add(
        TableInBatchWriteRowItem(
            "orders",
            [
                PutRowItem(Row([("gid", 1), ("uid", "p")], [("a", 1)]), Condition("IGNORE")),
                UpdateRowItem(Row([("gid", 2), ("uid", "u")], {"put": [("a", 2)]}), Condition("EXPECT_EXIST")),
                DeleteRowItem(Row([("gid", 9), ("uid", "old")]), Condition("IGNORE")),
            ],
        )
    )
    result = db.batch_write_row(request)
    assert not result.is_all_succeed()
    (failed,) = result.get_failed_of_update()
    assert (failed.error_code, failed.error_message) == ("OTSConditionCheckFail", "Condition check failed.")
    assert len(result.get_succeed_of_put()) == len(result.get_succeed_of_delete()) == 1
    assert db.get_row("orders", [("gid", 1), ("uid", "p")])[1] is not None
    assert db.get_row("orders", [("gid", 9), ("uid", "old")])[1] is None
    assert db.get_row("orders", [("gid", 2), ("uid", "u")])[1] is None


def test_batch_write_over_200_rows_is_rejected_whole(db):
    request = BatchWriteRowRequest()
    request.add(
        TableInBatchWriteRowItem(
            "orders", [PutRowItem(Row([("gid", i), ("uid", "x")], [("a", i)]), Condition("IGNORE")) for i in range(201)]
        )
    )
    err = _service_error(lambda: db.batch_write_row(request))
    assert err.get_error_message() == "Rows count exceeds the upper limit: 200."
    assert db.get_row("orders", [("gid", 0), ("uid", "x")])[1] is None


def test_batch_get_reads_several_tables_and_flags_missing_ones(db):
    create_table(db, "users", primary_key=[("id", "STRING")])
    db.put_row("orders", Row(PK, [("a", 1)]))
    db.put_row("users", Row([("id", "x")], [("name", "n")]))
    request = BatchGetRowRequest()
    request.add(TableInBatchGetRowItem("orders", [PK, [("gid", 2), ("uid", "none")]], max_version=1))
    request.add(TableInBatchGetRowItem("users", [[("id", "x")]], max_version=1))
    request.add(TableInBatchGetRowItem("ghost", [[("id", "x")]], max_version=1))
    result = db.batch_get_row(request)
    orders = result.get_result_by_table("orders")
    assert orders[0].row.attribute_columns[0][:2] == ("a", 1) and orders[1].row is None
    assert result.get_result_by_table("users")[0].row.primary_key == [("id", "x")]
    (ghost,) = result.get_failed_rows()
    assert (ghost.table_name, ghost.error_code) == ("ghost", "OTSObjectNotExist")


def test_auto_increment_primary_key_is_generated_and_returned(db):
    create_table(db, "events", primary_key=[("part", "STRING"), ("seq", "INTEGER", PK_AUTO_INCR)])
    _, first = db.put_row(
        "events", Row([("part", "p"), ("seq", PK_AUTO_INCR)], [("x", 1)]), return_type=ReturnType.RT_PK
    )
    _, second = db.put_row(
        "events", Row([("part", "p"), ("seq", PK_AUTO_INCR)], [("x", 2)]), return_type=ReturnType.RT_PK
    )
    assert first.primary_key[0] == ("part", "p") and second.primary_key[1][1] > first.primary_key[1][1]
    assert db.get_row("events", first.primary_key)[1].attribute_columns[0][1] == 1
    err = _service_error(lambda: db.put_row("events", Row([("part", "p"), ("seq", 5)], [("x", 1)])))
    assert err.get_error_code() == "OTSParameterInvalid"


def test_table_lifecycle_through_the_sdk(db):
    assert db.list_table() == ("orders",)
    err = _service_error(lambda: create_table(db, "orders"))
    assert (err.get_http_status(), err.get_error_code()) == (409, "OTSObjectAlreadyExist")
    described = db.describe_table("orders")
    assert described.table_meta.schema_of_primary_key == [("gid", "INTEGER"), ("uid", "STRING")]
    assert described.table_options.max_version == 3
    db.update_table("orders", ots.TableOptions(max_version=5))
    assert db.describe_table("orders").table_options.max_version == 5
    db.delete_table("orders")
    assert db.list_table() == ()
    assert _service_error(lambda: db.describe_table("orders")).get_error_code() == "OTSObjectNotExist"


def test_helper_tables_infer_or_declare_their_schema(cloud, db):
    inferred = cloud.tablestore.table(INSTANCE, "inferred")
    assert inferred.primary_key is None
    db.put_row("inferred", Row([("k", bytearray(b"\x01"))], [("v", 1)]))
    assert inferred.primary_key == [("k", "BINARY")]
    err = _service_error(lambda: db.put_row("inferred", Row([("k", "text")], [("v", 1)])))
    assert err.get_error_message() == "Validate PK type fail. Input: VT_STRING, Meta: VT_BLOB."

    declared = cloud.tablestore.table(INSTANCE, "declared", primary_key=[("id", "INTEGER")])
    event = declared.put([("id", 7)], {"name": "seeded", "raw": bytearray(b"\x02")})
    assert db.get_row("declared", [("id", 7)])[1].attribute_columns[0][:2] == ("name", "seeded")
    assert declared.get([("id", 7)]).columns == {"name": "seeded", "raw": b"\x02"}
    assert [r.primary_key for r in declared.rows] == [[("id", 7)]]
    assert event.data["Records"][0]["PrimaryKey"] == [{"ColumnName": "id", "Value": 7}]
    with pytest.raises(ConfigError, match="already exists with primary key"):
        cloud.tablestore.table(INSTANCE, "declared", primary_key=[("id", "STRING")])
    with pytest.raises(ConfigError, match="Validate PK type fail"):
        declared.put([("id", "seven")], {"a": 1})
    with pytest.raises(ConfigError, match="must be"):
        cloud.tablestore.table(INSTANCE, "bad", primary_key=[("id", "FLOAT")])
    with pytest.raises(ConfigError, match="column 'when' has a NoneType value; Tablestore stores int, float"):
        declared.put([("id", 8)], {"when": None})
    with pytest.raises(ConfigError, match=r"table\(5, 'x'\): instance must be a non-empty str"):
        cloud.tablestore.table(5, "x")
    assert declared.get([("id", 8)]) is None


def test_tables_live_per_instance_and_per_cloud(cloud, db):
    other_instance = client(cloud, instance="other-inst")
    assert other_instance.list_table() == ()
    db.put_row("orders", Row(PK, [("a", 1)]))
    with active_cloud(59) as fresh:
        assert fresh.tablestore.tables == {}
        assert _service_error(lambda: client(fresh).get_row("orders", PK)).get_error_code() == "OTSObjectNotExist"


def test_increment_rules(db):
    db.put_row("orders", Row(PK, [("text", "abc")]))
    err = _service_error(lambda: db.update_row("orders", Row(PK, {"increment": [("text", 1)]}), None))
    assert (err.get_error_code(), err.get_error_message()) == (
        "OTSParameterInvalid",
        "Column text is not an integer and cannot be incremented.",
    )
    db.update_row("orders", Row(PK, {"increment": [("fresh", 5)]}), None)  # a missing column counts from 0
    assert {n: v for n, v, _ in db.get_row("orders", PK)[1].attribute_columns}["fresh"] == 5


def test_delete_one_version_needs_its_timestamp(db):
    db.put_row("orders", Row(PK, [("a", 1)]))
    err = _service_error(lambda: db.update_row("orders", Row(PK, {"delete": ["a"]}), None))
    assert err.get_error_message() == "Deleting one version of column a requires its timestamp."


def test_batch_get_over_100_rows_is_rejected(db):
    request = BatchGetRowRequest()
    request.add(TableInBatchGetRowItem("orders", [[("gid", i), ("uid", "x")] for i in range(101)], max_version=1))
    assert (
        _service_error(lambda: db.batch_get_row(request)).get_error_message()
        == "Rows count exceeds the upper limit: 100."
    )


def test_reads_need_max_versions_or_a_time_range(db):
    err = _service_error(lambda: db.get_row("orders", PK, max_version=None))
    assert err.get_error_code() == "OTSParameterInvalid" and "max_versions" in err.get_error_message()


def test_return_after_modify_gives_the_changed_columns():
    """RT_AFTER_MODIFY has no SDK spelling in 6.4.8: send the protobuf directly."""
    import tablestore.protobuf.table_store_pb2 as pb2

    from pytest_fctrigger.cloud.tablestore import plainbuffer as pb
    from pytest_fctrigger.cloud.tablestore.handlers import TablestoreApi

    with active_cloud(5) as cloud:
        table = cloud.tablestore.table(INSTANCE, "counters", primary_key=[("id", "STRING")])
        table.put([("id", "c")], {"n": 10, "other": "x"})
        change = pb.encode_cells([("id", "c")], [pb.Cell("n", 5, True, pb.OP_INCREMENT)])
        request = pb2.UpdateRowRequest(
            table_name="counters",
            row_change=change,
            condition=pb2.Condition(row_existence=pb2.IGNORE),
            return_content=pb2.ReturnContent(return_type=pb2.RT_AFTER_MODIFY, return_column_names=["n"]),
        )
        api = TablestoreApi(cloud.tablestore.store, INSTANCE, lambda *a: None)
        response = api.dispatch("UpdateRow", request.SerializeToString())
        row = pb.decode_row(response.row)
        assert row.primary_key == [("id", "c")] and [(c.name, c.value) for c in row.cells] == [("n", 15)]


def test_helper_max_versions_creates_and_updates(cloud, db):
    table = cloud.tablestore.table(INSTANCE, "versions", primary_key=[("id", "INTEGER")], max_versions=2)
    for ts in (1, 2, 3):
        db.update_row("versions", Row([("id", 1)], {"put": [("v", ts, ts)]}), None)
    assert [ts for ts, _ in table.get([("id", 1)]).versions["v"]] == [3, 2]
    assert cloud.tablestore.table(INSTANCE, "versions", max_versions=4) is not None
    assert db.describe_table("versions").table_options.max_version == 4
    with pytest.raises(ConfigError, match="max_versions"):
        cloud.tablestore.table(INSTANCE, "versions", max_versions=0)

"""Tablestore trigger (``tablestore``; alias ``ots``): the stream of one table.

FC's documentation: "表格存储触发器" / "Configure a Tablestore trigger" (the function is
retried until the stream data expires, so a write back into the table never drains).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from ..events.catalog import TABLESTORE_ROW_TYPES, aliases_of
from ._check import arn_resource, as_str
from .base import SYNC, Case, MarkerTrigger, NormalizeContext, Shorthand, TriggerKind, WriteRule, regions_differ

CONFIG_SCHEMA: Dict[str, Any] = {"instanceName": None, "tableName": None}

# FC's "Tablestore trigger overview": regions with Tablestore triggers, the time limit of a
# triggered invocation, and the endpoint form a function must use inside a VPC.
TRIGGER_REGIONS = (
    "cn-beijing",
    "cn-hangzhou",
    "cn-shanghai",
    "cn-shenzhen",
    "ap-northeast-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "eu-central-1",
    "cn-hongkong",
)
MAX_FUNCTION_SECONDS = 60
_INTERNAL_ENDPOINT = ".ots-internal.aliyuncs.com"
SHORTHANDS = (
    Shorthand("instance", (str,), None, "the Tablestore instance"),
    Shorthand("instanceName", (str,), None, "the Tablestore instance"),
    Shorthand("table", (str,), None, "the table"),
    Shorthand("tableName", (str,), None, "the table"),
)


def from_marker(m: MarkerTrigger) -> None:
    instance = m.extra.pop("instance", None) or m.extra.pop("instanceName", None)
    table = m.extra.pop("table", None) or m.extra.pop("tableName", None)
    if m.source_arn is None and instance and table:
        m.source_arn = f"acs:ots:{m.region}:{m.account}:instance/{instance}/table/{table}"


def normalize(ctx: NormalizeContext) -> None:
    check, cfg, arn = ctx.check, ctx.config, ctx.arn
    instance = as_str(check, cfg, "instanceName")
    table = as_str(check, cfg, "tableName")
    resource = arn_resource(arn, "ots")
    if arn is not None:
        segs = (resource or "").split("/")
        if len(segs) != 4 or segs[0] != "instance" or segs[2] != "table" or not segs[1] or not segs[3]:
            raise check.fail(
                "sourceArn",
                f"sourceArn {arn!r} is not a Tablestore table ARN "
                "(acs:ots:<region>:<account-id>:instance/<instance>/table/<table>)",
            )
    elif not (instance and table):
        missing = "instanceName" if not instance else "tableName"
        raise check.missing(
            missing,
            "a Tablestore trigger needs its table: sourceArn "
            "acs:ots:<region>:<account-id>:instance/<instance>/table/<table> or instanceName + tableName",
        )
    else:
        ctx.arn = f"acs:ots:{ctx.region}:{ctx.account}:instance/{instance}/table/{table}"


def _lint(checker: Any, function: Any, trigger: Any) -> None:
    who = f"function {function.name!r}, Tablestore trigger {trigger.name!r}"
    timeout = function.timeout
    if isinstance(timeout, int) and timeout > MAX_FUNCTION_SECONDS:
        checker.add(
            "FCT901",
            trigger,
            f"{who}: the function's timeout is {timeout} s, but a Tablestore-triggered invocation "
            f"must finish within {MAX_FUNCTION_SECONDS} s",
            f"set the function's timeout to {MAX_FUNCTION_SECONDS} s or less and split longer work",
            "",
            function,
        )
    region = trigger.region
    if region and region != "*" and region not in TRIGGER_REGIONS:
        checker.add(
            "FCT902",
            trigger,
            f"{who}: region {region!r} has no Tablestore triggers; they exist in " + ", ".join(TRIGGER_REGIONS),
            "deploy the function and the Tablestore instance in one of those regions",
            "sourceArn",
            function,
        )
    for name, value in sorted((function.environment or {}).items()):
        if isinstance(value, str) and _INTERNAL_ENDPOINT in value:
            checker.add(
                "FCT903",
                trigger,
                f"{who}: environment variable {name} is a Tablestore internal endpoint ({value!r}); "
                "FC functions cannot use it",
                "use the VPC endpoint https://<instance>.<region>.vpc.tablestore.aliyuncs.com (or the public endpoint)",
                "",
                function,
            )
    first = next(t for t in function.triggers if t.type == trigger.type) if function.triggers else trigger
    code_dir = function.code_dir if first is trigger else None  # the code once per function
    for file, line, text in internal_endpoints_in_code(code_dir):
        checker.add(
            "FCT903",
            trigger,
            f"{who}: the function's code names a Tablestore internal endpoint ({text[:80]!r}); "
            "FC functions cannot use it",
            "build the VPC endpoint https://<instance>.<region>.vpc.tablestore.aliyuncs.com instead "
            "(or the public <instance>.<region>.ots.aliyuncs.com)",
            "",
            function,
            at=(file, line),
        )


# The handler's own modules (top level of the code dir, where FC looks for the handler;
# sub-folders are usually vendored packages) are read for an internal endpoint too, since
# samples build the endpoint in code. Bounded: a lint must not read a whole code tree.
_MAX_CODE_FILES = 50
_MAX_CODE_BYTES = 1 << 20


def internal_endpoints_in_code(code_dir: Any) -> List[Tuple[str, int, str]]:
    """``(file, line, text)`` of each non-comment line of the top-level ``*.py`` files in
    ``code_dir`` that names a Tablestore internal endpoint."""
    if code_dir is None:
        return []
    folder = Path(code_dir)
    try:
        files = sorted(p for p in folder.glob("*.py") if p.is_file())[:_MAX_CODE_FILES]
    except OSError:
        return []
    found = []
    for path in files:
        try:
            with open(path, "rb") as stream:
                text = stream.read(_MAX_CODE_BYTES).decode("utf-8", "replace")
        except OSError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if _INTERNAL_ENDPOINT in line and not line.lstrip().startswith("#"):
                found.append((str(path), number, line.strip()))
    return found


class TablestoreWriteRule(WriteRule):
    """Same instance (case-insensitive: it is a host name) and table, and region when both
    are known; every PutRow/UpdateRow/DeleteRow/BatchWriteRow enters the table's stream."""

    service = "tablestore"

    def index_key(self, trigger: Any) -> Optional[tuple]:
        if trigger.instance and trigger.table:
            return ("tablestore", trigger.instance.lower(), trigger.table)
        return None

    def write_key(self, write: Any) -> Optional[tuple]:
        r = write.resource
        inst = r.get("instance")
        return ("tablestore", str(inst).lower() if inst is not None else None, r.get("table"))

    def match(self, write: Any, trigger: Any, prepared: Any) -> Optional[str]:
        if regions_differ(write, trigger):
            return None
        r = write.resource
        return (
            f"table {r.get('instance')}/{r.get('table')} is the trigger's table: every "
            "PutRow/UpdateRow/DeleteRow enters its stream"
        )

    def fix(self, write: Any, trigger: Any) -> str:
        r = write.resource
        return (
            f"write the result to another table than {r.get('instance')}/{r.get('table')}; FC "
            "retries a failing Tablestore-triggered function until the stream data expires "
            '(FC docs "Tablestore trigger overview", usage notes), so this loop also never drains'
        )


def matrix_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    for row_type in TABLESTORE_ROW_TYPES:
        yield row_type, "tablestore", {}, None


KIND = TriggerKind(
    name="tablestore",
    aliases=aliases_of("tablestore"),
    fc_trigger_type="tablestore",
    description="Tablestore trigger: CBOR row changes",
    config_schema=CONFIG_SCHEMA,
    shorthands=SHORTHANDS,
    from_marker=from_marker,
    normalize=normalize,
    lint=(_lint,),
    write_rule=TablestoreWriteRule(),
    matrix_cases=matrix_cases,
    event_source="tablestore",
    invocation_type=SYNC,
)

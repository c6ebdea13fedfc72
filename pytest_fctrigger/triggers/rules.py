"""The registry of finding codes: loader notes (FCT01x) and lint rules (FCT1xx-FCT9xx).

Codes are stable: a code is never reused for another rule. docs/triggers.md lists every
one of them (a test keeps the page and this table in step).
"""

from __future__ import annotations

from typing import Dict, NamedTuple


class Rule(NamedTuple):
    code: str
    name: str
    severity: str  # "error" (FC rejects it or it never works) | "warning" (works, but risky)
    summary: str
    source: str  # where the rule comes from


RULES: Dict[str, Rule] = {}


def _rule(code: str, name: str, severity: str, summary: str, source: str) -> None:
    RULES[code] = Rule(code, name, severity, summary, source)


# --- loader notes ------------------------------------------------------------------
_rule(
    "FCT001",
    "config-error",
    "error",
    "The file cannot be loaded (malformed YAML, unknown trigger type, missing required key, "
    "bad value). Reported by `fctrigger lint`; `load_app` raises ConfigError.",
    "loader",
)
_rule(
    "FCT010",
    "template-default",
    "warning",
    "A `{{ placeholder }}` had no value in `vars`; the publish.yaml default (or its own name) was used.",
    "Serverless Devs app templates",
)
_rule(
    "FCT011",
    "mixed-key-casing",
    "warning",
    "One file spells the same thing two ways (`Key/Prefix/Suffix` and `key/prefix/suffix`, "
    "`bucketName` and `sourceArn`, or a key in non-FC casing); both are accepted and normalised.",
    "FC API (lowercase filter.key.prefix/suffix) vs. casings seen in public s.yaml files",
)
_rule(
    "FCT012",
    "unknown-config-key",
    "warning",
    "A trigger config key FC does not know for that trigger type (often a typo); kept as written.",
    "devsapp/fc3 src/interface/trigger.ts",
)
_rule(
    "FCT013",
    "env-unset",
    "warning",
    "`${env(X)}` names an unset variable and has no default; '' was used.",
    "Serverless Devs variables",
)
_rule(
    "FCT014",
    "unresolved-expression",
    "warning",
    "A `${...}` expression (or a ROS function such as `!GetAtt` in a template.yml) refers to "
    "something only known at deploy time; kept as written.",
    "Serverless Devs variables; ROS template functions",
)
_rule(
    "FCT015",
    "unmodelled-trigger",
    "warning",
    "A Funcraft event type the plugin does not model (RDS, Datahub); the trigger is skipped.",
    "alibaba/funcraft docs/specs/2018-04-03-zh-cn.md",
)
_rule(
    "FCT016",
    "duplicate-function-name",
    "warning",
    "Two resources declare the same function name (e.g. in two regions); they are keyed by resource/service instead.",
    "devsapp/fc3 __tests__/e2e/trigger/other/s.yaml",
)

# --- OSS -----------------------------------------------------------------------------
_rule(
    "FCT101",
    "oss-prefix-leading-slash",
    "error",
    "An OSS trigger prefix starts with '/': object keys never do, so the trigger never fires.",
    "FC docs 'Configure a native OSS trigger', parameter 'Object Prefix'",
)
_rule(
    "FCT102",
    "oss-duplicate-rule",
    "error",
    "Two OSS triggers on one bucket share an event and have the same prefix and suffix (an "
    "unset one counts as the same): FC rejects the second (the trigger rules table of FC's OSS docs).",
    "FC docs 'OSS trigger overview' (OSS触发器概述), trigger rules (触发规则)",
)
_rule(
    "FCT103",
    "oss-overlapping-filter",
    "warning",
    "Two OSS triggers on one bucket share an event and one object key can match both filters "
    "(one prefix is a prefix of the other and one suffix a suffix of the other): FC accepts it "
    "(e.g. source1/1zip beside source/zip) but such an object fires both.",
    "FC docs 'OSS trigger overview', trigger rules table, row 'source1 1zip 是'",
)
_rule(
    "FCT104",
    "oss-too-many-triggers",
    "error",
    "More than 10 native OSS triggers on one bucket.",
    "FC docs 'OSS trigger overview' ('一个Bucket最多能创建10个触发规则'); "
    "'Configure a native OSS trigger', Limitations",
)
_rule(
    "FCT105",
    "oss-no-filter",
    "warning",
    "An OSS trigger with neither prefix nor suffix: any object the function writes back into "
    "the bucket fires it again (recursion loop, billed).",
    "FC docs 'OSS trigger overview', trigger rules ('避免循环触发')",
)
_rule(
    "FCT106",
    "oss-wildcard-filter",
    "warning",
    "An OSS prefix/suffix contains '*' or '?': native triggers match it literally, not as a wildcard.",
    "FC docs 'Configure a native OSS trigger', Limitations",
)

# --- timer -----------------------------------------------------------------------------
_rule(
    "FCT201",
    "timer-bad-cron",
    "error",
    "A timer cronExpression FC would reject (6 fields, seconds first, per-field ranges and "
    "special characters, `@every <duration>`, optional `CRON_TZ=<zone>` prefix).",
    "FC docs 'Configure a timer trigger' (配置定时触发器), cron field table ('Cron表达式的字段说明')",
)
_rule(
    "FCT202",
    "timer-payload-too-large",
    "error",
    "A timer payload over 128 KB (the asynchronous invocation payload limit).",
    "FC docs: asynchronous invocation payload limit 128 KB (https://www.alibabacloud.com/help/doc-detail/2527064.html)",
)
_rule(
    "FCT203",
    "timer-never-fires",
    "warning",
    "A valid cronExpression that matches no date (e.g. day 30 of February).",
    "cron semantics",
)

# --- SLS -------------------------------------------------------------------------------
_rule(
    "FCT301",
    "log-trigger-interval",
    "error",
    "An SLS trigger's jobConfig.triggerInterval outside [3, 600] seconds.",
    "FC docs 'Configure an SLS trigger' (配置SLS触发器), '触发间隔 取值范围：[3,600]'",
)
_rule(
    "FCT302",
    "log-max-retry-time",
    "error",
    "An SLS trigger's jobConfig.maxRetryTime outside [0, 100].",
    "FC docs 'Configure an SLS trigger' (配置SLS触发器), '重试次数 取值范围：[0,100]'",
)

# --- MNS topic ---------------------------------------------------------------------------
_rule(
    "FCT401",
    "mns-notify-format",
    "error",
    "An MNS topic trigger's notifyContentFormat is not STREAM or JSON.",
    "FC docs 'Configure an MNS topic trigger' (配置MNS主题触发器), 'Event格式'; FC API MNSTopicTriggerConfig",
)
_rule(
    "FCT402",
    "mns-notify-strategy",
    "error",
    "An MNS topic trigger's notifyStrategy is not BACKOFF_RETRY or EXPONENTIAL_DECAY_RETRY.",
    "FC docs 'Configure an MNS topic trigger' (配置MNS主题触发器), '重试策略'; FC API MNSTopicTriggerConfig",
)

# --- HTTP --------------------------------------------------------------------------------
_rule(
    "FCT501",
    "http-beside-other-trigger",
    "error",
    "A function with an HTTP trigger also has another trigger (FC 2.0: an HTTP function cannot "
    "have other triggers). A warning for fc3 (FC 3.0) files.",
    "FC docs 'HTTP Trigger Overview' (HTTP触发器概述), '函数设置HTTP触发器后不能再设置其他类型的触发器'",
)
_rule(
    "FCT502",
    "http-multiple",
    "error",
    "More than one HTTP trigger for one function and qualifier.",
    "FC docs 'HTTP Trigger Overview' (HTTP触发器概述), '每个函数只能创建一个HTTP触发器'",
)

# --- general / other types -----------------------------------------------------------------
_rule(
    "FCT601",
    "duplicate-trigger-name",
    "error",
    "Two triggers of one function have the same name.",
    "FC API: trigger names are unique per function",
)
_rule(
    "FCT602",
    "function-memory-size",
    "error",
    "A memorySize FC refuses for the function's instance type: FC 2.0 elastic instances "
    "(instanceType e1, the default) take 128 MB to 3 GB in steps of 64 MB, performance "
    "instances (c1) 4, 8, 16 or 32 GB; FC 3.0 (fc3) takes 128 MB to 32 GB in steps of 64 MB.",
    "FC: 'Configure an HTTP trigger' (creating the function: instance type and memory); "
    "'Instance types and usage modes'; FC 3.0 API 'CreateFunctionInput'",
)
_rule(
    "FCT701",
    "cdn-event-version",
    "error",
    "A CDN trigger eventVersion other than 1.0.0.",
    "FC docs 'Configure a CDN event trigger' (配置CDN触发器), '目前仅支持1.0.0事件版本'",
)
_rule(
    "FCT801",
    "eventbridge-kafka-mode",
    "error",
    "An EventBridge Kafka source that is not in event-streaming mode.",
    "devsapp/fc3 __tests__/e2e/trigger/eb/s.yaml 'Kafka 时，只支持 event-streaming 模式'",
)
_rule(
    "FCT802",
    "eventbridge-custom-bus-limit",
    "error",
    "More than 10 EventBridge triggers with an MNS queue, RocketMQ or RabbitMQ source in one "
    "region: each gets its own custom event bus, and EventBridge allows at most 10 custom "
    "buses per region (and 10 rules per bus), so FC cannot create the rest.",
    "FC docs 'RocketMQ trigger', 'RabbitMQ trigger', 'MNS queue trigger' (EventBridge triggers), notes",
)
_rule(
    "FCT803",
    "eventbridge-source-region",
    "error",
    "An EventBridge trigger whose MNS queue, RocketMQ or RabbitMQ source (RegionId) is in "
    "another region than the function: FC connects only a queue or instance of the "
    "function's own region.",
    "FC: 'RocketMQ trigger', 'RabbitMQ trigger', 'MNS queue trigger' (usage notes)",
)
_rule(
    "FCT804",
    "eventbridge-default-bus-rule-limit",
    "error",
    "More than 10 EventBridge triggers with an Alibaba Cloud service (Default) source in one "
    "region: each is a rule on the system event bus 'default', which holds at most 10.",
    "FC: 'Event triggers for Alibaba Cloud services' / '官方事件源触发器' (usage notes)",
)
_rule(
    "FCT805",
    "eventbridge-resource-name",
    "error",
    "An EventBridge trigger whose service, function or trigger name makes a name EventBridge "
    "refuses for the rule or bus FC creates (`<service>-<function>-<trigger>`, "
    "`<Type>-<function>-<trigger>`): at most 127 letters, digits and '-'. A warning for fc3 files.",
    "FC: RocketMQ / RabbitMQ / MNS queue trigger pages ('名称必须符合名称取值限制'); EventBridge 'Limits'",
)

# --- Tablestore --------------------------------------------------------------------------
_rule(
    "FCT901",
    "tablestore-function-timeout",
    "warning",
    "A Tablestore-triggered function whose timeout is over 60 s: a triggered invocation must finish within one minute.",
    "FC docs 'Tablestore trigger overview' ('触发的函数执行时间不能超过一分钟')",
)
_rule(
    "FCT902",
    "tablestore-trigger-region",
    "error",
    "A Tablestore trigger in a region that has no Tablestore triggers (Beijing, Hangzhou, "
    "Shanghai, Shenzhen, Tokyo, Singapore, Sydney, Frankfurt, Hong Kong).",
    "FC docs 'Tablestore trigger overview', region limits ('地域限制')",
)
_rule(
    "FCT903",
    "tablestore-internal-endpoint",
    "warning",
    "A Tablestore-triggered function configured with a Tablestore internal endpoint "
    "(`*.ots-internal.aliyuncs.com`) in its environment or in a top-level module of its "
    "code (reported at that file and line): from FC use the VPC endpoint "
    "`{instance}.{region}.vpc.tablestore.aliyuncs.com`.",
    "FC docs 'Tablestore trigger overview', usage notes ('不可以使用Tablestore内网Endpoint')",
)


def rule_for(code: str) -> Rule:
    """The rule of ``code``: a built-in one above, or one a registered trigger kind brings."""
    rule = RULES.get(code)
    if rule is not None:
        return rule
    from ..kinds.registry import REGISTRY

    for kind in REGISTRY.kinds():
        for extra in kind.rules:
            if extra.code == code:
                return extra
    raise KeyError(f"no lint rule {code!r} is registered (built-in or by a trigger kind)")

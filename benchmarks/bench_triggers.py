"""Load + lint time of a large s.yaml: 50 functions, 200 triggers.

Run: /work/venv/bin/python benchmarks/bench_triggers.py [--quick]

The generated file is real-shaped (edition 3.0.0, fc3 resources, ``${vars...}`` and
``${config(AccountID)}`` expressions, every trigger type: OSS on a few shared buckets
so the pairwise overlap rule has work to do, timers with CRON_TZ, SLS, MNS, Tablestore,
CDN, HTTP-free event functions, EventBridge). Each round loads the file from disk
(``load_app``: read, YAML with line tracking, templating, normalisation) and lints it.

The verdict uses process CPU time (the machine is shared by several engineers; CPU time
is what an idle machine would show as wall time); wall time is printed beside it.

Target (issue 3): load + lint <= 50 ms. ``--quick`` loads a 5-function file (20 triggers)
twice (a smoke run; no measurement).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _quick import exit_status, parse, parser

FUNCTIONS = 50
TRIGGERS_PER_FUNCTION = 4
ROUNDS = 15
TARGET_MS = 50.0


def trigger_yaml(f: int, t: int) -> str:
    kind = (f * TRIGGERS_PER_FUNCTION + t) % 8
    name = f"t{f}-{t}"
    head = f"        - triggerName: {name}\n"
    if kind in (0, 1):
        bucket = f"media-{f % 5}"
        return (
            head + "          triggerType: oss\n"
            f"          sourceArn: acs:oss:${{vars.region}}:${{config(AccountID)}}:{bucket}\n"
            "          invocationRole: acs:ram::${config(AccountID)}:role/aliyunosseventnotificationrole\n"
            "          triggerConfig:\n"
            "            events: [oss:ObjectCreated:*, oss:ObjectRemoved:DeleteObject]\n"
            f"            filter:\n              key:\n                prefix: in-{f}-{t}/\n"
            "                suffix: .png\n"
        )
    if kind == 2:
        return (
            head + "          triggerType: timer\n          triggerConfig:\n"
            f"            cronExpression: 'CRON_TZ=Asia/Shanghai 0 {f % 60} {t}-{t + 8} ? * MON-FRI'\n"
            '            payload: \'{"job": "report"}\'\n            enable: true\n'
        )
    if kind == 3:
        return (
            head + "          triggerType: log\n"
            f"          sourceArn: acs:log:${{vars.region}}:${{config(AccountID)}}:project/logs-{f}\n"
            "          triggerConfig:\n            sourceConfig: {logstore: access}\n"
            "            jobConfig: {maxRetryTime: 3, triggerInterval: 60}\n"
            f"            logConfig: {{project: logs-{f}, logstore: fc-job}}\n"
            "            functionParameter: {target: warehouse}\n            enable: true\n"
        )
    if kind == 4:
        return (
            head + "          triggerType: mns_topic\n"
            f"          sourceArn: acs:mns:${{vars.region}}:${{config(AccountID)}}:/topics/orders-{f}\n"
            "          triggerConfig: {notifyContentFormat: JSON, notifyStrategy: BACKOFF_RETRY, "
            "filterTag: paid}\n"
        )
    if kind == 5:
        return (
            head + "          triggerType: tablestore\n"
            f"          sourceArn: acs:ots:${{vars.region}}:${{config(AccountID)}}:instance/shop/table/t{f}\n"
            "          triggerConfig: {}\n"
        )
    if kind == 6:
        return (
            head + "          triggerType: cdn_events\n          triggerConfig:\n"
            "            eventName: LogFileCreated\n            eventVersion: '1.0.0'\n"
            f"            filter: {{domain: [cdn{f}.example.com]}}\n"
        )
    return (
        head + "          triggerType: eventbridge\n          triggerConfig:\n"
        "            triggerEnable: true\n            eventRuleFilterPattern: '{}'\n"
        "            eventSourceConfig:\n              eventSourceType: RocketMQ\n"
        "              eventSourceParameters:\n                sourceRocketMQParameters:\n"
        f"                  RegionId: ${{vars.region}}\n                  InstanceId: MQ_INST_{f}\n"
        f"                  Topic: orders-{f}\n                  GroupID: GID_{f}\n"
    )


def big_s_yaml(functions: int = FUNCTIONS) -> str:
    parts = [
        "edition: 3.0.0\nname: big-app\naccess: default\nvars:\n  region: cn-hangzhou\n  prefix: shop\nresources:\n"
    ]
    for f in range(functions):
        parts.append(
            f"  fn{f}:\n    component: fc3\n    props:\n      region: ${{vars.region}}\n"
            f"      functionName: ${{vars.prefix}}-fn{f}\n      runtime: python3.10\n"
            "      handler: index.handler\n      code: ./code\n      memorySize: 512\n      timeout: 60\n"
            "      environmentVariables:\n        STAGE: prod\n      triggers:\n"
        )
        parts.extend(trigger_yaml(f, t) for t in range(TRIGGERS_PER_FUNCTION))
    return "".join(parts)


def main(argv=None) -> int:
    args = parse(parser(__doc__), argv)
    size, rounds = (5, 2) if args.quick else (FUNCTIONS, ROUNDS)

    from pytest_fctrigger.triggers.lint import lint
    from pytest_fctrigger.triggers.loader import load_app

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "s.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(big_s_yaml(size))
        app = load_app(path, warn=False)  # warm-up: first-use imports (yaml, croniter)
        findings = lint(app)
        functions = len(app.functions)
        triggers = len(app.triggers)
        best_cpu = best_wall = float("inf")
        for _ in range(rounds):
            c0, w0 = time.process_time(), time.perf_counter()
            lint(load_app(path, warn=False))
            best_cpu = min(best_cpu, time.process_time() - c0)
            best_wall = min(best_wall, time.perf_counter() - w0)
    cpu_ms, wall_ms = best_cpu * 1000, best_wall * 1000
    verdict = "PASS" if cpu_ms <= TARGET_MS else "MISS"
    print(f"s.yaml with {functions} functions and {triggers} triggers; lint findings: {len(findings)}")
    print(
        f"load + lint: {cpu_ms:.1f} ms CPU (wall {wall_ms:.1f} ms, load avg {os.getloadavg()[0]:.1f}); "
        f"target <= {TARGET_MS:.0f} ms: {verdict}"
    )
    return exit_status(args, verdict == "PASS")


if __name__ == "__main__":
    sys.exit(main())

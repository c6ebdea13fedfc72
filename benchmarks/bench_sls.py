"""SLS simulation: a seed-style handler pulling 100,000 logs; cursor-store latency.

Run: /work/venv/bin/python benchmarks/bench_sls.py [--redis-url redis://host:port/db] [--quick]

1. One shard holds 1,000 LogGroups of 100 logs (7 string fields each, nginx-access
   shaped). The ETL job ticks once and invokes a handler written like the seeds'
   sample: ``pull_logs(project, logstore, shard, cursor, count, end_cursor)`` in a
   loop until the next cursor equals the cursor, materialising every log with
   ``get_loggroup_json_list()``. Everything runs through the real
   ``aliyun-log-python-sdk`` (signing, requests, ``responses`` interception,
   protobuf, lz4), for lz4 on (the SDK default) and off, with the seed's
   ``count=10`` and with ``count=1000``. Target (issue 5): <= 5 s per run.
2. Checkpoint write (MULTI/EXEC: HSET + SADD + EXPIRE) and read (HGET) latency of
   the cursor store, on fakeredis and on a real Redis: ``--redis-url``, else
   ``FC_TEST_REDIS_URL``, else a ``redis-server`` started here on a free loopback
   port (and stopped afterwards). Target: p99 <= 5 ms (reported for both).

``--quick`` pulls 20 LogGroups of 10 logs and times 50 checkpoint rounds on fakeredis
only (a real Redis only when ``--redis-url`` / ``FC_TEST_REDIS_URL`` names one; no
``redis-server`` is started): a smoke run, no measurement.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _quick import exit_status, parse, parser

GROUPS, PER_GROUP = 1_000, 100
PULL_TARGET_S = 5.0
LATENCY_TARGET_MS = 5.0
LATENCY_ROUNDS = 2_000
QUICK_GROUPS, QUICK_PER_GROUP, QUICK_LATENCY_ROUNDS = 20, 10, 50


def seed_style_handler(count: int, compress):
    def handler(event, context):
        from aliyun.log import LogClient

        src = json.loads(event.decode())["source"]
        creds = context.credentials
        client = LogClient(src["endpoint"], creds.access_key_id, creds.access_key_secret, creds.security_token)
        cursor, total = src["beginCursor"], 0
        while True:
            res = client.pull_logs(
                src["projectName"],
                src["logstoreName"],
                src["shardId"],
                cursor,
                count,
                src["endCursor"],
                compress=compress,
            )
            total += sum(len(g["logs"]) for g in res.get_loggroup_json_list())
            next_cursor = res.get_next_cursor()
            if next_cursor == cursor:
                return {"logs": total}
            cursor = next_cursor

    return handler


def bench_pull(count: int, compress, groups: int = GROUPS, per_group: int = PER_GROUP) -> tuple:
    from pytest_fctrigger.cloud import Cloud
    from pytest_fctrigger.triggers.model import TriggerSpec

    cloud = Cloud(2024)
    with cloud.activate():
        store = cloud.sls.logstore("bench", "access", shards=1)
        rng = cloud.rng.child("bench")
        t0 = time.perf_counter()
        for g in range(groups):
            store.append(
                0,
                [
                    {
                        "remote_addr": rng.public_ipv4(),
                        "request_method": "GET",
                        "request_uri": f"/item/{g}/{n}",
                        "status": "200",
                        "body_bytes_sent": str(n * 17),
                        "request_time": "0.012",
                        "http_user_agent": "Mozilla/5.0 (X11; Linux x86_64) bench",
                    }
                    for n in range(per_group)
                ],
            )
        append_s = time.perf_counter() - t0
        job = cloud.sls.job(
            seed_style_handler(count, compress), TriggerSpec.from_marker("log", project="bench", logstore="access")
        )
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # the runtime's "FC Invoke Start/End" lines
            (call,) = job.tick()
        pull_s = time.perf_counter() - t0
        assert call.ok, call.error
        assert json.loads(call.result.payload)["logs"] == groups * per_group
        cloud.sls.cursor_store.clear()
    return pull_s, append_s


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_redis():
    """A throwaway redis-server on loopback: (url, stop) or (None, None) when unavailable."""
    exe = shutil.which("redis-server")
    if exe is None:
        return None, None
    port, workdir = free_port(), tempfile.mkdtemp(prefix="bench-sls-redis-")
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workdir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)

    def stop():
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)

    return url, stop


def bench_latency(client, rounds: int = LATENCY_ROUNDS) -> dict:
    from pytest_fctrigger.cloud.cursor_store import CursorStore
    from pytest_fctrigger.cloud.sls.store import encode_cursor

    store = CursorStore(client, f"bench-sls:{os.getpid()}")
    writes, reads = [], []
    try:
        for i in range(rounds):
            cursor = encode_cursor(1736862317946474954 + i)
            t0 = time.perf_counter()
            store.set_checkpoint("job", i % 3, cursor)
            t1 = time.perf_counter()
            got = store.checkpoint("job", i % 3)
            t2 = time.perf_counter()
            assert got == cursor
            writes.append((t1 - t0) * 1000)
            reads.append((t2 - t1) * 1000)
    finally:
        store.clear()

    def pct(xs, q):
        return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))]

    return {
        "write_mean": statistics.mean(writes),
        "write_p99": pct(writes, 0.99),
        "read_mean": statistics.mean(reads),
        "read_p99": pct(reads, 0.99),
    }


def main(argv=None) -> int:
    arg_parser = parser(__doc__)
    arg_parser.add_argument("--redis-url", default=os.environ.get("FC_TEST_REDIS_URL"))
    args = parse(arg_parser, argv)
    if args.quick:
        groups, per_group, latency_rounds = QUICK_GROUPS, QUICK_PER_GROUP, QUICK_LATENCY_ROUNDS
    else:
        groups, per_group, latency_rounds = GROUPS, PER_GROUP, LATENCY_ROUNDS
    logs = groups * per_group
    ok = True

    def report(name, value, unit, target, fmt="{:.3f}"):
        nonlocal ok
        passed = value <= target
        ok &= passed
        print(f"{name}: {fmt.format(value)} {unit} (target <= {target} {unit}) {'PASS' if passed else 'MISS'}")

    print(f"SLS pull: {groups:,} LogGroups x {per_group} logs = {logs:,} logs, one ETL tick, seed-style handler")
    bench_pull(10, None, groups, per_group)  # warm-up: SDK, protobuf, lz4 and invoke imports
    for count in (10, 1000):
        for compress, label in ((None, "lz4 on"), (False, "lz4 off")):
            pull_s, append_s = bench_pull(count, compress, groups, per_group)
            report(f"  pull {logs:,} logs, count={count}, {label}", pull_s, "s", PULL_TARGET_S)
            print(f"    (test-side append of the {groups:,} groups: {append_s:.3f} s, not counted)")

    from pytest_fctrigger.cloud.cursor_store import make_redis

    stop = None
    url = args.redis_url
    if not url and not args.quick:
        url, stop = start_redis()
        if url:
            print(f"(started redis-server for the benchmark at {url})")
    backends = [("fakeredis", make_redis(None))]
    if url:
        backends.append((f"real Redis {url}", make_redis(url)))
    elif args.quick:
        print("real Redis: skipped (quick mode starts no redis-server; --redis-url / FC_TEST_REDIS_URL adds one)")
    else:
        print("real Redis: skipped (no --redis-url / FC_TEST_REDIS_URL and no redis-server on PATH)")
    try:
        for name, client in backends:
            r = bench_latency(client, latency_rounds)
            print(f"checkpoint latency on {name} ({latency_rounds} rounds):")
            report("  write mean", r["write_mean"], "ms", LATENCY_TARGET_MS)
            report("  write p99", r["write_p99"], "ms", LATENCY_TARGET_MS)
            report("  read mean", r["read_mean"], "ms", LATENCY_TARGET_MS)
            report("  read p99", r["read_p99"], "ms", LATENCY_TARGET_MS)
            client.close()
    finally:
        if stop is not None:
            stop()
    return exit_status(args, ok)


if __name__ == "__main__":
    sys.exit(main())

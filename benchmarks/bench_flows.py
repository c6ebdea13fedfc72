"""Event flows: uploads through a 3-function pipeline, against fc_invoke by hand.

Run: python benchmarks/bench_flows.py [--quick] [--uploads N]

Target workload (the issue's "no-op-ish handlers using the real SDKs"):
benchmarks/apps/relay-pipeline, whose handlers make only the SDK call that fires the next
hop (ingest: aliyun-mns-sdk publish; record: tablestore put_row; audit: none). N uploads
made with oss2, then ``flow.run()`` delivers them: N x 3 invocations through the real
SDKs and the simulated cloud. Figures:

* wall time of the N uploads plus the run (target <= 3 s for 1,000 uploads);
* flow overhead per delivery, excluding the handler and its SDK calls: the time between
  one invocation's end and the next one's start (matching the write, building the event,
  queueing, the clock), median (target <= 100 us);
* the same events delivered by calling fc_invoke (an Invoker) by hand for each hop, and
  the ratio flow / by hand;
* for information, the same uploads through examples/upload-pipeline, whose handlers do
  more per hop (ingest also builds an oss2 client and reads the object; audit writes an
  audit row): 5 SDK calls per upload where the target workload makes 3.
``--quick`` runs 20 uploads once (a smoke run; no measurement).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _quick import exit_status, parse, parser

APP = Path(__file__).resolve().parent / "apps" / "relay-pipeline" / "s.yaml"
EXAMPLE_APP = ROOT / "examples" / "upload-pipeline" / "s.yaml"
TARGET_TOTAL_S = 3.0
TARGET_OVERHEAD_US = 100.0


class TimedInvoker:
    """The flow's Invoker with the time inside each ``run`` recorded (handler + SDK + runtime)."""

    def __init__(self, inner):
        self.inner = inner
        self.spans = []

    def run(self, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return self.inner.run(*args, **kwargs)
        finally:
            self.spans.append((t0, time.perf_counter()))


def _cloud(seed):
    from pytest_fctrigger.cloud import Cloud

    cloud = Cloud(rng=seed)
    return cloud


def _setup(cloud):
    cloud.oss.bucket("uploads", region="cn-hangzhou")
    cloud.tablestore.table("uploads", "files")
    cloud.tablestore.table("uploads", "audit")
    cloud.mns.topic("uploaded")
    cloud.mns.queue("record-failures")


def _client():
    import oss2

    return oss2.Bucket(oss2.Auth("LTAI-bench", "bench-secret"), "https://oss-cn-hangzhou.aliyuncs.com", "uploads")


def run_flow(uploads, seed=1, app=APP):
    from pytest_fctrigger.flows import make_flow
    from pytest_fctrigger.invoke import Invoker

    cloud = _cloud(seed)
    with cloud.activate():
        _setup(cloud)
        timed = TimedInvoker(Invoker(rng=cloud.rng.child("bench"), cloud=cloud, loop_mode="allow"))
        flow = make_flow(app, cloud, invoker=timed, max_invocations=10 * uploads + 10)
        client = _client()
        t0 = time.perf_counter()
        for i in range(uploads):
            client.put_object(f"incoming/{i}.bin", b"x" * 64)
        t1 = time.perf_counter()
        run = flow.run()
        t2 = time.perf_counter()
        flow.close()
    assert len(run) == 3 * uploads and not run.failed, run
    gaps = [b[0] - a[1] for a, b in zip(timed.spans, timed.spans[1:])]
    inside = sum(e - s for s, e in timed.spans)
    return t2 - t0, t1 - t0, t2 - t1, inside, gaps


def run_by_hand(uploads, seed=1):
    """What a test does without flows: invoke each hop with the event of the previous hop's write."""
    from pytest_fctrigger.events import mns_topic_event
    from pytest_fctrigger.invoke import Invoker
    from pytest_fctrigger.triggers.loader import load_app

    app = load_app(APP)
    ingest, record, audit = (app.function(n) for n in ("ingest", "record", "audit"))
    cloud = _cloud(seed)
    with cloud.activate():
        _setup(cloud)
        invoker = Invoker(rng=cloud.rng.child("bench"), cloud=cloud, loop_mode="allow")
        client = _client()
        t0 = time.perf_counter()
        for i in range(uploads):
            client.put_object(f"incoming/{i}.bin", b"x" * 64)
        uploads_done = list(cloud.journal)
        for write in uploads_done:
            published = invoker(ingest, write.event).writes[0]
            event = mns_topic_event(
                message=published.attributes["message"],
                format="JSON",
                tag=published.attributes["tag"],
                topic="uploaded",
                rng=cloud.rng,
            )
            row = invoker(record, event).writes[0]
            invoker(audit, row.event)
        return time.perf_counter() - t0


class _Null:
    def write(self, text):
        return len(text)

    def flush(self):
        pass


def main(argv=None) -> int:
    p = parser(__doc__)
    p.add_argument("--uploads", type=int, default=1000)
    args = parse(p, argv)
    uploads = 20 if args.quick else args.uploads
    out, sys.stdout = sys.stdout, _Null()  # the runtime's "FC Invoke Start/End" markers
    try:
        if not args.quick:
            run_flow(20)  # warm-up: imports, SDK clients, code dirs
            run_by_hand(20)
            run_flow(20, app=EXAMPLE_APP)
        total, up, deliver, inside, gaps = run_flow(uploads)
        hand = run_by_hand(uploads)
        example_total = run_flow(uploads, app=EXAMPLE_APP)[0]
    finally:
        sys.stdout = out
    median_us = statistics.median(gaps) * 1e6 if gaps else 0.0
    deliveries = 3 * uploads
    print(f"relay pipeline, {uploads} uploads x 3 functions ({deliveries} deliveries)")
    ok_total = total <= TARGET_TOTAL_S * uploads / 1000
    print(
        f"  {uploads} uploads through the pipeline: {total:.2f} s wall "
        f"(uploads {up:.2f} s, flow.run {deliver:.2f} s)  target <= {TARGET_TOTAL_S * uploads / 1000:.2f} s  "
        f"{'PASS' if ok_total else 'MISS'}"
    )
    ok_overhead = median_us <= TARGET_OVERHEAD_US
    print(
        f"  flow overhead per delivery (excluding handler and SDK), median: {median_us:.1f} us  "
        f"target <= {TARGET_OVERHEAD_US:.0f} us  {'PASS' if ok_overhead else 'MISS'}"
    )
    print(
        f"  handler + SDK + runtime time inside invocations: {inside:.2f} s ({inside / deliveries * 1e6:.0f} us each)"
    )
    print(f"  the flow's own time in flow.run (outside invocations): {deliver - inside:.2f} s")
    print(f"  same events by fc_invoke by hand per hop: {hand:.2f} s wall; ratio flow / by hand: {total / hand:.2f}")
    print(
        f"  info: the same uploads through examples/upload-pipeline (5 SDK calls per upload, not 3): "
        f"{example_total:.2f} s wall"
    )
    return exit_status(args, ok_total and ok_overhead)


if __name__ == "__main__":
    sys.exit(main())

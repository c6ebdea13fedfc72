"""Overhead of loop matching per write, against the cost of the write itself.

Run: /work/venv/bin/python benchmarks/bench_loops.py [--quick]

Workload: 100 triggers declared (10 OSS buckets x 10 prefix rules each, the per-bucket
maximum of seeds/001 "一个Bucket最多能创建10个触发规则事件"), the journal writes of
``oss2`` ``put_object`` calls through the simulated OSS. Figures:

* the cost of one ``oss2`` put_object through the fake (the reference);
* matching one journal write against the 100 triggers (``TriggerIndex.matches``):
  a write that fires nothing (the common case) and one that fires a trigger;
* the whole per-invocation step ``LoopDetector.check`` for one safe write;
* the worst case, 100 triggers on the written bucket (beyond OSS's limit of 10),
  reported for information.

Target: matching <= 5% of the put_object cost. ``--quick`` times 20 writes and 200
matches, best of 2 (a smoke run; no measurement).
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _quick import exit_status, parse, parser

TARGET_RATIO = 0.05
WRITES = 1000
MATCHES = 20_000


def _per_call(fn, n, repeat=5):
    """Best-of-``repeat`` mean seconds per call of ``fn`` over ``n`` calls."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for i in range(n):
            fn(i)
        best = min(best, (time.perf_counter() - t0) / n)
    return best


def main(argv=None) -> int:
    args = parse(parser(__doc__), argv)
    writes, matches, put_repeat, match_repeat = (20, 200, 2, 2) if args.quick else (WRITES, MATCHES, 3, 5)

    import oss2

    from pytest_fctrigger._credentials import fake_credentials
    from pytest_fctrigger.cloud import Cloud
    from pytest_fctrigger.events._random import FCRandom
    from pytest_fctrigger.loops import LoopDetector, TriggerIndex, Watched
    from pytest_fctrigger.triggers.model import TriggerSpec

    rng = FCRandom(7)
    buckets = [f"bench-bucket-{i}" for i in range(10)]
    triggers = [
        TriggerSpec.from_marker("oss", name=f"t{b}-{p}", bucket=bucket, prefix=f"in{p}/", suffix=".png")
        for b, bucket in enumerate(buckets)
        for p in range(10)
    ]
    assert len(triggers) == 100
    crowded = [TriggerSpec.from_marker("oss", name=f"c{p}", bucket=buckets[0], prefix=f"in{p}/") for p in range(100)]

    cloud = Cloud(rng)
    with cloud.activate():
        for bucket in buckets:
            cloud.oss.bucket(bucket)
        creds = fake_credentials(rng)
        auth = oss2.StsAuth(creds.access_key_id, creds.access_key_secret, creds.security_token)
        client = oss2.Bucket(auth, "oss-cn-hangzhou-internal.aliyuncs.com", buckets[0])
        payload = b"x" * 1024

        put = _per_call(lambda i: client.put_object(f"out/{i}.png", payload), writes, repeat=put_repeat)
        journal = list(cloud.journal)
    safe = journal[-1]
    looping = dataclasses.replace(safe, resource={"bucket": buckets[0], "key": "in3/x.png"})

    def own(ts):
        return [Watched(t, "the function under test", True) for t in ts]

    index = TriggerIndex(own(triggers))
    crowded_index = TriggerIndex(own(crowded))
    detector = LoopDetector(triggers)
    assert index.matches(safe) == [] and len(index.matches(looping)) == 1

    match_safe = _per_call(lambda i: index.matches(safe), matches, match_repeat)
    match_loop = _per_call(lambda i: index.matches(looping), matches, match_repeat)
    check_safe = _per_call(lambda i: detector.check([safe]), matches, match_repeat)
    match_crowded = _per_call(lambda i: crowded_index.matches(safe), matches, match_repeat)

    rows = [
        ("oss2 put_object through the fake (reference)", put, None),
        ("match 1 write vs 100 triggers, fires nothing", match_safe, TARGET_RATIO),
        ("match 1 write vs 100 triggers, fires one", match_loop, TARGET_RATIO),
        ("LoopDetector.check of 1 safe write (whole step)", check_safe, TARGET_RATIO),
        ("worst case: 100 triggers on the written bucket", match_crowded, None),
    ]
    failed = False
    print(f"loop matching overhead ({writes} oss2 put_object, {len(triggers)} triggers declared)")
    for label, seconds, target in rows:
        ratio = seconds / put
        line = f"  {label:<50} {seconds * 1e6:9.2f} us  {ratio * 100:6.2f}% of put_object"
        if target is not None:
            ok = ratio <= target
            failed |= not ok
            line += f"  target <= {target * 100:.0f}%  {'PASS' if ok else 'MISS'}"
        print(line)
    return exit_status(args, not failed)


if __name__ == "__main__":
    sys.exit(main())

"""Cross-cloud: boto3 on OSS's S3-compatible API through fc_cloud vs boto3 on moto's S3, and fixture costs.

Run: .venv/bin/python benchmarks/bench_crosscloud.py [--pairs N] [--repeat R] [--tests T] [--quick]

Figures (best of R interleaved runs, wall and CPU time):
* boto3 ``put_object`` + ``get_object`` pairs of 1 KiB on ``https://<bucket>.oss-cn-hangzhou
  -internal.aliyuncs.com`` (S3 protocol, SigV4) served by the simulated OSS of an active
  ``fc_cloud``, and the same boto3 workload on moto's S3 (``mock_aws``); target: fake /
  moto time ratio <= 0.7 for 1,000 pairs;
* the cost of one test's cloud, set-up + one boto3 write + teardown: ``fc_cloud`` alone
  (``Cloud().activate()``, as the fixture does), ``fc_aws`` alone (``AwsMock``, as the
  fixture does) and both together; target: both <= (fc_cloud + fc_aws) * 1.1.
Everything runs under the network guard; nothing leaves the process.
``--quick`` defaults to 20 pairs, 2 runs and 3 tests (a smoke run; no measurement).
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import Any, Callable, Iterator

from _quick import exit_status, parse, parser

RATIO_TARGET = 0.7
COMBINED_SLACK = 1.10
PAYLOAD = b"x" * 1024
REGION = "cn-hangzhou"


class Timing:
    """Best wall and CPU time over repeated runs (CPU time moves less with the machine's load)."""

    def __init__(self) -> None:
        self.wall = float("inf")
        self.cpu = float("inf")

    def measure(self, run: Callable[[], None]) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        self.wall = min(self.wall, time.perf_counter() - wall)
        self.cpu = min(self.cpu, time.process_time() - cpu)

    def __str__(self) -> str:
        return f"{self.wall:.3f} s wall, {self.cpu:.3f} s CPU"


def _config() -> Any:
    from botocore.config import Config

    # what OSS needs from boto3 >= 1.36 (virtual-hosted URLs, no aws-chunked trailer); the
    # moto run uses the same client settings so only the server side differs
    return Config(
        s3={"addressing_style": "virtual"},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )


def _pairs(s3: Any, bucket: str, pairs: int) -> None:
    for i in range(pairs):
        key = f"bench/{i:05d}.bin"
        s3.put_object(Bucket=bucket, Key=key, Body=PAYLOAD)
        if len(s3.get_object(Bucket=bucket, Key=key)["Body"].read()) != len(PAYLOAD):
            raise AssertionError("short read")


@contextlib.contextmanager
def _guarded() -> Iterator[None]:
    from pytest_fctrigger.cloud.guard import NetworkGuard

    with NetworkGuard():
        yield


def fake_oss(pairs: int, timing: Timing) -> None:
    import boto3

    from pytest_fctrigger.cloud import Cloud

    cloud = Cloud(1)
    with cloud.activate():
        cloud.oss.bucket("bench-s3", region=REGION)
        s3 = boto3.client(
            "s3",
            endpoint_url=f"https://oss-{REGION}-internal.aliyuncs.com",
            region_name=f"oss-{REGION}",
            aws_access_key_id="FCTESTBENCH",
            aws_secret_access_key="fake",
            config=_config(),
        )
        timing.measure(lambda: _pairs(s3, "bench-s3", pairs))
        cloud.journal.clear()


def moto_s3(pairs: int, timing: Timing) -> None:
    import boto3
    from moto import mock_aws

    with _guarded(), mock_aws():
        s3 = boto3.client(
            "s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y", config=_config()
        )
        s3.create_bucket(Bucket="bench-s3")
        timing.measure(lambda: _pairs(s3, "bench-s3", pairs))


# --------------------------------------------------------------------------- fixture costs
def _oss_test() -> None:
    import boto3

    from pytest_fctrigger.cloud import Cloud

    cloud = Cloud(2)
    with cloud.activate():
        cloud.oss.bucket("bench-one", region=REGION)
        boto3.client(
            "s3",
            endpoint_url=f"https://oss-{REGION}.aliyuncs.com",
            region_name=f"oss-{REGION}",
            aws_access_key_id="FCTESTBENCH",
            aws_secret_access_key="fake",
            config=_config(),
        ).put_object(Bucket="bench-one", Key="k", Body=PAYLOAD)


def _aws_test() -> None:
    from pytest_fctrigger.cloud.aws import AwsMock

    with _guarded(), AwsMock() as aws:
        s3 = aws.client("s3", config=_config())
        s3.create_bucket(Bucket="bench-one")
        s3.put_object(Bucket="bench-one", Key="k", Body=PAYLOAD)


def _both_test() -> None:
    import boto3

    from pytest_fctrigger.cloud import Cloud
    from pytest_fctrigger.cloud.aws import AwsMock

    cloud = Cloud(2)
    with cloud.activate(), AwsMock() as aws:
        cloud.oss.bucket("bench-one", region=REGION)
        boto3.client(
            "s3",
            endpoint_url=f"https://oss-{REGION}.aliyuncs.com",
            region_name=f"oss-{REGION}",
            aws_access_key_id="FCTESTBENCH",
            aws_secret_access_key="fake",
            config=_config(),
        ).put_object(Bucket="bench-one", Key="k", Body=PAYLOAD)
        s3 = aws.client("s3", config=_config())
        s3.create_bucket(Bucket="bench-one")
        s3.put_object(Bucket="bench-one", Key="k", Body=PAYLOAD)


def per_test(run: Callable[[], None], tests: int, timing: Timing) -> None:
    def many() -> None:
        for _ in range(tests):
            run()

    timing.measure(many)


def main() -> int:
    p = parser(__doc__)
    p.add_argument("--pairs", type=int, default=None, help="put+get pairs per run (default 1000)")
    p.add_argument("--repeat", type=int, default=None, help="interleaved runs, best kept (default 3)")
    p.add_argument("--tests", type=int, default=None, help="simulated tests per fixture-cost run (default 20)")
    args = parse(p)
    pairs = args.pairs or (20 if args.quick else 1000)
    repeat = args.repeat or (2 if args.quick else 3)
    tests = args.tests or (3 if args.quick else 20)
    import boto3  # noqa: F401  (imports outside the timed regions)
    import moto  # noqa: F401

    # warm-up: the first client of a process loads botocore's service models
    _oss_test()
    _aws_test()

    fake, peer = Timing(), Timing()
    for _ in range(repeat):
        fake_oss(pairs, fake)
        moto_s3(pairs, peer)
    ratio = fake.wall / peer.wall
    ratio_cpu = fake.cpu / peer.cpu

    cloud_t, aws_t, both_t = Timing(), Timing(), Timing()
    for _ in range(repeat):
        per_test(_oss_test, tests, cloud_t)
        per_test(_aws_test, tests, aws_t)
        per_test(_both_test, tests, both_t)
    budget = (cloud_t.wall + aws_t.wall) * COMBINED_SLACK
    budget_cpu = (cloud_t.cpu + aws_t.cpu) * COMBINED_SLACK

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average (1 min): {load:.2f}")
    print(f"fake OSS S3 API, boto3: {pairs} put_object+get_object pairs of 1 KiB: {fake}")
    print(f"peer, moto mock_aws S3, boto3, same workload: {peer}")
    met_ratio = ratio <= RATIO_TARGET
    print(
        f"ratio fake / moto: {ratio:.2f} wall, {ratio_cpu:.2f} CPU "
        f"(target <= {RATIO_TARGET}) {'OK' if met_ratio else 'MISS'}"
    )
    per = 1000.0 / tests
    print(f"one test, fc_cloud alone (set-up, 1 boto3 write, teardown): {cloud_t.wall * per:.1f} ms wall")
    print(f"one test, fc_aws alone (set-up, 1 boto3 write, teardown): {aws_t.wall * per:.1f} ms wall")
    met_combined = both_t.wall <= budget or both_t.cpu <= budget_cpu
    print(
        f"one test, fc_cloud + fc_aws: {both_t.wall * per:.1f} ms wall, {both_t.cpu * per:.1f} ms CPU "
        f"(target <= {budget * per:.1f} ms wall or {budget_cpu * per:.1f} ms CPU, sum + 10%) "
        f"{'OK' if met_combined else 'MISS'}"
    )
    return exit_status(args, met_ratio and met_combined)


if __name__ == "__main__":
    raise SystemExit(main())

"""Seeded randomness shared by every builder, the context and the simulated services.

One ``FCRandom`` per test, created from the test's seed (``--fc-seed`` or a hash of
the node id), drives every random value, so a test sees byte-identical events on
every run and on every machine. It also fixes the test's *world*: one account id
and one region, so ARNs, context and events agree with each other.

The helpers are plain ``random.Random`` arithmetic (no Faker): builders run in hot
loops, and Faker promises the same output for a seed only within one Faker release.
``FCRandom.faker`` (created on first use, seeded by the test, its own stream) is for
the content of a test's own payloads.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import random
import uuid as _uuid
from typing import TYPE_CHECKING, Any, Optional, Sequence

if TYPE_CHECKING:  # Faker is an optional extra, imported on first use
    from faker import Faker

# Regions FC runs in (mainland China + international); used when a test does not fix one.
FC_REGIONS = (
    "cn-hangzhou",
    "cn-shanghai",
    "cn-qingdao",
    "cn-beijing",
    "cn-zhangjiakou",
    "cn-huhehaote",
    "cn-shenzhen",
    "cn-chengdu",
    "cn-hongkong",
    "ap-southeast-1",
    "ap-southeast-5",
    "ap-northeast-1",
    "eu-central-1",
    "us-west-1",
    "us-east-1",
)
DEFAULT_REGION = "cn-hangzhou"

# Events are dated inside a fixed window so that they do not depend on the clock.
_EPOCH_START = _dt.datetime(2025, 1, 1, tzinfo=_dt.timezone.utc)
_EPOCH_SPAN_S = 365 * 24 * 3600

# Unicast first octets outside 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.168/16,
# 198.18/15 and 203.0.113/24 (whole /8s are skipped: cheap and never private).
_PUBLIC_FIRST_OCTETS = tuple(a for a in range(1, 224) if a not in (10, 100, 127, 169, 172, 192, 198, 203))


def seed_from_text(text: str) -> int:
    """A stable 32-bit seed for a string (a pytest node id), the same on every machine."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big")


class FCRandom:
    """Deterministic source of every random value of one test."""

    __slots__ = ("seed", "random", "region", "_account_id", "_faker", "_base_time", "_tick")

    def __init__(self, seed: int = 0, *, region: Optional[str] = None, account_id: Optional[str] = None):
        self.seed = int(seed)
        self.random = random.Random(self.seed)
        self.region = region or DEFAULT_REGION
        self._account_id = account_id
        self._faker: Optional[Faker] = None
        self._base_time: Optional[_dt.datetime] = None
        self._tick = 0

    @classmethod
    def coerce(cls, rng: FCRandom | int | None) -> FCRandom:
        """Accept an ``FCRandom``, an int seed, or ``None`` (seed 0)."""
        if isinstance(rng, FCRandom):
            return rng
        if rng is None:
            return cls(0)
        if isinstance(rng, bool) or not isinstance(rng, int):
            raise TypeError(f"rng must be an FCRandom or an int seed, not {type(rng).__name__}")
        return cls(rng)

    def child(self, label: str) -> FCRandom:
        """An independent stream for ``label`` that does not disturb this one."""
        return FCRandom(seed_from_text(f"{self.seed}:{label}"), region=self.region, account_id=self.account_id)

    # --- the test's world -------------------------------------------------------
    @property
    def account_id(self) -> str:
        """16-digit Alibaba Cloud account id (UID), fixed for the test."""
        if self._account_id is None:
            self._account_id = "1" + self.digits(15)
        return self._account_id

    @property
    def faker(self) -> Faker:
        """A Faker instance seeded from this test's seed (imported on first use).

        Faker is the optional extra ``pytest-fctrigger[faker]``: installed, its own pytest
        plugin loads in every session, so the plugin does not depend on it.
        """
        if self._faker is None:
            try:
                from faker import Faker
            except ImportError:
                from pytest_fctrigger.errors import ConfigError

                raise ConfigError(
                    "fc_random.faker needs Faker, which is not installed: "
                    "pip install 'pytest-fctrigger[faker]' (or pip install Faker)"
                ) from None

            fk = Faker("en_US")
            fk.seed_instance(self.seed)
            self._faker = fk
        return self._faker

    # --- primitives -----------------------------------------------------------------
    def randint(self, a: int, b: int) -> int:
        return self.random.randint(a, b)

    def choice(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.random.random() * len(seq))]

    def hex(self, n: int, upper: bool = False) -> str:
        """``n`` random hex digits."""
        return f"{self.random.getrandbits(4 * n):0{n}{'X' if upper else 'x'}}"

    def digits(self, n: int) -> str:
        return f"{self.random.randrange(10**n):0{n}d}"

    def uuid(self) -> str:
        """A version-4 UUID string drawn from the seeded stream."""
        return str(_uuid.UUID(int=self.random.getrandbits(128), version=4))

    def request_id(self) -> str:
        """An OSS/MNS-style request id: 24 upper-case hex digits (``hex(24, upper=True)``,
        spelt out: the simulated services draw one per request)."""
        return f"{self.random.getrandbits(96):024X}"

    def fc_request_id(self) -> str:
        """An FC invocation request id: ``1-<unix seconds, 8 hex>-<24 hex>``.

        That is the shape FC logs and events show (``FC Invoke Start RequestId:
        1-640989e8-936acbdf3b8483e00bdfced1``; the HTTP trigger doc's
        ``"requestId":"1-64f6cd87-*************"``); the first part is the invocation
        time, taken from the test's seeded clock.
        """
        seconds = int(self.time().timestamp())
        return f"1-{seconds:08x}-{self.hex(24)}"

    def etag(self) -> str:
        """An OSS ETag: 32 upper-case hex digits (the MD5 of a simple upload)."""
        return self.hex(32, upper=True)

    def public_ipv4(self) -> str:
        """A public IPv4 address (first octet outside private/reserved ranges; two draws)."""
        r = self.random
        bits = r.getrandbits(24)
        first = _PUBLIC_FIRST_OCTETS[int(r.random() * len(_PUBLIC_FIRST_OCTETS))]
        return f"{first}.{bits >> 16}.{(bits >> 8) & 255}.{(bits & 255) % 254 + 1}"

    def private_ipv4(self) -> str:
        r = self.random
        return f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"

    # --- time -------------------------------------------------------------------------
    @property
    def base_time(self) -> _dt.datetime:
        """The test's "now": a fixed, seed-derived UTC instant (no wall clock involved)."""
        if self._base_time is None:
            offset = self.child("time").random.randrange(_EPOCH_SPAN_S)
            self._base_time = _EPOCH_START + _dt.timedelta(seconds=offset)
        return self._base_time

    def time(self) -> _dt.datetime:
        """Successive, strictly increasing instants after ``base_time`` (UTC, ms precision)."""
        self._tick += self.random.randint(1, 2500)
        return self.base_time + _dt.timedelta(milliseconds=self._tick)


UTC = _dt.timezone.utc


def iso_ms(t: _dt.datetime) -> str:
    """``2022-08-13T06:45:43.000Z`` (OSS ``eventTime``, CloudEvents ``time``)."""
    if t.tzinfo is not UTC:
        t = t.astimezone(UTC)
    return (
        f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:"
        f"{t.second:02d}.{t.microsecond // 1000:03d}Z"
    )


def iso_s(t: _dt.datetime) -> str:
    """``2018-02-09T05:49:00Z`` (timer ``triggerTime``)."""
    if t.tzinfo is not UTC:
        t = t.astimezone(UTC)
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z"


def epoch_ms(t: _dt.datetime) -> int:
    return int(t.timestamp() * 1000)

"""Realistic, seeded log contents for simulated logstores (Faker underneath).

``access`` logs carry the fields of the nginx access-log template that Logtail
collects into SLS; ``app`` logs are the usual structured application log lines.
Every value is a string, as in SLS.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Dict, List

LOG_KINDS = ("access", "app")

_METHODS = ("GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "HEAD")
_STATUSES = ("200",) * 14 + ("201", "204", "301", "302", "304", "400", "403", "404", "404", "499", "500", "502")
_LEVELS = ("INFO",) * 8 + ("DEBUG", "DEBUG", "WARN", "WARN", "ERROR")
_LOGGERS = ("app.api", "app.db", "app.cache", "app.worker", "app.auth")
_APP_MESSAGES = (
    "request handled",
    "cache miss for key {key}",
    "retrying upstream call ({n}/3)",
    "user {user} logged in",
    "slow query took {ms} ms",
    "job {key} finished",
    "connection reset by peer",
)


def fake_logs(rng: Any, count: int, *, kind: str = "access", now: float) -> List[Dict[str, str]]:
    """``count`` logs of ``kind`` drawn from ``rng`` (an ``FCRandom``), timed at ``now``."""
    if kind not in LOG_KINDS:
        from ...errors import FCTriggerError

        raise FCTriggerError(f"unknown fake log kind {kind!r}; valid kinds: {', '.join(LOG_KINDS)}")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        from ...errors import FCTriggerError

        raise FCTriggerError(f"fake log count must be a non-negative int, got {count!r}")
    fk = rng.faker
    r = rng.random
    local = _dt.datetime.fromtimestamp(int(now), _dt.timezone(_dt.timedelta(hours=8)))
    stamp = local.strftime("%d/%b/%Y:%H:%M:%S %z")
    host = fk.domain_name()
    logs: List[Dict[str, str]] = []
    for _ in range(count):
        if kind == "access":
            path = "/" + fk.uri_path()
            if r.random() < 0.3:
                path += f"?id={r.randint(1, 99999)}"
            logs.append(
                {
                    "remote_addr": rng.public_ipv4(),
                    "remote_user": "-" if r.random() < 0.8 else fk.user_name(),
                    "time_local": stamp,
                    "request_method": rng.choice(_METHODS),
                    "request_uri": path,
                    "server_protocol": "HTTP/1.1",
                    "status": rng.choice(_STATUSES),
                    "body_bytes_sent": str(r.randint(0, 250_000)),
                    "http_referer": "-" if r.random() < 0.5 else fk.url(),
                    "http_user_agent": fk.user_agent(),
                    "request_time": f"{r.random() * 2:.3f}",
                    "upstream_response_time": f"{r.random() * 1.8:.3f}",
                    "host": host,
                }
            )
        else:
            template = rng.choice(_APP_MESSAGES)
            logs.append(
                {
                    "level": rng.choice(_LEVELS),
                    "logger": rng.choice(_LOGGERS),
                    "thread": f"worker-{r.randint(1, 16)}",
                    "message": template.format(
                        key=rng.hex(8), n=r.randint(1, 3), user=fk.user_name(), ms=r.randint(200, 5000)
                    ),
                    "trace_id": rng.hex(32),
                    "host": host,
                }
            )
    return logs

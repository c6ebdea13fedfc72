"""Realistic, seeded log contents for simulated logstores.

``access`` logs carry the fields of the nginx access-log template that Logtail
collects into SLS; ``app`` logs are the usual structured application log lines.
Every value is a string, as in SLS.

Drawn from small fixed vocabularies with the test's ``FCRandom``, not Faker: Faker is an
optional extra (its own pytest plugin costs every pytest session of a user's repo a
Faker import), its output for a seed changes between its releases, and one Faker call
costs as much as a whole log line here.
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
_DOMAIN_WORDS = ("shop", "media", "photos", "api", "static", "blog", "orders", "cdn", "app", "portal")
_DOMAIN_SUFFIXES = ("example.com", "example.cn", "example.net", "example.org")
_PATH_WORDS = (
    "index", "products", "cart", "login", "logout", "search", "images", "users", "orders", "api",
    "v1", "v2", "items", "checkout", "static", "assets", "help", "about", "news", "profile",
)  # fmt: skip
_PATH_ENDINGS = ("", "", "", ".html", ".php", ".json", ".png", ".jpg", ".css", ".js")
_USER_NAMES = (
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
    "li.wei", "wang.fang", "zhang.min", "liu.yang", "chen.jing", "yang.tao", "zhao.lei", "huang.li",
)  # fmt: skip
# user agents as nginx logs them (browsers, crawlers, SDKs and curl)
_USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "curl/8.5.0",
    "python-requests/2.31.0",
    "aliyun-sdk-python/2.18.4",
)


def _domain(rng: Any) -> str:
    return f"{rng.choice(_DOMAIN_WORDS)}.{rng.choice(_DOMAIN_SUFFIXES)}"


def _uri_path(rng: Any) -> str:
    depth = rng.randint(1, 3)
    segments = [rng.choice(_PATH_WORDS) for _ in range(depth)]
    return "/".join(segments) + rng.choice(_PATH_ENDINGS)


def fake_logs(rng: Any, count: int, *, kind: str = "access", now: float) -> List[Dict[str, str]]:
    """``count`` logs of ``kind`` drawn from ``rng`` (an ``FCRandom``), timed at ``now``."""
    if kind not in LOG_KINDS:
        from ...errors import FCTriggerError

        raise FCTriggerError(f"unknown fake log kind {kind!r}; valid kinds: {', '.join(LOG_KINDS)}")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        from ...errors import FCTriggerError

        raise FCTriggerError(f"fake log count must be a non-negative int, got {count!r}")
    r = rng.random
    local = _dt.datetime.fromtimestamp(int(now), _dt.timezone(_dt.timedelta(hours=8)))
    stamp = local.strftime("%d/%b/%Y:%H:%M:%S %z")
    host = _domain(rng)
    logs: List[Dict[str, str]] = []
    for _ in range(count):
        if kind == "access":
            path = "/" + _uri_path(rng)
            if r.random() < 0.3:
                path += f"?id={r.randint(1, 99999)}"
            logs.append(
                {
                    "remote_addr": rng.public_ipv4(),
                    "remote_user": "-" if r.random() < 0.8 else rng.choice(_USER_NAMES),
                    "time_local": stamp,
                    "request_method": rng.choice(_METHODS),
                    "request_uri": path,
                    "server_protocol": "HTTP/1.1",
                    "status": rng.choice(_STATUSES),
                    "body_bytes_sent": str(r.randint(0, 250_000)),
                    "http_referer": "-" if r.random() < 0.5 else f"https://{_domain(rng)}/{_uri_path(rng)}",
                    "http_user_agent": rng.choice(_USER_AGENTS),
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
                        key=rng.hex(8), n=r.randint(1, 3), user=rng.choice(_USER_NAMES), ms=r.randint(200, 5000)
                    ),
                    "trace_id": rng.hex(32),
                    "host": host,
                }
            )
    return logs

"""Wrong-typed builder arguments fail with the plugin's own error naming the argument.

``fctrigger event`` passes JSON-parsed field values straight to the builders and
reports only ``FCTriggerError`` as a one-line message, so a builder that let a
``TypeError`` / ``OverflowError`` escape would print a traceback. Every keyword of
every catalog variant gets values of the wrong kinds; each call either builds an
event or raises ``FCTriggerError``.
"""

from __future__ import annotations

import inspect

import pytest

from pytest_fctrigger import events
from pytest_fctrigger.errors import ConfigError, FCTriggerError
from pytest_fctrigger.events import CATALOG, FCRandom

WRONG_VALUES = [
    5,
    1.5,
    True,
    "x",
    "",
    [],
    [1],
    [[1, 2, 3]],
    {"a": 1},
    {"a": [1]},
    [{"a": 1}],
    ["x"],
    1e300,
    float("nan"),
]

CASES = [(source.trigger_type, variant) for source in CATALOG.values() for variant in source.variants]
CASES.append(("wsgi_environ", None))


def _builder_and_base(trigger_type, variant):
    if trigger_type == "wsgi_environ":
        return events.wsgi_environ, {}
    source = CATALOG[trigger_type]
    return source.builder_function(), source.kwargs_for(variant)


@pytest.mark.parametrize("trigger_type,variant", CASES, ids=[f"{t}[{v}]" for t, v in CASES])
def test_wrong_values_raise_the_plugins_error_or_build(trigger_type, variant):
    builder, base = _builder_and_base(trigger_type, variant)
    escaped = []
    for param in inspect.signature(builder).parameters.values():
        if param.kind is not param.KEYWORD_ONLY or param.name == "rng" or param.name in base:
            continue
        for value in WRONG_VALUES:
            try:
                builder(rng=FCRandom(1), **base, **{param.name: value})
            except FCTriggerError:
                pass
            except Exception as exc:  # collected, so one run lists every escape
                escaped.append(f"{param.name}={value!r}: {type(exc).__name__}: {exc}")
    assert escaped == []


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: events.http_event(headers=5, rng=1), "http_event(headers=): expected a dict or a list of"),
        (lambda: events.apigw_event(path_params=[1], rng=1), "apigw_event(path_params=): expected a dict"),
        (lambda: events.wsgi_environ(method=5, rng=1), "wsgi_environ(method=): expected a string"),
        (lambda: events.oss_event(event_time=float("nan"), rng=1), "oss_event(event_time=): nan is not a usable"),
        (lambda: events.tablestore_record(columns=5, rng=1), "tablestore_record(columns=): expected a list"),
        (
            lambda: events.mns_topic_event(format="JSON", publish_time=1.5e12, rng=1),
            "expected epoch milliseconds (int), a datetime or an ISO-8601 string, got 1500000000000.0",
        ),
        (lambda: events.apigw_event(body={1, 2}, rng=1), "body: expected bytes, str or a JSON-able value"),
    ],
)
def test_messages_name_the_argument(call, message):
    with pytest.raises(ConfigError) as info:
        call()
    assert message in str(info.value)


def test_mns_publish_time_accepts_an_iso_string():
    event = events.mns_topic_event(format="JSON", publish_time="2019-02-15T07:41:20.040Z", rng=1)
    assert event.data["PublishTime"] == 1550216480040

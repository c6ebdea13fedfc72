"""Self-trigger loop detection: match a handler's writes against the triggers it is wired to.

FC does not stop a function that writes into the bucket, topic or table that triggers
it; the docs only warn (FC docs "Configure a native OSS trigger", "Warning: You must prevent
recursive invocations"; "OSS trigger overview", 触发规则: "使用OSS触发器一定要避免循环触发";
"MNS topic trigger": "避免出现循环调用的情况"; "Tablestore trigger overview", 注意事项: "...
造成函数无限循环调用"). This module finds such a
write in the journal of one invocation (``cloud/journal.py``) and explains it.

Built-in rules (a write fires a trigger when):

* **OSS**: same bucket; the write's event name (``ObjectCreated:PutObject``, no
  ``oss:`` prefix, as OSS puts it in ``eventName``) is one of the trigger's ``events``
  (``oss:`` prefixed, ``oss:ObjectCreated:*`` expanded to the whole family); the key
  starts with ``filter.key.prefix`` and ends with ``filter.key.suffix``. Bucket names
  are global in OSS, so the region is not compared.
* **MNS topic**: same topic (and region when both are known); when the subscription
  has a ``filterTag`` the message's tag must equal it. The FC docs word it as "包含了此处
  设置的过滤标签字符串的消息" (messages *carrying* the filter tag); MNS compares the
  message tag with the subscription's tag for equality, which is what we follow.
* **Tablestore**: same instance (case-insensitive, as it is a host name) and table
  (and region when both are known). Every PutRow/UpdateRow/DeleteRow/BatchWriteRow
  enters the table's stream.
* **SLS (log)**: same source project and logstore (``sourceArn`` project +
  ``sourceConfig.logstore``).
* Extra rules from the ``pytest_fctrigger_loop_rules`` hook: ``rule(write, trigger)``.

``LoopDetector.check`` reports a loop when a write fires the function that made it
(depth 0), or, with ``depth > 0``, re-delivers the event each looping write generates
to the function it fires, hop by hop, and reports whether the chain converges (a hop
that makes no write firing a trigger ends it) or closes a cycle that is still going
after ``depth`` hops. With an ``App``, writes firing *another* function's trigger are
followed too, so a cycle through two functions (A writes what fires B, B writes what
fires A) is reported as such.
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .core.settings import LOOP_MODES
from .errors import ConfigError, FCTriggerError
from .kinds.oss import OssTriggerRule as _OssRule
from .kinds.registry import REGISTRY

__all__ = [
    "LOOP_MODES",
    "Hop",
    "LoopDetector",
    "LoopMatch",
    "LoopReport",
    "Redelivery",
    "SelfTriggerLoop",
    "SelfTriggerLoopWarning",
    "TriggerIndex",
    "Watched",
    "write_fires",
]


# Re-deliveries per hop level are capped so a handler that writes k looping objects per
# invocation does not cost k**depth invocations; the cap is reported when hit.
MAX_REDELIVERIES_PER_HOP = 8

# How the options are named to users, for the hints in messages.
_OPTIONS_HINT = (
    "--fc-loop=warn|allow or @pytest.mark.fc(loop=...) changes what a loop does; "
    "--fc-loop-depth N re-delivers the generated event N hops to see whether the chain converges"
)

LoopRule = Callable[[Any, Any], bool]


class SelfTriggerLoop(FCTriggerError):
    """A handler's write fires a trigger that (eventually) invokes the handler again.

    ``report`` is the ``LoopReport``; ``chain`` is its first chain in plain words.
    """

    def __init__(self, report: LoopReport):
        self.report = report
        self.chain = report.chain
        super().__init__(report.message)


class SelfTriggerLoopWarning(UserWarning):
    """Issued instead of raising ``SelfTriggerLoop`` under ``--fc-loop=warn``."""


# --------------------------------------------------------------------------- model
@dataclasses.dataclass(frozen=True)
class Watched:
    """A trigger together with the function it invokes.

    ``spec`` is the app's ``FunctionSpec`` for another function of an app, or ``None``
    for the function under test (re-deliveries then go to the invoke target itself).
    """

    trigger: Any  # TriggerSpec
    function: str  # label used in messages, e.g. "function 'resize'" or "resize.handler"
    is_self: bool
    spec: Any = None  # Optional[FunctionSpec]
    function_name: Optional[str] = None  # FunctionSpec name, for cycle detection


@dataclasses.dataclass(frozen=True)
class LoopMatch:
    """One write that fires one watched trigger, and why."""

    write: Any  # Write
    watched: Watched
    reason: str  # the facts that made it match, in words

    @property
    def trigger(self) -> Any:
        return self.watched.trigger


@dataclasses.dataclass
class Hop:
    """One re-delivery: ``event`` (made by the previous hop's write) run by ``handler``."""

    number: int
    cause: LoopMatch  # the match whose event was re-delivered
    event: Any  # the FCEvent delivered, or None when the write carried none
    handler: str
    writes: List[Any] = dataclasses.field(default_factory=list)
    matches: List[LoopMatch] = dataclasses.field(default_factory=list)
    error: Optional[str] = None  # "ErrorType: message" when the handler raised
    skipped: Optional[str] = None  # why it could not be re-delivered


@dataclasses.dataclass
class Redelivery:
    """What a re-delivery callback returns."""

    writes: List[Any]
    handler: str
    error: Optional[str] = None


@dataclasses.dataclass
class LoopReport:
    """The outcome of one ``LoopDetector.check``.

    ``loop`` is True when a cycle was found that did not converge within ``depth``
    hops (what ``fail``/``warn`` act on). ``matches`` are the first invocation's writes
    that fire watched triggers (its own or, with an app, other functions').
    ``converged`` is None when nothing was re-delivered (depth 0).
    """

    handler: str
    origin: Optional[Any]  # the TriggerSpec that delivered the first event (best guess)
    event: Any
    matches: List[LoopMatch]
    depth: int
    loop: bool
    converged: Optional[bool]
    path: List[Any]  # [LoopMatch (first invocation), Hop, Hop, ...] along the reported chain
    cycle: List[str]  # function labels around the cycle, first == last; [] when none
    hops: List[Hop]
    truncated: bool = False
    message: str = ""
    chain: str = ""

    @property
    def cascade(self) -> bool:
        """True when the cycle runs through more than one function."""
        return len(set(self.cycle)) > 1

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------- matching
def _strip_oss(name: str) -> str:
    return name[4:] if name.startswith("oss:") else name


def _rule_of(trigger: Any) -> Any:
    """The ``WriteRule`` of a trigger's kind (None: writes never fire it)."""
    kind = REGISTRY.find(trigger.type)
    return kind.write_rule if kind is not None else None


def write_fires(write: Any, trigger: Any) -> bool:
    """True when ``write`` (a journal ``Write``) fires ``trigger`` by the built-in rules."""
    return bool(TriggerIndex([Watched(trigger, "", True)]).matches(write))


class TriggerIndex:
    """Watched triggers indexed by where they listen, so one write costs a dict lookup.

    Built once per ``Invoker``; ``matches(write)`` checks only the triggers on the
    write's bucket / topic / table / logstore, then the extra rules (if any) against
    every trigger.
    """

    def __init__(
        self, watched: Iterable[Watched], rules: Sequence[LoopRule] = (), *, include_disabled: bool = False
    ) -> None:
        # a disabled trigger (enable: false) fires nothing in FC, so it is not watched
        self.watched = [w for w in watched if include_disabled or w.trigger.enabled]
        self.rules = list(rules)
        # (rule, key) -> [(watched, prepared)]: one dict per kind's write rule
        self._by_key: Dict[tuple, List[Tuple[Watched, Any]]] = {}
        self._services: Dict[str, List[Any]] = {}
        for w in self.watched:
            rule = _rule_of(w.trigger)
            if rule is None:
                continue
            key = rule.index_key(w.trigger)
            if key is None:
                continue
            self._by_key.setdefault(key, []).append((w, rule.prepare(w.trigger)))
            rules_of_service = self._services.setdefault(rule.service, [])
            if rule not in rules_of_service:
                rules_of_service.append(rule)

    def matches(self, write: Any) -> List[LoopMatch]:
        found: List[LoopMatch] = []
        for rule in self._services.get(write.service, ()):
            key = rule.write_key(write)
            candidates = self._by_key.get(key) if key is not None else None
            if candidates:
                for w, reason in rule.match_candidates(write, candidates):
                    found.append(LoopMatch(write, w, reason))
        if self.rules:
            hit = {id(m.watched) for m in found}
            for w in self.watched:
                if id(w) in hit:
                    continue
                for rule in self.rules:
                    if _call_rule(rule, write, w.trigger):
                        name = getattr(rule, "__qualname__", None) or repr(rule)
                        found.append(LoopMatch(write, w, f"the loop rule {name} says this write fires it"))
                        break
        return found

    def match_all(self, writes: Iterable[Any]) -> List[LoopMatch]:
        out: List[LoopMatch] = []
        for write in writes:
            out.extend(self.matches(write))
        return out


def _call_rule(rule: LoopRule, write: Any, trigger: Any) -> bool:
    try:
        return bool(rule(write, trigger))
    except Exception as exc:  # a user's hook: name it rather than leak a bare traceback
        name = getattr(rule, "__qualname__", None) or repr(rule)
        raise ConfigError(f"loop rule {name} (pytest_fctrigger_loop_rules) raised {type(exc).__name__}: {exc}") from exc


# --------------------------------------------------------------------------- words
def _short_trigger(trigger: Any) -> str:
    return f"{trigger.type} trigger {trigger.name!r}"


def describe_event(event: Any) -> str:
    """``event ObjectCreated:PutObject oss://b/k`` and the like, from an FCEvent or bytes."""
    ttype = getattr(event, "trigger_type", None)
    # any JSON value or None: a wrong shape is caught below (KeyError/TypeError/AttributeError)
    data: Any = getattr(event, "data", None)
    if ttype is None:
        data = _sniff_json(event)
        if isinstance(data, dict) and _oss_record(data) is not None:
            ttype = "oss"
        elif isinstance(data, dict) and isinstance(data.get("source"), dict) and "logstoreName" in data["source"]:
            ttype = "log"
    try:
        if ttype == "oss":
            rec = _oss_record(data)
            if rec is not None:
                return (
                    f"event {rec.get('eventName')} oss://{rec['oss']['bucket']['name']}/{rec['oss']['object']['key']}"
                )
        elif ttype == "mns_topic":
            variant = getattr(event, "variant", "") or ""
            body = (
                data
                if isinstance(data, str)
                else (
                    (data.get("Message") if "Message" in data else data.get("body")) if isinstance(data, dict) else None
                )
            )
            topic = data.get("TopicName") if isinstance(data, dict) else None
            where = f" on topic {topic!r}" if topic else ""
            return f"event MNS message {_clip(body)!r}{where}" + (f" ({variant})" if variant else "")
        elif ttype == "tablestore":
            records = (data or {}).get("Records") or []
            kinds = ", ".join(str(r.get("Type")) for r in records) or "no records"
            return f"event Tablestore stream record(s) {kinds}"
        elif ttype == "log":
            src = data["source"]
            return (
                f"event SLS shard {src.get('shardId')} of logstore {src.get('projectName')}/{src.get('logstoreName')}"
            )
    except (KeyError, TypeError, AttributeError):
        pass
    if ttype:
        return f"{ttype} event"
    return "event"


def _clip(value: Any, limit: int = 40) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 3] + "..."
    return value


def _sniff_json(event: Any) -> Any:
    if isinstance(event, (dict, list)):
        return event
    if isinstance(event, (bytes, bytearray, str)):
        try:
            return json.loads(event)
        except (ValueError, UnicodeDecodeError):
            return None
    return None


def _oss_record(data: Any) -> Optional[Mapping[str, Any]]:
    if isinstance(data, dict):
        events = data.get("events")
        if isinstance(events, list) and events and isinstance(events[0], dict) and "oss" in events[0]:
            return events[0]
    return None


def _event_fires(event: Any, trigger: Any) -> bool:
    """Best guess whether ``trigger`` is the one that delivered ``event`` (for the chain's start)."""
    ttype = getattr(event, "trigger_type", None)
    data = getattr(event, "data", None)
    if ttype is None:
        data = _sniff_json(event)
        if _oss_record(data) is not None:
            ttype = "oss"
    if ttype != trigger.type:
        return False
    if ttype == "oss":
        rec = _oss_record(data)
        if rec is None:
            return True
        try:
            bucket = rec["oss"]["bucket"]["name"]
            key = rec["oss"]["object"]["key"]
            name = _strip_oss(str(rec.get("eventName", "")))
        except (KeyError, TypeError):
            return True
        rule = _OssRule(trigger)
        return bucket == trigger.bucket and rule.event_matches(name) and rule.key_matches(key)
    if ttype == "mns_topic" and isinstance(data, dict) and data.get("TopicName"):
        return data.get("TopicName") == trigger.topic
    if ttype == "log" and isinstance(data, dict):
        src = data.get("source") or {}
        return src.get("projectName") == trigger.project and src.get("logstoreName") == trigger.logstore
    return True


def _fix_for(match: LoopMatch) -> str:
    rule = _rule_of(match.trigger)
    if rule is None:
        return "write somewhere the trigger does not watch"
    return rule.fix(match.write, match.trigger)


def _fires_words(match: LoopMatch, origin: Optional[Any], current: str) -> str:
    """``fires ...`` for the chain; ``current`` is the id of the function that wrote."""
    w = match.watched
    t = w.trigger
    again = " again" if origin is not None and t is origin else ""
    if _target(match) != current:
        return f"fires {w.function} through {t.describe()}{again}"
    if again:
        return f"fires {_short_trigger(t)} again"
    if origin is None:
        return f"fires its own {t.describe()}"
    return f"fires {t.describe()} of the same function"


# --------------------------------------------------------------------------- detector
Redeliver = Callable[[Watched, Any], Redelivery]


class LoopDetector:
    """Checks the writes of one invocation for loops and acts per ``mode``.

    ``triggers`` are the triggers of the function under test (``handler`` names it in
    messages; ``function`` is its ``FunctionSpec`` name when it has one). With ``app``,
    every other function's triggers are watched as well, for cascades. ``rules`` are
    extra ``rule(write, trigger) -> bool`` callables. Disabled triggers (``enable: false``)
    fire nothing in FC and are not watched, unless ``include_disabled=True``. How a write
    fires a trigger is its kind's ``write_rule`` (``pytest_fctrigger/kinds/<type>.py``).
    """

    def __init__(
        self,
        triggers: Iterable[Any] = (),
        *,
        function: Optional[str] = None,
        app: Any = None,
        mode: str = "fail",
        depth: int = 0,
        rules: Sequence[LoopRule] = (),
        rng: Any = None,
        include_disabled: bool = False,
    ) -> None:
        if mode not in LOOP_MODES:
            raise ConfigError(f"loop mode {mode!r} is not one of {', '.join(LOOP_MODES)}")
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
            raise ConfigError(f"loop depth must be an integer >= 0, got {depth!r}")
        self.mode = mode
        self.depth = depth
        self.function = function
        self.rng = rng
        self_label = f"function {function!r}" if function else "the function under test"
        self.own = [Watched(t, self_label, True, None, function) for t in triggers]
        watched = list(self.own)
        if app is not None:
            for name, spec in app.functions.items():
                if name == function:
                    continue
                watched.extend(Watched(t, f"function {name!r}", False, spec, name) for t in spec.triggers)
        self.index = TriggerIndex(watched, rules, include_disabled=include_disabled)

    # -- public ---------------------------------------------------------------------
    def check(
        self,
        writes: Sequence[Any],
        *,
        event: Any = None,
        handler: str = "the handler",
        redeliver: Optional[Redeliver] = None,
        stacklevel: int = 2,
    ) -> Optional[LoopReport]:
        """Match ``writes``; re-deliver up to ``depth`` hops; raise/warn per mode.

        Returns the report (None when no write fires any watched trigger). ``redeliver``
        runs ``watched``'s function with an event and returns its ``Redelivery``;
        without it, depth is treated as 0.
        """
        __tracebackhide__ = True  # the report starts at the test's line, not in the plugin
        if self.mode == "allow" or not writes or not self.index.watched:
            return None
        matches = self.index.match_all(writes)
        if not matches:
            return None
        report = self.analyse(matches, event=event, handler=handler, redeliver=redeliver)
        if report.loop:
            if self.mode == "fail":
                raise SelfTriggerLoop(report)
            warnings.warn(SelfTriggerLoopWarning(report.message), stacklevel=stacklevel + 1)
        return report

    def analyse(
        self,
        matches: List[LoopMatch],
        *,
        event: Any = None,
        handler: str = "the handler",
        redeliver: Optional[Redeliver] = None,
    ) -> LoopReport:
        origin = self._origin(event)
        depth = self.depth if redeliver is not None else 0
        start = self.function if self.function is not None else _SELF
        # every path is [LoopMatch, Hop, Hop...]; the functions it visits decide cycles
        paths: List[Tuple[List[Any], List[str]]] = [([m], [start, _target(m)]) for m in matches]
        hops: List[Hop] = []
        truncated = False
        converged: Optional[bool] = None
        finished: List[Tuple[List[Any], List[str]]] = []
        stuck: List[Tuple[List[Any], List[str]]] = []
        for number in range(1, depth + 1):
            assert redeliver is not None  # depth is 0 without it
            if not paths:
                break
            if len(paths) > MAX_REDELIVERIES_PER_HOP:
                truncated = True
                paths = _prefer_cycles(paths)[:MAX_REDELIVERIES_PER_HOP]
            next_paths: List[Tuple[List[Any], List[str]]] = []
            for path, visited in paths:
                cause = path[-1] if isinstance(path[-1], LoopMatch) else path[-1].matches[0]
                hop = self._redeliver(number, cause, redeliver)
                hops.append(hop)
                new_path = path + [hop]
                if hop.skipped:  # cannot follow: the chain stays open as far as we know
                    stuck.append((new_path, visited))
                elif not hop.matches:
                    finished.append((new_path, visited))
                for m in hop.matches:
                    next_paths.append((new_path[:-1] + [_with_first(hop, m)], visited + [_target(m)]))
            paths = next_paths
        paths = stuck + paths
        if depth > 0:
            converged = not paths
        looping = [p for p in paths if _has_cycle(p[1])]
        if looping:
            path, visited = looping[0]
            loop = True
        elif paths:
            path, visited = paths[0]
            loop = False
        else:
            path, visited = max(finished, key=lambda p: len(p[0])) if finished else ([matches[0]], [start])
            loop = False
        report = LoopReport(
            handler=handler,
            origin=origin,
            event=event,
            matches=matches,
            depth=depth,
            loop=loop,
            converged=converged,
            path=path,
            cycle=_cycle(visited) if loop else [],
            hops=hops,
            truncated=truncated,
        )
        report.chain = self._chain(report)
        report.message = self._message(report)
        return report

    # -- internals ------------------------------------------------------------------
    def _origin(self, event: Any) -> Optional[Any]:
        if event is None:
            return None
        for w in self.own:
            if _event_fires(event, w.trigger):
                return w.trigger
        return None

    def _redeliver(self, number: int, cause: LoopMatch, redeliver: Redeliver) -> Hop:
        event = self.event_for(cause)
        if event is None:
            return Hop(
                number,
                cause,
                None,
                cause.watched.function,
                skipped=f"the write {cause.write.describe()} carries no event to re-deliver",
            )
        outcome = redeliver(cause.watched, event)
        hop = Hop(number, cause, event, outcome.handler, list(outcome.writes), error=outcome.error)
        hop.matches = self.index.match_all(hop.writes)
        return hop

    def event_for(self, match: LoopMatch) -> Any:
        """The event FC would deliver to ``match``'s trigger for ``match``'s write.

        The journal keeps an MNS message in the STREAM format; a subscription with
        ``notifyContentFormat: JSON`` gets it rebuilt in the JSON format from the
        message, tag and attributes the write recorded.
        """
        write, trigger = match.write, match.trigger
        if trigger.type == "mns_topic" and "message" in write.attributes:
            fmt = trigger.notify_format
            current = getattr(write.event, "variant", "") or ""
            if write.event is not None and current.upper().startswith(fmt):
                return write.event
            from .events import mns_topic_event

            kwargs: Dict[str, Any] = {
                "message": write.attributes["message"],
                "format": fmt,
                "attributes": write.attributes.get("attrs") or None,
                "topic": write.resource.get("topic"),
                "rng": self._rng(),
            }
            if write.attributes.get("tag"):
                kwargs["tag"] = write.attributes["tag"]
            if write.attributes.get("message_id"):
                kwargs["message_id"] = write.attributes["message_id"]
            if write.region:
                kwargs["region"] = write.region
            return mns_topic_event(**kwargs)
        return write.event

    def _rng(self) -> Any:
        if self.rng is None:
            from .events._random import FCRandom

            self.rng = FCRandom(0)
        return self.rng

    def _chain(self, report: LoopReport) -> str:
        parts: List[str] = []
        if report.origin is not None:
            parts.append(report.origin.describe())
        if report.event is not None:
            parts.append(describe_event(report.event))
        parts.append(f"handler {report.handler}")
        current = self.function if self.function is not None else _SELF
        for step in report.path:
            if isinstance(step, LoopMatch):
                parts.append(f"write {step.write.describe()}")
                parts.append(_fires_words(step, report.origin, current))
                current = _target(step)
            else:
                if step.skipped:
                    parts.append(f"not re-delivered: {step.skipped}")
                    continue
                parts.append(describe_event(step.event))
                parts.append(f"handler {step.handler}")
                if step.error:
                    parts.append(f"raised {step.error}")
                if step.matches:
                    m = step.matches[0]
                    parts.append(f"write {m.write.describe()}")
                    parts.append(_fires_words(m, report.origin, current))
                    current = _target(m)
                else:
                    parts.append("no write fires a trigger (chain ends)")
        return " -> ".join(parts)

    @staticmethod
    def _writers(report: LoopReport) -> List[Tuple[str, LoopMatch]]:
        """(handler that wrote, match) for every looping write along the reported path."""
        out = [(report.handler, report.path[0])]
        for hop in report.path[1:]:
            if hop.matches:
                out.append((hop.handler, hop.matches[0]))
        return out

    def _message(self, report: LoopReport) -> str:
        lines: List[str] = []
        first = report.path[0]
        if report.loop and report.cascade:
            cycle = " -> ".join(report.cycle)
            lines.append(
                f"Self-trigger loop across functions: {cycle}. Each function writes what "
                "fires the next, so in FC every invocation starts another one."
            )
        elif report.loop:
            lines.append(
                f"Self-trigger loop: handler {report.handler} writes what fires its own "
                "trigger, so in FC every invocation starts another one."
            )
        elif report.converged:
            lines.append(
                f"Writes of handler {report.handler} fire a trigger again, but the chain "
                f"converges: re-delivered {_times(len(report.hops))}, it ends."
            )
        else:
            lines.append(
                f"Writes of handler {report.handler} fire other functions' triggers "
                "(no cycle found"
                + (f" within {_hops(report.depth)})." if report.depth else "; --fc-loop-depth N follows the cascade).")
            )
        lines.append("  " + report.chain.replace(" -> ", "\n  -> "))
        lines.append(f"Why: {first.reason}.")
        reasons = {first.reason}
        for hop in report.path[1:]:
            if isinstance(hop, Hop) and hop.matches and hop.matches[0].reason not in reasons:
                reasons.add(hop.matches[0].reason)
                lines.append(f"Why (hop {hop.number}): {hop.matches[0].reason}.")
        if report.depth:
            if report.converged:
                lines.append(
                    f"--fc-loop-depth {report.depth}: the chain converges after "
                    f"{len(report.hops)} re-deliver{'y' if len(report.hops) == 1 else 'ies'}."
                )
            elif report.loop:
                lines.append(
                    f"--fc-loop-depth {report.depth}: re-delivered {_hops(report.depth)}; "
                    "the chain does not converge (every hop writes what fires a trigger again)."
                )
            if report.truncated:
                lines.append(f"(at most {MAX_REDELIVERIES_PER_HOP} re-deliveries per hop were followed)")
        if report.loop:
            steps = self._writers(report)
            if report.cascade:
                lines.append("Fix (break the cycle at any one step):")
                seen = set()
                for writer, m in steps:
                    line = (
                        f"  - handler {writer}, whose write fires {m.trigger.type} trigger "
                        f"{m.trigger.name!r} of {m.watched.function}: {_fix_for(m)}"
                    )
                    if line not in seen:
                        seen.add(line)
                        lines.append(line)
            else:
                lines.append(f"Fix: {_fix_for(steps[0][1])}.")
            others = len(report.matches) - 1
            if others > 0:
                lines.append(f"({others} more write(s) of the first invocation also fire triggers.)")
            lines.append(
                'FC does not stop such loops (FC docs "Configure a native OSS trigger": "You must '
                'prevent recursive invocations"; "OSS trigger overview": "避免循环触发").'
            )
            lines.append(_OPTIONS_HINT + ".")
        return "\n".join(lines)


def _hops(n: int) -> str:
    return "1 hop" if n == 1 else f"{n} hops"


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


_SELF = "\x00self"  # the function under test when it has no FunctionSpec name


def _target(match: LoopMatch) -> str:
    w = match.watched
    if w.is_self:
        return w.function_name if w.function_name is not None else _SELF
    return w.function_name or w.function


def _has_cycle(visited: List[str]) -> bool:
    return len(set(visited)) < len(visited)


def _cycle(visited: List[str]) -> List[str]:
    last = visited[-1]
    start = visited.index(last)
    names = visited[start:]
    return ["the function under test" if n == _SELF else f"{n!r}" for n in names]


def _prefer_cycles(paths: List[Tuple[List[Any], List[str]]]) -> List[Tuple[List[Any], List[str]]]:
    return sorted(paths, key=lambda p: not _has_cycle(p[1]))


def _with_first(hop: Hop, match: LoopMatch) -> Hop:
    """The hop as seen along one of its matches (its first match is the one followed)."""
    if hop.matches and hop.matches[0] is match:
        return hop
    others = [m for m in hop.matches if m is not match]
    return dataclasses.replace(hop, matches=[match] + others)

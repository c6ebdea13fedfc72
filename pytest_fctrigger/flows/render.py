"""``FlowRun.tree()`` (text for the terminal and failure reports) and ``to_mermaid()``.

Both walk the cause links: an invocation hangs under the invocation whose write (or
destination) caused it; retries and duplicates of one delivery hang under the same cause.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ._match import describe_event


def _children(run: Any) -> Dict[Optional[int], List[Any]]:
    known = {id(inv) for inv in run.invocations}
    kids: Dict[Optional[int], List[Any]] = {}
    for inv in run.invocations:
        parent = inv.caused_by
        key = id(parent) if parent is not None and id(parent) in known else None
        kids.setdefault(key, []).append(inv)
    return kids


def _line(inv: Any, start: float) -> str:
    state = "ok" if inv.ok else f"FAILED {(inv.error or {}).get('errorType') or 'error'}"
    offset = inv.time - start
    return f"[+{offset:g}s] {inv.label()} {inv.invocation_type}: {describe_event(inv.event)} -> {state}"


def tree(run: Any) -> str:
    kids = _children(run)
    lines: List[str] = []

    def walk(inv: Any, prefix: str, last: bool) -> None:
        lines.append(prefix + ("`-- " if last else "|-- ") + _line(inv, run.start))
        below = kids.get(id(inv), [])
        for i, child in enumerate(below):
            walk(child, prefix + ("    " if last else "|   "), i == len(below) - 1)

    roots = kids.get(None, [])
    for i, inv in enumerate(roots):
        walk(inv, "", i == len(roots) - 1)
    for dl in run.dead_letters:
        where = f" -> sent to {dl.sent_to}" if dl.sent_to else ""
        lines.append(f"dead letter: {dl.function}: {dl.reason}{where}")
    for d in run.destinations:
        lines.append(f"destination {d.condition}: {d.destination}")
    return "\n".join(lines) if lines else "(nothing was delivered)"


def _node_id(name: str) -> str:
    return "f_" + "".join(c if c.isalnum() else "_" for c in name)


_KIND_WORDS = {
    "mns_queue": "MNS queue",
    "mns_topic": "MNS topic",
    "function": "function",
    "eventbridge": "EventBridge bus",
    "rocketmq": "RocketMQ",
}


def _dest_name(arn: str) -> str:
    from .destinations import parse_destination

    return parse_destination(arn, "destination").name or "rocketmq"


def _dest_label(record: Any) -> str:
    return f"{_KIND_WORDS.get(record.kind, record.kind)} {_dest_name(record.destination)}"


def to_mermaid(run: Any) -> str:
    """A ``flowchart LR``: one node per function, one edge per (cause, trigger) with counts."""
    lines = ["flowchart LR"]
    nodes: Dict[str, str] = {}
    edges: Dict[tuple, List[int]] = {}

    def node(name: str, label: str) -> str:
        nid = _node_id(name)
        if nid not in nodes:
            nodes[nid] = label
        return nid

    for inv in run.invocations:
        target = node(inv.function, inv.function)
        if inv.caused_by is not None:
            source = node(inv.caused_by.function, inv.caused_by.function)
        elif inv.via == "timer":
            source = node("timer_" + inv.trigger.name, f"timer {inv.trigger.name}")
        else:
            source = node("test", "test writes")
        how = f"{inv.trigger.type}: {inv.trigger.name}" if inv.trigger is not None else inv.via
        stat = edges.setdefault((source, target, how), [0, 0])
        stat[0] += 1
        stat[1] += 0 if inv.ok else 1
    for d in run.destinations:
        source = (
            node(d.invocation.function, d.invocation.function)
            if d.invocation is not None
            else node("test", "test writes")
        )
        target = node("dest_" + d.kind + "_" + _dest_name(d.destination), _dest_label(d))
        edges.setdefault((source, target, d.condition), [0, 0])[0] += 1  # counted per payload sent
    for nid, label in nodes.items():
        shape = f'(["{label}"])' if nid.startswith(("f_test", "f_timer_")) else f'["{label}"]'
        if nid.startswith("f_dest_"):
            shape = f'[("{label}")]'
        lines.append(f"    {nid}{shape}")
    for (source, target, how), (count, failed) in edges.items():
        text = how if count == 1 else f"{how} x{count}"
        if failed:
            text += f", {failed} failed"
        lines.append(f'    {source} -->|"{text}"| {target}')
    return "\n".join(lines)

"""Every event sample of the seed documents, rebuilt by our builders.

Each file in ``tests/data/seed_samples/`` holds one sample copied from ``seeds/`` (the
file names the seed file, section and line range, and says how a sample broken by
the page layout was repaired). For each, the test builds the same trigger type and
variant and checks that the built event has exactly the sample's key paths, each
with the sample's JSON type, recursively. Extra paths are allowed only when the
sample file lists them as documented elsewhere in the seed (``documented_extra``),
or below a map the doc leaves open (``open_maps``: ``{all headers, ...}``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_fctrigger.events import FCRandom, get_source, tablestore_record
from pytest_fctrigger.events._random import seed_from_text

SAMPLES_DIR = Path(__file__).parent / "data" / "seed_samples"
SAMPLE_FILES = sorted(SAMPLES_DIR.glob("*.json"))
# The number stated in docs/events/index.md; a sample dropped by accident fails here.
EXPECTED_SAMPLE_COUNT = 59

print(f"pytest-fctrigger seed samples covered: {len(SAMPLE_FILES)}")


def json_type(value):
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, bytes):
        return "bytes"
    raise TypeError(type(value))


def shape(node, prefix="", out=None):
    """{dotted path: set of JSON types} of every node below ``node``.

    List items share the path segment ``[]``: a sample's list length is an example
    (two messages, two object paths), while the items' keys and types are the format.
    """
    out = {} if out is None else out
    if isinstance(node, dict):
        items = [(str(k), v) for k, v in node.items()]
    elif isinstance(node, list):
        items = [("[]", v) for v in node]
    else:
        items = []
    for key, child in items:
        path = f"{prefix}.{key}" if prefix else key
        out.setdefault(path, set()).add(json_type(child))
        shape(child, path, out)
    return out


def _resolve(value):
    """Build-spec values: ``{"$repeat": [text, n]}`` stands for a long string."""
    if isinstance(value, dict) and set(value) == {"$repeat"}:
        text, n = value["$repeat"]
        return text * n
    if isinstance(value, list):
        return [_resolve(v) for v in value]
    return value


def build_event(spec, rng):
    fields = {k: _resolve(v) for k, v in spec.get("fields", {}).items()}
    if "records" in spec:
        fields["records"] = [tablestore_record(rng=rng, **rec) for rec in spec["records"]]
    return get_source(spec["type"]).build(rng, spec.get("variant"), **fields)


def decoded(event, trigger_type):
    if trigger_type == "tablestore":
        import cbor2

        return cbor2.loads(bytes(event))
    return json.loads(bytes(event))


def test_sample_count_matches_docs():
    assert len(SAMPLE_FILES) == EXPECTED_SAMPLE_COUNT


@pytest.mark.parametrize("sample_file", SAMPLE_FILES, ids=[p.stem for p in SAMPLE_FILES])
def test_builder_matches_seed_sample(sample_file):
    doc = json.loads(sample_file.read_text(encoding="utf-8"))
    assert doc["seed"].startswith("seeds/") and doc["section"] and doc["lines"]
    rng = FCRandom(seed_from_text(sample_file.stem))
    event = build_event(doc["build"], rng)
    assert isinstance(event, bytes)

    if doc["format"] == "text":
        # MNS STREAM without attributes: the raw body, not JSON
        assert isinstance(event.data, str)
        assert bytes(event) == event.data.encode("utf-8")
        assert isinstance(doc["sample"], str)
        with pytest.raises(ValueError):
            json.loads(bytes(event))
        return

    built = decoded(event, get_source(doc["build"]["type"]).trigger_type)
    assert built == event.data
    if doc["compare"]:
        built = built[doc["compare"]]
    sample_shape, built_shape = shape(doc["sample"]), shape(built)
    # "open maps" are the doc's placeholders ({all headers, ...}): any keys may appear
    for prefix in doc["open_maps"]:
        built_shape = {p: t for p, t in built_shape.items() if not p.startswith(prefix + ".")}
    missing = sorted(set(sample_shape) - set(built_shape))
    extra = sorted(set(built_shape) - set(sample_shape))
    assert missing == [], f"built event lacks sample paths {missing}"
    assert extra == sorted(doc["documented_extra"]), f"built event has undocumented paths {extra}"
    wrong = {p: (sample_shape[p], built_shape[p]) for p in sample_shape if sample_shape[p] != built_shape[p]}
    assert wrong == {}, f"(sample type, built type) differ: {wrong}"
    assert json_type(built) == json_type(doc["sample"])

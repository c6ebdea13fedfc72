"""The builder fixtures, ``--fc-seed`` and the seed shown in a failing test's report."""

from __future__ import annotations

import pytest

from pytest_fctrigger.events import FCEvent, FCRandom, oss_event
from pytest_fctrigger.events._random import seed_from_text
from pytest_fctrigger.plugin import EVENT_BUILDERS


@pytest.mark.parametrize("name", [n for n in EVENT_BUILDERS if n != "wsgi_environ"])
def test_every_builder_fixture_is_the_builder_bound_to_the_test_seed(request, name, fc_seed):
    from pytest_fctrigger import events

    bound = request.getfixturevalue(name)
    plain = getattr(events, name)
    assert bound.__name__ == name and bound.__doc__ == plain.__doc__
    if name == "tablestore_record":
        assert bound() == plain(rng=FCRandom(fc_seed, region="cn-hangzhou"))
        return
    event = bound()
    assert isinstance(event, FCEvent)
    assert event == plain(rng=FCRandom(fc_seed, region="cn-hangzhou"))


def test_default_seed_is_derived_from_the_node_id(request, fc_seed):
    assert fc_seed == seed_from_text(request.node.nodeid)


def test_fixtures_share_one_rng_so_a_test_gets_a_stream_of_distinct_events(oss_event, fc_random):
    first, second = oss_event(), oss_event()
    assert first != second
    assert first.data["events"][0]["region"] == fc_random.region
    arn_account = first.data["events"][0]["oss"]["bucket"]["arn"].split(":")[3]
    assert arn_account == fc_random.account_id


SEEDED = """
from pytest_fctrigger.events import FCRandom, oss_event as plain

def test_seeded(fc_seed, oss_event):
    assert fc_seed == 1234
    assert oss_event(bucket="bkt") == plain(bucket="bkt", rng=FCRandom(1234, region="cn-hangzhou"))
"""


def test_fc_seed_option_fixes_the_seed_of_every_test(pytester):
    pytester.makepyfile(test_seeded=SEEDED)
    pytester.runpytest("--fc-seed", "1234").assert_outcomes(passed=1)
    pytester.runpytest("--fc-seed", "1235").assert_outcomes(failed=1)


def test_fc_marker_seed_and_ini_region_reach_the_builders(pytester):
    pytester.makeini("[pytest]\nfc_region = cn-beijing\n")
    pytester.makepyfile(
        test_marked="""
import pytest

@pytest.mark.fc(seed=77)
def test_marked(fc_seed, oss_event, mns_queue_event):
    assert fc_seed == 77
    assert oss_event().data["events"][0]["region"] == "cn-beijing"
    assert mns_queue_event().data["aliyunregionid"] == "cn-beijing"
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


FAILING = """
def test_fails(oss_event):
    event = oss_event()
    assert event.data["events"][0]["oss"]["object"]["size"] < 0

def test_passes(oss_event):
    assert oss_event()

def test_fails_without_fc_fixtures():
    assert False
"""


def test_failing_test_report_names_the_seed_and_how_to_reproduce(pytester):
    pytester.makepyfile(test_failing=FAILING)
    result = pytester.runpytest("-rf")
    result.assert_outcomes(passed=1, failed=2)
    seed = seed_from_text("test_failing.py::test_fails")
    result.stdout.fnmatch_lines(
        [
            "*- fctrigger -*",
            f"seed {seed}: reproduce with  pytest 'test_failing.py::test_fails' --fc-seed {seed}",
        ]
    )
    # only the test that drew seeded values gets the section
    assert result.stdout.str().count("reproduce with") == 1


def test_reproduce_line_really_reproduces_the_failing_event(pytester, monkeypatch):
    pytester.makepyfile(
        test_repro="""
import os, pathlib

def test_capture(oss_event):
    pathlib.Path(os.environ["OUT"]).write_bytes(bytes(oss_event()))
    assert False
"""
    )
    seed = seed_from_text("test_repro.py::test_capture")
    out1, out2 = pytester.path / "a.bin", pytester.path / "b.bin"
    monkeypatch.setenv("OUT", str(out1))
    pytester.runpytest().assert_outcomes(failed=1)
    monkeypatch.setenv("OUT", str(out2))
    pytester.runpytest("test_repro.py::test_capture", "--fc-seed", str(seed)).assert_outcomes(failed=1)
    assert out1.read_bytes() == out2.read_bytes() == bytes(oss_event(rng=FCRandom(seed, region="cn-hangzhou")))


def test_seed_report_survives_xdist(pytester):
    pytester.makepyfile(test_failing=FAILING)
    result = pytester.runpytest_subprocess("-p", "xdist", "-n", "2")
    result.assert_outcomes(passed=1, failed=2)
    seed = seed_from_text("test_failing.py::test_fails")
    result.stdout.fnmatch_lines([f"seed {seed}: reproduce with  pytest 'test_failing.py::test_fails' --fc-seed {seed}"])


def test_fc_random_faker_is_seeded_by_the_test_and_separate_from_the_builders():
    # Faker is for the content of a test's own payloads (message bodies, user metadata);
    # builders never call it, so their bytes do not depend on the installed Faker release.
    a, b, other = FCRandom(5), FCRandom(5), FCRandom(6)
    names = [a.faker.name(), a.faker.email()]
    assert names == [b.faker.name(), b.faker.email()]
    assert names != [other.faker.name(), other.faker.email()]
    # using Faker does not shift the builders' stream: the next event is the one without it
    assert oss_event(rng=a) == oss_event(rng=FCRandom(5))


def test_fc_random_faker_in_a_test(pytester):
    pytester.makepyfile(
        test_faker="""
def test_body(fc_random, mns_topic_event):
    body = fc_random.faker.sentence()
    assert mns_topic_event(message=body).data == body
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)

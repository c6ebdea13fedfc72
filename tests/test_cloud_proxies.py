"""requests' proxy lookup while fc_cloud is active: urllib's answer, read without decoding
every environment variable (cloud/_proxies.py)."""

from __future__ import annotations

import os
import sys
import urllib.request

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_fctrigger.cloud import Cloud
from pytest_fctrigger.cloud._proxies import environ_proxies

pytestmark = pytest.mark.skipif(
    os.name != "posix" or sys.platform == "darwin", reason="urllib reads only the environment on this platform"
)

ENVIRONMENTS = [
    {},
    {"HTTP_PROXY": "http://upper:1", "http_proxy": "http://lower:2"},  # lowercase wins
    {"HTTPS_PROXY": "http://up:1", "https_proxy": ""},  # an empty lowercase one removes
    {"HTTPS_PROXY": "", "no_proxy": "localhost,.aliyuncs.com"},  # an empty uppercase one is ignored
    {"Http_Proxy": "http://mixed:3", "FTP_PROXY": "ftp://f:4", "ALL_PROXY": "socks5://a:5"},
    {"HTTP_PROXY": "http://cgi:1", "REQUEST_METHOD": "GET"},  # CVE-2016-1000110: dropped under CGI
    {"HTTP_PROXY": "http://cgi:1", "http_proxy": "http://cgi-lower:2", "REQUEST_METHOD": "GET"},
    {"ÄÖ_PROXY": "http://umlaut:1", "ÿ_proxy": "http://y:2", "_proxy": "http://bare:3", "PROXY": "x"},
    {"X_PROXY_": "no", "proxy_x": "no", "MY_PROXYNESS": "no", "a_PrOxY": "http://odd:6"},
]


def _with_environment(monkeypatch: pytest.MonkeyPatch, extra: dict) -> None:
    for name in list(os.environ):
        if name.lower().endswith("_proxy") or name == "REQUEST_METHOD":
            monkeypatch.delenv(name)
    for name, value in extra.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("extra", ENVIRONMENTS, ids=range(len(ENVIRONMENTS)))
def test_same_answer_as_urllib(monkeypatch: pytest.MonkeyPatch, extra: dict) -> None:
    _with_environment(monkeypatch, extra)
    assert environ_proxies() == urllib.request.getproxies_environment()


_NAME_CHARS = st.sampled_from(list("_pProOxXyYaÄİıſK") + ["\u212a", "\udcff"])


@settings(max_examples=200, deadline=None)
@given(
    names=st.lists(
        st.tuples(st.text(_NAME_CHARS, min_size=1, max_size=9), st.sampled_from(["", "http://p:1", "ä"])),
        max_size=6,
    )
)
def test_same_answer_as_urllib_for_any_names(names: list) -> None:
    # names made of the letters of "_proxy" in both cases, and characters whose case
    # mapping is special (Turkish I, long s, Kelvin sign, an undecodable byte)
    saved = {k: v for k, v in os.environb.items() if k.lower().endswith(b"_proxy") or k == b"REQUEST_METHOD"}
    for key in saved:
        del os.environb[key]
    added = []
    try:
        for name, value in names:
            key = os.fsencode(name + "_proxy" if len(name) % 2 else name)
            if not key or b"=" in key:
                continue
            os.environb[key] = os.fsencode(value)
            added.append(key)
        assert environ_proxies() == urllib.request.getproxies_environment()
    finally:
        for key in added:
            os.environb.pop(key, None)
        os.environb.update(saved)


def test_requests_sees_the_same_proxies_while_the_cloud_is_active(monkeypatch: pytest.MonkeyPatch) -> None:
    import requests.utils

    _with_environment(monkeypatch, {"HTTPS_PROXY": "http://proxy.corp:3128", "NO_PROXY": "internal.corp"})
    url = "https://oss-cn-hangzhou.aliyuncs.com/x"
    before = requests.utils.get_environ_proxies(url)
    bypass_before = requests.utils.should_bypass_proxies("https://a.internal.corp/", no_proxy=None)
    originals = (requests.utils.getproxies, requests.utils.proxy_bypass)
    with Cloud(rng=1).activate():
        assert requests.utils.getproxies is environ_proxies  # the cheap reader serves requests
        assert requests.utils.get_environ_proxies(url) == before
        assert before["https"] == "http://proxy.corp:3128"
        assert requests.utils.should_bypass_proxies("https://a.internal.corp/", no_proxy=None) is bypass_before is True
        # a no_proxy argument (requests' Session.proxies / trust_env path) still bypasses
        assert requests.utils.get_environ_proxies(url, no_proxy="aliyuncs.com") == {}
    assert (requests.utils.getproxies, requests.utils.proxy_bypass) == originals  # put back


def test_a_proxy_set_by_a_handler_is_seen_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import requests.utils

    _with_environment(monkeypatch, {})
    with Cloud(rng=1).activate():
        assert requests.utils.get_environ_proxies("https://x.aliyuncs.com/") == {}
        monkeypatch.setenv("https_proxy", "http://late:8080")  # nothing cached between calls
        assert requests.utils.get_environ_proxies("https://x.aliyuncs.com/") == {"https": "http://late:8080"}

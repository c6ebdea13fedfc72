"""The handler's environment is recomputed when the test's changes between calls.

The per-call swap reuses what it computed for the previous call while the process
environment and the runtime's values stay the same (done for speed,
pytest_fctrigger/invoke/_environment.py): a change between two calls must still show.
"""

from __future__ import annotations

import os
import subprocess

from pytest_fctrigger.invoke import Invoker


def _seen(event, context):
    return {name: os.environ.get(name) for name in ("FCT_PLAIN", "ALIBABA_CLOUD_ACCESS_KEY_ID", "OSS_ACCESS_KEY_ID")}


def test_changes_between_calls_reach_the_next_call_and_are_restored_after(monkeypatch):
    invoker = Invoker(rng=3)
    monkeypatch.delenv("FCT_PLAIN", raising=False)
    monkeypatch.delenv("OSS_ACCESS_KEY_ID", raising=False)
    first = invoker(_seen, b"").return_value
    assert first["FCT_PLAIN"] is None and first["OSS_ACCESS_KEY_ID"] is None
    fake_key = first["ALIBABA_CLOUD_ACCESS_KEY_ID"]

    monkeypatch.setenv("FCT_PLAIN", "one")
    monkeypatch.setenv("OSS_ACCESS_KEY_ID", "LTAI-real-looking")  # a credential variable: hidden
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-developer")
    before = dict(os.environ)
    second = invoker(_seen, b"").return_value
    assert second == {"FCT_PLAIN": "one", "ALIBABA_CLOUD_ACCESS_KEY_ID": fake_key, "OSS_ACCESS_KEY_ID": None}
    assert dict(os.environ) == before

    monkeypatch.setenv("FCT_PLAIN", "two")
    assert invoker(_seen, b"").return_value["FCT_PLAIN"] == "two"
    assert os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"] == "LTAI-developer"


def test_a_handler_changing_variables_is_undone_in_both_views(monkeypatch):
    monkeypatch.setenv("FCT_KEEP", "kept")
    monkeypatch.delenv("FCT_ADDED", raising=False)

    def changer(event, context):
        os.environ["FCT_ADDED"] = "x"
        os.environ["FCT_KEEP"] = "changed"
        del os.environ["HOME"]

    invoker = Invoker(rng=4)
    before = dict(os.environ)
    for _ in range(2):  # the second call starts from the same environment as the first
        invoker(changer, b"")
        assert dict(os.environ) == before
    # the C-level environment agrees (what child processes inherit)
    shown = subprocess.run(
        ["sh", "-c", 'printf %s "$FCT_KEEP|${FCT_ADDED-unset}"'], capture_output=True, text=True, check=True
    )
    assert shown.stdout == "kept|unset"

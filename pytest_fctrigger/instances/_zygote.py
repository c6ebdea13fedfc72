"""The zygote: a Python process that has imported the SDKs once and forks instances.

Started by the test process (``python -c ... _zygote.main()``) with a scratch
environment, it imports the SDKs and the plugin's instance modules, then waits on its
control socket. For each fork request (one byte plus the instance's two socket ends,
passed with ``SCM_RIGHTS``) it forks; the child becomes the instance
(``_child.main``) and the zygote answers with the child's pid. Forking a warm
interpreter is what makes a cold instance cost milliseconds instead of the ~1 s a
fresh interpreter needs to import oss2, tablestore and friends.

Children are reaped by the kernel (``SIGCHLD`` ignored); the zygote dies with the
test process (``PR_SET_PDEATHSIG`` and the control socket's EOF).
"""

from __future__ import annotations

import importlib
import os
import signal
import socket
import struct
import sys
from typing import Any, Dict, List

# Imported once here so every instance starts with them in memory. Only modules that
# read nothing from the environment or HOME at import: a credential chain that reads
# them at import must do so inside the instance, with the instance's environment.
PRELOAD = (
    "json",
    "logging",
    "subprocess",
    "threading",
    "tempfile",
    "uuid",
    "hashlib",
    "hmac",
    "base64",
    "datetime",
    "decimal",
    "urllib.request",
    "xml.etree.ElementTree",
    "ssl",
    "http.client",
    "urllib3",
    "requests",
    "responses",
    "oss2",
    "alibabacloud_oss_v2",
    "mns.mns_http",
    "mns.account",
    "tablestore",
    "aliyun.log",
    "pytest_fctrigger.invoke",
    "pytest_fctrigger.context",
    "pytest_fctrigger.events._random",
    "pytest_fctrigger.cloud.guard",
    "pytest_fctrigger.cloud.oss.handlers",
    "pytest_fctrigger.cloud.mns",
    "pytest_fctrigger.cloud.tablestore",
    "pytest_fctrigger.instances._child",
)


def _preload() -> List[str]:
    import logging

    loaded = []
    # tablestore warns about its optional native codec on import; not the user's concern
    quiet = logging.getLogger("tablestore")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        for name in PRELOAD:
            try:
                importlib.import_module(name)
                loaded.append(name)
            except Exception:  # an SDK that is not installed is simply not preloaded
                continue
    finally:
        quiet.setLevel(level)
    return loaded


def _probe_namespace() -> str:
    """Fork once to see whether this kernel lets us enter user+net namespaces ("" = yes)."""
    from . import _sandbox

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            why = _sandbox.enter_network_namespace() or ""
            os.write(write, why.encode("utf-8", "replace")[:4000])
        finally:
            os._exit(0)
    os.close(write)
    chunks = []
    while True:
        chunk = os.read(read, 4096)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode("utf-8", "replace")


def main() -> None:
    from . import _protocol, _sandbox

    ctl = socket.socket(fileno=int(sys.argv[1]))
    _sandbox.die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the test process' to handle
    loaded = _preload()
    from . import _child

    _child.prepare(os.getcwd())  # the zygote's private directory (see _zygote_client)
    why_not = _probe_namespace()
    info: Dict[str, Any] = {
        "pid": os.getpid(),
        "preloaded": loaded,
        "netns": not why_not,
        "netns_error": why_not,
        "data_mb": _sandbox.data_megabytes(),
    }
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps finished instances
    import gc

    gc.collect()
    if hasattr(gc, "freeze"):  # keep the preloaded objects' pages shared with the children
        gc.freeze()
    _protocol.send(ctl, ("ready", info))
    pid_format = struct.Struct("!i")
    while True:
        try:
            msg, fds, _flags, _addr = socket.recv_fds(ctl, 16, 2)
        except OSError:
            break
        if not msg:  # the test process closed the control socket (or died)
            break
        if len(fds) != 2:
            for fd in fds:
                os.close(fd)
            ctl.sendall(pid_format.pack(-1))
            continue
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                ctl.close()
                from . import _child

                code = _child.main(fds[0], fds[1], bool(info["netns"]))
            finally:
                os._exit(code)
        for fd in fds:
            os.close(fd)
        ctl.sendall(pid_format.pack(pid))
    sys.exit(0)

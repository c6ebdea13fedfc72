"""The test process' handle on its zygote (one per process, started on first use)."""

from __future__ import annotations

import atexit
import collections
import json
import os
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from typing import Any, Deque, Dict, Optional, Tuple

from . import _protocol

_BOOT = (
    "import sys, json\n"
    "sys.path[:] = json.loads(sys.argv[2])\n"
    "from pytest_fctrigger.instances._zygote import main\n"
    "main()\n"
)
_PID = struct.Struct("!i")
READY_TIMEOUT = 120.0  # a cold interpreter importing every SDK on a loaded CI machine


class InstanceStartError(RuntimeError):
    """The zygote or an instance process could not be started (the message says why)."""


class Zygote:
    """A started zygote process: ``fork(fds)`` returns the pid of a new instance."""

    _shared: Optional[Zygote] = None
    started = 0  # instances handed out in this process (the pytest summary reads it)
    _shared_lock = threading.Lock()

    @classmethod
    def shared(cls) -> Zygote:
        with cls._shared_lock:
            zygote = cls._shared
            if zygote is None or not zygote.alive():
                if zygote is not None:
                    zygote.close()
                zygote = cls._shared = Zygote()
            return zygote

    @classmethod
    def close_shared(cls) -> None:
        with cls._shared_lock:
            if cls._shared is not None:
                cls._shared.close()
                cls._shared = None

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._info: Optional[Dict[str, Any]] = None
        self._spares: Deque[Tuple[socket.socket, socket.socket]] = collections.deque()
        self.dir = tempfile.mkdtemp(prefix="fctrigger-zygote-")
        home = os.path.join(self.dir, "home")
        os.mkdir(home)
        # a scratch environment: nothing of the developer's (credentials included) gets in
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "LANG": "C.UTF-8",
            "HOME": home,
            "TMPDIR": self.dir,
        }
        for name in ("PYTHONPATH", "SYSTEMROOT"):
            if os.environ.get(name):
                env[name] = os.environ[name]
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._stderr_path = os.path.join(self.dir, "zygote.stderr")
        with open(self._stderr_path, "wb") as stderr:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT, str(child.fileno()), json.dumps(list(sys.path))],
                pass_fds=[child.fileno()],
                env=env,
                cwd=self.dir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,  # Ctrl-C in the terminal is for pytest, not for it
            )
        child.close()
        self.ctl = parent
        atexit.register(self.close)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def info(self) -> Dict[str, Any]:
        """What the zygote reported once ready (preloaded modules, namespace support)."""
        if self._info is None:
            with self._lock:
                if self._info is None:
                    ready, _, _ = select.select([self.ctl], [], [], READY_TIMEOUT)
                    message: Any = None
                    if ready:
                        try:
                            message = _protocol.recv(self.ctl)
                        except (EOFError, OSError):
                            message = None
                    if not (isinstance(message, tuple) and message[0] == "ready"):
                        raise InstanceStartError(self._failure("did not start"))
                    self._info = message[1]
        return self._info

    def _failure(self, what: str) -> str:
        try:
            with open(self._stderr_path, "rb") as fh:
                detail = fh.read()[-4000:].decode("utf-8", "replace").strip()
        except OSError:
            detail = ""
        return f"the FC instance zygote ({sys.executable}) {what}" + (f":\n{detail}" if detail else "")

    def take(self) -> Tuple[int, socket.socket, socket.socket]:
        """A new instance: ``(pid, control socket, RPC socket)``.

        One spare instance is always forked ahead (it has entered its namespaces and made
        a throwaway call, and waits for its configuration), so a test's first call does
        not wait for a fork: the next spare forks while this one works.
        """
        self.info()
        with self._lock:
            try:
                if not self._spares:
                    self._request_spare()
                ctl, rpc = self._spares.popleft()
                raw = b""
                while len(raw) < _PID.size:  # replies come in the order of the requests
                    chunk = self.ctl.recv(_PID.size - len(raw))
                    if not chunk:
                        raise EOFError
                    raw += chunk
                (pid,) = _PID.unpack(raw)
                if pid <= 0:
                    raise InstanceStartError(self._failure("refused a fork request"))
                self._request_spare()
                Zygote.started += 1
            except (OSError, EOFError):
                raise InstanceStartError(self._failure("stopped answering")) from None
        return int(pid), ctl, rpc

    def _request_spare(self) -> None:
        ctl, ctl_child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        rpc, rpc_child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            socket.send_fds(self.ctl, [b"F"], [ctl_child.fileno(), rpc_child.fileno()])
        except OSError:
            ctl.close()
            rpc.close()
            raise
        finally:
            ctl_child.close()
            rpc_child.close()
        self._spares.append((ctl, rpc))

    def close(self) -> None:
        while self._spares:  # a spare dies with the zygote (PR_SET_PDEATHSIG) or on this EOF
            for sock in self._spares.popleft():
                sock.close()
        try:
            self.ctl.close()
        except OSError:
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)

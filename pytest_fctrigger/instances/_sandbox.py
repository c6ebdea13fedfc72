"""Kernel-level protections of an instance process (Linux): namespaces, limits, parent death.

Everything here runs in a freshly forked, single-threaded child (``unshare`` of a user
namespace refuses a multi-threaded caller).
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Optional

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
_PR_SET_PDEATHSIG = 1


def _libc() -> object:
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # type: ignore[attr-defined]
    except (OSError, AttributeError):  # no libc symbol: the socket EOF still ends the process
        pass


def _unshare(flags: int) -> None:
    unshare = getattr(os, "unshare", None)  # Python >= 3.12
    if unshare is not None:
        unshare(flags)
        return
    import ctypes

    libc = _libc()
    if libc.unshare(flags) != 0:  # type: ignore[attr-defined]
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode("ascii"))
    finally:
        os.close(fd)


def enter_network_namespace() -> Optional[str]:
    """Move this process into new, unprivileged user + network namespaces.

    A fresh network namespace has only a loopback interface, and it is down: no
    connection leaves, not even to 127.0.0.1 of the host, whatever the code uses
    (sockets, ctypes, child processes). Returns ``None`` on success, else why not.
    """
    if not sys.platform.startswith("linux"):
        return f"network namespaces are Linux-only (platform {sys.platform})"
    uid, gid = os.getuid(), os.getgid()
    try:
        _unshare(CLONE_NEWUSER | CLONE_NEWNET)
    except OSError as exc:
        return f"unshare(CLONE_NEWUSER|CLONE_NEWNET) failed: {exc.strerror or exc}"
    try:  # keep the same uid/gid inside, so os.getuid() and file ownership look as before
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    except OSError:  # the namespace is in place; only the id mapping is missing
        pass
    return None


def limit_memory(megabytes: int) -> float:
    """Let the instance grow by what is left of ``megabytes`` after what it already uses.

    FC caps an instance's memory (its resident set, runtime included) at ``memorySize``.
    The closest an unprivileged process gets: ``RLIMIT_DATA`` (Linux >= 4.7 counts every
    private writable mapping: heap, anonymous ``mmap``) set to the data segment now plus
    ``megabytes`` minus the resident set now, so allocations past the function's memory
    fail with ``MemoryError``. (``RLIMIT_AS`` would also count shared libraries and
    reserved address space, which FC does not.) Returns the headroom in MB.
    """
    import resource

    headroom = max(float(megabytes) - rss_megabytes(), 0.0)
    limit = int((data_megabytes() + headroom) * 1024 * 1024)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return headroom


def rss_megabytes(pid: Optional[int] = None) -> float:
    """The resident set (``VmRSS``) of a process in MB (0 when unknown)."""
    return _status_field(pid, "VmRSS:")


def data_megabytes(pid: Optional[int] = None) -> float:
    """The data-segment size (``VmData``) of a process in MB (0 when unknown)."""
    return _status_field(pid, "VmData:")


def peak_rss_megabytes(pid: Optional[int] = None) -> float:
    """Peak resident memory (``VmHWM``) of a live process in MB (0 when unknown)."""
    return _status_field(pid, "VmHWM:")


def _status_field(pid: Optional[int], field: str) -> float:
    try:
        with open(f"/proc/{pid or 'self'}/status", "rb") as fh:
            for line in fh:
                if line.startswith(field.encode()):
                    return int(line.split()[1]) / 1024.0
    except (OSError, ValueError, IndexError):
        pass
    return 0.0

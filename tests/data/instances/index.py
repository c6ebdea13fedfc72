"""Handlers for the process-instance tests (tests/test_instances_process.py)."""

import json
import logging
import os
import subprocess
import sys
import threading
import time

STATE = {"init": 0, "calls": 0}


def initializer(context):
    STATE["init"] += 1


def counter(event, context):
    STATE["calls"] += 1
    return {"pid": os.getpid(), "init": STATE["init"], "calls": STATE["calls"]}


def spin(event, context):
    return sum(range(10**10))  # C code holding the GIL: no signal handler runs until it ends


def allocate(event, context):
    megabytes = json.loads(event)["mb"]
    block = bytearray(megabytes * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])  # touch every page: resident, as FC counts it
    return {"allocated_mb": megabytes}


def boom(event, context):
    raise ValueError("boom in the handler")


def environment(event, context):
    home = os.path.expanduser("~")
    files = {}
    for rel in (".aliyun/config.json", ".alibabacloud/credentials", ".aliyun/credentials"):
        path = os.path.join(home, rel)
        if os.path.exists(path):
            with open(path) as fh:
                files[rel] = fh.read()
    with open("/proc/self/environ", "rb") as fh:
        proc_environ = fh.read().decode("utf-8", "replace")
    child = subprocess.run(["env"], capture_output=True, text=True).stdout
    return {
        "environ": dict(os.environ),
        "proc_environ": proc_environ,
        "child_env": child,
        "home": home,
        "home_files": files,
        "cwd": os.getcwd(),
        "tmpdir": os.environ.get("TMPDIR"),
    }


def connect(event, context):
    """Try the stand-in for the outside (a listener on 127.0.0.1) three ways."""
    import _socket

    port = json.loads(event)["port"]
    outcomes = {}
    raw = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    raw.settimeout(2)
    try:
        raw.connect(("127.0.0.1", port))
        outcomes["raw_socket"] = "connected"
    except OSError as exc:
        outcomes["raw_socket"] = f"{type(exc).__name__}: {exc}"
    finally:
        raw.close()
    code = (
        "import socket, sys\n"
        "s = socket.socket(); s.settimeout(2)\n"
        "try:\n"
        f"    s.connect(('127.0.0.1', {port})); print('connected')\n"
        "except OSError as exc:\n"
        "    print(type(exc).__name__)\n"
    )
    outcomes["child_process"] = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    ).stdout.strip()
    return outcomes


def linger(event, context):
    """Leave a thread and a child process running after returning."""
    beat = json.loads(event)["beat"]

    def heartbeat():
        while True:
            with open(beat, "a") as fh:
                fh.write(".")
            time.sleep(0.02)

    threading.Thread(target=heartbeat, daemon=True).start()
    child = subprocess.Popen(["sleep", "60"])
    return {"child": child.pid, "pid": os.getpid()}


def logs(event, context):
    print("printed by the handler")
    logging.getLogger().info("logged by the handler")
    os.write(1, b"written to fd 1 by C-level code\n")
    subprocess.run(["echo", "echoed by a child process"])
    return "ok"


def exits(event, context):
    sys.exit(3)


def slow_initializer(context):
    sum(range(10**10))


def tamper(event, context):
    """Undo what isolates an invocation, as far as handler code can (see ``inspect``)."""
    import socket

    def tripwire(*args, **kwargs):  # stands in for the real functions: never reaches the network
        STATE["tripped"] = STATE.get("tripped", 0) + 1
        raise OSError("the tripwire beneath the guard was reached")

    socket.getaddrinfo = tripwire
    socket.create_connection = tripwire
    socket.socket.connect = tripwire
    for name in ("https_proxy", "HTTPS_PROXY", "http_proxy", "FCTRIGGER_CHILD_GUARD"):
        os.unsetenv(name)
    os.putenv("PYTHONPATH", "/nowhere")
    os.environ["H10_LEFT_BEHIND"] = "1"
    logging.getLogger().setLevel(logging.DEBUG)
    logging.getLogger().addHandler(logging.StreamHandler())
    os.chdir("/")
    return {"pid": os.getpid()}


def inspect(event, context):
    """What the next invocation of a tampered instance finds."""
    import socket

    outcomes = {"pid": os.getpid()}
    for what, attempt in (
        ("lookup", lambda: socket.getaddrinfo("example.com", 443)),
        ("create_connection", lambda: socket.create_connection(("203.0.113.7", 80), timeout=1)),
        ("connect", lambda: socket.socket().connect(("203.0.113.7", 80))),
    ):
        try:
            attempt()
            outcomes[what] = "connected"
        except Exception as exc:
            outcomes[what] = type(exc).__name__
    child = subprocess.run(["env"], capture_output=True, text=True).stdout.splitlines()
    outcomes["child_env"] = dict(line.split("=", 1) for line in child if "=" in line)
    outcomes["tripped"] = STATE.get("tripped", 0)
    outcomes["left_behind"] = os.environ.get("H10_LEFT_BEHIND")
    outcomes["root_level"] = logging.getLogger().level
    outcomes["root_handlers"] = [type(h).__name__ for h in logging.getLogger().handlers]
    outcomes["cwd"] = os.getcwd()
    return outcomes

"""Run inside ``unshare -rn`` (a private network namespace; tests/test_cloud_guard.py).

10.99.0.1 is added to the namespace's loopback device: for the guard it is a
non-loopback address ("the outside"), yet nothing sent to it can leave the namespace.
A listener there counts every connection that escaped the guard. Prints JSON.
"""

import ctypes
import json
import multiprocessing
import socket
import subprocess
import sys
import threading

OUTSIDE = "10.99.0.1"
CAPTURED_CONNECT = socket.socket.connect  # bound before the plugin is imported

listener = socket.socket()
listener.bind((OUTSIDE, 0))
listener.listen(64)
PORT = listener.getsockname()[1]
accepted = []


def serve():
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        accepted.append(1)
        conn.close()


threading.Thread(target=serve, daemon=True).start()


def spawn_worker(port):
    socket.create_connection((OUTSIDE, port), timeout=2).close()


def attempt(name, action, results):
    try:
        action()
        results[name] = "connected"
    except Exception as exc:
        results[name] = type(exc).__name__


def main():
    import _socket

    from pytest_fctrigger.cloud.guard import NetworkGuard

    results = {}
    with NetworkGuard():
        attempt("_socket", lambda: _socket.socket().connect((OUTSIDE, PORT)), results)
        attempt("captured", lambda: CAPTURED_CONNECT(socket.socket(), (OUTSIDE, PORT)), results)
        attempt("ctypes", lambda: ctypes.CDLL(None).connect, results)
        curl = subprocess.run(
            ["curl", "-s", "-m", "3", f"http://{OUTSIDE}:{PORT}/"], capture_output=True, env=None, check=False
        )
        results["curl"] = "connected" if curl.returncode == 0 or len(accepted) else f"exit {curl.returncode}"
        child = subprocess.run(
            [sys.executable, "-c", f"import socket; socket.create_connection(('{OUTSIDE}', {PORT}), timeout=2)"],
            capture_output=True,
            text=True,
            check=False,
        )
        results["python_child"] = (
            "NetworkBlockedError" if "NetworkBlockedError" in child.stderr else child.stderr[-200:]
        )
        proc = multiprocessing.get_context("spawn").Process(target=spawn_worker, args=(PORT,))
        proc.start()
        proc.join(30)
        results["spawn_exitcode"] = proc.exitcode
    results["accepted"] = len(accepted)
    print(json.dumps(results))


if __name__ == "__main__":
    main()

"""The worker process behind a LocalHost: ``python -m gan_core.live.worker`` (the server starts it).

It hosts one RunHost and answers calls on a Unix socket, a thread per open connection, so a
page's snapshot read is answered while the training thread trains. Address, key and thread
count come in the environment (``GAN_LAB_HOST_*``), never on the command line.
"""
from __future__ import annotations

import os
import signal
import threading
from multiprocessing.connection import Listener

from gan_core.live.host import RunHost

# What a handle may call on a host: nothing else is dispatched.
METHODS = ("ping", "create", "remove", "play", "command", "snapshot", "status", "set_threads", "stats")


def dispatch(host: RunHost, method: str, args: tuple):
    if method not in METHODS:
        raise ValueError(f"no host method {method!r}")
    return getattr(host, method)(*args)


class RayRunHost(RunHost):
    """The same host as a Ray actor: one ``call`` entry point, as the local worker has."""

    def call(self, method: str, *args):
        return dispatch(self, method, args)


def _serve(conn, host: RunHost) -> None:
    with conn:
        while True:
            try:
                method, args = conn.recv()
            except (EOFError, OSError):
                return
            try:
                reply = ("ok", dispatch(host, method, args))
            except Exception as e:  # noqa: BLE001  sent back to the caller, who raises it
                reply = ("err", (type(e).__name__, str(e)))
            try:
                conn.send(reply)
            except (OSError, ValueError):
                return


def main() -> None:
    # Training takes whatever CPU is left: the web server, which students wait on, goes first.
    os.nice(int(os.environ.get("GAN_LAB_WORKER_NICE", "5")))
    address = os.environ["GAN_LAB_HOST_ADDRESS"]
    key = bytes.fromhex(os.environ.pop("GAN_LAB_HOST_KEY"))
    host = RunHost(int(os.environ.get("GAN_LAB_HOST_THREADS", "1")), os.environ.get("GAN_LAB_HOST_NAME", "host"))
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    # the server that started us may die without stopping us: leave when our parent does
    parent = os.getppid()

    def watch_parent():
        import time
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    with Listener(address, family="AF_UNIX", authkey=key) as listener:
        while True:
            try:
                conn = listener.accept()
            except Exception:  # noqa: BLE001  a failed handshake (wrong key) is refused, not fatal
                continue
            threading.Thread(target=_serve, args=(conn, host), daemon=True).start()


if __name__ == "__main__":
    main()

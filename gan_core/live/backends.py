"""Where run hosts live: worker processes on this machine, or Ray actors on a cluster.

Both backends answer ``start_host(name, threads, resources) -> host`` and the host answers
``call(method, *args, timeout=...)``, ``alive()``, ``pid`` and ``stop()``. The host object
inside is the same ``RunHost`` class either way; only the transport differs:

- ``LocalBackend`` (the default, nothing to start): each host is a child process,
  ``python -m gan_core.live.worker``, reached over a Unix socket with Python's own
  ``multiprocessing.connection`` (authenticated, one pickled call per message). The server
  keeps a few open connections per host, so many pages call at once without new sockets.
- ``RayBackend``: each host is a Ray actor on an existing cluster (``ray start --head``),
  declared with the CPUs/GPUs it needs; Ray places it on a node with room and holds it back
  until one has. Several app servers can share one cluster.

Only trusted objects travel here (settings, arrays, snapshots made by our own code); uploaded
files travel as bytes and are parsed by the safe checkpoint reader inside the host.
"""
from __future__ import annotations

import os
import queue
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Client

from gan_core.live.procinfo import usable_cores


class HostDied(RuntimeError):
    """The process that hosted the run is gone (killed, out of memory, or its node left)."""


class RemoteError(RuntimeError):
    """An exception inside the host that is not one of the types passed through as they are."""


# Exceptions a host raises on purpose (bad settings, unknown run): re-raised as themselves.
PASSED_THROUGH = {"ValueError": ValueError, "KeyError": KeyError, "TimeoutError": TimeoutError}


class LocalHost:
    POOL_SIZE = 4  # open connections kept per host: calls from that many page threads at once

    def __init__(self, name: str, threads: int):
        self.name = name
        self.address = os.path.join(tempfile.mkdtemp(prefix="gan-lab-"), "host.sock")
        self._key = secrets.token_bytes(32)
        env = dict(os.environ, GAN_LAB_HOST_KEY=self._key.hex(), GAN_LAB_HOST_ADDRESS=self.address,
                   GAN_LAB_HOST_THREADS=str(threads), GAN_LAB_HOST_NAME=name)
        self.proc = subprocess.Popen([sys.executable, "-m", "gan_core.live.worker"], env=env,
                                     stdin=subprocess.DEVNULL)
        self.pid = self.proc.pid
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._ready = threading.Event()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def exit_reason(self) -> str:
        try:  # a broken connection can come a moment before the process is reaped
            code = self.proc.wait(1.0)
        except subprocess.TimeoutExpired:
            return "it stopped answering"
        if code < 0:
            import signal
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
            return f"it was killed by {name}" + (": the machine may have run out of memory, or someone stopped it"
                                                 if name == "SIGKILL" else "")
        return f"it exited with code {code}"

    def _connect(self, timeout: float = 60.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                conn = Client(self.address, family="AF_UNIX", authkey=self._key)
                self._ready.set()
                return conn
            except (FileNotFoundError, ConnectionRefusedError):
                if not self.alive():
                    raise HostDied(f"worker process {self.name} stopped: {self.exit_reason()}") from None
                if time.monotonic() > deadline:
                    raise HostDied(f"worker process {self.name} did not start within {timeout:.0f} s") from None
                time.sleep(0.05)

    def call(self, method: str, *args, timeout: float = 130.0):
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = self._connect()
        try:
            conn.send((method, args))
            if not conn.poll(timeout):
                conn.close()
                raise HostDied(f"worker process {self.name} did not answer {method!r} within {timeout:.0f} s")
            status, value = conn.recv()
        except (EOFError, OSError) as e:
            conn.close()
            raise HostDied(f"worker process {self.name} stopped: {self.exit_reason()}") from e
        if self._idle.qsize() < self.POOL_SIZE:
            self._idle.put(conn)
        else:
            conn.close()
        if status == "ok":
            return value
        kind, text = value
        raise PASSED_THROUGH.get(kind, RemoteError)(text if kind in PASSED_THROUGH else f"{kind}: {text}")

    def stop(self) -> None:
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        try:
            os.unlink(self.address)
            os.rmdir(os.path.dirname(self.address))
        except OSError:
            pass


class LocalBackend:
    name = "local worker processes"
    places_gpus = False   # a run on "cuda" simply uses this machine's GPU from its worker

    def __init__(self, cores: int | None = None):
        self.cores = cores or usable_cores()   # the pool sizes itself to them

    def start_host(self, name: str, threads: int, resources: dict) -> LocalHost:
        return LocalHost(name, threads)

    def capacity_cores(self) -> float:
        return float(self.cores)


class RayHost:
    def __init__(self, actor, name: str):
        self.actor, self.name, self.pid = actor, name, None
        self._dead: str | None = None

    def alive(self) -> bool:
        return self._dead is None

    def exit_reason(self) -> str:
        return self._dead or "still running"

    def call(self, method: str, *args, timeout: float = 130.0):
        import ray
        from ray.exceptions import GetTimeoutError, RayActorError, RayTaskError
        try:
            return ray.get(self.actor.call.remote(method, *args), timeout=timeout)
        except RayActorError as e:
            self._dead = "its Ray actor died (the node left the cluster, ran out of memory, or was stopped)"
            raise HostDied(f"Ray host {self.name}: {self._dead}") from e
        except GetTimeoutError as e:
            raise HostDied(f"Ray host {self.name} did not answer {method!r} within {timeout:.0f} s "
                           "(the cluster may have no room for it yet)") from e
        except RayTaskError as e:
            cause = e.cause
            if type(cause).__name__ in PASSED_THROUGH:
                raise PASSED_THROUGH[type(cause).__name__](str(cause)) from None
            raise RemoteError(f"{type(cause).__name__}: {cause}") from None

    def stop(self) -> None:
        import ray
        try:
            ray.kill(self.actor)
        except Exception:  # noqa: BLE001  already gone
            pass


class RayBackend:
    """Hosts as Ray actors on the cluster at ``address`` (``ray start --head`` prints it)."""

    name = "Ray cluster"
    places_gpus = True    # a run on "cuda" gets a host that declares a GPU: Ray puts it on a GPU node

    def __init__(self, address: str):
        import ray
        if not ray.is_initialized():
            ray.init(address=address, log_to_driver=False, include_dashboard=False,
                     runtime_env={"env_vars": {"PYTHONPATH": _project_root()}})
        self.address = address

    def capacity_cores(self) -> float:
        import ray
        return float(ray.cluster_resources().get("CPU", 1.0))

    def has_gpu(self) -> bool:
        import ray
        return ray.cluster_resources().get("GPU", 0) > 0

    def start_host(self, name: str, threads: int, resources: dict) -> RayHost:
        import ray
        from gan_core.live.worker import RayRunHost
        actor_cls = ray.remote(RayRunHost)
        actor = actor_cls.options(num_cpus=resources.get("num_cpus", 1), num_gpus=resources.get("num_gpus", 0),
                                  max_concurrency=32).remote(threads, name)
        return RayHost(actor, name)


def _project_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

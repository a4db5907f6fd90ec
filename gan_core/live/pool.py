"""The server's side of live runs: hosts, admission with a visible queue, and a handle per run.

A page opens a run and keeps only its ``RunHandle``: start, pause, one step, change settings,
snapshot, save, close. The run itself lives in a host process (gan_core.live.host) that this
pool places it on. The pool also decides which runs may train at once:

- **Admission.** Playing runs together may weigh at most ``capacity`` (a toy run weighs 1, an
  MNIST run 4; the default allows 4 per core). Past it, Play puts the run in a first-come queue
  and the page shows "waiting for a free slot: position N of M"; it starts by itself when a
  slot frees. Pausing frees the slot; a paused run costs memory only. Slots that the first in
  the queue cannot use (an MNIST run while 3 of 4 are free) are *lent* to runs behind it that
  fit; a lent run goes back to the queue, in its place, as soon as taking back the loans lets
  the first start. So no run starts later than under a plain first-come order, and no slot
  stays idle while a run that fits waits.
- **Heartbeats.** Every snapshot read is a heartbeat. A run with none for ``heartbeat_timeout``
  seconds (its tab closed, or its student is on another page of the app) stops training and frees
  its slot; its page says why, and Play resumes it. One with none for ``run_ttl`` seconds ends
  and frees its memory: the student is gone. A page may also give its run a *presence* test
  (``RunHandle.keep_while``): a plain function, asked every scheduler tick, true while the page is
  open and shows the run (for the app: its browser is connected and on that page). While it holds,
  the run counts as seen, so a page whose browser is too busy to call in (a slow laptop, a tab
  in the background) keeps its run, and a closed one still loses its slot within the timeout.
  With a second test that tells a closed page (for the app: its browser's connection ended), a
  closed page's run loses its slot after only ``CLOSED_GRACE_S``: its queue moves on sooner.
- **Faults.** A host process that dies ends each of its runs with the reason; a new host
  replaces it for new runs. A run that raises ends alone (the host says why).
- **Placement.** A run is built on the host with the least weight of runs when its page opens,
  and, on the CPU and until it first trains, moved when it starts to the host with the fewest
  playing runs (a host trains its playing runs in turn, so a run's share of the CPU is its host's
  divided by their number). The move rebuilds it there from its spec and replays the settings
  applied since, in order: the same seed and the same calls give the same run. A run that has
  trained or taken a step stays put.
- **Threads.** When fewer hosts than cores are busy, each busy one gets more torch threads.
- **Recycling.** A worker keeps what its runs loaded after they end (the MNIST digits and the
  digit classifier, the allocator's caches). A local worker that has hosted runs and then had none
  for ``host_recycle`` seconds is replaced by a fresh process, started at once: after a class the
  memory returns to its level before, and the next student does not wait for a worker.

No Streamlit here: the pages use ``default_pool()`` and the handle's plain-data answers.
"""
from __future__ import annotations

import atexit
import bisect
import itertools
import os
import threading
import time
import uuid
from dataclasses import dataclass

from gan_core.live.backends import HostDied, LocalBackend

RUN_WEIGHTS = {"toy": 1.0, "race": 1.0, "toy2d": 1.0, "mnist": 4.0}
UNITS_PER_CORE = 4.0
HEARTBEAT_TIMEOUT_S = 12.0   # + one scheduler tick: a closed tab's run stops within ~13 s
RUN_TTL_S = 120.0            # then its memory goes too (a student back from another page keeps the run)
TICK_S = 0.5
# A page known to be closed (RunHandle.keep_while's ``closed``) frees its slot after this long
# without a call: enough for a connection that drops and comes back (a reload, a network blip).
CLOSED_GRACE_S = 4.0
HOST_RECYCLE_S = 30.0        # a local worker without runs this long is replaced by a fresh process
RECALLED = ("info", "Back in the queue for now: your run was training in slots lent to it while a classmate "
                    "ahead of you in the queue waited for more of them, and that run can start now. Yours goes "
                    "on by itself, from where it stopped, when a slot frees.")


@dataclass
class RunView:
    """What a page draws: the run's latest snapshot and where it stands."""
    snapshot: dict | None
    state: str                 # "paused" | "playing" | "waiting" | "ended"
    position: int = 0          # in the queue, from 1, while waiting
    queue_length: int = 0
    message: tuple | None = None   # ("error" | "info", text) from the run (divergence, a step's report)
    ended: str | None = None       # why the run ended

    @property
    def playing(self) -> bool:
        return self.state == "playing"


class _Record:
    def __init__(self, run_id, kind, weight, host_index):
        self.id, self.kind, self.weight, self.host_index = run_id, kind, weight, host_index
        self.state = "paused"
        self.ended: str | None = None
        self.message: tuple | None = None
        self.snapshot: dict | None = None
        self.version = -1
        self.last_seen = float("inf")   # not judged by heartbeats until its host has built it
        self.waiting_since = 0.0
        # when its host last confirmed a start (inf while one is under way): a host's answer asked for
        # before that says nothing about whether the run plays now
        self.started_at = 0.0
        # its place in the first-come order, from its latest Play: a playing run with a later ticket
        # than the first in the queue started while that one waited, on a loan of its slots
        self.ticket = 0
        self.presence = None            # RunHandle.keep_while: true while the run's page is open
        self.closed = None              # and true once that page is known closed
        # Until its first start, a run can be rebuilt on another host exactly: the spec it was opened
        # with and the settings applied since, in order (None once it has played or taken a step)
        self.spec: dict | None = None
        self.applied: list[dict] = []
        self.calls = threading.Lock()   # a settings change or a step, against a move between hosts


class RunPool:
    def __init__(self, backend=None, hosts: int | None = None, capacity: float | None = None,
                 heartbeat_timeout: float = HEARTBEAT_TIMEOUT_S, run_ttl: float = RUN_TTL_S,
                 host_recycle: float = HOST_RECYCLE_S):
        self.backend = backend or LocalBackend()
        cores = self.backend.capacity_cores()
        self.n_hosts = max(1, int(hosts or round(cores)))
        self.cores = cores
        self.capacity = float(capacity or UNITS_PER_CORE * cores)
        self.heartbeat_timeout = heartbeat_timeout
        self.run_ttl = max(run_ttl, heartbeat_timeout)
        self._hosts: list = [None] * self.n_hosts
        self.host_recycle = host_recycle
        self._hosted: set[int] = set()              # hosts (by index) that have hosted a run since they started
        self._empty_since: dict[int, float] = {}   # of those, the ones with no run now: since when
        self._records: dict[str, _Record] = {}
        self._queue: list[str] = []
        self._lock = threading.RLock()
        self._names = itertools.count()
        self._tickets = itertools.count(1)
        self._closed = False
        self._thread = threading.Thread(target=self._schedule, name="gan-lab-scheduler", daemon=True)
        self._thread.start()
        if isinstance(self.backend, LocalBackend):  # start the worker processes now, not on a first click
            with self._lock:
                for i in range(self.n_hosts):
                    self._host(i, {})

    # ---- opening runs
    def open(self, kind: str, spec: dict) -> "RunHandle":
        """Create a run on the least-loaded host and return its handle (ValueError: bad spec).

        On a cluster (a backend that places GPUs), an MNIST run on "cuda" gets a host of its own
        that declares one GPU, so the cluster puts it on a GPU node."""
        with self._lock:
            if kind == "mnist" and str(spec.get("device", "cpu")).startswith("cuda") and self.backend.places_gpus:
                if not self.backend.has_gpu():
                    raise ValueError("device 'cuda' was asked for, but no node of the cluster has a GPU; choose CPU.")
                index = len(self._hosts)
                self._hosts.append(None)
                host = self._host(index, {"num_cpus": 1, "num_gpus": 1})
            else:
                loads = [0.0] * self.n_hosts
                for r in self._records.values():
                    if r.host_index < self.n_hosts:
                        loads[r.host_index] += r.weight
                index = min(range(self.n_hosts), key=lambda i: (loads[i], self._hosts[i] is None))
                host = self._host(index, {})
            record = _Record(uuid.uuid4().hex, kind, RUN_WEIGHTS.get(kind, 1.0), index)
            record.spec = spec
            self._records[record.id] = record
            self._hosted.add(index)
            self._empty_since.pop(index, None)
        try:
            record.snapshot = host.call("create", record.id, kind, spec)
            record.version, record.last_seen = -1, time.monotonic()
        except HostDied as e:
            self._host_died(index, str(e))
            raise
        except Exception:
            with self._lock:
                self._records.pop(record.id, None)
            raise
        return RunHandle(self, record)

    def _host(self, index: int, resources: dict):
        host = self._hosts[index]
        if host is None or not host.alive():
            threads = max(1, int(self.cores // self.n_hosts))
            host = self.backend.start_host(f"host-{next(self._names)}", threads, resources)
            self._hosts[index] = host
        return host

    # ---- what handles call
    def _call(self, record: _Record, method: str, *args, timeout: float = 130.0):
        if record.ended:
            raise RunEnded(record.ended)
        index = record.host_index
        host = self._hosts[index]
        if host is None:  # its host died and was taken away, or the pool shut down
            self._end(record, record.ended or "The run ended: its worker is gone.", remove=False)
            raise RunEnded(record.ended)
        try:
            return host.call(method, record.id, *args, timeout=timeout)
        except HostDied as e:
            self._host_died(index, str(e), host)
            raise RunEnded(record.ended) from None
        except KeyError:  # the host no longer knows the run: it moved meanwhile, or it ended there
            if record.host_index != index:
                return self._call(record, method, *args, timeout=timeout)
            self._end(record, record.ended or "The run ended on its host.")
            raise RunEnded(record.ended) from None

    def apply(self, record: _Record, settings: dict) -> dict:
        with record.calls:
            try:
                result = self._call(record, "command", "apply", settings)
            except ValueError:
                record.spec = None   # refused, perhaps after a part took effect: replaying it could differ
                raise
            if record.spec is not None:
                record.applied.append(settings)
            return result

    def do(self, record: _Record, action: str, *args):
        with record.calls:
            record.spec, record.applied = None, []
            return self._call(record, "command", action, *args)

    def play(self, record: _Record) -> None:
        with self._lock:
            if record.ended or record.state in ("playing", "waiting"):
                return
            record.message, record.ticket = None, next(self._tickets)
            record.state, record.waiting_since = "waiting", time.monotonic()
            self._queue.append(record.id)
            self._admit()      # it starts now if it is first and fits, or fits in slots the first cannot use

    def pause(self, record: _Record) -> None:
        with self._lock:
            if record.state == "waiting":
                self._queue.remove(record.id)
                record.state = "paused"
            elif record.state == "playing":
                record.state = "paused"
                try:
                    self._call(record, "play", False, timeout=30)
                except RunEnded:
                    pass
                self._admit()

    def view(self, record: _Record) -> RunView:
        record.last_seen = time.monotonic()
        if not record.ended:
            try:
                self._ask(record, "snapshot", record.version)
            except RunEnded:
                pass
        with self._lock:
            position = self._queue.index(record.id) + 1 if record.id in self._queue else 0
            return RunView(record.snapshot, "ended" if record.ended else record.state, position,
                           len(self._queue), record.message, record.ended)

    def _ask(self, record: _Record, method: str, *args) -> None:
        """Ask the run's host where it stands (``snapshot`` or ``status``) and take in the answer; an
        answer from a copy the run has moved away from meanwhile is dropped. RunEnded: it is gone."""
        asked, index = time.monotonic(), record.host_index
        answer = self._call(record, method, *args, timeout=30)
        if record.host_index == index:
            self._absorb(record, answer, asked)

    def _absorb(self, record: _Record, answer: dict, asked: float) -> None:
        """Take in a host's answer about the run, asked for at ``asked`` (time.monotonic())."""
        if answer["snapshot"] is not None:
            record.snapshot, record.version = answer["snapshot"], answer["version"]
        record.message = answer["message"] or record.message
        if answer["ended"]:
            self._end(record, answer["ended"])
            return
        with self._lock:
            # it stopped itself (divergence), unless the answer predates the run's (re)start: a page's
            # read that crossed the admission would otherwise mark a training run paused, and its
            # host would go on training it unseen
            if record.state == "playing" and not answer["playing"] and asked > record.started_at:
                record.state = "paused"
                self._admit()

    # ---- admission
    def _load(self) -> float:
        return sum(r.weight for r in self._records.values() if r.state == "playing")

    def _start(self, record: _Record) -> None:
        self._place(record)
        record.state, record.started_at = "playing", float("inf")
        record.spec, record.applied = None, []   # from now on it changes as it trains: it stays put
        try:
            self._call(record, "play", True, timeout=30)
            record.started_at = time.monotonic()
        except (RunEnded, ValueError) as e:
            record.state = "paused"
            if not record.ended:
                record.message = ("error", str(e))
        self._balance_threads()

    def _place(self, record: _Record) -> None:
        """Before a run first trains: move it to the host with the fewest playing runs, if its own
        has more. Where it is placed at open only weighs the runs that exist then, most of them not
        yet playing, and playing runs share their host's CPU in turn."""
        if record.spec is None or record.host_index >= self.n_hosts:   # (a GPU run has a host of its own)
            return
        if str(record.spec.get("device", "cpu")).startswith("cuda"):
            return   # it trains on the GPU, and a move would cost a second worker a CUDA context
        playing, built = [0] * self.n_hosts, set()
        for r in self._records.values():
            if r.host_index < self.n_hosts and r.last_seen < float("inf"):
                built.add(r.host_index)    # hosts that have built a run (a Ray actor may still wait for room)
                playing[r.host_index] += r.state == "playing"
        best = min(built | {record.host_index}, key=lambda i: (playing[i], i != record.host_index))
        host = self._hosts[best]
        if playing[best] >= playing[record.host_index] or host is None or not host.alive():
            return
        if not record.calls.acquire(blocking=False):
            return   # a settings change or a step is on its way to the run where it is: it starts there
        try:
            if record.spec is not None:
                self._move(record, best, host)
        finally:
            record.calls.release()

    def _move(self, record: _Record, index: int, host) -> None:
        """Rebuild the run on host ``index`` (its spec, then its settings in order) and drop the old
        copy. On any failure the run stays where it is; the scheduler finds a dead host by itself."""
        try:
            host.call("create", record.id, record.kind, record.spec, timeout=30)
            for settings in record.applied:
                host.call("command", record.id, "apply", settings, timeout=30)
            answer = host.call("snapshot", record.id, -1, timeout=30)
        except Exception:  # noqa: BLE001
            try:
                host.call("remove", record.id, timeout=10)
            except Exception:  # noqa: BLE001
                pass
            return
        old = self._hosts[record.host_index]
        record.host_index = index
        record.snapshot, record.version = answer["snapshot"], answer["version"]
        self._hosted.add(index)
        self._empty_since.pop(index, None)
        if old is not None:
            try:
                old.call("remove", record.id, timeout=10)
            except Exception:  # noqa: BLE001  a copy on a dead host is gone anyway
                pass

    def _admit(self) -> None:
        """Start waiting runs, first come first served, while the capacity allows; lend the slots
        the first cannot use to runs behind it that fit, and take them back when that lets it start."""
        self._queue = [i for i in self._queue if i in self._records and not self._records[i].ended]
        while self._queue:
            head = self._records[self._queue[0]]
            load = self._load()
            if load + head.weight <= self.capacity or load == 0:   # (a run heavier than all: when alone)
                self._queue.pop(0)
                self._restart(head)
                continue
            loans = sorted((r for r in self._records.values()
                            if r.state == "playing" and r.ticket > head.ticket),
                           key=lambda r: r.ticket, reverse=True)
            lent = sum(r.weight for r in loans)
            if load - lent + head.weight > self.capacity and load > lent:
                break                             # it waits for runs that started before it asked
            for r in loans:                       # the latest loans first, only as many as it needs
                if self._load() + head.weight <= self.capacity:
                    break
                self._recall(r)
        free = self.capacity - self._load()
        for run_id in self._queue[1:]:
            r = self._records.get(run_id)
            if r is None or run_id not in self._queue:   # it ended while another started
                continue
            if r.weight <= free:
                self._queue.remove(run_id)
                self._restart(r)
                free -= r.weight
        self._balance_threads()

    def _restart(self, record: _Record) -> None:
        """Start a run from the queue; a run that was recalled there no longer says so."""
        if record.message == RECALLED:
            record.message = None
        self._start(record)

    def _recall(self, record: _Record) -> None:
        """A lent run goes back to its place in the queue (its slots are wanted by a run before it)."""
        record.state, record.message = "waiting", RECALLED
        try:
            self._call(record, "play", False, timeout=30)
        except RunEnded:
            return
        tickets = [self._records[i].ticket for i in self._queue]
        self._queue.insert(bisect.bisect(tickets, record.ticket), record.id)

    def _balance_threads(self) -> None:
        """Busy hosts share the cores: a lone MNIST run may use them all, two busy hosts one each."""
        busy = {r.host_index for r in self._records.values() if r.state == "playing"}
        for i in busy:
            host = self._hosts[i]
            want = max(1, int(self.cores // max(1, len(busy))))
            if host is not None and getattr(host, "threads", None) != want:
                try:
                    host.call("set_threads", want, timeout=10)
                    host.threads = want
                except Exception:  # noqa: BLE001  a dead host is found by the scheduler
                    pass

    # ---- ending runs
    def close(self, record: _Record) -> None:
        self._end(record, "The run was closed.", remove=True)

    def _end(self, record: _Record, why: str, remove: bool = True) -> None:
        with self._lock:
            if record.id in self._queue:
                self._queue.remove(record.id)
            was_playing = record.state == "playing"
            record.ended = record.ended or why
            record.state = "ended"
            self._records.pop(record.id, None)
            host = self._hosts[record.host_index]
        if remove and host is not None and host.alive():
            try:
                host.call("remove", record.id, timeout=30)
            except Exception:  # noqa: BLE001  the run is gone either way
                pass
        if record.host_index >= self.n_hosts and host is not None:  # a GPU run's own host goes with it
            with self._lock:
                self._hosts[record.host_index] = None
            host.stop()
        if was_playing:
            with self._lock:
                self._admit()

    def _host_died(self, index: int, why: str, host=None) -> None:
        with self._lock:
            if host is not None and self._hosts[index] is not host:
                return  # already replaced
            dead = self._hosts[index]
            self._hosts[index] = None
            victims = [r for r in self._records.values() if r.host_index == index]
        reason = dead.exit_reason() if dead is not None else why
        for r in victims:
            self._end(r, f"The worker process that trained this run stopped ({reason}). The run is lost; "
                         f"other students' runs were not affected. Press Reset for a new run"
                         f"{' or load a checkpoint you saved' if r.kind == 'mnist' else ''}.", remove=False)
        if dead is not None:
            dead.stop()

    # ---- the scheduler: heartbeats, dead hosts, runs that stopped themselves, the queue
    def _schedule(self) -> None:
        while not self._closed:
            time.sleep(TICK_S)
            try:
                self._tick()
            except Exception:  # noqa: BLE001  the scheduler must outlive any one fault
                import traceback
                traceback.print_exc()

    def _tick(self) -> None:
        now = time.monotonic()
        with self._lock:
            records = list(self._records.values())
            hosts = list(enumerate(self._hosts))
        for i, host in hosts:
            if host is not None and not host.alive():
                self._host_died(i, host.exit_reason(), host)
        for r in records:
            if r.ended:
                continue
            if r.presence is not None and _holds(r.presence):
                r.last_seen = max(r.last_seen, now)   # (inf until its host has built it)
            closed = r.closed is not None and _holds(r.closed)
            timeout = min(CLOSED_GRACE_S, self.heartbeat_timeout) if closed else self.heartbeat_timeout
            if now - r.last_seen > self.run_ttl:
                self._end(r, "The run ended: its page was closed for over "
                             f"{self.run_ttl:.0f} s. Press Reset for a new run.")
            elif now - r.last_seen > timeout and r.state in ("playing", "waiting"):
                # the reason first: a page that reads the run meanwhile never sees it paused without one
                if closed:
                    r.message = ("info", "Training paused: this page was closed, so its slot went to a classmate. "
                                         "Press Play to go on.")
                else:
                    why = ("it was closed or you were on another page" if r.presence is not None else
                           "it was closed, you were on another page, or the browser was too busy to keep up")
                    r.message = ("info", f"Training paused: this page had not called in for "
                                         f"{self.heartbeat_timeout:.0f} s ({why}), so its slot went to a classmate. "
                                         f"Press Play to go on.")
                self.pause(r)
            elif r.state == "playing":
                try:
                    self._ask(r, "status")
                except RunEnded:
                    pass
        with self._lock:
            self._admit()
        self._recycle(now)

    def _recycle(self, now: float) -> None:
        """Replace each local worker that hosted runs and has had none for ``host_recycle`` seconds."""
        if not isinstance(self.backend, LocalBackend):
            return   # on a cluster, Ray starts and ends the actors
        old = []
        with self._lock:
            busy = {r.host_index for r in self._records.values()}
            for i in sorted(self._hosted - busy):
                if i >= self.n_hosts or self._hosts[i] is None:   # a GPU run's own host, or died
                    self._hosted.discard(i)                          # (replaced when a run needs it)
                    continue
                if now - self._empty_since.setdefault(i, now) >= self.host_recycle:
                    old.append(self._hosts[i])
                    self._hosts[i] = None
                    self._host(i, {})            # the fresh one starts now (it imports torch meanwhile)
                    self._hosted.discard(i)
                    del self._empty_since[i]
        for host in old:
            host.stop()

    def find(self, run_id: str) -> "RunHandle | None":
        """The handle of a live run by its id (a page reloaded in the same server), or None."""
        with self._lock:
            record = self._records.get(run_id)
        return None if record is None else RunHandle(self, record)

    # ---- for the class benchmark and the tests
    def stats(self) -> dict:
        with self._lock:
            records = list(self._records.values())
            hosts = [h for h in self._hosts if h is not None]
        return {"runs": len(records), "playing": sum(r.state == "playing" for r in records),
                "waiting": len(self._queue), "load": self._load(), "capacity": self.capacity,
                "hosts": [{"name": h.name, "pid": h.pid, "alive": h.alive()} for h in hosts],
                "backend": self.backend.name}

    def close_all(self) -> None:
        """End every run (their hosts stay): what a test does after it, so no run trains on unseen."""
        with self._lock:
            records = list(self._records.values())
        for record in records:
            self.close(record)

    def host_pid(self, record: _Record):
        host = self._hosts[record.host_index]
        return None if host is None else host.pid

    def shutdown(self) -> None:
        self._closed = True
        for host in self._hosts:
            if host is not None:
                host.stop()
        self._hosts = [None] * self.n_hosts


def _holds(test) -> bool:
    """A page's presence or closed test, asked: a test that raises counts as false."""
    try:
        return bool(test())
    except Exception:  # noqa: BLE001  a failing test says nothing: the page's own calls then decide
        return False


class RunEnded(RuntimeError):
    """The run is gone (its page closed, its host died, or it failed); the text says why."""


class RunHandle:
    """A page's handle to its live run. Cheap to keep in a session; every method returns plain data."""

    def __init__(self, pool: RunPool, record: _Record):
        self._pool, self._record = pool, record

    @property
    def id(self) -> str:
        return self._record.id

    @property
    def kind(self) -> str:
        return self._record.kind

    def play(self) -> None:
        self._pool.play(self._record)

    def pause(self) -> None:
        self._pool.pause(self._record)

    def view(self) -> RunView:
        """The latest snapshot and the run's state; also the page's heartbeat. Never waits for training."""
        return self._pool.view(self._record)

    def heartbeat(self) -> None:
        self._record.last_seen = time.monotonic()

    def keep_while(self, present, closed=None) -> None:
        """``present()`` -> bool, asked by the pool's scheduler thread every tick (so quick and
        thread-safe): while true, the run counts as seen by its page, as if it had called in.
        ``closed()`` -> bool, the same way: true once the page is known closed, after which the run
        frees its slot ``CLOSED_GRACE_S`` after the page's last sign of life, not the full timeout."""
        self._record.presence, self._record.closed = present, closed

    def apply(self, settings: dict) -> dict:
        """Change settings between two steps (never a reset). ValueError says what was refused."""
        return self._pool.apply(self._record, settings)

    def do(self, action: str, *args):
        """A game's own action between two chunks: "iteration", "d_step", "g_step", "save", ..."""
        return self._pool.do(self._record, action, *args)

    def close(self) -> None:
        self._pool.close(self._record)

    @property
    def ended(self) -> str | None:
        return self._record.ended

    def host_pid(self):
        return self._pool.host_pid(self._record)


_default: RunPool | None = None
_default_lock = threading.Lock()


def _setting(name: str, kind, lo, hi):
    """A number from the environment, or None when unset; a bad value stops the app with its reason."""
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        raise ValueError(f"{name}={text!r}: expected {'a whole number' if kind is int else 'a number'} "
                         f"from {lo:g} to {hi:g}") from None
    if not lo <= value <= hi:
        raise ValueError(f"{name}={text!r}: expected a value from {lo:g} to {hi:g}")
    return value


def _recycle_setting() -> float:
    seconds = _setting("GAN_LAB_HOST_RECYCLE", float, 0.0, 1e7)
    return HOST_RECYCLE_S if seconds is None else (seconds or float("inf"))


def default_pool() -> RunPool:
    """The process-wide pool, made on first use from the environment:

    - ``GAN_LAB_RAY_ADDRESS``: host runs on that Ray cluster (e.g. ``127.0.0.1:6379``);
      unset, runs live in worker processes on this machine.
    - ``GAN_LAB_WORKERS``: number of host processes (default: one per core).
    - ``GAN_LAB_CAPACITY``: total weight of runs that train at once (default 4 per core;
      a toy run weighs 1, an MNIST run 4).
    - ``GAN_LAB_RUN_TTL``: seconds a run whose page stopped calling in is kept (default 120).
    - ``GAN_LAB_HOST_RECYCLE``: seconds a local worker that hosted runs and has none now is kept
      before a fresh process replaces it (default 30; 0: never).
    """
    global _default
    with _default_lock:
        if _default is None:
            address = os.environ.get("GAN_LAB_RAY_ADDRESS", "").strip()
            if address:
                from gan_core.live.backends import RayBackend
                backend = RayBackend(address)
            else:
                backend = LocalBackend()
            _default = RunPool(backend, hosts=_setting("GAN_LAB_WORKERS", int, 1, 1024),
                               capacity=_setting("GAN_LAB_CAPACITY", float, 1.0, 1e6),
                               run_ttl=_setting("GAN_LAB_RUN_TTL", float, 10.0, 1e7) or RUN_TTL_S,
                               host_recycle=_recycle_setting())
            atexit.register(_default.shutdown)
        return _default

"""A run host: one process that keeps several live runs and trains the playing ones in turn.

A host lives in a worker process (gan_core.live.backends: a local process, or a Ray actor on
a cluster), never in the web server. Its public methods are what a page's handle calls, from
any number of threads at once:

- ``create`` builds a run from plain settings; ``remove`` drops it and its memory.
- ``play`` / ``pause``; ``command`` queues a change (settings, one D or G step, save) that the
  training thread applies *between* two chunks, and waits for its result.
- ``snapshot`` returns the run's latest snapshot at once: plain data made by the training
  thread after a chunk. Reading never waits for training.

One training thread steps the playing runs round robin, ``SLICE_S`` of training each, so the
runs of one host share its cores evenly; with nothing playing it sleeps (a paused run costs no
CPU). A run that raises is paused (divergence: the trainer has rolled back) or ended (anything
else) with a message; the other runs go on.

What a run is comes from its game: ``RUN_KINDS`` names a class per kind (``module:Class``), so
this shared module imports no game. A run class answers:
``__init__(spec)``, ``train(seconds) -> dict``, ``apply(settings)``, ``do(action, *args)``,
``snapshot() -> dict``, ``snapshot_while_training() -> dict`` (the snapshot for a playing run's
redraws, which may reuse costly estimates; gan_core.live.runs.LiveRun's is ``snapshot``), and has
``weight`` (its share of a slot) and ``threads`` (None: the host's allowance; 1 for tiny nets).
"""
from __future__ import annotations

import ctypes
import importlib
import itertools
import os
import sys
import threading
import time
import traceback
from concurrent.futures import Future

from gan_core.live.procinfo import usable_cores

RUN_KINDS = {
    "toy": "gan_core.toy.live:ToyRun",
    "toy2d": "gan_core.toy2d.live:Toy2DRun",
    "mnist": "gan_core.mnist.live:MnistRun",
    "race": "gan_core.toy.live:CostRaceRun",
}
SLICE_S = 0.1          # training per turn: commands wait at most this long for a running chunk
# A read snapshot of a playing run is refreshed at most this often. A page that reads 4 times a
# second gets a new one at each read: the refresh waits for the training slice under way (up to
# SLICE_S), so two refreshes can fall closer together than two reads.
SNAPSHOT_EVERY_S = 0.15
COMMAND_TIMEOUT_S = 120.0
# While runs train, freed heap goes back to the OS this often. glibc raises its mmap threshold each
# time a large block is freed, after which the snapshots' arrays (a few hundred KiB) come from the
# heap and the holes they leave stay resident: four playing toy runs grew a host by ~100 MiB every
# 8 s, to ~130 MiB a run. A trim every 2 s kept the same runs ~90 % smaller at ~0.15 % of the time.
# (A fixed mmap threshold instead halved MNIST training: its tensors then each cost a mapping.)
TRIM_EVERY_S = 2.0


def run_class(kind: str):
    if kind not in RUN_KINDS:
        raise ValueError(f"unknown run kind {kind!r}; known: {sorted(RUN_KINDS)}")
    module, _, name = RUN_KINDS[kind].partition(":")
    return getattr(importlib.import_module(module), name)


def release_memory() -> None:
    """Hand freed heap back to the OS (glibc keeps it otherwise): a host's memory falls when runs end."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class _Slot:
    """One run inside the host, with what the training thread and the readers share."""

    def __init__(self, run):
        self.run = run
        self.playing = False
        self.ended: str | None = None      # why the run ended; None while it lives
        self.message: tuple | None = None  # ("error" | "info", text) for the page
        self.snapshot: dict | None = None
        self.snapshot_at = 0.0
        self.wanted = True                 # a reader asked since the last snapshot
        self.version = 0


class RunHost:
    def __init__(self, threads: int | None = None, name: str = "host"):
        import torch  # the host process imports torch once; every run shares it
        self.torch = torch
        self.name = name
        self.threads = max(1, threads or usable_cores())
        self._slots: dict[str, _Slot] = {}
        self._commands: list[tuple[str, object, Future]] = []
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._closed = False
        self._order = itertools.count()
        # The training thread and the threads answering calls share one interpreter lock: a short
        # switch interval lets a call in between two tensor ops instead of after 5 ms.
        sys.setswitchinterval(2e-4)
        self._thread = threading.Thread(target=self._loop, name=f"gan-lab-{name}", daemon=True)
        self._thread.start()

    # ---- calls from the pages' handles (any thread)
    def ping(self) -> dict:
        return {"pid": os.getpid(), "runs": len(self._slots)}

    def create(self, run_id: str, kind: str, spec: dict) -> dict:
        """Build a run (on the training thread, so torch work stays on one thread) and return its
        first snapshot. Raises ValueError with the reason when the spec is refused."""
        return self._submit(run_id, ("create", kind, spec))

    def remove(self, run_id: str) -> None:
        with self._lock:
            slot = self._slots.pop(run_id, None)
        if slot is not None:
            slot.playing = False
            del slot
            release_memory()

    def play(self, run_id: str, playing: bool = True) -> None:
        """Start training the run, or stop it. A stop returns once the chunk under way has ended and
        the snapshot shows where the run stopped: after Pause, what a page draws holds still."""
        if not playing:
            self._submit(run_id, ("pause",))
            return
        with self._wake:
            slot = self._slot(run_id)
            if slot.ended:
                raise ValueError(slot.ended)
            slot.playing = True
            slot.message = None
            self._wake.notify()

    def command(self, run_id: str, action: str, *args):
        """Apply an action between two chunks and return its result: ("apply", settings),
        ("save",), or a game's own step ("d_step", "g_step", "iteration", ...)."""
        return self._submit(run_id, (action, *args))

    def snapshot(self, run_id: str, since: int = -1) -> dict:
        """The latest snapshot, with the run's state; ``None`` in "snapshot" when the caller
        already has version ``since``. Never waits for training."""
        slot = self._slot(run_id)
        slot.wanted = True
        snap = slot.snapshot if slot.version != since else None
        return {"snapshot": snap, "version": slot.version, "playing": slot.playing,
                "ended": slot.ended, "message": slot.message}

    def status(self, run_id: str) -> dict:
        """The run's state without its snapshot (the pool's watch: it asks for no new drawing)."""
        slot = self._slot(run_id)
        return {"snapshot": None, "version": slot.version, "playing": slot.playing,
                "ended": slot.ended, "message": slot.message}

    def set_threads(self, n: int) -> None:
        self.threads = max(1, int(n))

    def stats(self) -> dict:
        from gan_core.live.procinfo import rss_bytes
        with self._lock:
            slots = list(self._slots.values())
        return {"pid": os.getpid(), "runs": len(slots), "playing": sum(s.playing for s in slots),
                "rss": rss_bytes(os.getpid()), "threads": self.threads}

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()

    # ---- internals
    def _slot(self, run_id: str) -> _Slot:
        slot = self._slots.get(run_id)
        if slot is None:
            raise KeyError(f"no run {run_id} on this host (it ended)")
        return slot

    def _submit(self, run_id: str, command: tuple):
        fut: Future = Future()
        with self._wake:
            if command[0] != "create":
                self._slot(run_id)
            self._commands.append((run_id, command, fut))
            self._wake.notify()
        return fut.result(COMMAND_TIMEOUT_S)

    def _loop(self) -> None:
        turn, trimmed = 0, time.monotonic()
        while True:
            with self._wake:
                while not self._closed and not self._commands and not any(
                        s.playing or (s.wanted and s.snapshot is None) for s in self._slots.values()):
                    self._wake.wait(1.0)
                if self._closed:
                    return
                commands, self._commands = self._commands, []
            for run_id, command, fut in commands:
                self._execute(run_id, command, fut)
            with self._lock:  # after the commands: one of them may have paused a run
                playing = [(i, s) for i, s in self._slots.items() if s.playing]
            if playing:
                run_id, slot = playing[turn % len(playing)]
                turn += 1
                self._train(run_id, slot)
            for slot in list(self._slots.values()):  # paused runs' snapshots change only by commands
                if slot.wanted and slot.snapshot is None:
                    self._refresh(slot)
                elif slot.wanted and slot.playing and time.monotonic() - slot.snapshot_at >= SNAPSHOT_EVERY_S:
                    self._refresh(slot, while_training=True)
            if playing and time.monotonic() - trimmed >= TRIM_EVERY_S:
                release_memory()
                trimmed = time.monotonic()

    def _execute(self, run_id: str, command: tuple, fut: Future) -> None:
        action, *args = command
        try:
            if action == "create":
                kind, spec = args
                cls = run_class(kind)
                self._use_threads(cls.threads)
                slot = _Slot(cls(spec))
                with self._lock:
                    self._slots[run_id] = slot
                self._refresh(slot)
                fut.set_result(slot.snapshot)
                return
            slot = self._slot(run_id)
            if action == "pause":
                slot.playing = False
                self._refresh(slot)
                fut.set_result(None)
                return
            self._use_threads(slot.run.threads)
            if action == "apply":
                result = slot.run.apply(*args)
            else:
                result = slot.run.do(action, *args)
            if isinstance(result, dict) and result.get("message"):
                slot.message = result["message"]
            self._refresh(slot)
            fut.set_result(result)
        except Exception as e:  # noqa: BLE001  the caller gets the exception itself
            if action != "create" and run_id in self._slots and _is_divergence(e):
                self._slots[run_id].playing = False
                self._slots[run_id].message = ("error", str(e))
                self._refresh(self._slots[run_id])
            fut.set_exception(e)

    def _train(self, run_id: str, slot: _Slot) -> None:
        self._use_threads(slot.run.threads)
        try:
            slot.run.train(SLICE_S)
        except Exception as e:  # noqa: BLE001  one run's fault must not stop the others
            slot.playing = False
            if _is_divergence(e):
                slot.message = ("error", str(e))
            else:
                slot.ended = (f"The run stopped on an unexpected error ({type(e).__name__}: {e}). "
                              f"Press Reset for a new run.")
                traceback.print_exc()
            self._refresh(slot)

    def _refresh(self, slot: _Slot, while_training: bool = False) -> None:
        """A new snapshot of the run; ``while_training``: one of the redraws of a playing run, which
        may reuse its slower estimates (after a command or a pause, everything is measured afresh)."""
        try:
            slot.snapshot = slot.run.snapshot_while_training() if while_training else slot.run.snapshot()
        except Exception as e:  # noqa: BLE001
            slot.playing = False
            slot.ended = f"The run's state could not be drawn ({type(e).__name__}: {e}). Press Reset."
            traceback.print_exc()
        slot.snapshot_at = time.monotonic()
        slot.version += 1
        slot.wanted = False

    def _use_threads(self, wanted: int | None) -> None:
        n = self.threads if wanted is None else min(wanted, self.threads)
        if self.torch.get_num_threads() != n:
            self.torch.set_num_threads(n)


def _is_divergence(e: Exception) -> bool:
    return type(e).__name__ == "TrainingDiverged"

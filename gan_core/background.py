"""Training in a worker thread while a page draws: plain threading, no UI code.

Streamlit must only be called from the script thread, so the page's timer (a fragment that
reruns a few times a second) only reads and draws, and this worker trains in between. It
trains in short chunks, each under `lock`; the page takes the same lock to read the
networks or to change anything, so it never sees a half-applied step.

The worker stops when asked (pause), when a chunk raises (e.g. TrainingDiverged: the
trainer has already rolled back, the message is kept in `error`), or when the page stops
calling `heartbeat()` for `idle_timeout` seconds: the student left the page or closed the tab.
The pages call it about once a second; 10 s leaves room for a busy machine (at 3 s, a loaded
2-core machine sometimes stopped a run the student was still watching).
"""
from __future__ import annotations

import sys
import threading
import time
from typing import Callable

# A training step is ~100 small torch calls, each releasing and retaking the GIL. While the
# server's threads run Python, the default 5 ms switch interval makes each retake wait up to
# 5 ms (the "convoy effect"), which starved the worker to a tenth of its headless speed.
SWITCH_INTERVAL_S = 2e-4


class BackgroundTraining:
    def __init__(self, chunk: Callable[[], object], idle_timeout: float = 10.0):
        self.chunk = chunk                 # one short unit of work, e.g. lambda: trainer.train(25)
        self.idle_timeout = idle_timeout
        self.lock = threading.RLock()
        self.error: str | None = None      # why the worker stopped by itself, if it did
        self.stopped_idle = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_seen = time.monotonic()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def heartbeat(self) -> None:
        self._last_seen = time.monotonic()

    def start(self) -> None:
        if self.running:
            return
        self.error, self.stopped_idle = None, False
        self._stop.clear()
        self.heartbeat()
        if sys.getswitchinterval() > SWITCH_INTERVAL_S:
            sys.setswitchinterval(SWITCH_INTERVAL_S)
        self._thread = threading.Thread(target=self._loop, name="gan-lab-training", daemon=True)
        self._thread.start()

    def stop(self, wait: float = 60.0) -> None:
        """Ask the worker to stop and wait for its current chunk (short unless the CPU is swamped)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(wait)

    def _loop(self) -> None:
        while not self._stop.is_set():
            if time.monotonic() - self._last_seen > self.idle_timeout:
                self.stopped_idle = True
                return
            with self.lock:
                try:
                    self.chunk()
                except Exception as e:  # noqa: BLE001  the page shows it; the trainer rolled back
                    self.error = getattr(e, "report", {}).get("message") or f"{type(e).__name__}: {e}"
                    return
            time.sleep(0)  # let the page's thread take the lock between chunks


class Ticker:
    """Rates over the last few redraws: (wall time, iterations, samples) at each redraw."""

    def __init__(self, keep: int = 12):
        self.keep, self.marks = keep, []

    def mark(self, iteration: int, samples: int) -> None:
        self.marks.append((time.perf_counter(), iteration, samples))
        del self.marks[:-self.keep]

    def clear(self) -> None:
        self.marks = []

    def rates(self) -> dict | None:
        """samples/s, iterations/s and redraws/s over the window; None before two redraws."""
        if len(self.marks) < 2:
            return None
        (ta, ia, sa), (tb, ib, sb) = self.marks[0], self.marks[-1]
        dt = max(tb - ta, 1e-9)
        return {"samples_per_s": (sb - sa) / dt, "iterations_per_s": (ib - ia) / dt,
                "redraws_per_s": (len(self.marks) - 1) / dt}

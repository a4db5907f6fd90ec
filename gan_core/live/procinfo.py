"""Memory and CPU of processes, read from /proc (Linux): what the class benchmark and the hosts report."""
from __future__ import annotations

import os

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _kib_field(path: str, key: str) -> int:
    """The "key:  N kB" line of a /proc file, in bytes (0 when the process is gone)."""
    with open(path) as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    return 0


def rss_bytes(pid: int) -> int:
    """Resident memory of a process in bytes (0 when it is gone)."""
    try:
        return _kib_field(f"/proc/{pid}/status", "VmRSS:")
    except OSError:
        return 0


def pss_bytes(pid: int) -> int:
    """Proportional set size in bytes: the process's private memory plus its share of pages it
    shares with others (each shared page divided by the number of processes mapping it), so the
    sum over the server and its workers counts torch's and NumPy's libraries once, where a sum of
    RSS counts them once per process. 0 when the process is gone; its RSS where the kernel has no
    smaps_rollup (before Linux 4.14)."""
    if not os.path.exists("/proc/self/smaps_rollup"):
        return rss_bytes(pid)
    try:
        return _kib_field(f"/proc/{pid}/smaps_rollup", "Pss:")
    except OSError:
        return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, in seconds (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity: taskset, a container's cpuset), which
    can be fewer than the machine has."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1

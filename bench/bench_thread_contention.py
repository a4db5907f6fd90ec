"""Why the live MNIST page trains below the 2-thread headless rate when a browser shares the cores.

    .venv/bin/python -m bench.bench_thread_contention [--seconds 12]

Trains the page's default MNIST model headless with 1 and 2 torch threads, alone and next to a
small load on the same cores (a process busy 3 ms of every 10 ms: about what a browser tab and
the web server draw between redraws). Each setting runs in a fresh process; rounds alternate.
Never asserts anything.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time

TRAIN = """
import sys, time, torch
torch.set_num_threads(int(sys.argv[1]))
from gan_core.mnist.training import DEFAULT_MODEL, MNIST_TRAIN, build_mnist_trainer
t = build_mnist_trainer(DEFAULT_MODEL, MNIST_TRAIN, device="cpu")
t.train(10)
t0, n0 = time.perf_counter(), t.iteration
while time.perf_counter() - t0 < float(sys.argv[2]):
    t.train(5)
print((t.iteration - n0) / (time.perf_counter() - t0))
"""

LOAD = """
import time
while True:
    t = time.perf_counter()
    while time.perf_counter() - t < 0.003:
        pass
    time.sleep(0.007)
"""


def rate(threads: int, seconds: float, loaded: bool) -> float:
    load = subprocess.Popen([sys.executable, "-c", LOAD]) if loaded else None
    try:
        out = subprocess.run([sys.executable, "-c", TRAIN, str(threads), str(seconds)], capture_output=True, text=True,
                             check=True)
        return float(out.stdout.split()[-1])
    finally:
        if load:
            load.kill()
            load.wait()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=12.0)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args(argv)
    ways = [(2, False), (2, True), (1, False), (1, True)]
    res: dict = {w: [] for w in ways}
    for r in range(a.rounds):
        for w in (ways if r % 2 == 0 else ways[::-1]):
            res[w].append(rate(w[0], a.seconds, w[1]))
    print(f"\n## MNIST default model, headless it/s ({time.strftime('%Y-%m-%d %H:%M %Z')}), mean of {a.rounds} rounds\n")
    print("| torch threads | alone | next to a 30 %-of-a-core load | ratio |\n|---:|---:|---:|---:|")
    for threads in (2, 1):
        alone, loaded = (sum(res[(threads, x)]) / a.rounds for x in (False, True))
        print(f"| {threads} | {alone:.1f} | {loaded:.1f} | {loaded / alone:.0%} |")


if __name__ == "__main__":
    main()

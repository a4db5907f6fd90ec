"""A lecture scenario: a named situation a page loads with one click (settings, seed, data) and a
check that the phenomenon it names shows by its stated iteration.

Each game keeps its own catalogue (gan_core.toy.scenarios, gan_core.mnist.scenarios) with a
``play`` that trains a scenario headless exactly as the page's run would, so every scenario is
also a test. The times are measured on the 2-core development machine, for the lecturer; they
are stated on screen and never asserted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Scenario:
    name: str
    page: str                  # "toy", "costs" (generator-cost race) or "mnist"
    watch: str                 # two lines: what to look at, and what it shows
    phenomenon: str            # what ``check`` tests, in words
    settings: dict             # the page's settings in the trainer's names
    seed: int
    iterations: int            # by this iteration the phenomenon shows
    seconds: float             # measured time to that iteration on the 2-core machine
    check: Callable[[dict, str | None], bool] = field(repr=False, compare=False)

    @property
    def time_text(self) -> str:
        when = f"about {self.seconds:.0f} s" if self.seconds >= 1 else "under a second"
        return f"{when} ({self.iterations:,} iterations) on 2 CPU cores"


def find(catalogue, name: str) -> Scenario:
    for s in catalogue:
        if s.name == name:
            return s
    raise ValueError(f"unknown scenario {name!r}; known: {[s.name for s in catalogue]}")


def maker(page: str, defaults: dict) -> Callable[..., Scenario]:
    """A constructor of one page's scenarios: each names only the settings it changes from the
    page's ``defaults``, so a scenario reads as what makes it different."""
    def make(name, watch, phenomenon, check, seed, iterations, seconds, **changes) -> Scenario:
        unknown = set(changes) - set(defaults)
        if unknown:
            raise ValueError(f"{name}: unknown settings {sorted(unknown)}; known: {sorted(defaults)}")
        return Scenario(name, page, watch, phenomenon, {**defaults, **changes}, seed, iterations, seconds, check)
    return make

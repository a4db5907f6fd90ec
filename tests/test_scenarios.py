"""Each lecture scenario, trained from its seed, shows the phenomenon it names within its
stated iterations; and each check fails on a run where that phenomenon is absent."""
import pytest

from gan_core.toy.scenarios import SCENARIOS, by_name, mode_masses, play


@pytest.fixture(scope="module")
def outcomes():
    return {}


def _outcome(outcomes, name):
    if name not in outcomes:
        outcomes[name] = play(by_name(name))
    return outcomes[name]


@pytest.mark.parametrize("name", [s.name for s in SCENARIOS])
def test_each_scenario_shows_its_phenomenon_from_its_seed(outcomes, name):
    s = by_name(name)
    snap, message, _ = _outcome(outcomes, name)
    assert snap["iteration"] <= s.iterations
    assert s.check(snap, message), f"{name}: {s.phenomenon} not seen"


def test_mode_collapse_and_its_contrast_measured_on_p_g(outcomes):
    collapsed, _, _ = _outcome(outcomes, "Mode collapse")
    kept, _, _ = _outcome(outcomes, "Bimodal data, both modes kept")
    assert min(mode_masses(collapsed)) < 0.10 and sum(mode_masses(collapsed)) == pytest.approx(1.0)
    assert min(mode_masses(kept)) > 0.35
    assert not by_name("Mode collapse").check(kept, None)
    assert not by_name("Bimodal data, both modes kept").check(collapsed, None)


def test_the_checks_fail_where_the_phenomenon_is_absent(outcomes):
    healthy, healthy_msg, _ = _outcome(outcomes, "Healthy run")
    assert healthy_msg is None
    for name in ("Learning rate far too high: divergence", "Learning rate too high: oscillation", "Mode collapse"):
        assert not by_name(name).check(healthy, healthy_msg), name
    diverged, message, _ = _outcome(outcomes, "Learning rate far too high: divergence")
    assert "restored" in message and not by_name("Healthy run").check(diverged, message)
    rescue, _, _ = _outcome(outcomes, "Non-saturating cost rescues a strong-D start")
    swapped = {**rescue, "js": rescue["js"][::-1], "history": rescue["history"][::-1]}  # A and B exchanged
    assert not by_name("Non-saturating cost rescues a strong-D start").check(swapped, None)
    assert not by_name("Strong D, saturating cost: vanishing gradient").check(swapped, None)


def test_every_scenario_is_described_and_timed():
    names = [s.name for s in SCENARIOS]
    assert len(set(names)) == len(names)
    for s in SCENARIOS:
        assert s.watch.count("\n") == 1 and s.seconds > 0 and s.iterations > 0
        assert "on 2 CPU cores" in s.time_text
    with pytest.raises(ValueError, match="unknown scenario"):
        by_name("no such scenario")

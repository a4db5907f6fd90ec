"""Each live-MNIST scenario, trained from its seed with the page's run class, shows the phenomenon
it names by its stated iteration; and each check fails on the other scenarios' runs."""
import pytest

from gan_core.mnist.scenarios import SCENARIOS, by_name, play


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
    assert s.check(snap, message), f"{name}: {s.phenomenon} not seen ({snap['quality']['report']})"


def test_the_checks_fail_where_the_phenomenon_is_absent(outcomes):
    healthy = _outcome(outcomes, "Healthy run (conditional GAN)")
    collapsed = _outcome(outcomes, "Mode collapse: the class histogram collapses")
    diverged = _outcome(outcomes, "Learning rate far too high: divergence")
    assert healthy[1] is None and collapsed[1] is None and "restored" in diverged[1]
    assert not by_name("Mode collapse: the class histogram collapses").check(*healthy[:2])
    assert not by_name("Healthy run (conditional GAN)").check(*collapsed[:2])
    assert not by_name("Healthy run (conditional GAN)").check(*diverged[:2])
    assert not by_name("Learning rate far too high: divergence").check(*healthy[:2])
    assert collapsed[0]["quality"]["report"]["classes_present"] <= 2
    assert healthy[0]["quality"]["report"]["classes_present"] >= 9


def test_every_scenario_is_described_and_timed():
    names = [s.name for s in SCENARIOS]
    assert len(set(names)) == len(names)
    for s in SCENARIOS:
        assert s.page == "mnist" and s.watch.count("\n") == 1 and s.seconds > 0 and s.iterations > 0

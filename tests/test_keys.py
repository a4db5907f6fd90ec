"""ui.keys: every page's session-state keys come from its one class, and no page builds one by hand."""
import re
from pathlib import Path

import pytest

from ui.keys import (CostsKeys, DivergenceKeys, Keys, MnistKeys, PretrainedKeys, RewindKeys, Toy2DKeys, ToyKeys,
                     TrainKeys)

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"toy": ToyKeys, "toy2d": Toy2DKeys, "costs": CostsKeys, "mnist": MnistKeys, "pre": PretrainedKeys,
         "div": DivergenceKeys}
# names whose key is not "{namespace}.{name}" (a clearer name for a key links and tests already use)
RENAMED = {"n_pre": "n", "continue_training": "continue"}


@pytest.mark.parametrize("ns", PAGES)
def test_each_key_is_its_namespace_and_name_and_all_differ(ns):
    keys = PAGES[ns](ns).all()
    assert len(keys) >= 8
    assert keys == {name: f"{ns}.{RENAMED.get(name, name)}" for name in keys}
    assert len(set(keys.values())) == len(keys)


def test_a_page_has_the_keys_of_the_helpers_it_uses():
    K = ToyKeys("toy")
    assert (K.run, K.lr_d, K.preset, K.scenario, K.branch) == ("toy.run", "toy.lr_d", "toy.preset", "toy.scenario",
                                                                 "toy.branch")
    assert isinstance(K, TrainKeys) and isinstance(K, RewindKeys)
    assert CostsKeys("costs").n_pre == "costs.n"


def test_a_misspelt_key_is_an_error_not_a_new_key():
    with pytest.raises(AttributeError):
        ToyKeys("toy").lr_D
    with pytest.raises(AttributeError):
        Toy2DKeys("toy2d").branch        # the rewind panel is the 1-D page's only


def test_the_namespace_is_not_a_key():
    class Two(Keys):
        a: str
        b: str = "bee"
    assert Two("x").all() == {"a": "x.a", "b": "x.bee"} and Two("x").ns == "x"


def test_pages_and_widgets_build_no_key_by_hand():
    sources = sorted((ROOT / "pages").glob("*.py")) + sorted(p for p in (ROOT / "ui").glob("*.py") if p.name != "keys.py")
    assert len(sources) > 20
    spaces = "|".join(PAGES)
    by_hand = re.compile(rf'''f["']\{{(NS|ns)\}}\.|(key=|\[|\(|,\s*)["']({spaces})\.''')
    found = [f"{p.relative_to(ROOT)}:{i}: {line.strip()}" for p in sources
             for i, line in enumerate(p.read_text().splitlines(), 1) if by_hand.search(line)]
    assert found == []

"""The MLP GAN's D uses dropout, whose masks come from torch's global generator: the trainer seeds
that generator from the run's seed and step counters around each pass through D, so a run follows
from its seed alone (a link reproduces it) whatever else drew random numbers in the process."""
import torch

from gan_core.mnist.models import MLPGANConfig
from gan_core.mnist.training import build_mnist_trainer
from gan_core.trainer import TrainConfig

IMAGES = (torch.rand(256, 1, 28, 28) * 2 - 1, torch.randint(10, (256,)))


def trained(global_seed: int, chunks, seed: int = 0):
    t = build_mnist_trainer(MLPGANConfig(hidden=64), TrainConfig(seed=seed, batch_size=16), device="cpu",
                            images=IMAGES)
    assert t._d_dropout
    torch.manual_seed(global_seed)          # other work in the process moved the global generator
    for n in chunks:
        t.train(n)
    return t


def test_an_mlp_run_with_dropout_follows_from_its_seed_alone():
    a, b = trained(1, [12]), trained(2, [5, 7])
    for pa, pb in zip(a.G.parameters(), b.G.parameters()):
        assert torch.equal(pa, pb)
    assert (a.history["d_loss"] == b.history["d_loss"]).all()
    other = trained(1, [12], seed=1)
    assert not (other.history["d_loss"] == a.history["d_loss"]).all()


def test_the_global_generator_is_left_as_it_was():
    torch.manual_seed(5)
    expected = torch.rand(3)
    t = trained(5, [])
    torch.manual_seed(5)
    t.train(3)
    assert torch.equal(torch.rand(3), expected)

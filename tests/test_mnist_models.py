"""MNIST GAN models: shapes, ranges, configs, the factory, sampling helpers."""
import pytest
import torch

from gan_core.mnist.training import fixed_noise, fixed_noise_grid, generate, image_grid, interpolate, sample_images
from gan_core.mnist.models import (CGANConfig, DCGANConfig, MLPGANConfig, build_models, config_from_dict,
                                   config_to_dict, count_parameters)

SMALL = [MLPGANConfig(nz=8, hidden=32), DCGANConfig(nz=8, ngf=4, ndf=4), CGANConfig(nz=8, ngf=4, ndf=4)]


def _args(config, B):
    z = torch.randn(B, config.nz)
    return (z, torch.arange(B) % 10) if isinstance(config, CGANConfig) else (z,)


@pytest.mark.parametrize("config", SMALL + [MLPGANConfig(), DCGANConfig(), CGANConfig()], ids=lambda c: f"{c.kind}")
def test_generator_and_discriminator_shapes(config):
    G, D = build_models(config, seed=0)
    args = _args(config, 5)
    x = G(*args)
    assert x.shape == (5, 1, 28, 28)
    assert x.min() >= -1 and x.max() <= 1
    assert D(x, *args[1:]).shape == (5, 1)


def test_seeded_build_is_reproducible_and_leaves_global_rng_alone():
    torch.manual_seed(7)
    before = torch.random.get_rng_state()
    G1, _ = build_models(DCGANConfig(ngf=4, ndf=4), seed=3)
    assert torch.equal(torch.random.get_rng_state(), before)
    G2, _ = build_models(DCGANConfig(ngf=4, ndf=4), seed=3)
    for a, b in zip(G1.parameters(), G2.parameters()):
        assert torch.equal(a, b)


@pytest.mark.parametrize("config", SMALL, ids=lambda c: c.kind)
def test_config_dict_round_trip(config):
    assert config_from_dict(config_to_dict(config)) == config


@pytest.mark.parametrize("bad", [
    {"kind": "dcgan", "nz": 0}, {"kind": "dcgan", "nz": 513}, {"kind": "dcgan", "ngf": 10_000},
    {"kind": "mlp", "hidden": 1 << 20}, {"kind": "mlp", "dropout": 1.0}, {"kind": "cgan", "n_classes": 1},
    {"kind": "dcgan", "nz": 2.5}, {"kind": "dcgan", "nz": True}, {"kind": "vae"}, {"kind": "dcgan", "evil": 1},
])
def test_config_ranges_are_enforced(bad):
    with pytest.raises(ValueError):
        config_from_dict(bad)


def test_fixed_noise_is_fixed_and_conditional_grid_has_one_row_per_class():
    c = CGANConfig(nz=8, ngf=4, ndf=4)
    z1, y1 = fixed_noise(c, per_class=6)
    z2, y2 = fixed_noise(c, per_class=6)
    assert torch.equal(z1, z2) and torch.equal(y1, y2)
    assert z1.shape == (60, 8)
    assert y1.view(10, 6).tolist() == [[k] * 6 for k in range(10)]
    (z,) = fixed_noise(DCGANConfig(nz=8, ngf=4, ndf=4), n=16)
    assert z.shape == (16, 8)


def test_generate_sample_interpolate_keep_train_mode():
    c = CGANConfig(nz=8, ngf=4, ndf=4)
    G, _ = build_models(c, seed=0)
    G.train()
    assert generate(G, *fixed_noise(c, per_class=2)).shape == (20, 1, 28, 28)
    assert G.training
    x = sample_images(G, c, 7, label=3)
    assert x.shape == (7, 1, 28, 28)
    path = interpolate(G, torch.zeros(8), torch.ones(8), steps=5, labels=2)
    assert path.shape == (5, 1, 28, 28)
    # the end points are the samples at z0 and z1
    assert torch.allclose(path[-1], generate(G, torch.ones(1, 8), torch.tensor([2]))[0], atol=1e-6)
    with pytest.raises(ValueError):
        sample_images(G, c, 3, label=10)
    with pytest.raises(ValueError):
        sample_images(*build_models(DCGANConfig(ngf=4, ndf=4))[:1], DCGANConfig(ngf=4, ndf=4), 3, label=1)


def test_image_grid_layout():
    g = image_grid(-torch.ones(10, 1, 28, 28), ncols=4, pad=2)
    assert g.shape == (3 * 30 + 2, 4 * 30 + 2)
    assert g.min() == 0 and g.max() == 0


def test_shipped_sizes_are_small():
    # the defaults must stay well under the 10 MB per shipped checkpoint (float32: 4 bytes)
    for c in (MLPGANConfig(), DCGANConfig(), CGANConfig()):
        G, D = build_models(c)
        assert 4 * (count_parameters(G) + count_parameters(D)) < 10e6


def test_fixed_noise_grid_one_row_per_class():
    c = CGANConfig(nz=8, ngf=4, ndf=4)
    G, _ = build_models(c, seed=0)
    assert fixed_noise_grid(G, c, per_class=5).shape == (10 * 30 + 2, 5 * 30 + 2)
    d = DCGANConfig(nz=8, ngf=4, ndf=4)
    assert fixed_noise_grid(build_models(d)[0], d, n=16).shape == (2 * 30 + 2, 8 * 30 + 2)

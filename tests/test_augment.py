"""DiffAugment (gan_core/augment.py) against plain NumPy shifts and masks, and the EMA of G."""
import numpy as np
import pytest
import torch

from gan_core.augment import BACKGROUND, cutout, diff_augment, parse_policy, translation
from gan_core.mnist.training import GeneratorEMA, build_mnist_trainer
from gan_core.mnist.models import CGANConfig, DCGANConfig
from gan_core.trainer import TrainConfig


def _images(b=16, seed=0):
    return torch.rand(b, 1, 28, 28, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def _shifted(img: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """img (28, 28) moved down dy and right dx pixels, background where nothing moved in."""
    out = np.full_like(img, BACKGROUND)
    h, w = img.shape
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = img[max(-dy, 0):h + min(-dy, 0),
                                                                     max(-dx, 0):w + min(-dx, 0)]
    return out


def test_translation_is_a_whole_pixel_shift_of_at_most_an_eighth_filled_with_background():
    x = _images(64)
    y = translation(x, torch.Generator().manual_seed(1))
    assert y.shape == x.shape
    shifts = set()
    for a, b in zip(x[:, 0].numpy(), y[:, 0].numpy()):
        match = [(dy, dx) for dy in range(-4, 5) for dx in range(-4, 5) if np.array_equal(_shifted(a, dy, dx), b)]
        assert len(match) == 1, "each output must be exactly one shift (|dy|, |dx| <= 4 = 28/8 rounded)"
        shifts.add(match[0])
    assert len(shifts) > 20  # the shifts really vary across the batch


def test_cutout_blanks_one_half_size_square_clipped_at_the_border():
    x = _images(64) * 0.5 + 0.25          # no pixel is background before the cutout
    y = cutout(x, torch.Generator().manual_seed(2))
    for a, b in zip(x[:, 0].numpy(), y[:, 0].numpy()):
        blank = b == BACKGROUND
        rows, cols = np.flatnonzero(blank.any(1)), np.flatnonzero(blank.any(0))
        assert blank[np.ix_(rows, cols)].all() and blank.sum() == len(rows) * len(cols)  # one rectangle
        assert 1 <= len(rows) <= 14 and 1 <= len(cols) <= 14
        assert (len(rows) == 14 or rows[0] == 0 or rows[-1] == 27) and (len(cols) == 14 or cols[0] == 0 or cols[-1] == 27)
        assert np.array_equal(a[~blank], b[~blank])
    assert ((y == BACKGROUND).sum((1, 2, 3)) == 196).float().mean() > 0.1   # P(wholly inside) = (15/29)^2


def test_augmentation_is_differentiable_and_reproducible():
    x = _images(8).requires_grad_()
    y = diff_augment(x, "translation,cutout", torch.Generator().manual_seed(3))
    y.sum().backward()
    # each input pixel's gradient = how often it appears in the output: 0 or 1 for a shift + cutout
    assert set(x.grad.unique().tolist()) <= {0.0, 1.0} and x.grad.sum() > 0
    again = diff_augment(x.detach(), "translation,cutout", torch.Generator().manual_seed(3))
    assert torch.equal(y.detach(), again)
    assert diff_augment(x, "none", torch.Generator()) is x


def test_policy_parsing_and_config_validation():
    assert parse_policy("none") == () and parse_policy("translation, cutout") == ("translation", "cutout")
    for bad in ("colour", "translation,translation", 3):
        with pytest.raises(ValueError, match="augmentation must be"):
            parse_policy(bad)
    with pytest.raises(ValueError, match="augmentation must be"):
        TrainConfig(augment="flip")


def test_trainer_shows_d_augmented_real_and_fake_images_and_resumes_exactly():
    data = (torch.full((32, 1, 28, 28), 0.5), torch.arange(32) % 10)   # every real digit a flat grey square
    cfg = TrainConfig(batch_size=8, lr_d=1e-3, lr_g=1e-3, augment="translation,cutout")
    t = build_mnist_trainer(DCGANConfig(nz=8, ngf=4, ndf=4), cfg, data="grey", device="cpu", images=data)
    seen = []
    hook = t.D.register_forward_hook(lambda m, inp, out: seen.append(inp[0].detach().clone()))
    t.train(1)
    hook.remove()
    real, fake, fake_g = seen                              # D step: real, fake; G step: fake
    assert (real == BACKGROUND).any() and not torch.equal(real, data[0][:8])  # the grey squares were cut / shifted
    assert all((x == BACKGROUND).reshape(8, -1).any(1).all() for x in (real, fake, fake_g))
    state = t.state_dict()
    t.train(3)
    u = build_mnist_trainer(DCGANConfig(nz=8, ngf=4, ndf=4), cfg, data="grey", device="cpu", images=data)
    u.load_state_dict(state)
    u.train(3)
    for a, b in zip(t.G.state_dict().values(), u.G.state_dict().values()):
        assert torch.equal(a, b)


def test_generator_ema_follows_the_closed_form():
    t = build_mnist_trainer(CGANConfig(nz=8, ngf=4, ndf=4), TrainConfig(batch_size=8), data="t", device="cpu",
                            images=(_images(32), torch.arange(32) % 10))
    ema = GeneratorEMA(t.G, decay=0.9)
    w0 = [p.detach().clone() for p in ema.G.parameters()]
    with torch.no_grad():
        for p in t.G.parameters():
            p.add_(1.0)                                     # G jumps and then stays put
    ema.update(t.G, n=3)
    ema.update(t.G, n=2)                                    # 5 iterations: ema = w + 0.9^5 (w0 - w)
    for e, p, p0 in zip(ema.G.parameters(), t.G.parameters(), w0):
        assert torch.allclose(e, p + 0.9 ** 5 * (p0 - p), atol=1e-6)
    for b_ema, b in zip(ema.G.buffers(), t.G.buffers()):
        assert torch.equal(b_ema, b)
    with pytest.raises(ValueError, match="decay"):
        GeneratorEMA(t.G, decay=1.0)

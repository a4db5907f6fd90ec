"""The one trainer: Algorithm 1's k, in-place hyperparameters, seeds, divergence rollback."""
import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gan_core.toy.distributions import preset
from gan_core.losses import (
    EQUILIBRIUM_VALUE, LOG2, discriminator_loss, generator_loss, generator_loss_non_saturating,
    generator_loss_saturating,
)
from gan_core.toy.mlp_fast import MLPStepKernel, fast_optimizer_step
from gan_core.toy.networks import MLP, MLPConfig
from gan_core.toy.game import build_toy_gan
from gan_core.trainer import METRIC_BLOCK, METRICS, TrainConfig, TrainingDiverged, copied


def toy(**changes):
    return build_toy_gan(preset("Gaussian"), TrainConfig(**changes))


# ---- losses against torch.nn.functional's own binary cross-entropy
def test_discriminator_loss_is_half_bce_real_plus_half_bce_fake():
    torch.manual_seed(0)
    a_r, a_f = torch.randn(64, 1) * 3, torch.randn(64, 1) * 3
    ref = 0.5 * F.binary_cross_entropy(torch.sigmoid(a_r), torch.ones_like(a_r)) \
        + 0.5 * F.binary_cross_entropy(torch.sigmoid(a_f), torch.zeros_like(a_f))
    assert torch.allclose(discriminator_loss(a_r, a_f), ref, atol=1e-5)


def test_generator_costs_match_bce():
    a = torch.randn(64, 1) * 3
    d = torch.sigmoid(a)
    # non-saturating -E log D(G(z)) is the BCE against label 1
    assert torch.allclose(generator_loss_non_saturating(a), F.binary_cross_entropy(d, torch.ones_like(d)), atol=1e-5)
    # saturating E log(1 - D(G(z))) is minus the BCE against label 0
    assert torch.allclose(generator_loss_saturating(a), -F.binary_cross_entropy(d, torch.zeros_like(d)), atol=1e-5)
    assert torch.allclose(generator_loss("least_squares", a), F.mse_loss(d, torch.ones_like(d)) / 2, atol=1e-6)


def test_losses_at_equilibrium_are_the_textbook_reference_values():
    a = torch.zeros(10, 1)  # D = 1/2 everywhere
    assert discriminator_loss(a, a).item() == pytest.approx(LOG2)          # log 2 ≈ 0.69
    assert generator_loss("non_saturating", a).item() == pytest.approx(LOG2)
    assert generator_loss("saturating", a).item() == pytest.approx(-LOG2)
    for cost, value in EQUILIBRIUM_VALUE.items():
        if cost != "discriminator":
            assert generator_loss(cost, a).item() == pytest.approx(value)


def test_losses_are_stable_at_extreme_logits():
    a = torch.tensor([[-200.0], [200.0]])
    for v in (discriminator_loss(a, a), generator_loss("saturating", a), generator_loss("non_saturating", a)):
        assert torch.isfinite(v)


# ---- the fast path computes exactly autograd's gradients
@pytest.mark.parametrize("activation", ["leaky_relu", "relu", "tanh"])
def test_fast_path_gradients_equal_autograd(activation):
    torch.manual_seed(1)
    G, D = MLP(MLPConfig(activation=activation)), MLP(MLPConfig(activation=activation))
    G2, D2 = copy.deepcopy(G), copy.deepcopy(D)
    kernel = MLPStepKernel(G, D)
    x, z = torch.randn(64, 1) + 1, torch.randn(64, 1)
    with torch.no_grad():
        loss, d_real, d_fake = kernel.discriminator_metrics(kernel.discriminator_grads(x, z)[None])[0]
    ref = discriminator_loss(D2(x), D2(G2(z).detach()))
    ref.backward()
    assert loss.item() == pytest.approx(ref.item(), rel=1e-6)
    with torch.no_grad():
        assert d_real.item() == pytest.approx(torch.sigmoid(D2(x)).mean().item(), rel=1e-6)
        assert d_fake.item() == pytest.approx(torch.sigmoid(D2(G2(z))).mean().item(), rel=1e-6)
    for g, p in zip(kernel.flat["D"].grad_views, D2.parameters()):
        torch.testing.assert_close(g, p.grad, atol=1e-6, rtol=1e-5)
    for cost in ("saturating", "non_saturating", "least_squares", "max_likelihood"):
        G2.zero_grad()
        with torch.no_grad():
            loss, d_fake = kernel.generator_metrics(kernel.generator_grads(z, cost)[None], cost)[0]
        logits = D2(G2(z))
        ref = generator_loss(cost, logits)
        ref.backward()
        assert loss.item() == pytest.approx(ref.item(), rel=1e-6)
        assert d_fake.item() == pytest.approx(torch.sigmoid(logits).mean().item(), rel=1e-6)
        for g, p in zip(kernel.flat["G"].grad_views, G2.parameters()):
            torch.testing.assert_close(g, p.grad, atol=1e-6, rtol=1e-5)


def test_fast_and_autograd_paths_train_alike():
    fast = build_toy_gan(preset("Gaussian"), TrainConfig(seed=3), fast_path=True)
    slow = build_toy_gan(preset("Gaussian"), TrainConfig(seed=3), fast_path=False)
    assert fast.kernel is not None and slow.kernel is None
    a, b = fast.train(20), slow.train(20)
    np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("kind", ["train", "discriminator_steps", "generator_steps"])
def test_fast_path_metrics_of_a_long_call_equal_those_of_single_steps(kind):
    """The fast path makes a call's metrics from its steps' logits in blocks of METRIC_BLOCK
    steps: a call across several blocks records what the same steps record one call each."""
    n = 2 * METRIC_BLOCK + 17
    cost = "least_squares"   # a cost whose per-sample value and gradient both differ from J^(D)'s
    one_call = build_toy_gan(preset("Gaussian"), TrainConfig(seed=4, k=2, generator_cost=cost))
    step_by_step = build_toy_gan(preset("Gaussian"), TrainConfig(seed=4, k=2, generator_cost=cost))
    rows = getattr(one_call, kind)(n)
    single = np.concatenate([getattr(step_by_step, kind)(1) for _ in range(n)])
    assert rows.shape == (n, len(METRICS))
    np.testing.assert_allclose(rows, single, rtol=1e-6, atol=1e-7)
    # a call of G steps alone has no D metrics (NaN), the others have them all
    if kind == "generator_steps":
        assert np.isnan(rows[:, METRICS.index("d_loss")]).all()
    else:
        assert np.isfinite(rows[:, METRICS.index("d_loss")]).all()
        assert 0 < rows[-1, METRICS.index("d_real")] < 1


# ---- the fast path's optimizer step calls torch's private fused kernels (torch._fused_adam_,
# torch._fused_sgd_): if a torch upgrade changes what their arguments mean, these fail
OPTIMIZERS = {
    "adam": lambda p, **kw: torch.optim.Adam([p], lr=2e-3, betas=(0.5, 0.999), weight_decay=1e-2, **kw),
    "sgd": lambda p, **kw: torch.optim.SGD([p], lr=2e-2, momentum=0.5, weight_decay=1e-2, **kw),
    "sgd_nesterov": lambda p, **kw: torch.optim.SGD([p], lr=2e-2, momentum=0.9, nesterov=True, **kw),
}


@pytest.mark.parametrize("kind", list(OPTIMIZERS))
def test_fast_optimizer_step_is_torch_optims_own_step(kind):
    """Same tensors, same gradients, 6 steps (the learning rate changed halfway, as set_config
    does): bitwise equal to the fused optimizer's step(), and to 1e-7 of the plain for-loop one."""
    gen = torch.Generator().manual_seed(0)
    start = torch.randn(97, generator=gen)
    grads = [torch.randn(97, generator=gen) for _ in range(6)]
    params = {name: torch.nn.Parameter(start.clone()) for name in ("fast", "fused", "plain")}
    opts = {"fast": OPTIMIZERS[kind](params["fast"], fused=True),
            "fused": OPTIMIZERS[kind](params["fused"], fused=True),
            "plain": OPTIMIZERS[kind](params["plain"], foreach=False)}
    for i, g in enumerate(grads):
        if i == 3:
            for opt in opts.values():
                opt.param_groups[0]["lr"] *= 0.5
        for p in params.values():
            p.grad = g.clone()
        fast_optimizer_step(opts["fast"])
        opts["fused"].step()
        opts["plain"].step()
    assert not torch.equal(params["fast"], start)
    assert torch.equal(params["fast"], params["fused"])
    torch.testing.assert_close(params["fast"], params["plain"], rtol=1e-7, atol=1e-7)
    for key, value in opts["fused"].state[params["fused"]].items():
        assert torch.equal(opts["fast"].state[params["fast"]][key], value), key


# ---- Algorithm 1: k discriminator updates per generator update, counted
@pytest.mark.parametrize("k", [1, 3, 5])
def test_k_discriminator_updates_per_generator_update(k):
    trainer = toy(k=k)
    calls = {"D": 0, "G": 0}
    d_update, g_update = trainer._discriminator_update, trainer._generator_update

    def spy_d():
        calls["D"] += 1
        return d_update()

    def spy_g():
        calls["G"] += 1
        return g_update()

    trainer._discriminator_update, trainer._generator_update = spy_d, spy_g
    trainer.train(7)
    assert calls == {"D": 7 * k, "G": 7}
    # the optimizers agree: Adam's own step counters
    assert int(trainer.opt_d.state[trainer.opt_d.param_groups[0]["params"][0]]["step"]) == 7 * k
    assert int(trainer.opt_g.state[trainer.opt_g.param_groups[0]["params"][0]]["step"]) == 7
    assert trainer.iteration == 7 and trainer.d_steps == 7 * k and trainer.g_steps == 7


def test_single_d_and_g_steps_move_only_their_network():
    trainer = toy()
    g0 = [p.detach().clone() for p in trainer.G.parameters()]
    d0 = [p.detach().clone() for p in trainer.D.parameters()]
    trainer.discriminator_steps(1)
    assert all(torch.equal(a, b) for a, b in zip(g0, trainer.G.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(d0, trainer.D.parameters()))
    d1 = [p.detach().clone() for p in trainer.D.parameters()]
    trainer.generator_steps(1)
    assert all(torch.equal(a, b) for a, b in zip(d1, trainer.D.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(g0, trainer.G.parameters()))
    assert (trainer.iteration, trainer.d_steps, trainer.g_steps) == (0, 1, 1)


# ---- hyperparameters change in place
def test_set_config_changes_hyperparameters_without_reset():
    trainer = toy()
    trainer.train(30)
    g_before = [p.detach().clone() for p in trainer.G.parameters()]
    opt_state = trainer.opt_d.state_dict()["state"][0]["exp_avg"].clone()
    trainer.set_config(k=3, lr_d=1e-2, lr_g=1e-4, generator_cost="saturating", batch_size=64)
    assert trainer.iteration == 30 and len(trainer.history["d_loss"]) == 30
    assert all(torch.equal(a, b) for a, b in zip(g_before, trainer.G.parameters()))
    assert torch.equal(trainer.opt_d.state_dict()["state"][0]["exp_avg"], opt_state)
    assert trainer.opt_d.param_groups[0]["lr"] == 1e-2 and trainer.opt_g.param_groups[0]["lr"] == 1e-4
    trainer.train(2)
    assert trainer.iteration == 32 and trainer.d_steps == 30 + 6


def test_bad_hyperparameters_are_refused_with_a_message_and_change_nothing():
    trainer = toy()
    for bad, needle in [({"k": 0}, "k must be"), ({"lr_d": -1.0}, "lr_d must be"),
                        ({"batch_size": 0}, "batch size"), ({"generator_cost": "x"}, "generator cost")]:
        with pytest.raises(ValueError, match=needle):
            trainer.set_config(**bad)
    assert trainer.config == TrainConfig()


# ---- seeds
def same_history(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)


def test_same_seed_same_history_and_other_seed_differs():
    a, b, c = toy(seed=7), toy(seed=7), toy(seed=8)
    for t in (a, b, c):
        t.train(40)
        t.set_config(k=2)
        t.train(10)
    assert same_history(a.history, b.history)
    assert len(a.history["g_loss"]) == 50
    assert not np.array_equal(a.history["g_loss"], c.history["g_loss"])


def test_state_dict_resume_gives_the_same_continuation():
    a = toy(seed=2)
    a.train(25)
    state = a.state_dict()
    a.train(25)
    b = toy(seed=99)
    b.load_state_dict(state)
    b.train(25)
    assert same_history(b.history, a.history)


# ---- divergence: pause, roll back to the last finite weights, say what diverged
def test_divergence_rolls_back_to_last_finite_weights():
    trainer = build_toy_gan(preset("Gaussian"), TrainConfig(optimizer="sgd", lr_d=1e-3, lr_g=1e-3, seed=0))
    trainer.train(20)
    good = {k: v.clone() for k, v in trainer.D.state_dict().items()}
    trainer.set_config(lr_d=100.0, lr_g=100.0)
    with pytest.raises(TrainingDiverged) as info:
        for _ in range(50):
            trainer.train(10)
            good = {k: v.clone() for k, v in trainer.D.state_dict().items()}
    report = info.value.report
    assert report["quantity"] in ("d_loss", "g_loss", "grad_norm_d", "grad_norm_g", "d_real", "d_fake",
                                  "d_fake_g", "discriminator weights", "generator weights")
    assert "lower the learning rates" in report["message"].lower()
    assert trainer.divergence is report
    for k, v in trainer.D.state_dict().items():
        assert torch.isfinite(v).all()
        assert torch.equal(v, good[k])
    assert trainer.iteration == report["iteration"]
    assert all(np.isfinite(trainer.history["d_loss"]))


def test_nan_injected_into_a_weight_is_reported_and_undone():
    trainer = toy()
    trainer.train(5)
    before = {k: v.clone() for k, v in trainer.G.state_dict().items()}
    with torch.no_grad():
        trainer.G.layers[0].weight[0, 0] = float("nan")
    snapshot_fn = trainer.snapshot
    trainer.snapshot = lambda: {**snapshot_fn(), "G": before}  # the last good state
    with pytest.raises(TrainingDiverged):
        trainer.train(3)
    assert all(torch.isfinite(v).all() for v in trainer.G.state_dict().values())
    assert trainer.iteration == 5


@pytest.mark.parametrize("fast_path", [True, False])
def test_a_snapshot_restored_replays_the_same_iterations_bitwise(fast_path):
    """snapshot() is a copy, not a view: training on does not change it, and restoring it (weights,
    optimizer moments, RNG, samplers' buffers and positions, counters) replays the same steps."""
    # batch 512: the noise sampler draws a new block every 32 iterations, the data sampler every 64,
    # so the replayed stretch crosses a refill of each
    trainer = build_toy_gan(preset("Gaussian"), TrainConfig(seed=5, batch_size=512), fast_path=fast_path)
    trainer.train(40)
    state = trainer.snapshot()
    first = trainer.train(70)
    weights = [p.detach().clone() for p in list(trainer.G.parameters()) + list(trainer.D.parameters())]
    trainer.train(25)
    trainer.restore(state)
    assert trainer.iteration == 40
    again = trainer.train(70)
    np.testing.assert_array_equal(first, again)
    for a, b in zip(weights, list(trainer.G.parameters()) + list(trainer.D.parameters())):
        assert torch.equal(a, b)


def test_copied_copies_tensors_and_containers_and_keeps_plain_values():
    t = torch.arange(3.0)
    state = {"a": [t, (t, 1)], "b": {"c": None, "d": "x", "e": 2.5, "rng": np.random.default_rng(0).bit_generator.state}}
    c = copied(state)
    t.add_(1)
    state["b"]["rng"]["state"]["state"] = 0
    assert torch.equal(c["a"][0], torch.arange(3.0)) and torch.equal(c["a"][1][0], torch.arange(3.0))
    assert isinstance(c["a"][1], tuple) and c["a"][1][1] == 1
    assert c["b"]["c"] is None and c["b"]["d"] == "x" and c["b"]["e"] == 2.5
    assert c["b"]["rng"]["state"]["state"] != 0

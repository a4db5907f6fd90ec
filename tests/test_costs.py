"""Generator costs: closed-form derivatives vs autograd, and the lecture's claim, measured.

The claim (the lecture: "when sample is likely fake ... gradient in this region is relatively flat"):
with a discriminator pre-trained to near-optimal on data far from the generator, the saturating
cost's generator gradient is tiny next to the non-saturating one's, and the non-saturating run's
JS falls faster. Seeded, so the numbers are the same on every machine.
"""
import math

import numpy as np
import pytest
import torch

from gan_core.toy.cost_race import CostRace, first_below, strong_discriminator_start
from gan_core.toy.distributions import Shifted, preset
from gan_core.losses import GENERATOR_COSTS, cost_grad_wrt_logit, cost_of_d
from gan_core.toy.game import grid_estimates
from gan_core.trainer import TrainConfig, TrainingDiverged

EPS = 1e-6
D_VALUES = np.unique(np.concatenate([[EPS, 1 - EPS], np.logspace(-6, -0.31, 60), 1 - np.logspace(-6, -0.31, 60)]))


def per_sample_autograd(cost, d, dtype):
    """J and dJ/da for each sample, from the trainer's loss on logits (a mean over the batch)."""
    a = torch.tensor(np.log(d) - np.log1p(-d), dtype=dtype, requires_grad=True)  # a = σ⁻¹(d)
    loss = GENERATOR_COSTS[cost](a) * len(d)   # n · mean = sum, so ∂/∂a_i is per sample
    (grad,) = torch.autograd.grad(loss, a)
    values = torch.stack([GENERATOR_COSTS[cost](a[i:i + 1]) for i in range(len(d))])
    return values.detach().numpy(), grad.numpy()


@pytest.mark.parametrize("cost", list(GENERATOR_COSTS))
def test_closed_forms_match_autograd_across_the_unit_interval(cost):
    values, grad = per_sample_autograd(cost, D_VALUES, torch.float64)
    closed_grad = cost_grad_wrt_logit(cost, D_VALUES)
    closed_value = cost_of_d(cost, D_VALUES)
    for arr in (values, grad, closed_grad, closed_value):
        assert np.all(np.isfinite(arr)), f"{cost}: NaN or inf in (1e-6, 1 - 1e-6)"
    np.testing.assert_allclose(closed_grad, grad, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(closed_value, values, rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("cost", list(GENERATOR_COSTS))
def test_no_nan_or_inf_at_the_ends_in_float32(cost):
    """The trainer runs in float32: the ends of the interval must stay finite there too."""
    values, grad = per_sample_autograd(cost, np.array([EPS, 0.5, 1 - EPS]), torch.float32)
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(grad))
    # float32 rounds 1 - d near d = 1 (least squares: ~1e-13 absolute error on a ~1e-12 gradient)
    np.testing.assert_allclose(grad, cost_grad_wrt_logit(cost, np.array([EPS, 0.5, 1 - EPS])), rtol=1e-3, atol=1e-9)


def test_the_gradients_in_the_lecture_words():
    """Saturating: flat where D(G(z)) -> 0. Non-saturating: strongest there. Same sign: towards 'real'."""
    d = np.array([EPS, 0.5, 1 - EPS])
    assert abs(cost_grad_wrt_logit("saturating", d)[0]) < 1e-5
    assert abs(cost_grad_wrt_logit("non_saturating", d)[0]) > 0.99
    assert abs(cost_grad_wrt_logit("least_squares", d)[0]) < 1e-5  # LSGAN's G cost through a sigmoid
    for cost in GENERATOR_COSTS:
        assert np.all(cost_grad_wrt_logit(cost, d) < 0)
    with pytest.raises(ValueError, match="unknown generator cost"):
        cost_of_d("wasserstein", d)


# ---- the claim, seeded
DATA = Shifted(preset("Gaussian"), 2.0)  # N(4, 0.5²): far from G's start near x = 0
TRAIN = TrainConfig(optimizer="sgd", lr_d=0.02, lr_g=0.02, seed=0)  # the page's defaults
N_PRETRAIN, ITERATIONS = 500, 200


@pytest.fixture(scope="module")
def start():
    return strong_discriminator_start(DATA, TRAIN, n_d_steps=N_PRETRAIN)


@pytest.fixture(scope="module")
def race(start):
    race = CostRace(DATA, ("saturating", "non_saturating"), TRAIN, start_state=start)
    at_start = [grid_estimates(run, DATA) for run in race.runs]
    rugs = [race.rug(i) for i in range(2)]
    race.step(ITERATIONS)
    return race, at_start, rugs


def test_the_discriminator_starts_near_optimal_and_confident(race):
    race, at_start, rugs = race
    for est, rug in zip(at_start, rugs):
        assert est.js > 0.99 * math.log(2)          # p_g and p_data barely overlap
        assert est.mean_abs_d_minus_d_star < 0.01   # D ≈ D* = p_d/(p_d + p_g) on the data
        assert est.mean_d_on_data > 0.99
        assert rug.max() < 0.02                     # every fake confidently called fake
    assert race.pretrain_d_steps == N_PRETRAIN


def test_saturating_gradient_is_under_a_tenth_of_the_non_saturating(race):
    race, _, _ = race
    sat, non = (race.history(i)["grad_norm_g"] for i in range(2))
    # iteration 1: same G, same D, same z in both runs; only the cost differs
    assert sat[0] < 0.1 * non[0]
    assert np.median(sat[:10]) < 0.1 * np.median(non[:10])


def test_non_saturating_js_falls_faster(race):
    race, _, _ = race
    its = race.js_iteration
    js_sat, js_non = np.array(race.js[0]), np.array(race.js[1])
    assert its[0] == 0 and its[-1] == ITERATIONS and js_sat[0] == pytest.approx(js_non[0])
    assert js_non[-1] < js_sat[-1] - 0.1
    assert js_non.mean() < js_sat.mean()
    escape_non = first_below(its, js_non, 0.5 * math.log(2))
    escape_sat = first_below(its, js_sat, 0.5 * math.log(2))
    assert escape_non is not None and (escape_sat is None or escape_non < escape_sat)


def test_runs_differ_only_in_the_cost(start):
    race = CostRace(DATA, ("non_saturating", "non_saturating"), TRAIN, start_state=start)
    race.step(30)
    a, b = race.history(0), race.history(1)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
    assert race.js[0] == race.js[1] and race.iteration == 30 and len(a["iteration"]) == 30


def test_set_config_applies_to_both_runs_and_rejects_bad_values(start):
    race = CostRace(DATA, ("saturating", "least_squares"), TRAIN, start_state=start)
    race.set_config(k=3, lr_g=0.01)
    assert all(run.config.k == 3 and run.config.lr_g == 0.01 for run in race.runs)
    with pytest.raises(ValueError, match="lr_d"):
        race.set_config(lr_d=0.0)
    with pytest.raises(ValueError, match="start a new race"):
        race.set_config(generator_cost="non_saturating")
    assert [run.config.generator_cost for run in race.runs] == ["saturating", "least_squares"]
    assert all(run.config.lr_d == TRAIN.lr_d for run in race.runs)
    with pytest.raises(ValueError, match="generator cost"):
        CostRace(DATA, ("saturating", "hinge"), TRAIN, start_state=start)


def test_divergence_rolls_back_both_runs_in_lockstep(start):
    race = CostRace(DATA, ("max_likelihood", "non_saturating"), TRAIN, start_state=start)
    race.step(30)
    race.set_config(lr_d=100.0, lr_g=100.0)
    with pytest.raises(TrainingDiverged) as info:
        race.step(200)
    assert info.value.report["message"].startswith("Run ")
    assert [run.iteration for run in race.runs] == [race.iteration] * 2
    assert [len(race.history(i)["iteration"]) for i in range(2)] == [race.iteration] * 2
    for run in race.runs:
        assert all(torch.isfinite(p).all() for p in run.G.parameters())

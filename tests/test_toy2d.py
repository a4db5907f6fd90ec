"""The 2-D toy GAN's core against closed forms and SciPy: data, KDE, D*, JS, coverage, arrows, the run."""
import math
import pickle

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from gan_core.toy2d.data import BOX, CANVAS, PRESETS, canvas_points, drawn, mode_of, preset
from gan_core.toy2d.game import (SCENARIO_ITERATIONS, SCENARIOS, Estimator, Toy2DConfig, build_toy2d_gan,
                                 discriminator_on, generator_map, generator_push, grid_axis, js_on_grid,
                                 kde_on_grid, manifold_lines, mode_coverage, scenario_trainer)
from gan_core.toy2d.live import Toy2DRun
from gan_core.trainer import TrainConfig


def _grid_mass(pdf, n=481, box=BOX):
    ax = np.linspace(-box, box, n)
    xx, yy = np.meshgrid(ax, ax)
    return pdf(np.stack([xx, yy], -1)).sum() * (ax[1] - ax[0]) ** 2


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_is_a_density_inside_the_view(name):
    mix = preset(name)
    assert _grid_mass(mix.pdf) == pytest.approx(1.0, abs=2e-3)  # all its mass lies in [-3, 3]²
    x = mix.sample(20_000, np.random.default_rng(0))
    assert np.allclose(x.mean(0), mix.mean(), atol=0.03)
    share = np.bincount(mode_of(mix, x)[mode_of(mix, x) >= 0], minlength=mix.n_modes) / len(x)
    assert np.allclose(share, np.bincount(mix.groups, mix.weights), atol=0.02)  # samples land on the modes' weights


def test_pdf_of_a_mixture_matches_scipy_components():
    mix = preset("Two disjoint clusters")
    pts = np.array([[0.3, -0.2], [-1.5, -1.0], [1.4, 1.1]])
    want = sum(w * stats.multivariate_normal(m, s**2 * np.eye(2)).pdf(pts)
               for w, m, s in zip(mix.weights, mix.means, mix.stds))
    assert np.allclose(mix.pdf(pts), want, rtol=1e-12)


def test_a_drawn_distribution_is_normalised_and_counts_its_regions():
    pts = canvas_points()
    left = np.flatnonzero((pts[:, 0] < -1.4) & (np.abs(pts[:, 1]) < 0.4))
    right = np.flatnonzero((pts[:, 0] > 1.6) & (pts[:, 1] > 1.6))
    mix = drawn(pts[np.concatenate([left, right])])
    assert mix.n_modes == 2 and "2 regions" in mix.name
    mass, err = integrate.dblquad(lambda y, x: mix.pdf(np.array([x, y])), -BOX - 1, BOX + 1, -BOX - 1, BOX + 1,
                                  epsabs=1e-6)
    assert mass == pytest.approx(1.0, abs=1e-4)   # SciPy's integral over the plane (±1 beyond the view)
    assert _grid_mass(mix.pdf) == pytest.approx(1.0, abs=2e-3)


def test_a_drawing_is_refused_when_empty_or_outside_the_canvas():
    with pytest.raises(ValueError, match="select at least one point"):
        drawn(np.empty((0, 2)))
    with pytest.raises(ValueError, match="canvas"):
        drawn([[CANVAS + 0.5, 0.0]])


def _affine_generator(trainer, A, b):
    """Freeze G (width 2, one hidden layer, LeakyReLU) to x = A z + b: the hidden layer gets z + 50,
    positive for any z the tests draw, where LeakyReLU is the identity."""
    first, last = trainer.G.layers
    with torch.no_grad():
        first.weight.copy_(torch.eye(2))
        first.bias.fill_(50.0)
        last.weight.copy_(torch.as_tensor(A, dtype=torch.float32))
        last.bias.copy_(torch.as_tensor(b - A @ np.array([50.0, 50.0]), dtype=torch.float32))


def _affine_trainer():
    A, b = np.array([[0.5, 0.2], [-0.1, 0.4]]), np.array([0.8, -0.5])
    data = preset("Two disjoint clusters")
    t = build_toy2d_gan(data, TrainConfig(), Toy2DConfig(g_width=2, g_depth=1))
    _affine_generator(t, A, b)
    return t, data, stats.multivariate_normal(b, A @ A.T)


def test_d_star_against_the_closed_form_for_a_generator_frozen_to_an_affine_map():
    t, data, p_g = _affine_trainer()
    z = np.random.default_rng(0).standard_normal((5, 2))
    assert np.allclose(generator_map(t, z), z @ np.array([[0.5, 0.2], [-0.1, 0.4]]).T + [0.8, -0.5], atol=1e-4)
    est = Estimator(data)(t)
    pts = np.stack(np.meshgrid(est.axis, est.axis), -1)
    p_d = data.pdf(pts)
    exact = p_d / (p_d + p_g.pdf(pts))          # D* with the exact p_g = N(b, A Aᵀ)
    err, mass = np.abs(est.d_star - exact), 0.5 * (p_d + p_g.pdf(pts))
    # the KDE-based D* on the page: close where the densities are, weighted as ½(p_d + p_g) ...
    assert np.nansum(err * mass) / mass[np.isfinite(err)].sum() < 0.01
    # ... and everywhere both are not in their far tails (a ratio of two tails is estimation noise)
    peak = max(p_d.max(), p_g.pdf(pts).max())
    where = 2 * mass > 0.1 * peak
    assert np.nanmax(err[where]) < 0.08
    # ... shown wherever the densities are, and blank in their far tails (below 10⁻³ of the peak),
    # where a ratio of two tails would draw a patchwork of noise
    assert np.isfinite(est.d_star[where]).all() and np.isnan(est.d_star[2 * mass < 1e-3 * peak]).all()
    assert est.p_g.sum() * (est.axis[1] - est.axis[0]) ** 2 == pytest.approx(1.0, abs=0.01)


def test_kde_on_grid_equals_the_exact_kernel_sum():
    rng = np.random.default_rng(1)
    samples = rng.normal([0.5, -0.3], [0.4, 0.7], (3000, 2))
    axis, h = grid_axis(), 0.08
    dens, outside = kde_on_grid(samples, axis, h)
    assert outside == 0.0
    for iy, ix in [(120, 140), (100, 110), (150, 130), (60, 150)]:
        x = np.array([axis[ix], axis[iy]])
        exact = np.mean(np.exp(-0.5 * ((samples - x) ** 2).sum(1) / h**2)) / (2 * np.pi * h * h)
        assert dens[iy, ix] == pytest.approx(exact, rel=0.03, abs=1e-3)


def _js_integrand(p, q):
    def f(y, x):
        a, b = p.pdf([x, y]), q.pdf([x, y])
        m = 0.5 * (a + b)
        return 0.5 * (a * math.log(a / m) if a > 0 else 0.0) + 0.5 * (b * math.log(b / m) if b > 0 else 0.0)
    return f


def test_js_on_the_grid_against_scipy_dblquad_for_two_gaussians():
    p = stats.multivariate_normal([-0.4, 0.2], 0.3 * np.eye(2))
    q = stats.multivariate_normal([0.6, -0.1], [[0.5, 0.1], [0.1, 0.25]])
    want, _ = integrate.dblquad(_js_integrand(p, q), -BOX, BOX, -BOX, BOX, epsabs=1e-7)
    ax = grid_axis()
    pts = np.stack(np.meshgrid(ax, ax), -1)
    got = js_on_grid(p.pdf(pts), q.pdf(pts), (ax[1] - ax[0]) ** 2)
    assert 0.05 < want < math.log(2)
    assert got == pytest.approx(want, rel=2e-3)


def test_js_counts_generator_mass_outside_the_square_and_stays_below_log_2():
    p = np.zeros((5, 5)); p[2, 2] = 1.0
    assert js_on_grid(p, np.zeros((5, 5)), 1.0, q_outside=1.0) == pytest.approx(math.log(2))
    assert js_on_grid(p, p, 1.0) == 0.0


def test_js_is_small_when_the_generator_samples_p_data_itself():
    """A generator whose stratified sample is p_data's own: JS from the KDE is near 0 (the bandwidth cap)."""
    data = preset("Ring of 8 Gaussians")
    est = Estimator(data)
    from gan_core.toy2d.game import kde_bandwidth
    s = data.sample(16_384, np.random.default_rng(3))
    cell = est.fine[1] - est.fine[0]
    h = kde_bandwidth(s, data, cell)
    p_g, out = kde_on_grid(s, est.fine, h)
    assert h == pytest.approx(0.05) and js_on_grid(est.p_data_fine, p_g, cell * cell, out) < 0.02


def test_mode_coverage_counts_modes_and_a_collapse():
    data = preset("Ring of 8 Gaussians")
    full = mode_coverage(data, data.sample(4000, np.random.default_rng(0)))
    assert full["covered"] == 8 and full["on_modes"] > 0.97
    one = mode_coverage(data, data.means[[2]] + 0.05 * np.random.default_rng(1).standard_normal((4000, 2)))
    assert one["covered"] == 1 and one["share"][2] == 1.0
    far = mode_coverage(data, np.zeros((100, 2)))       # the centre of the ring: no mode
    assert far["covered"] == 0 and far["on_modes"] == 0.0


def test_the_fast_path_trains_2d_nets_exactly_as_autograd():
    data = preset("Ring of 8 Gaussians")
    for cost in ("non_saturating", "saturating"):
        a = build_toy2d_gan(data, TrainConfig(generator_cost=cost), fast_path=True)
        b = build_toy2d_gan(data, TrainConfig(generator_cost=cost), fast_path=False)
        ha, hb = a.train(20), b.train(20)
        assert np.allclose(ha, hb, atol=1e-4)
        for pa, pb in zip(list(a.G.parameters()) + list(a.D.parameters()), list(b.G.parameters()) + list(b.D.parameters())):
            assert torch.allclose(pa, pb, atol=1e-5)


def test_the_arrows_are_minus_the_gradient_of_the_generator_cost_at_each_fake():
    t = build_toy2d_gan(preset("Ring of 8 Gaussians"), TrainConfig(generator_cost="non_saturating"))
    t.discriminator_steps(30)
    x = np.array([[0.3, -0.4], [1.5, 1.2], [-2.0, 0.1]])
    push, eps = generator_push(t, x), 1e-2
    for i in range(len(x)):
        for j in range(2):
            up, down = x[i].copy(), x[i].copy()
            up[j] += eps; down[j] -= eps
            cost = lambda p: -math.log(discriminator_on(t, p[None])[0])  # noqa: E731  −log D(x)
            assert push[i, j] == pytest.approx(-(cost(up) - cost(down)) / (2 * eps), rel=0.05, abs=1e-3)


def test_the_manifold_of_an_affine_generator_is_a_straight_grid():
    t, _, _ = _affine_trainer()
    lines = manifold_lines(t, lines=5, points=9)
    pieces = np.split(lines, np.flatnonzero(np.isnan(lines[:, 0])))
    pieces = [p[~np.isnan(p[:, 0])] for p in pieces if len(p[~np.isnan(p[:, 0])])]
    assert len(pieces) == 10
    for p in pieces:  # each image of a lattice line is a straight segment
        u = p[-1] - p[0]
        assert np.abs(np.cross(p - p[0], u)).max() < 1e-3 * np.linalg.norm(u) ** 2


@pytest.mark.parametrize("name, covered", [(list(SCENARIOS)[0], 8), (list(SCENARIOS)[1], 1)])
def test_the_ring_scenarios_from_their_seed(name, covered):
    trainer, data = scenario_trainer(name)
    trainer.train(SCENARIO_ITERATIONS)
    est = Estimator(data)(trainer)
    assert est.coverage["covered"] == covered
    if covered == 8:
        assert est.coverage["on_modes"] > 0.7
    else:
        assert est.coverage["on_modes"] < 0.5 and est.js > 0.4


def test_train_d_to_optimum_lands_d_on_d_star():
    run = Toy2DRun({"data": preset("Ring of 8 Gaussians"), "train": {"lr_d": 1e-3, "lr_g": 1e-3}})
    run.trainer.train(300)
    before = run.snapshot()["mean_abs_d_minus_d_star"]
    out = run.do("d_optimum")
    after = run.snapshot()["mean_abs_d_minus_d_star"]
    # E_{x ~ p_data}|D − D*|: 0.29 -> 0.046 measured
    assert before > 0.25 and after < 0.05 and out["gap"] == pytest.approx(after)
    c = run.trainer.config
    assert (c.lr_d, c.batch_size) == (1e-3, 128)   # the annealing's rates and batches were restored


def test_the_gap_to_d_star_is_the_mean_over_x_from_p_data():
    """A D equal to D* except on one mode: the gap is that mode's share of p_data times the error there."""
    data = preset("Ring of 8 Gaussians")
    est = Estimator(data)
    pts = est.points
    w = est.data_weight
    assert w.sum() == pytest.approx(1.0) and np.all(w[~est.support] == 0)
    # the grid's weights reproduce E_{p_data} of a smooth function (here x₁², closed form: Σ w_i (m_i1² + σ²))
    want = float(data.weights @ (data.means[:, 0] ** 2 + data.stds ** 2))
    assert (w * pts[..., 0] ** 2).sum() == pytest.approx(want, rel=0.01)
    near_mode_0 = np.linalg.norm(pts - data.means[0], axis=-1) < 0.75
    assert (w * near_mode_0).sum() == pytest.approx(1 / 8, rel=0.01)


def test_a_snapshot_is_small_plain_data():
    run = Toy2DRun({"data": preset("Two moons"), "noise_dim": 1})
    snap = run.snapshot()
    assert len(pickle.dumps(snap)) < 200_000
    assert snap["d"].shape == (61, 61) and snap["fakes"].shape == (512, 2) and snap["arrows"].shape == (64, 2)
    assert snap["n_modes"] == 2 and 0 <= snap["js"] <= math.log(2)
    for v in snap.values():
        assert isinstance(v, (int, float, str, np.ndarray, np.floating, dict, type(None)))


def test_while_playing_the_grid_estimates_refresh_once_a_second_and_d_in_every_snapshot(monkeypatch):
    import gan_core.toy2d.live as live
    run = Toy2DRun({"data": preset("Ring of 8 Gaussians")})
    run.trainer.train(10)
    first = run.snapshot_while_training()            # nothing to reuse yet: everything measured
    assert first["estimates_iteration"] == first["iteration"] == 10
    run.trainer.train(20)
    second = run.snapshot_while_training()
    assert second["iteration"] == 30 and second["estimates_iteration"] == 10
    assert second["js"] == first["js"] and np.array_equal(second["d_star"], first["d_star"], equal_nan=True)
    # D(x), the fakes and the arrows are the networks' of now
    assert np.allclose(second["d"], discriminator_on(run.trainer, run.estimator.points), atol=1e-6)
    assert not np.allclose(second["d"], first["d"])
    assert np.allclose(second["fakes"], generator_map(run.trainer, run.fixed_noise), atol=1e-6)
    monkeypatch.setattr(live, "ESTIMATES_EVERY_S", 0.0)  # a second later
    third = run.snapshot_while_training()
    assert third["estimates_iteration"] == 30 and third["js"] != first["js"]
    monkeypatch.setattr(live, "ESTIMATES_EVERY_S", 60.0)
    run.trainer.train(5)
    assert run.snapshot()["estimates_iteration"] == 35     # after a command or a pause: all measured
    run.apply({"iterations_per_turn": 3})
    run.train(0.1)
    assert run.snapshot_while_training()["estimates_iteration"] == 38   # slow motion: every turn measured
    assert list(run.curve.arrays()["iteration"]) == [10, 30, 35, 38]  # one curve point per estimate


def test_slow_motion_trains_exactly_n_iterations_per_read():
    run = Toy2DRun({"data": preset("Line"), "iterations_per_turn": 7})
    assert run.train(0.1)["iterations"] == 7
    assert run.train(0.1)["iterations"] == 0 and run.trainer.iteration == 7   # not read yet: waits
    assert run.snapshot()["iteration"] == 7
    run.train(0.1)
    assert run.trainer.iteration == 14
    run.apply({"iterations_per_turn": 0})        # back to full speed: trains by time
    run.train(0.05)
    run.train(0.05)
    assert run.trainer.iteration > 16
    with pytest.raises(ValueError, match="iterations per turn"):
        run.apply({"iterations_per_turn": -1})


def test_settings_and_data_change_in_place():
    run = Toy2DRun({"data": preset("Ring of 8 Gaussians")})
    run.trainer.train(5)
    G = run.trainer.G
    changed = run.apply({"k": 3, "lr_g": 1e-3, "noise": "uniform", "data": preset("Spiral")})
    assert set(changed) == {"k", "lr_g", "noise", "data"} and run.trainer.G is G and run.trainer.iteration == 5
    snap = run.snapshot()
    assert snap["noise"] == "uniform" and snap["n_modes"] == 2 and "spiral" in snap["data_name"]
    assert np.abs(run.fixed_noise).max() <= 1.0   # the fixed batch is redrawn from the new prior

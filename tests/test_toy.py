"""The 1-D toy GAN's maths against closed forms and SciPy."""
import json
import math

import numpy as np
import pytest
from scipy import integrate, stats

from gan_core.toy.distributions import Gaussian, GaussianMixture, Uniform, preset
from gan_core.toy.divergences import js_divergence_on_grid, kde_on_grid, optimal_discriminator
from gan_core.toy.game import build_toy_gan, grid_estimates, train_discriminator_to_optimum
from gan_core.trainer import TrainConfig


def test_optimal_discriminator_matches_closed_form_for_two_gaussians():
    x = np.linspace(-4, 6, 501)
    m1, s1, m2, s2 = 0.0, 1.0, 1.5, 0.7
    d_star = optimal_discriminator(stats.norm.pdf(x, m1, s1), stats.norm.pdf(x, m2, s2))
    # D* = 1 / (1 + p_g/p_d), with log(p_g/p_d) written out for two normals
    log_ratio = math.log(s1 / s2) - (x - m2) ** 2 / (2 * s2**2) + (x - m1) ** 2 / (2 * s1**2)
    np.testing.assert_allclose(d_star, 1 / (1 + np.exp(log_ratio)), rtol=1e-9, atol=1e-12)
    assert optimal_discriminator([1.0], [1.0])[0] == 0.5  # p_d = p_g gives 1/2
    assert np.isnan(optimal_discriminator([0.0], [0.0])[0])  # undefined off both supports


def _js_quad(p, q, lo, hi):
    def term(f, g):
        return lambda x: f(x) * math.log(f(x) / (0.5 * (f(x) + g(x)))) if f(x) > 0 else 0.0
    return 0.5 * integrate.quad(term(p, q), lo, hi, limit=200)[0] + 0.5 * integrate.quad(term(q, p), lo, hi, limit=200)[0]


@pytest.mark.parametrize("m2,s2", [(0.0, 1.0), (1.0, 1.0), (2.0, 0.5), (8.0, 1.0)])
def test_js_on_grid_against_scipy_quad(m2, s2):
    p, q = stats.norm(0, 1).pdf, stats.norm(m2, s2).pdf
    x = np.linspace(-8, 14, 4001)
    ref = _js_quad(p, q, -8, 14)
    js = js_divergence_on_grid(x, p(x), q(x), normalize=False)   # as the toy page takes it
    assert js == pytest.approx(ref, abs=1e-6)
    assert js <= math.log(2) + 1e-9


def test_js_of_disjoint_supports_is_log_2():
    x = np.linspace(-1, 4, 50001)
    js = js_divergence_on_grid(x, Uniform(0, 1).pdf(x), Uniform(2, 3).pdf(x), normalize=False)
    assert js == pytest.approx(math.log(2), abs=1e-3)


def test_kde_on_grid_matches_scipy_gaussian_kde():
    rng = np.random.default_rng(0)
    samples = GaussianMixture([0.3, 0.7], [-1, 2], [0.5, 0.8]).sample(5000, rng)
    x = np.linspace(-4, 6, 801)
    ours = kde_on_grid(samples, x, "silverman")
    # the same bandwidth: Silverman's rule with min(std, IQR/1.349)
    iqr = np.subtract(*np.percentile(samples, [75, 25]))
    h = 0.9 * min(samples.std(), iqr / 1.349) * len(samples) ** -0.2
    ref = stats.gaussian_kde(samples, bw_method=h / samples.std(ddof=1))(x)
    assert np.max(np.abs(ours - ref)) < 1e-3 * ref.max()


def test_generator_density_integrates_to_one_and_js_is_small_for_a_matched_generator():
    trainer = build_toy_gan(Gaussian(0, 1), TrainConfig(seed=0))
    est = grid_estimates(trainer, Gaussian(0, 1))
    assert integrate.trapezoid(est.p_g, est.x) == pytest.approx(1.0, abs=0.02)
    assert integrate.trapezoid(est.p_data, est.x) == pytest.approx(1.0, abs=1e-3)
    # C(G) = -log 4 + 2 JS, and V(G, D) <= C(G) = max_D V(G, D)
    assert est.c_of_g == pytest.approx(-math.log(4) + 2 * est.js)
    assert est.value <= est.c_of_g + 1e-3


def test_train_discriminator_to_optimum_reaches_d_star():
    data = preset("Gaussian")
    trainer = build_toy_gan(data, TrainConfig(seed=0))
    trainer.train(300)  # a generator part-way there, overlapping the data
    steps = train_discriminator_to_optimum(trainer)
    est = grid_estimates(trainer, data)
    assert steps > 0
    # on the data support (p_d > 1e-3 max p_d): on average, and everywhere in the central 95 %
    # of p_data (in the far tails a minibatch rarely has a sample to teach D with)
    assert est.mean_abs_d_minus_d_star < 0.03, est.mean_abs_d_minus_d_star
    central = (est.x > data.ppf(0.025)) & (est.x < data.ppf(0.975))
    assert np.nanmax(np.abs(est.d - est.d_star)[central]) < 0.03
    assert trainer.config.lr_d == TrainConfig().lr_d  # the settling phase restored lr_D
    # and V(G, D) approaches its maximum C(G) = -log 4 + 2 JS
    assert est.value == pytest.approx(est.c_of_g, abs=0.02)


def test_canonical_case_converges():
    data = preset("Gaussian")
    trainer = build_toy_gan(data, TrainConfig(seed=0))
    start = grid_estimates(trainer, data).js
    trainer.train(2000)
    est = grid_estimates(trainer, data)
    assert start > 0.3
    assert est.js < 0.05
    assert abs(est.mean_d_on_data - 0.5) < 0.05


def test_toy_cli_prints_one_json_line(capsys):
    from gan_core.cli import main
    main(["toy", "--steps", "200", "--k", "2", "--seed", "1"])
    line = capsys.readouterr().out.strip().splitlines()
    assert len(line) == 1
    out = json.loads(line[0])
    assert out["iterations"] == 200 and out["k"] == 2
    for key in ("iterations_per_s", "final_js_nats", "max_abs_d_minus_d_star_on_data", "mean_d_on_data"):
        assert isinstance(out[key], float)
    assert 0 <= out["final_js_nats"] <= math.log(2)


def test_gaussian_mixture_against_scipy_components():
    g = GaussianMixture([0.3, 0.7], [-1.0, 2.0], [0.5, 0.8])
    x = np.linspace(-6, 7, 201)
    ref_pdf = 0.3 * stats.norm.pdf(x, -1, 0.5) + 0.7 * stats.norm.pdf(x, 2, 0.8)
    ref_cdf = 0.3 * stats.norm.cdf(x, -1, 0.5) + 0.7 * stats.norm.cdf(x, 2, 0.8)
    np.testing.assert_allclose(g.pdf(x), ref_pdf, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(g.logpdf(x), np.log(ref_pdf), rtol=1e-12)
    np.testing.assert_allclose(g.cdf(x), ref_cdf, rtol=1e-12, atol=1e-15)
    q = np.array([1e-4, 0.25, 0.5, 0.9, 1 - 1e-4])
    np.testing.assert_allclose(g.cdf(g.ppf(q)), q, rtol=1e-9)
    assert isinstance(g.ppf(0.5), float)
    assert integrate.quad(g.pdf, -np.inf, np.inf)[0] == pytest.approx(1.0, abs=1e-9)

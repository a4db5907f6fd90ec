"""gan_core.toy.divergences against closed forms, scipy.integrate.quad and SciPy's discrete functions."""
import math

import numpy as np
import pytest
from scipy import integrate
from scipy.spatial.distance import jensenshannon
from scipy.special import rel_entr

from gan_core.toy import divergences as dv
from gan_core.toy.distributions import Beta, Gaussian, GaussianMixture, Laplace, LogNormal, Shifted, Uniform

LOG2 = math.log(2)
PAIRS = [
    (Gaussian(0, 1), Gaussian(1, 1.5)),
    (GaussianMixture([0.3, 0.7], [-2, 1], [0.5, 1.0]), Laplace(0.5, 1.2)),
    (Beta(2, 5), Beta(5, 2)),
    (LogNormal(0, 0.5, -0.5), Gaussian(1, 1)),
    (Uniform(0, 1), Uniform(0.5, 2)),
    (Beta(0.5, 0.5), Uniform(0, 1)),
]


def kl_gauss(m1, s1, m2, s2):
    return math.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5


@pytest.mark.parametrize("m1,s1,m2,s2", [(0, 1, 0, 1), (0, 1, 1, 1.5), (2, 0.3, -1, 2), (0, 3, 0.5, 0.4)])
def test_kl_between_gaussians_closed_form(m1, s1, m2, s2):
    assert dv.kl_divergence(Gaussian(m1, s1), Gaussian(m2, s2)) == pytest.approx(kl_gauss(m1, s1, m2, s2), abs=1e-9)


def test_kl_uniforms_closed_form_and_infinite_with_reason():
    assert dv.kl_divergence(Uniform(0, 1), Uniform(-1, 2)) == pytest.approx(math.log(3), abs=1e-12)
    kl = dv.kl_divergence(Uniform(-1, 2), Uniform(0, 1))
    assert math.isinf(kl) and "q = 0" in kl.reason
    assert math.isinf(dv.kl_divergence(LogNormal(0, 0.5, 0.0), Uniform(0, 1)))  # heavy tail outside [0, 1]


def test_kl_beta_closed_form():
    # KL(Beta(2,5) || Beta(5,2)) = 3.25 (digamma formula); also a Beta with an infinite pdf at 0.
    assert dv.kl_divergence(Beta(2, 5), Beta(5, 2)) == pytest.approx(3.25, abs=1e-9)
    ref = integrate.quad(lambda t: float(dv.kl_integrand(Beta(0.5, 0.5), Uniform(0, 1), t)), 0, 1, limit=200)[0]
    assert dv.kl_divergence(Beta(0.5, 0.5), Uniform(0, 1)) == pytest.approx(ref, abs=1e-6)


@pytest.mark.parametrize("p", [Gaussian(0.3, 0.7), GaussianMixture(), Uniform(-1, 2), Beta(2, 3), LogNormal()])
def test_js_and_kl_of_p_with_itself_are_zero(p):
    assert dv.js_divergence(p, p) == pytest.approx(0, abs=1e-10)
    assert dv.kl_divergence(p, p) == pytest.approx(0, abs=1e-10)


def test_js_of_disjoint_uniforms_is_log2_and_kl_is_infinite():
    p, q = Uniform(0, 1), Uniform(2, 3)
    assert dv.js_divergence(p, q) == pytest.approx(LOG2, abs=1e-12)
    assert math.isinf(dv.kl_divergence(p, q))
    assert dv.wasserstein1(p, q) == pytest.approx(2.0, abs=1e-9)


@pytest.mark.parametrize("p,q", PAIRS)
def test_gan_identity_symmetry_and_bounds(p, q):
    js = dv.js_divergence(p, q)
    assert 0 <= js <= LOG2
    assert dv.js_divergence(q, p) == pytest.approx(js, abs=1e-9)
    assert dv.value_at_optimal_discriminator(p, q) == pytest.approx(-math.log(4) + 2 * js, abs=1e-6)


@pytest.mark.parametrize("p,q", PAIRS[:5])
def test_adaptive_integrals_agree_with_quad(p, q):
    pts = dv._breakpoints(p, q)
    quad = lambda f: sum(integrate.quad(lambda t: float(f(np.array(t))), a, b, limit=200)[0] for a, b in zip(pts[:-1], pts[1:]))
    assert dv.js_divergence(p, q) == pytest.approx(quad(lambda x: dv.js_integrand(p, q, x)), abs=1e-8)
    assert dv.wasserstein1(p, q) == pytest.approx(quad(lambda x: np.abs(p.cdf(x) - q.cdf(x))), abs=1e-7)
    if not math.isinf(dv.kl_divergence(p, q)):
        assert dv.kl_divergence(p, q) == pytest.approx(quad(lambda x: dv.kl_integrand(p, q, x)), abs=1e-8)


def test_wasserstein1_closed_forms():
    assert dv.wasserstein1(Gaussian(0, 1), Shifted(Gaussian(0, 1), 3.0)) == pytest.approx(3.0, abs=1e-9)
    # same location-scale shape: W1 = |s1 - s2| E|Z| = |s1 - s2| sqrt(2/pi)
    assert dv.wasserstein1(Gaussian(0, 1), Gaussian(0, 2)) == pytest.approx(math.sqrt(2 / math.pi), abs=1e-9)


def test_sweep_js_saturates_at_log2_while_w1_grows():
    p, q = Uniform(0, 1), Uniform(0, 1)
    sw = dv.divergence_sweep(p, q, np.linspace(0, 4, 17))
    assert sw["js"][0] == pytest.approx(0, abs=1e-9)
    assert np.allclose(sw["js"][sw["shift"] >= 1], LOG2, atol=1e-9)
    assert np.allclose(sw["w1"], sw["shift"], atol=1e-6)
    assert np.all(np.isinf(sw["kl"][1:])) and sw["kl"][0] == pytest.approx(0, abs=1e-9)
    g = dv.divergence_sweep(Gaussian(0, 1), Gaussian(0.5, 1.5), [0.0, 2.0])
    for i, s in enumerate([0.0, 2.0]):
        qs = Shifted(Gaussian(0.5, 1.5), s)
        assert g["js"][i] == pytest.approx(dv.js_divergence(Gaussian(0, 1), qs), abs=1e-6)
        assert g["kl"][i] == pytest.approx(kl_gauss(0, 1, 0.5 + s, 1.5), abs=1e-5)


def test_grid_versions_match_exact():
    p, q = Gaussian(0, 1), Gaussian(1, 1.5)
    x = np.linspace(-12, 14, 4001)
    assert dv.kl_divergence_on_grid(x, p.pdf(x), q.pdf(x)) == pytest.approx(kl_gauss(0, 1, 1, 1.5), abs=1e-6)
    assert dv.js_divergence_on_grid(x, p.pdf(x), q.pdf(x)) == pytest.approx(dv.js_divergence(p, q), abs=1e-6)
    u, v = Uniform(0, 1).pdf(x), Uniform(2, 3).pdf(x)
    assert dv.js_divergence_on_grid(x, u, v) == pytest.approx(LOG2, abs=1e-9)
    assert math.isinf(dv.kl_divergence_on_grid(x, u, v))
    with pytest.raises(ValueError, match="same length"):
        dv.js_divergence_on_grid(x, u[:-1], v)


def test_discrete_against_scipy():
    rng = np.random.default_rng(0)
    for _ in range(5):
        p, q = rng.dirichlet(np.ones(6)), rng.dirichlet(np.ones(6))
        kl = dv.kl_discrete(p, q)
        assert kl.value == pytest.approx(rel_entr(p, q).sum(), abs=1e-12)
        assert np.allclose(kl.terms, rel_entr(p, q))
        js = dv.js_discrete(p, q)
        assert js.value == pytest.approx(jensenshannon(p, q) ** 2, abs=1e-12)  # SciPy returns sqrt(JS)
        assert js.terms.sum() == pytest.approx(js.value)
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.0, 0.5, 0.5])
    assert math.isinf(dv.kl_discrete(p, q).value) and np.isinf(dv.kl_discrete(p, q).terms[0])
    assert dv.js_discrete(p, q).value == pytest.approx(jensenshannon(p, q) ** 2, abs=1e-12)
    assert dv.js_discrete([1, 0], [0, 1]).value == pytest.approx(LOG2)


@pytest.mark.parametrize("p,q,match", [
    ([0.5, -0.1, 0.6], [0.3, 0.3, 0.4], "p: entry 2 is -0.1"),
    ([0.5, 0.5], [0.3, 0.3, 0.4], "same length"),
    ([0, 0, 0], [0.3, 0.3, 0.4], "p sums to 0"),
    ([0.3, 0.3, 0.4], [1, 2, 3], "q sums to 6"),
])
def test_discrete_validation_names_the_field(p, q, match):
    with pytest.raises(ValueError, match=match):
        dv.kl_discrete(p, q)


def test_parse_vector():
    assert np.allclose(dv.parse_vector("0.2, 0.3 0.5\n1;2", "p"), [0.2, 0.3, 0.5, 1, 2])
    with pytest.raises(ValueError, match=r"q: entry 2 \('abc'\) is not a number"):
        dv.parse_vector("0.1, abc", "q")
    with pytest.raises(ValueError, match="p is empty"):
        dv.parse_vector(" , ", "p")
    assert np.allclose(dv.normalise([1, 3], "p"), [0.25, 0.75])


def test_estimates_from_samples_approach_exact():
    p, q = Gaussian(0, 1), Gaussian(1, 1.5)
    rng = np.random.default_rng(1)
    xp, xq = p.sample(5000, rng), q.sample(5000, rng)
    x = dv.plot_grid(p, q, 400)
    est = dv.estimate_from_samples(xp, xq, x, "kde")
    assert est["js"] == pytest.approx(float(dv.js_divergence(p, q)), abs=0.02)
    assert est["kl_pq"] == pytest.approx(kl_gauss(0, 1, 1, 1.5), abs=0.06)
    hist = dv.estimate_from_samples(xp, xq, x, "histogram")
    assert hist["js"] == pytest.approx(float(dv.js_divergence(p, q)), abs=0.03)


def test_divergence_value_carries_bits_and_pickles():
    import pickle

    d = dv.kl_divergence(Uniform(-1, 2), Uniform(0, 1))
    d2 = pickle.loads(pickle.dumps(d))
    assert math.isinf(d2) and d2.reason == d.reason
    assert dv.js_divergence(Uniform(0, 1), Uniform(2, 3)).bits == pytest.approx(1.0)


@pytest.mark.parametrize("n", [50, 500, 5000])
def test_binned_kde_matches_scipy_gaussian_kde(n):
    from scipy.stats import gaussian_kde

    xs = GaussianMixture().sample(n, np.random.default_rng(n))
    x = np.linspace(-5, 5, 300)
    ref = gaussian_kde(xs)(x)
    assert np.max(np.abs(dv.kde_on_grid(xs, x) - ref)) < 1e-3 * ref.max()


@pytest.mark.parametrize("rule", dv.BANDWIDTH_RULES)
def test_kde_rules_and_a_given_width_match_scipy(rule):
    """One KDE serves both pages: Scott (this page) and Silverman (the toy GAN's p_g), or a width h."""
    from scipy.stats import gaussian_kde

    xs = GaussianMixture().sample(2000, np.random.default_rng(7))
    x = np.sort(np.concatenate([np.linspace(-5, 5, 300), [0.1234, 0.12341]]))  # uneven, as plot_grid's
    h = dv.kde_bandwidth(xs, rule)
    ref = gaussian_kde(xs, bw_method=h / xs.std(ddof=1))(x)
    assert np.max(np.abs(dv.kde_on_grid(xs, x, rule) - ref)) < 1e-4 * ref.max()
    assert np.array_equal(dv.kde_on_grid(xs, x, rule), dv.kde_on_grid(xs, x, h))
    tiny = 1e-6  # far narrower than the grid: summed directly, still exact
    ref = gaussian_kde(xs, bw_method=tiny / xs.std(ddof=1))(x)
    np.testing.assert_allclose(dv.kde_on_grid(xs, x, tiny), ref, atol=1e-12)
    with pytest.raises(ValueError, match="bandwidth rule"):
        dv.kde_on_grid(xs, x, "rule of thumb")

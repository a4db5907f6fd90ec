"""KL / JS divergences: exact values, the GAN identity C(G) = -log 4 + 2·JS, a shift sweep,
sample estimates, and discrete vectors term by term. Widgets in, gan_core out, figures out."""
import math

import numpy as np
import streamlit as st
from scipy.spatial.distance import jensenshannon
from scipy.special import rel_entr

from gan_core import parse
from gan_core.toy import divergences as dv
from gan_core.toy.distributions import Shifted, make_distribution
from ui import divergence_figures as figs
from ui.frame import use_navigation
from ui.keys import DivergenceKeys
from ui.presenter import aside, chart, presenter_toggle
from ui.widgets import distribution_editor

use_navigation()

K = DivergenceKeys("div")
SWEEP_STEPS = 40


def nats(d) -> str:
    return "∞" if math.isinf(d) else f"{d:.4f} nats"


def num(d) -> str:
    return "∞" if math.isinf(d) else f"{d:.4f}"


def bits(d) -> str:
    return "= ∞ bits" if math.isinf(d) else f"= {d / math.log(2):.4f} bits"


def metric(col, label, value, delta=None):
    """A number with its unit in the label and the other unit below (no arrow: not a change)."""
    col.metric(label, value, delta, delta_color="off", delta_arrow="off")


def build(spec):
    return make_distribution(spec[0], dict(spec[1]))


@st.cache_data(max_entries=64)
def exact(spec_p, spec_q):
    p, q = build(spec_p), build(spec_q)
    vals = {"kl_pq": dv.kl_divergence(p, q), "kl_qp": dv.kl_divergence(q, p), "js": dv.js_divergence(p, q),
            "v": dv.value_at_optimal_discriminator(p, q), "w1": dv.wasserstein1(p, q)}
    return vals, dv.pointwise(p, q, dv.plot_grid(p, q))


@st.cache_data(max_entries=64)
def sweep(spec_p, spec_q):
    p, q = build(spec_p), build(spec_q)
    s_max = dv.sweep_range(p, q)
    return dv.divergence_sweep(p, q, np.linspace(0.0, s_max, SWEEP_STEPS + 1))


@st.cache_data(max_entries=64)
def from_samples(spec_p, spec_q, n, seed):
    p, q = build(spec_p), build(spec_q)
    rng = np.random.default_rng(seed)
    xp, xq = p.sample(n, rng), q.sample(n, rng)
    x = dv.plot_grid(p, q, n=400)
    return xp, xq, {m: dv.estimate_from_samples(xp, xq, x, m) for m in ("kde", "histogram")}


def metric_row(vals):
    cols = st.columns(4)
    for col, key, label in zip(cols, ("kl_pq", "kl_qp", "js"), ("KL(p‖q)", "KL(q‖p)", "JS(p‖q)")):
        metric(col, f"{label} [nats]", num(vals[key]), bits(vals[key]))
    metric(cols[3], "W1(p, q) [units of x]", f"{vals['w1']:.4f}", "not a divergence: no nats")
    for key, label in (("kl_pq", "KL(p‖q)"), ("kl_qp", "KL(q‖p)")):
        if math.isinf(vals[key]):
            st.info(f"{label} = ∞ because {vals[key].reason} JS stays finite: M = (p+q)/2 > 0 wherever p or q is.")


def continuous_tab():
    # on the projector the editors fold away: the numbers and the figure come first
    box = st.expander("p and q", expanded=False) if st.session_state.get("presenter") else st.container()
    left, right = box.columns(2)
    with left:
        ep = distribution_editor("p", K.p, "Gaussian", {"mean": 0.0, "std": 1.0})
    with right:
        eq = distribution_editor("q", K.q, "Gaussian", {"mean": 1.0, "std": 1.5})
    errors = [e.error for e in (ep, eq) if e.error]
    for err in errors:
        st.error(err)
    if errors:
        return
    spec_p, spec_q = (ep.family, ep.params), (eq.family, eq.params)
    vals, pw = exact(spec_p, spec_q)

    aside("exact_values").subheader("Exact values (adaptive integration over the union of the supports)")
    metric_row(vals)
    chart(figs.densities_figure(pw["x"], pw["p"], pw["q"], ep.dist.name, eq.dist.name),
          "gan-lab_divergences_densities")
    chart(figs.integrands_figure(pw["x"], pw["kl_pq"], pw["kl_qp"], pw["js"]), "gan-lab_divergences_integrands")

    st.subheader("The GAN identity: C(G) = −log 4 + 2·JS(p_data ‖ p_g)")
    st.latex(r"D^*(x)=\frac{p(x)}{p(x)+q(x)}")
    st.latex(r"V(G,D^*)=\int p\log\frac{p}{p+q}+q\log\frac{q}{p+q}\,dx=-\log 4+2\,\mathrm{JS}(p\,\|\,q)")
    c1, c2, c3 = st.columns(3)
    rhs = -math.log(4) + 2 * vals["js"]
    metric(c1, "V(G, D*) integrated directly [nats]", num(vals["v"]), bits(vals["v"]))
    metric(c2, "−log 4 + 2·JS(p‖q) [nats]", num(rhs), bits(rhs))
    metric(c3, "|difference| [nats]", f"{abs(vals['v'] - rhs):.1e}")
    st.caption("p plays p_data and q plays p_g. At p = q, D* = ½ everywhere and V = −log 4 ≈ −1.3863 nats, its minimum.")
    chart(figs.discriminator_figure(pw["x"], pw["d_star"]), "gan-lab_divergences_d-star")

    shift_section(ep.dist, eq.dist, spec_p, spec_q)
    samples_section(vals, pw, spec_p, spec_q)


@st.fragment  # moving the slider reruns this section only
def shift_section(p, q, spec_p, spec_q):
    st.subheader("Move q away from p: q_s(x) = q(x − s)")
    sw = sweep(spec_p, spec_q)
    s_max = float(sw["shift"][-1])
    s = st.slider("shift s", 0.0, s_max, 0.0, step=s_max / SWEEP_STEPS, key=K.shift)
    i = int(round(s / s_max * SWEEP_STEPS))
    c1, c2, c3 = st.columns(3)
    metric(c1, f"JS(p‖q_s) at s = {s:g} [nats]", num(sw["js"][i]), bits(sw["js"][i]))
    metric(c2, f"KL(p‖q_s) at s = {s:g} [nats]", num(sw["kl"][i]), bits(sw["kl"][i]))
    metric(c3, f"W1(p, q_s) at s = {s:g} [units of x]", f"{sw['w1'][i]:.4f}")
    chart(figs.sweep_figure(sw["shift"], sw["js"], sw["kl"], sw["w1"], s), "gan-lab_divergences_shift-sweep")
    shifted = Shifted(q, s)
    x = dv.plot_grid(p, shifted)
    chart(figs.densities_figure(x, p.pdf(x), shifted.pdf(x), p.name, shifted.name),
          "gan-lab_divergences_shifted-densities")
    st.markdown("Once the supports no longer overlap, JS is exactly log 2 whatever the distance: "
                "C(G) is flat there, so the generator gets no gradient. W1 keeps growing with the distance. "
                "(Choose Uniform or Beta for both to see JS hit log 2; Gaussians only approach it.)")


@st.fragment  # changing n or the seed reruns this section only
def samples_section(vals, pw, spec_p, spec_q):
    st.subheader("Estimates from samples (what GAN Lab shows)")
    c1, c2 = st.columns(2)
    n = c1.select_slider("samples n from each of p and q", [50, 100, 200, 500, 1000, 2000, 5000], 500, key=K.n)
    seed = int(c2.number_input("seed", 0, 10_000, 0, key=K.seed))
    xp, xq, est = from_samples(spec_p, spec_q, n, seed)
    rows = [{"": label, "exact": nats(vals[k]), "KDE estimate": nats(est["kde"][k]),
             "histogram estimate": nats(est["histogram"][k])}
            for k, label in (("kl_pq", "KL(p‖q)"), ("kl_qp", "KL(q‖p)"), ("js", "JS(p‖q)"))]
    st.table(rows)
    st.caption("KDE: Gaussian kernels (Scott's bandwidth), then the integrals on a grid. Histogram: shared bins, "
               "then the discrete sums; an empty q-bin where p has samples makes the histogram KL ∞.")
    chart(figs.samples_figure(pw["x"], pw["p"], pw["q"], xp, xq), "gan-lab_divergences_samples")


def discrete_tab():
    st.markdown("Type or paste two vectors: numbers separated by commas, spaces or new lines.")
    c1, c2 = st.columns(2)
    p_text = c1.text_area("p (probabilities or counts)", "0.1, 0.4, 0.5", key=K.p_vector)
    q_text = c2.text_area("q (probabilities or counts)", "0.3, 0.3, 0.4", key=K.q_vector)
    counts = st.checkbox("These are counts: normalise each vector to sum to 1", key=K.normalise)
    try:
        p, q = parse.nonnegative_vector(p_text, "p"), parse.nonnegative_vector(q_text, "q")
        if counts:
            p, q = dv.normalise(p, "p"), dv.normalise(q, "q")
        kl_pq, kl_qp, js = dv.kl_discrete(p, q), dv.kl_discrete(q, p, ("q", "p")), dv.js_discrete(p, q)
    except ValueError as exc:
        st.error(str(exc))
        return
    st.latex(r"\mathrm{KL}(p\|q)=\sum_i p_i\log\frac{p_i}{q_i}")
    st.latex(r"\mathrm{JS}(p\|q)=\sum_i \tfrac12 p_i\log\frac{p_i}{m_i}+\tfrac12 q_i\log\frac{q_i}{m_i},\ \ m=\tfrac{p+q}{2}")
    cols = st.columns(3)
    for col, label, d in zip(cols, ("KL(p‖q)", "KL(q‖p)", "JS(p‖q)"), (kl_pq, kl_qp, js)):
        metric(col, f"{label}, sum of terms [nats]", num(d.value), bits(d.value))
    m = 0.5 * (p + q)
    st.table([{"i": i + 1, "p_i": f"{p[i]:.4g}", "q_i": f"{q[i]:.4g}", "m_i": f"{m[i]:.4g}",
               "p_i log(p_i/q_i)": f"{kl_pq.terms[i]:.4f}", "q_i log(q_i/p_i)": f"{kl_qp.terms[i]:.4f}",
               "JS term": f"{js.terms[i]:.4f}"} for i in range(p.size)])
    chart(figs.discrete_terms_figure(kl_pq.terms, kl_qp.terms, js.terms), "gan-lab_divergences_discrete-terms")
    st.markdown(
        f"**SciPy cross-check.** `rel_entr(p, q).sum()` = {rel_entr(p, q).sum():.6f} nats. "
        f"`scipy.spatial.distance.jensenshannon(p, q)` = {jensenshannon(p, q):.6f}: it returns the "
        f"**square root** of JS (the Jensen-Shannon *distance*); squared it is {jensenshannon(p, q) ** 2:.6f} nats, "
        f"the JS divergence above."
    )


st.title("KL and JS divergences")
presenter_toggle()
with aside("definitions"):
    st.latex(r"\mathrm{KL}(p\|q)=\int p(x)\log\frac{p(x)}{q(x)}\,dx")
    st.latex(r"\mathrm{JS}(p\|q)=\tfrac12\mathrm{KL}(p\,\|\,M)+\tfrac12\mathrm{KL}(q\,\|\,M),\ \ M=\tfrac{p+q}{2}")
    st.caption("Natural log: values in nats (1 bit = log 2 ≈ 0.6931 nats). KL is not symmetric and can be ∞; "
               "JS is symmetric and 0 ≤ JS ≤ log 2.")
tab_c, tab_d = st.tabs(["Continuous p and q", "Discrete probability vectors"])
with tab_c:
    continuous_tab()
with tab_d:
    discrete_tab()

"""Time every recomputation a widget change triggers on the KL / JS page (cache cold).

    .venv/bin/python bench/bench_divergences.py [--repeat 5]

Each row is what the page recomputes after one widget change, core maths and Plotly figure
building together (Streamlit's own rendering is not included): the median and the worst of
``--repeat`` runs, in ms. Target: < 100 ms each on a 2-core CPU. The shift slider and the
n / seed inputs live in st.fragment sections, so they rerun only their own section; a p or q
parameter reruns the whole continuous tab (last row of each pair).
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np


from gan_core.toy import divergences as dv  # noqa: E402
from gan_core.toy.distributions import Shifted, make_distribution  # noqa: E402
from ui import divergence_figures as figs  # noqa: E402

PAIRS = {
    "N(0,1) vs N(1,1.5²)": (("Gaussian", {"mean": 0.0, "std": 1.0}), ("Gaussian", {"mean": 1.0, "std": 1.5})),
    "mixture vs Laplace": (("Gaussian mixture", {}), ("Laplace", {"loc": 0.0, "scale": 1.0})),
    "U(0,1) vs U(2,3)": (("Uniform", {"low": 0.0, "high": 1.0}), ("Uniform", {"low": 2.0, "high": 3.0})),
    "Beta(.5,.5) vs U(0,1)": (("Beta", {"a": 0.5, "b": 0.5}), ("Uniform", {"low": 0.0, "high": 1.0})),
    "log-normal vs N(1,1)": (("Log-normal", {}), ("Gaussian", {"mean": 1.0, "std": 1.0})),
}


def exact_values(p, q):  # a p or q parameter: the page's `exact` cache miss
    vals = [dv.kl_divergence(p, q), dv.kl_divergence(q, p), dv.js_divergence(p, q),
            dv.value_at_optimal_discriminator(p, q), dv.wasserstein1(p, q)]
    pw = dv.pointwise(p, q, dv.plot_grid(p, q))
    figs.densities_figure(pw["x"], pw["p"], pw["q"])
    figs.integrands_figure(pw["x"], pw["kl_pq"], pw["kl_qp"], pw["js"])
    figs.discriminator_figure(pw["x"], pw["d_star"])
    return vals


def sweep(p, q):  # a p or q parameter: the page's `sweep` cache miss
    s_max = dv.sweep_range(p, q)
    return dv.divergence_sweep(p, q, np.linspace(0, s_max, 41))


def shift_slider(p, q, sw):  # the shift slider: sweep cached, redraw at the new shift
    s = float(sw["shift"][17])
    qs = Shifted(q, s)
    x = dv.plot_grid(p, qs)
    figs.sweep_figure(sw["shift"], sw["js"], sw["kl"], sw["w1"], s)
    figs.densities_figure(x, p.pdf(x), qs.pdf(x))


def samples(p, q, n=5000, seed=0):  # n or seed slider (worst case n = 5000)
    rng = np.random.default_rng(seed)
    xp, xq = p.sample(n, rng), q.sample(n, rng)
    x = dv.plot_grid(p, q, n=400)
    est = {m: dv.estimate_from_samples(xp, xq, x, m) for m in ("kde", "histogram")}
    xg = dv.plot_grid(p, q)
    figs.samples_figure(xg, p.pdf(xg), q.pdf(xg), xp, xq)
    return est


def whole_page(p, q):  # a p or q parameter reruns everything on the continuous tab
    exact_values(p, q)
    shift_slider(p, q, sweep(p, q))
    samples(p, q, n=500)  # the default n


def discrete(p_text="0.1, 0.4, 0.5, 0, 2", q_text="0.3, 0.3, 0.4, 1, 1"):  # a discrete text box
    p, q = dv.normalise(dv.parse_vector(p_text, "p"), "p"), dv.normalise(dv.parse_vector(q_text, "q"), "q")
    a, b, c = dv.kl_discrete(p, q), dv.kl_discrete(q, p), dv.js_discrete(p, q)
    figs.discrete_terms_figure(a.terms, b.terms, c.terms)


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - t0))
    return float(np.median(times)), float(np.max(times))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    import warnings

    warnings.filterwarnings("ignore")
    timed(lambda: exact_values(*[make_distribution(f, k) for f, k in PAIRS["N(0,1) vs N(1,1.5²)"]]), 1)  # warm-up
    rows = []
    for name, (sp, sq) in PAIRS.items():
        p, q = make_distribution(*sp), make_distribution(*sq)
        sw = sweep(p, q)
        rows += [
            (name, "p/q parameter: exact values + integrand figures", *timed(lambda: exact_values(p, q), args.repeat)),
            (name, "p/q parameter: shift sweep (41 shifts × JS, KL, W1)", *timed(lambda: sweep(p, q), args.repeat)),
            (name, "shift slider (sweep cached)", *timed(lambda: shift_slider(p, q, sw), args.repeat)),
            (name, "n / seed: sample estimates, n = 5000", *timed(lambda: samples(p, q), args.repeat)),
            (name, "p/q parameter, whole page: all four above", *timed(lambda: whole_page(p, q), args.repeat)),
        ]
    rows.append(("discrete", "p / q text or normalise box", *timed(discrete, args.repeat)))
    w = max(len(r[0]) for r in rows), max(len(r[1]) for r in rows)
    print(f"{'pair':<{w[0]}}  {'widget change -> recomputation':<{w[1]}}  median ms  worst ms")
    for pair, what, med, worst in rows:
        flag = "" if worst < 100 else "  > 100 ms"
        print(f"{pair:<{w[0]}}  {what:<{w[1]}}  {med:9.1f}  {worst:8.1f}{flag}")
    print(f"\n{os.cpu_count()} CPUs; median / worst of {args.repeat} runs, cache cold, Streamlit rendering not included.")


if __name__ == "__main__":
    main()

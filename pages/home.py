"""Home: the minimax game, Algorithm 1, and a map of the app."""
import streamlit as st

from ui.presenter import presenter_toggle

st.title("GAN Lab for lectures")
presenter_toggle()
st.markdown(
    "Two networks play a game. The **generator** G turns noise z into samples; the **discriminator** D "
    "outputs the probability that its input came from the data rather than from G. "
    "D is rewarded for telling them apart, G for fooling D (Goodfellow et al., 2014)."
)
st.subheader("The minimax game")
st.latex(r"\min_G \max_D V(D,G) = \mathbb{E}_{x\sim p_{data}(x)}[\log D(x)] + \mathbb{E}_{z\sim p_z(z)}[\log(1-D(G(z)))]")
st.markdown("For a fixed G the best discriminator and the value of the game at it are")
st.latex(r"D^*_G(x) = \frac{p_{data}(x)}{p_{data}(x)+p_g(x)}, \qquad C(G) = \max_D V(G,D) = -\log 4 + 2\cdot\mathrm{JSD}(p_{data}\,\|\,p_g)")
st.markdown("so the global optimum is p_g = p_data, where D = ½ everywhere and C(G) = −log 4.")

st.subheader("Algorithm 1: minibatch stochastic gradient training")
st.markdown(r"""
**for** number of training iterations **do**
- **for** *k* steps **do**
  - sample a minibatch of *m* noise samples $\{z^{(1)},\dots,z^{(m)}\}$ from the noise prior $p_g(z)$
  - sample a minibatch of *m* examples $\{x^{(1)},\dots,x^{(m)}\}$ from the data distribution $p_{data}(x)$
  - update the discriminator by **ascending** its stochastic gradient
    $\nabla_{\theta_d} \frac1m \sum_{i=1}^m \left[\log D(x^{(i)}) + \log\left(1 - D(G(z^{(i)}))\right)\right]$
- **end for**
- sample a minibatch of *m* noise samples from $p_g(z)$
- update the generator by **descending** its stochastic gradient
  $\nabla_{\theta_g} \frac1m \sum_{i=1}^m \log\left(1 - D(G(z^{(i)}))\right)$

**end for**

*k* is a hyperparameter; the paper used *k* = 1, the least expensive option, and momentum for the updates.
In practice G instead **ascends** $\log D(G(z))$: the *non-saturating* cost (see the generator-cost page).
""")
st.info("Reference value: at equilibrium D = ½, so D's loss "
        r"$J^{(D)} = -\tfrac12\mathbb{E}\log D(x) - \tfrac12\mathbb{E}\log(1-D(G(z)))$ "
        "equals log 2 ≈ 0.69, the line drawn on every loss chart.")

st.subheader("Pages")
for path, text in [
    ("pages/toy_gan.py", "**1-D toy GAN**: p_data, p_g, D and D* evolving live, with the z → x map; step D or G alone; train D to its optimum."),
    ("pages/generator_costs.py", "**Generator costs**: saturating vs non-saturating (and least squares), curves, gradients and a live race."),
    ("pages/divergences.py", "**KL / JS divergences**: exact values, the identity C(G) = −log 4 + 2·JSD, and why JS saturates at log 2."),
    ("pages/mnist_live.py", "**Live MNIST training**: digits emerge from noise while you move k and the learning rates."),
    ("pages/pretrained.py", "**Pretrained checkpoints**: shipped GANs, latent interpolation, nearest neighbours, safe uploads."),
]:
    st.page_link(path, label=text)

"""The game's costs, written on the discriminator's logit a (D = sigmoid(a)) for stability.

Normalisation (Goodfellow's tutorial):
    J^(D) = -1/2 E_x log D(x) - 1/2 E_z log(1 - D(G(z)))
so at the equilibrium D = 1/2 everywhere, J^(D) = log 2 (the lecture's reference value 0.69).

Generator costs (all minimised by G; D is always trained with J^(D), as in the tutorial:
"the different games only differ in the cost used for the generator"):
    saturating      J = E log(1 - D(G(z)))   (minimax; value at D = 1/2: -log 2)
    non_saturating  J = -E log D(G(z))       (the heuristic; value at D = 1/2: log 2)
    least_squares   J = 1/2 E (D(G(z)) - 1)² (Mao et al.'s generator cost; value 1/8)
    max_likelihood  J = -E exp(σ⁻¹(D)) = -E D/(1-D)  (Goodfellow 2016; value -1)

Each cost is one ``GeneratorCost`` record below: the autograd trainer, the toy fast path
(gan_core/toy/mlp_fast.py), the command line and the pages all read these records, so a new
cost is one new record. GENERATOR_COSTS, COST_LABELS, EQUILIBRIUM_VALUE, cost_of_d and
cost_grad_wrt_logit are views over them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

LOG2 = math.log(2.0)


def discriminator_loss(logits_real: torch.Tensor, logits_fake: torch.Tensor) -> torch.Tensor:
    """J^(D) = ½·BCE(D(x), 1) + ½·BCE(D(G(z)), 0), on logits: -log σ(a) = softplus(-a)."""
    return 0.5 * F.softplus(-logits_real).mean() + 0.5 * F.softplus(logits_fake).mean()


@dataclass(frozen=True)
class GeneratorCost:
    """One generator cost J, everything the code knows about it.

    per_sample(a): J for each fake from D's logit a (torch; softplus keeps it finite).
    of_d(d):       J as a function of d = D(G(z)) in (0, 1) (NumPy, for the curves).
    grad(a, d):    ∂J/∂a for each fake, d = σ(a) (torch): the signal that flows back into G.
                   Written out in closed form; tests/test_costs.py checks it against autograd.
    at_half:       J at D(G(z)) = ½, the reference line on loss charts.
    """

    name: str                  # the value of TrainConfig.generator_cost
    label: str                 # "kind: formula", as the menus show it
    short: str                 # a few words for captions and metrics
    per_sample: Callable[[torch.Tensor], torch.Tensor]
    of_d: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    at_half: float
    tex: tuple[str, str]       # J and ∂J/∂a in LaTeX, for the generator-cost page's table

    def loss(self, logits_fake: torch.Tensor) -> torch.Tensor:
        """The batch mean of J: what G minimises."""
        return self.per_sample(logits_fake).mean()


COSTS = (
    GeneratorCost(
        "saturating", "saturating (minimax): log(1 − D(G(z)))", "saturating",
        per_sample=lambda a: -F.softplus(a),                       # log(1 - σ(a)) = -softplus(a)
        of_d=lambda d: np.log1p(-d),
        grad=lambda a, d: -d,                                      # vanishes as d -> 0: a confident D stalls G
        at_half=-LOG2,
        tex=(r"\mathbb{E}_z\log(1-D)", r"-D")),
    GeneratorCost(
        "non_saturating", "non-saturating: −log D(G(z))", "non-saturating",
        per_sample=lambda a: F.softplus(-a),                       # -log σ(a) = softplus(-a)
        of_d=lambda d: -np.log(d),
        grad=lambda a, d: d - 1.0,                                 # -(1 - d) -> -1 as d -> 0: strongest where G is worst
        at_half=LOG2,
        tex=(r"-\mathbb{E}_z\log D", r"-(1-D)")),
    GeneratorCost(
        "least_squares", "least squares: ½(D(G(z)) − 1)²", "least squares",
        per_sample=lambda a: 0.5 * (torch.sigmoid(a) - 1.0).pow(2),
        of_d=lambda d: 0.5 * (d - 1.0) ** 2,
        grad=lambda a, d: -d * (1.0 - d).pow(2),
        at_half=0.125,
        tex=(r"\tfrac12\mathbb{E}_z(D-1)^2", r"-D(1-D)^2")),
    GeneratorCost(
        "max_likelihood", "maximum likelihood: −D/(1 − D)", "max. likelihood",
        # -exp(a) = -D/(1-D); clamped at a = 30 so one wild logit cannot overflow float32
        per_sample=lambda a: -torch.exp(a.clamp(max=30.0)),
        of_d=lambda d: -d / (1.0 - d),
        grad=lambda a, d: -torch.exp(a.clamp(max=30.0)),
        at_half=-1.0,
        tex=(r"-\mathbb{E}_z\,e^{a} = -\mathbb{E}_z\tfrac{D}{1-D}", r"-\tfrac{D}{1-D}")),
)
COST_BY_NAME = {c.name: c for c in COSTS}


def generator_cost(name: str) -> GeneratorCost:
    """The record of the cost called `name`; ValueError naming the choices otherwise."""
    try:
        return COST_BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown generator cost {name!r}; choose one of {list(COST_BY_NAME)}.") from None


def generator_loss(cost: str, logits_fake: torch.Tensor) -> torch.Tensor:
    return generator_cost(cost).loss(logits_fake)


# ---- views over the records, under the names the pages, tests and trainer use
GENERATOR_COSTS = {c.name: c.loss for c in COSTS}                 # name -> batch loss on logits
COST_LABELS = {c.name: c.label for c in COSTS}
EQUILIBRIUM_VALUE = {"discriminator": LOG2, **{c.name: c.at_half for c in COSTS}}
generator_loss_saturating = COST_BY_NAME["saturating"].loss
generator_loss_non_saturating = COST_BY_NAME["non_saturating"].loss
generator_loss_least_squares = COST_BY_NAME["least_squares"].loss
generator_loss_max_likelihood = COST_BY_NAME["max_likelihood"].loss


def cost_of_d(cost: str, d) -> np.ndarray:
    """Per-sample generator cost as a function of d = D(G(z)) in (0, 1) (NumPy arrays)."""
    return generator_cost(cost).of_d(np.asarray(d, dtype=float))


def cost_grad_wrt_logit(cost: str, d) -> np.ndarray:
    """dJ/da for one sample at d = σ(a) (NumPy arrays), computed in float64 from the record's grad."""
    c = generator_cost(cost)
    d = torch.as_tensor(np.asarray(d, dtype=float))
    return c.grad(torch.logit(d), d).numpy()

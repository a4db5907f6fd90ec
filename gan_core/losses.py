"""The game's costs, written on the discriminator's logit a (D = sigmoid(a)) for stability.

Normalisation (the seeds' J^(D), Goodfellow's tutorial):
    J^(D) = -1/2 E_x log D(x) - 1/2 E_z log(1 - D(G(z)))
so at the equilibrium D = 1/2 everywhere, J^(D) = log 2 (the lecture's reference value 0.69).

Generator costs (all minimised by G; D is always trained with J^(D), as in the tutorial:
"the different games only differ in the cost used for the generator"):
    saturating      J = E log(1 - D(G(z)))   (minimax; value at D = 1/2: -log 2)
    non_saturating  J = -E log D(G(z))       (the heuristic; value at D = 1/2: log 2)
    least_squares   J = 1/2 E (D(G(z)) - 1)² (Mao et al.'s generator cost; value 1/8)
    max_likelihood  J = -E exp(σ⁻¹(D)) = -E D/(1-D)  (Goodfellow 2016; value -1)
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

LOG2 = math.log(2.0)


def discriminator_loss(logits_real: torch.Tensor, logits_fake: torch.Tensor) -> torch.Tensor:
    """J^(D) = ½·BCE(D(x), 1) + ½·BCE(D(G(z)), 0), on logits: -log σ(a) = softplus(-a)."""
    return 0.5 * F.softplus(-logits_real).mean() + 0.5 * F.softplus(logits_fake).mean()


def generator_loss_saturating(logits_fake: torch.Tensor) -> torch.Tensor:
    """E log(1 - D(G(z))) = -E softplus(a)."""
    return -F.softplus(logits_fake).mean()


def generator_loss_non_saturating(logits_fake: torch.Tensor) -> torch.Tensor:
    """-E log D(G(z)) = E softplus(-a)."""
    return F.softplus(-logits_fake).mean()


def generator_loss_least_squares(logits_fake: torch.Tensor) -> torch.Tensor:
    """½ E (D(G(z)) - 1)²."""
    return 0.5 * (torch.sigmoid(logits_fake) - 1.0).pow(2).mean()


def generator_loss_max_likelihood(logits_fake: torch.Tensor) -> torch.Tensor:
    """-E exp(a) = -E D/(1-D). Clamped at a = 30 so one wild logit cannot overflow float32."""
    return -torch.exp(logits_fake.clamp(max=30.0)).mean()


GENERATOR_COSTS = {
    "saturating": generator_loss_saturating,
    "non_saturating": generator_loss_non_saturating,
    "least_squares": generator_loss_least_squares,
    "max_likelihood": generator_loss_max_likelihood,
}

COST_LABELS = {
    "saturating": "saturating (minimax): log(1 − D(G(z)))",
    "non_saturating": "non-saturating: −log D(G(z))",
    "least_squares": "least squares: ½(D(G(z)) − 1)²",
    "max_likelihood": "maximum likelihood: −D/(1 − D)",
}

# Each cost's value when D(G(z)) = 1/2: the reference line drawn on loss charts.
EQUILIBRIUM_VALUE = {
    "discriminator": LOG2,
    "saturating": -LOG2,
    "non_saturating": LOG2,
    "least_squares": 0.125,
    "max_likelihood": -1.0,
}


def generator_loss(cost: str, logits_fake: torch.Tensor) -> torch.Tensor:
    if cost not in GENERATOR_COSTS:
        raise ValueError(f"unknown generator cost {cost!r}; choose one of {list(GENERATOR_COSTS)}.")
    return GENERATOR_COSTS[cost](logits_fake)


# ---- The analytic view: each cost as a function of d = D(G(z)) for one sample, and its
# derivative with respect to the logit a, in closed form (checked against autograd in tests).

def cost_of_d(cost: str, d):
    """Per-sample generator cost as a function of d = D(G(z)) in (0, 1) (NumPy arrays)."""
    import numpy as np

    d = np.asarray(d, dtype=float)
    if cost == "saturating":
        return np.log1p(-d)
    if cost == "non_saturating":
        return -np.log(d)
    if cost == "least_squares":
        return 0.5 * (d - 1.0) ** 2
    if cost == "max_likelihood":
        return -d / (1.0 - d)
    raise ValueError(f"unknown generator cost {cost!r}")


def cost_grad_wrt_logit(cost: str, d):
    """dJ/da for one sample, where d = σ(a): the signal that flows back into the generator.

    saturating      -d            (vanishes as d -> 0: a confident D stalls G)
    non_saturating  -(1 - d)      (-> -1 as d -> 0: strongest where G is worst)
    least_squares   -d (1 - d)²
    max_likelihood  -d / (1 - d)
    """
    import numpy as np

    d = np.asarray(d, dtype=float)
    if cost == "saturating":
        return -d
    if cost == "non_saturating":
        return -(1.0 - d)
    if cost == "least_squares":
        return -d * (1.0 - d) ** 2
    if cost == "max_likelihood":
        return -d / (1.0 - d)
    raise ValueError(f"unknown generator cost {cost!r}")

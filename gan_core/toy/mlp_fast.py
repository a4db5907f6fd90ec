"""Hand-written backprop for the toy MLPs: the same maths as autograd, fewer dispatches.

A 1-D GAN step is ~100 tiny tensor ops; with autograd each costs several microseconds of
bookkeeping. Here each forward keeps its pre-activations and each backward is written out,
so one iteration needs about half the ops, no graph, and the discriminator sees real and
fake in one batch. tests/test_trainer.py checks the gradients equal autograd's to 1e-6.

Only the *gradient computation* lives here: the trainer, its optimizers (torch.optim),
its k-loop, metrics and rollback are the same for every model.

Private torch functions, checked on torch 2.13.0: the backward of each activation
(torch.ops.aten.leaky_relu_backward, threshold_backward, tanh_backward), LeakyReLU's forward
without its Python wrapper (torch._C._nn.leaky_relu) and the fused optimizer
kernels torch.optim's own fused Adam / SGD call (torch._fused_adam_, torch._fused_sgd_). They are
not a public API and may change meaning in another torch; tests/test_trainer.py fails loudly if
they do: the gradients must equal autograd's for every activation, and fast_optimizer_step must
equal torch.optim's own step bitwise.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from gan_core.losses import generator_cost
from gan_core.toy.networks import MLP

_aten = torch.ops.aten
_ONE = torch.ones(())


class _PlainNet:
    """An MLP's layers as plain (weight, bias) pairs and its activation as two functions.

    Going through nn.Module attribute lookup and ModuleList slicing costs more than the tiny
    matrix products themselves, so the kernel reads the same Parameter objects from lists.
    """

    def __init__(self, net: MLP):
        c = net.config
        self.layers = [(layer.weight, layer.bias) for layer in net.layers]
        # W^T as a view, made once: it follows every in-place update of W, and each layer's
        # forward is then one addmm (what F.linear calls) instead of linear -> t -> addmm
        self.weights_t = [layer.weight.detach().t() for layer in net.layers]
        if c.activation == "leaky_relu":
            leak = c.leak
            leaky_relu = torch._C._nn.leaky_relu   # what F.leaky_relu calls, without its checks
            self.act = lambda pre: leaky_relu(pre, leak)
            self.act_backward = lambda g, pre, out: _aten.leaky_relu_backward(g, pre, leak, False)
        elif c.activation == "relu":
            self.act = torch.relu
            self.act_backward = lambda g, pre, out: _aten.threshold_backward(g, out, 0)
        else:
            self.act = torch.tanh
            self.act_backward = lambda g, pre, out: _aten.tanh_backward(g, out)


def _forward(net: _PlainNet, x: torch.Tensor):
    """Returns the output, per hidden layer (input, pre-activation, activation), and the last input."""
    addmm, act = torch.addmm, net.act
    cache = []
    h = x
    for (_, b), w_t in zip(net.layers[:-1], net.weights_t):
        pre = addmm(b, h, w_t)
        out = act(pre)
        cache.append((h, pre, out))
        h = out
    return addmm(net.layers[-1][1], h, net.weights_t[-1]), cache, h


def _backward(net: _PlainNet, g_out, cache, h_last, grad_views=None, want_input=False):
    """Backprop g_out = dJ/d(output) through the net.

    Parameter gradients are written into `grad_views` (weight, bias per layer, in
    parameters() order) when given; returns dJ/dx when `want_input`.

    Three products are written another way, with the same values: MKL is slow on an m × 2 or
    64 × 2 result (x and z are 1- or 2-D) and computes its transpose ~1.5–2× faster, and the
    product through a one-output layer (D's logit) is an outer product, a broadcast multiply.
    """
    layers = net.layers
    g = g_out
    inputs = [c[0] for c in cache] + [h_last]
    for i in range(len(layers) - 1, -1, -1):
        w = layers[i][0]
        if grad_views is not None:
            if w.shape[1] <= 2:
                grad_views[2 * i].copy_(torch.mm(inputs[i].t(), g).t())
            else:
                torch.mm(g.t(), inputs[i], out=grad_views[2 * i])
            torch.sum(g, 0, out=grad_views[2 * i + 1])
        if i == 0 and not want_input:
            return None
        if w.shape[0] == 1:
            g = g * w
        elif w.shape[1] <= 2:
            g = torch.mm(net.weights_t[i], g.t()).t()
        else:
            g = torch.mm(g, w)
        if i > 0:
            _, pre, out = cache[i - 1]
            g = net.act_backward(g, pre, out)
    return g


class FlatParameters:
    """All of a net's parameters as views into one flat tensor, and the same for gradients.

    The module keeps working as before (forward, state_dict, load_state_dict); the optimizer
    sees one tensor, so a fused Adam or SGD step is a single kernel call.
    """

    def __init__(self, net: nn.Module):
        params = list(net.parameters())
        self.param = nn.Parameter(torch.cat([p.detach().reshape(-1) for p in params]))
        self.param.grad = torch.zeros_like(self.param)
        self.grad_views = []
        offset = 0
        for p in params:
            n = p.numel()
            p.data = self.param.data[offset:offset + n].view_as(p)
            self.grad_views.append(self.param.grad[offset:offset + n].view_as(p))
            offset += n


def fast_optimizer_step(opt: torch.optim.Optimizer) -> None:
    """One Adam or SGD step through the fused kernel torch.optim itself calls, without the
    Python bookkeeping around it (hooks, grouping): the same arithmetic and the same state."""
    group = opt.param_groups[0]
    p = group["params"][0]
    state = opt.state.get(p)
    if not state or (isinstance(opt, torch.optim.SGD) and state.get("momentum_buffer") is None):
        opt.step()  # first step: let torch.optim create its state
        return
    if isinstance(opt, torch.optim.Adam):
        step = state["step"]
        step.add_(_ONE)   # a tensor: adding a Python 1 costs 2 µs more to wrap it
        beta1, beta2 = group["betas"]
        torch._fused_adam_([p], [p.grad], [state["exp_avg"]], [state["exp_avg_sq"]], [], [step],
                           lr=group["lr"], beta1=beta1, beta2=beta2, weight_decay=group["weight_decay"],
                           eps=group["eps"], amsgrad=False, maximize=False)
    else:
        torch._fused_sgd_([p], [p.grad], [state["momentum_buffer"]], weight_decay=group["weight_decay"],
                          momentum=group["momentum"], lr=group["lr"], dampening=group["dampening"],
                          nesterov=group["nesterov"], maximize=False, is_first_step=False)


class MLPStepKernel:
    """Computes one D step's and one G step's losses and gradients for MLP G and D.

    Call it under torch.no_grad() (the trainer does): it needs no autograd graph. A step
    returns D's logits, not its metrics: the trainer keeps each step's logits and turns all of
    a call's into metrics at once (``discriminator_metrics``, ``generator_metrics``), a handful
    of batched ops instead of five per step. On these tiny batches every op costs microseconds
    of dispatch, whatever its size.
    """

    optimizer_step = staticmethod(fast_optimizer_step)

    def __init__(self, G: MLP, D: MLP):
        self.flat = {"G": FlatParameters(G), "D": FlatParameters(D)}
        self.G, self.D = _PlainNet(G), _PlainNet(D)
        self._targets = {}

    def optimizer_params(self, which: str):
        return [self.flat[which].param]

    def grad_norm(self, which: str) -> torch.Tensor:
        return torch.linalg.vector_norm(self.flat[which].param.grad)

    def _real_targets(self, m: int, like: torch.Tensor) -> torch.Tensor:
        """D's targets for [real; fake]: 1 for the m real samples, 0 for the m fakes, (2m, 1)."""
        key = (m, like.device)
        y = self._targets.get(key)
        if y is None:
            y = self._targets[key] = torch.cat([torch.ones(m, 1), torch.zeros(m, 1)]).to(like.device)
        return y

    def discriminator_grads(self, x_real: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """J^(D) = ½ E softplus(-a_real) + ½ E softplus(a_fake): writes its gradient into D's
        grads and returns D's logits a on [real; fake], (2m, 1)."""
        m = x_real.shape[0]
        fake, _, _ = _forward(self.G, z)
        a, cache, h_last = _forward(self.D, torch.cat([x_real, fake]))
        d = torch.sigmoid(a)
        _backward(self.D, (d - self._real_targets(m, a)) * (0.5 / m), cache, h_last, self.flat["D"].grad_views)
        return a

    def generator_grads(self, z: torch.Tensor, cost: str) -> torch.Tensor:
        """dJ/dθ_G for the chosen generator cost (D's parameters get no gradient); returns
        D's logits a on the fakes, (m, 1)."""
        m = z.shape[0]
        fake, g_cache, g_last = _forward(self.G, z)
        a, d_cache, d_last = _forward(self.D, fake)
        c = generator_cost(cost)                        # the one record of this cost (gan_core/losses.py)
        g_a = c.grad(a, torch.sigmoid(a)) * (1.0 / m)   # ∂(batch mean of J)/∂a
        g_fake = _backward(self.D, g_a, d_cache, d_last, want_input=True)
        _backward(self.G, g_fake, g_cache, g_last, self.flat["G"].grad_views)
        return a

    @staticmethod
    def discriminator_metrics(logits: torch.Tensor) -> torch.Tensor:
        """Per D step, from the steps' logits on [real; fake], (n, 2m, 1): (n, 3) rows of
        [J^(D), mean D(x), mean D(G(z))]. -log σ(a) = softplus(-a), -log(1 - σ(a)) = softplus(a)."""
        a = logits.squeeze(-1)
        m = a.shape[1] // 2
        real, fake = a[:, :m], a[:, m:]
        loss = 0.5 * (torch.nn.functional.softplus(-real).mean(1) + torch.nn.functional.softplus(fake).mean(1))
        return torch.stack([loss, torch.sigmoid(real).mean(1), torch.sigmoid(fake).mean(1)], 1)

    @staticmethod
    def generator_metrics(logits: torch.Tensor, cost: str) -> torch.Tensor:
        """Per G step, from the steps' logits on the fakes, (n, m, 1): (n, 2) rows of [J_G, mean D(G(z))]."""
        a = logits.squeeze(-1)
        return torch.stack([generator_cost(cost).per_sample(a).mean(1), torch.sigmoid(a).mean(1)], 1)

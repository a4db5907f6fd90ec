"""One GAN trainer for every model in the app: the 1-D toy GAN and the MNIST GANs.

Algorithm 1 of Goodfellow et al. (2014): per iteration, k discriminator updates, then one
generator update. Nothing here is specific to a data set or an architecture: the caller
passes G, D, a data sampler and a noise sampler. Like minGPT's trainer it never prints or
plots; callers read `history` or pass a callback.

Samplers answer ``sample(m, gen) -> tuple of tensors``: data gives ``(x,)`` or ``(x, labels)``,
noise gives ``(z,)`` or ``(z, labels)``. Extra tensors are passed to G and D as conditions
(the conditional GAN). Samplers may keep their own state (``state_dict``/``load_state_dict``).
"""
from __future__ import annotations

import copy
from contextlib import contextmanager
import math
from dataclasses import asdict, dataclass, fields, replace

import numpy as np
import torch
import torch.nn as nn

from gan_core.augment import diff_augment, parse_policy
from gan_core.losses import GENERATOR_COSTS, discriminator_loss, generator_loss

METRICS = ("d_loss", "g_loss", "d_real", "d_fake", "d_fake_g", "grad_norm_d", "grad_norm_g")
OPTIMIZERS = ("adam", "sgd")
MAX_K, MAX_BATCH, MAX_LR = 100, 8192, 100.0
METRIC_BLOCK = 256   # steps whose metrics are made together (see GANTrainer._run)


@dataclass(frozen=True)
class TrainConfig:
    k: int = 1                       # D steps per G step; the paper used k = 1, the cheapest
    lr_d: float = 2e-3               # toy defaults: D learns 4x faster than G, which damps the
    lr_g: float = 5e-4               # oscillation of the 1-D game (MNIST models pass their own)
    batch_size: int = 128            # m in Algorithm 1
    generator_cost: str = "non_saturating"  # the lecture's practical choice
    optimizer: str = "adam"          # "sgd" = SGD with momentum, the paper's rule
    beta1: float = 0.5               # Adam β1 = 0.5 as in DCGAN; also SGD's momentum
    seed: int = 0
    augment: str = "none"            # DiffAugment policy for D's inputs (augment.py): "none",
                                     # "translation", "translation,cutout" (image models only)

    def __post_init__(self):
        problems = []
        try:
            parse_policy(self.augment)
        except ValueError as e:
            problems.append(str(e).rstrip("."))
        if not isinstance(self.k, (int, np.integer)) or not 1 <= self.k <= MAX_K:
            problems.append(f"k must be an integer from 1 to {MAX_K} (got {self.k!r})")
        for name in ("lr_d", "lr_g"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not math.isfinite(v) or not 0 < v <= MAX_LR:
                problems.append(f"{name} must be a number in (0, {MAX_LR:g}] (got {v!r})")
        if not isinstance(self.batch_size, (int, np.integer)) or not 1 <= self.batch_size <= MAX_BATCH:
            problems.append(f"batch size must be an integer from 1 to {MAX_BATCH} (got {self.batch_size!r})")
        if self.generator_cost not in GENERATOR_COSTS:
            problems.append(f"generator cost must be one of {list(GENERATOR_COSTS)} (got {self.generator_cost!r})")
        if self.optimizer not in OPTIMIZERS:
            problems.append(f"optimizer must be one of {list(OPTIMIZERS)} (got {self.optimizer!r})")
        if not 0 <= self.beta1 < 1:
            problems.append(f"beta1 / momentum must be in [0, 1) (got {self.beta1!r})")
        if problems:
            raise ValueError("; ".join(problems) + ".")


class TrainingDiverged(RuntimeError):
    """Raised when a loss, a gradient or a weight stops being finite. Weights are rolled back."""

    def __init__(self, report: dict):
        self.report = report
        super().__init__(report["message"])


def grad_norm(params) -> torch.Tensor:
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.zeros(())
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


def copied(obj):
    """A deep copy of a state dict: nested dicts, lists and tuples of tensors and plain values,
    tensors cloned. Every call of train() snapshots the whole state (for the rollback), and
    copy.deepcopy took ~1 ms of it at the toy sizes, in Python bookkeeping and garbage; this ~0.1 ms."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().clone()
    if type(obj) is dict:
        return {k: copied(v) for k, v in obj.items()}
    if type(obj) in (list, tuple):
        return type(obj)(copied(v) for v in obj)
    if obj is None or type(obj) in (int, float, str, bool):
        return obj
    return copy.deepcopy(obj)


def _make_optimizer(kind: str, params, lr: float, beta1: float, device: torch.device):
    # fused kernels: one call per step for all tensors, on CPU and CUDA alike
    if kind == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(beta1, 0.999), fused=True)
    return torch.optim.SGD(params, lr=lr, momentum=beta1, fused=True)


class GANTrainer:
    """Holds G, D, their optimizers, the samplers, counters and the metric history."""

    def __init__(self, generator: nn.Module, discriminator: nn.Module, data, noise,
                 config: TrainConfig = TrainConfig(), device: str | torch.device = "cpu", kernel=None):
        """``kernel``: an object that computes both updates' gradients without autograd (the toy
        MLPs' fast path, gan_core.toy.mlp_fast.MLPStepKernel); None trains through autograd.
        Either way the optimizers, the k-loop, the metrics and the rollback are these."""
        self.device = torch.device(device)
        self.G = generator.to(self.device)
        self.D = discriminator.to(self.device)
        self.data, self.noise = data, noise
        self.config = config
        self.gen = torch.Generator(self.device).manual_seed(config.seed)
        if kernel is not None and config.augment != "none":
            raise ValueError("augmentation applies to image models; the fast MLP path knows none.")
        self.kernel = kernel
        self.opt_d, self.opt_g = self._make_optimizers(config)
        self.iteration = 0          # completed Algorithm-1 iterations (k D steps + 1 G step)
        self.d_steps = 0
        self.g_steps = 0
        self._history_chunks: list[np.ndarray] = []   # (n, 1 + len(METRICS)) float64 blocks
        self._history_cache: dict | None = None
        self.divergence: dict | None = None
        # dropout in D draws its masks from torch's global generator, not from self.gen
        self._d_dropout = any(isinstance(m, nn.Dropout) and m.p > 0 for m in self.D.modules())

    def _make_optimizers(self, c: TrainConfig):
        if self.kernel is not None:  # one flat tensor per net: a fused step is one call
            pd, pg = self.kernel.optimizer_params("D"), self.kernel.optimizer_params("G")
        else:
            pd, pg = self.D.parameters(), self.G.parameters()
        return (_make_optimizer(c.optimizer, pd, c.lr_d, c.beta1, self.device),
                _make_optimizer(c.optimizer, pg, c.lr_g, c.beta1, self.device))

    # ---- hyperparameters change in place, between any two steps
    def set_config(self, **changes) -> TrainConfig:
        """Change hyperparameters without touching networks or optimizer state.

        Learning rates and momentum are written into the optimizers' param groups. Only a
        change of optimizer *kind* builds a new optimizer (Adam's moments mean nothing to SGD).
        The seed is fixed at construction: a new seed means a new run (reset).
        """
        new = replace(self.config, **changes)  # validates
        if self.kernel is not None and new.augment != "none":
            raise ValueError("augmentation applies to image models, not to the 1-D toy GAN.")
        if new.optimizer != self.config.optimizer:
            self.opt_d, self.opt_g = self._make_optimizers(new)
        for opt, lr in ((self.opt_d, new.lr_d), (self.opt_g, new.lr_g)):
            for group in opt.param_groups:
                group["lr"] = lr
                if "betas" in group:
                    group["betas"] = (new.beta1, group["betas"][1])
                else:
                    group["momentum"] = new.beta1
        self.config = new
        return new

    # ---- the two updates of Algorithm 1
    def _discriminator_update(self):
        """(1) Update D: ascend log D(x) + log(1 - D(G(z))), i.e. descend J^(D).
        Returns [J^(D), mean D(x), mean D(G(z))] (on the fast path, D's logits, which _run
        turns into those) and the gradient's norm."""
        m = self.config.batch_size
        real = self.data.sample(m, self.gen)
        noise = self.noise.sample(m, self.gen)
        if self.kernel is not None:
            logits = self.kernel.discriminator_grads(real[0], noise[0])
            gn = self.kernel.grad_norm("D")
            self.kernel.optimizer_step(self.opt_d)
            self.d_steps += 1
            return logits, gn
        with torch.no_grad():
            fake = self.G(*noise)
        with self._dropout_rng():
            logits_real = self.D(self._augment(real[0]), *real[1:])
            logits_fake = self.D(self._augment(fake), *noise[1:])  # fake is detached: only D learns here
        loss = discriminator_loss(logits_real, logits_fake)
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        d_real = torch.sigmoid(logits_real.detach()).mean()
        d_fake = torch.sigmoid(logits_fake.detach()).mean()
        metrics = torch.stack([loss.detach(), d_real, d_fake])
        gn = grad_norm(self.D.parameters())
        self.opt_d.step()
        self.d_steps += 1
        return metrics, gn

    def _generator_update(self):
        """(2) Update G: descend the chosen generator cost of D(G(z)) on fresh noise.
        Returns [J_G, mean D(G(z))] (on the fast path, D's logits) and the gradient's norm."""
        m = self.config.batch_size
        noise = self.noise.sample(m, self.gen)
        if self.kernel is not None:
            logits = self.kernel.generator_grads(noise[0], self.config.generator_cost)
            gn = self.kernel.grad_norm("G")
            self.kernel.optimizer_step(self.opt_g)
            self.g_steps += 1
            return logits, gn
        self.D.requires_grad_(False)  # gradients flow through D into G, not into D
        try:
            with self._dropout_rng():
                logits = self.D(self._augment(self.G(*noise)), *noise[1:])  # G learns through the augmentation
            loss = generator_loss(self.config.generator_cost, logits)
            self.opt_g.zero_grad(set_to_none=True)
            loss.backward()
        finally:
            self.D.requires_grad_(True)
        metrics = torch.stack([loss.detach(), torch.sigmoid(logits.detach()).mean()])
        gn = grad_norm(self.G.parameters())
        self.opt_g.step()
        self.g_steps += 1
        return metrics, gn

    @contextmanager
    def _dropout_rng(self):
        """Around a pass through a D with dropout: torch's global generator, seeded from the run's
        seed and step counters (and put back afterwards), so the masks, and the whole run, follow
        from the seed alone; a rollback or a resume replays them exactly. Nets without dropout
        (every other model) are untouched."""
        if not self._d_dropout:
            yield
            return
        devices = [self.device.index or 0] if self.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed((self.config.seed * 1_000_003 + self.d_steps * 7_919 + self.g_steps) % 2**62)
            yield

    def _augment(self, x: torch.Tensor) -> torch.Tensor:
        """D sees real and fake images through the same random augmentation (DiffAugment)."""
        if self.config.augment == "none":
            return x
        if x.dim() != 4:
            raise ValueError(f"augmentation {self.config.augment!r} applies to images (B, C, H, W); "
                             f"this model's samples have shape {tuple(x.shape)}.")
        return diff_augment(x, self.config.augment, self.gen)

    # ---- public stepping API; every call is checked for divergence and rolled back
    def train(self, iterations: int = 1) -> np.ndarray:
        """Run whole iterations (k D steps + 1 G step). Returns the metric rows added."""
        return self._run(iterations, d_only=False, g_only=False)

    def discriminator_steps(self, n: int = 1) -> np.ndarray:
        """D updates alone, G frozen (the page's "one D step")."""
        return self._run(n, d_only=True, g_only=False)

    def generator_steps(self, n: int = 1) -> np.ndarray:
        """G updates alone, D frozen (the page's "one G step")."""
        return self._run(n, d_only=False, g_only=True)

    def _run(self, n: int, d_only: bool, g_only: bool) -> np.ndarray:
        if n <= 0:
            return np.empty((0, len(METRICS)))
        snapshot = self.snapshot()
        nan = torch.full((), float("nan"), device=self.device)
        no_d, no_g = nan.expand(3), nan.expand(2)   # NaN: "no such step"
        if self.kernel is not None:                 # the fast path's steps return logits
            m = self.config.batch_size
            no_d, no_g = nan.expand(2 * m, 1), nan.expand(m, 1)
        d_rows, g_rows, d_norms, g_norms = [], [], [], []
        d_blocks, g_blocks = [], []

        def to_metrics():
            """The pending rows as metric blocks; on the fast path, the steps' logits made into
            metrics in a few batched ops, every METRIC_BLOCK steps (so a long call at a large
            batch never holds more than a block of logits)."""
            d, g = torch.stack(d_rows), torch.stack(g_rows)
            if self.kernel is not None:
                d = self.kernel.discriminator_metrics(d)
                g = self.kernel.generator_metrics(g, self.config.generator_cost)
            d_blocks.append(d.float())
            g_blocks.append(g.float())
            d_rows.clear()
            g_rows.clear()

        with torch.no_grad() if self.kernel is not None else torch.enable_grad():
            for _ in range(n):
                d_metrics, gn_d, g_metrics, gn_g = no_d, nan, no_g, nan
                if not g_only:
                    for _ in range(1 if d_only else self.config.k):
                        d_metrics, gn_d = self._discriminator_update()
                if not d_only:
                    g_metrics, gn_g = self._generator_update()
                d_rows.append(d_metrics)
                g_rows.append(g_metrics)
                d_norms.append(gn_d)
                g_norms.append(gn_g)
                if not d_only and not g_only:
                    self.iteration += 1
                if len(d_rows) == METRIC_BLOCK:
                    to_metrics()
        if d_rows:
            to_metrics()
        # a few stacks and one device->host copy per call, not per step; columns in METRICS order
        d, g = torch.cat(d_blocks), torch.cat(g_blocks)
        out = torch.stack([d[:, 0], g[:, 0], d[:, 1], d[:, 2], g[:, 1],
                           torch.stack(d_norms).float(), torch.stack(g_norms).float()], 1).cpu().numpy()
        self._check_finite(out, snapshot, d_only, g_only)
        start = self.iteration - (n if not (d_only or g_only) else 0)
        its = np.arange(start + 1, start + n + 1) if not (d_only or g_only) else np.full(n, self.iteration)
        self._history_chunks.append(np.column_stack([its, out]).astype(np.float64))
        self._history_cache = None
        return out

    @property
    def history(self) -> dict[str, np.ndarray]:
        """Per-step metrics as arrays: "iteration" and each name in METRICS (NaN where a
        single D or G step had no value for it). Kept as NumPy blocks: a long lecture run
        of a million steps costs tens of MB, not a list of Python floats per value."""
        if self._history_cache is None:
            block = (np.concatenate(self._history_chunks) if self._history_chunks
                     else np.empty((0, 1 + len(METRICS))))
            self._history_chunks = [block] if len(block) else []
            self._history_cache = {name: block[:, j] for j, name in enumerate(("iteration",) + METRICS)}
        return self._history_cache

    def bound_history(self, limit: int = 20_000) -> None:
        """Keep at most ``limit`` rows: past it, every other row of the older half goes.

        A live run of an hour makes millions of iterations; the curves keep their shape (the
        recent half at full resolution, older points ever sparser) in bounded memory.
        """
        h = self.history
        n = len(h["iteration"])
        if n <= limit:
            return
        block = self._history_chunks[0]
        half = n // 2
        self._history_chunks = [np.concatenate([block[:half:2], block[half:]])]
        self._history_cache = None

    def _check_finite(self, out, snapshot, d_only, g_only):
        checked = [j for j, name in enumerate(METRICS)
                   if not ((g_only and name in ("d_loss", "d_real", "d_fake", "grad_norm_d"))
                           or (d_only and name in ("g_loss", "d_fake_g", "grad_norm_g")))]
        nets = (("discriminator weights", self.D), ("generator weights", self.G))

        def finite(*modules):
            norms = torch._foreach_norm([p.detach() for m in modules for p in m.parameters()])
            return bool(torch.isfinite(torch.stack(norms)).all())

        if np.isfinite(out[:, checked]).all() and finite(self.D, self.G):   # the usual case: one check each
            return
        bad_metric = next((METRICS[j] for j in checked if not np.all(np.isfinite(out[:, j]))), None)
        bad_net = next((name for name, net in nets if not finite(net)), None)
        quantity = bad_metric or bad_net
        at = snapshot["counters"]["iteration"]
        self.restore(snapshot)
        c = self.config
        self.divergence = {
            "quantity": quantity,
            "iteration": at,
            "lr_d": c.lr_d, "lr_g": c.lr_g,
            "message": (
                f"Training diverged: {quantity.replace('_', ' ')} became non-finite (NaN or ∞) "
                f"after iteration {at}. Training is paused and the last finite weights "
                f"(iteration {at}) are restored. Lower the learning rates "
                f"(lr_D = {c.lr_d:g}, lr_G = {c.lr_g:g}; values of 1e-4 to 1e-2 are stable here) "
                f"and press play again."
            ),
        }
        raise TrainingDiverged(self.divergence)

    # ---- full state: networks, optimizers, RNG, samplers, counters, history
    def snapshot(self) -> dict:
        state = {
            "G": {k: v.detach().clone() for k, v in self.G.state_dict().items()},
            "D": {k: v.detach().clone() for k, v in self.D.state_dict().items()},
            "opt_d": copied(self.opt_d.state_dict()),
            "opt_g": copied(self.opt_g.state_dict()),
            "gen": self.gen.get_state(),
            "counters": {"iteration": self.iteration, "d_steps": self.d_steps, "g_steps": self.g_steps},
            "config": asdict(self.config),
        }
        for name in ("data", "noise"):
            sampler = getattr(self, name)
            if hasattr(sampler, "state_dict"):
                state[name] = copied(sampler.state_dict())
        return state

    def restore(self, state: dict) -> None:
        cfg = TrainConfig(**state["config"])
        if cfg.optimizer != self.config.optimizer:
            self.set_config(optimizer=cfg.optimizer)
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        self.opt_d.load_state_dict(copied(state["opt_d"]))
        self.opt_g.load_state_dict(copied(state["opt_g"]))
        self.gen.set_state(state["gen"])
        for name in ("data", "noise"):
            sampler = getattr(self, name)
            if name in state and hasattr(sampler, "load_state_dict"):
                sampler.load_state_dict(copied(state[name]))
        self.iteration = state["counters"]["iteration"]
        self.d_steps = state["counters"]["d_steps"]
        self.g_steps = state["counters"]["g_steps"]
        self.set_config(**{f.name: getattr(cfg, f.name) for f in fields(cfg)})

    def state_dict(self) -> dict:
        state = self.snapshot()
        state["history"] = {k: v.tolist() for k, v in self.history.items()}  # JSON-ready
        return state

    def load_state_dict(self, state: dict) -> None:
        self.restore(state)
        h = state["history"]
        names = ("iteration",) + METRICS
        block = np.column_stack([np.asarray(h[k], dtype=np.float64) for k in names]) if len(h["iteration"]) else None
        self._history_chunks = [block] if block is not None else []
        self._history_cache = None
        self.divergence = None


def train_discriminator_to_optimum(trainer: GANTrainer, d_on_probe, max_steps: int = 3000, tol: float = 2e-3,
                                   check_every: int = 50) -> int:
    """G frozen; D steps until D on a set of probe points stops changing. Returns the D steps taken.

    With G fixed, D converges towards D* = p_d/(p_d + p_g) (Goodfellow et al. 2014, Proposition 1),
    so a page's D visibly lands on its D*. ``d_on_probe()`` returns D's outputs on the probe points
    (an array). Minibatch noise keeps a D at a fixed learning rate jittering around its optimum, so
    a second phase settles it at a tenth of lr_D (restored afterwards), as one anneals the step size
    to actually reach an optimum.
    """
    lr_d, steps = trainer.config.lr_d, 0
    try:
        for lr, budget, phase_tol in ((lr_d, max_steps, tol), (lr_d / 10, max_steps // 3, tol / 4)):
            trainer.set_config(lr_d=lr)
            before, taken = d_on_probe(), 0
            while taken < budget:
                trainer.discriminator_steps(check_every)
                taken += check_every
                after = d_on_probe()
                if np.max(np.abs(after - before)) < phase_tol:
                    break
                before = after
            steps += taken
    finally:
        trainer.set_config(lr_d=lr_d)
    return steps

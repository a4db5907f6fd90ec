"""How good are the generated digits? FID, classifier confidence, class coverage, memorisation.

All scores use the project's own digit classifier (``gan_core.mnist.classifier``) as the judge:

* **FID** (Fréchet distance between Gaussians fitted to classifier features of the samples
  and of the 4,000 training digits). Lower is better; it is biased upwards for small n, so
  it is always shown next to the **real-data floor**: the FID that 1,000 (or n) *real*
  held-out digits get against the same training digits. A GAN cannot be expected to beat it.
* **confident share**: samples the classifier calls a digit with probability >= 0.9.
* **class histogram** and **classes present** (share >= 5 %): mode collapse shows here first.
* ``nearest_neighbours``: the closest training image in pixel space, to see whether a
  sample is new or a copy (memorisation).

Images follow the GAN convention: float (N, 1, 28, 28) in [-1, 1].
"""
from __future__ import annotations

import contextlib
import weakref
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from scipy import linalg

from gan_core.mnist.data import N_CLASSES, embedded_split, to_tensor

try:  # installed with scikit-learn, which mlxtend requires
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

DEFAULT_N = 1000          # samples per evaluation, and the held-out set size for the floor
CONFIDENT = 0.9           # "the classifier is sure": max softmax probability >= 0.9
CLASS_PRESENT = 0.05      # a class counts as generated when >= 5 % of samples land in it


# ----------------------------------------------------------------------------- Fréchet distance

def frechet_distance(mu1, sigma1, mu2, sigma2, eps: float = 1e-6) -> float:
    """||mu1 - mu2||² + Tr(sigma1 + sigma2 - 2 sqrt(sigma1 sigma2)), as in the reference FID code.

    When the product is (near-)singular, sqrtm may fail: an ``eps`` ridge is then added to both
    covariances. Tiny imaginary parts from round-off are dropped; large ones raise ValueError.
    Round-off can make the result a hair below zero: it is clipped at 0.
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, dtype=np.float64)), np.atleast_1d(np.asarray(mu2, dtype=np.float64))
    sigma1, sigma2 = np.atleast_2d(np.asarray(sigma1, dtype=np.float64)), np.atleast_2d(np.asarray(sigma2, dtype=np.float64))
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape or sigma1.shape != (len(mu1), len(mu1)):
        raise ValueError(f"shapes do not match: mu {mu1.shape} / {mu2.shape}, sigma {sigma1.shape} / {sigma2.shape}.")
    diff = mu1 - mu2
    with _single_threaded_blas():
        covmean = linalg.sqrtm(sigma1 @ sigma2)
        if not np.isfinite(covmean).all():
            offset = np.eye(len(mu1)) * eps
            covmean = linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    if np.iscomplexobj(covmean):
        scale = max(1.0, float(np.abs(covmean.real).max()))
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3 * scale):
            raise ValueError(f"sqrtm has a large imaginary component ({np.abs(covmean.imag).max():.3g}).")
        covmean = covmean.real
    fid = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean)
    return max(float(fid), 0.0)


def _single_threaded_blas():
    """sqrtm of a 128 x 128 matrix: 5 ms on one BLAS thread, but up to 2 s with OpenBLAS threads
    spinning on a busy 2-core machine (measured). One thread is always fast enough here."""
    if threadpool_limits is None:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def feature_statistics(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean (F,) and covariance (F, F) of features (N, F), in float64."""
    f = np.asarray(features, dtype=np.float64)
    if f.ndim != 2 or len(f) < 2:
        raise ValueError(f"need features of shape (N >= 2, F), got {f.shape}.")
    with _single_threaded_blas():
        return f.mean(axis=0), np.cov(f, rowvar=False)


# ----------------------------------------------------------------------------- classifier passes

def _as_images(images) -> torch.Tensor:
    """uint8 pixels or float in [-1, 1], (N, 28, 28) or (N, 1, 28, 28) -> float (N, 1, 28, 28)."""
    if (isinstance(images, np.ndarray) and images.dtype == np.uint8) or \
            (isinstance(images, torch.Tensor) and images.dtype == torch.uint8):
        return to_tensor(images)
    x = torch.as_tensor(images, dtype=torch.float32).detach().cpu()
    if x.ndim == 3:
        x = x[:, None]  # (N, 28, 28) -> (N, 1, 28, 28)
    if x.ndim != 4 or tuple(x.shape[1:]) != (1, 28, 28):
        raise ValueError(f"expected images of shape (N, 1, 28, 28), got {tuple(x.shape)}.")
    if len(x) and (x.min() < -1.01 or x.max() > 1.01):
        raise ValueError(f"expected pixels in [-1, 1] (GAN convention), got [{x.min():.3g}, {x.max():.3g}].")
    return x


@torch.no_grad()
def classifier_outputs(images, classifier, batch_size: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Features (N, F) and class probabilities (N, 10) of a batch of images, in float64."""
    x = _as_images(images)
    feats, probs = [], []
    for i in range(0, len(x), batch_size):
        f, logits = classifier.features_and_logits(x[i:i + batch_size])
        feats.append(f.double())
        probs.append(torch.softmax(logits.double(), dim=1))
    return torch.cat(feats).numpy(), torch.cat(probs).numpy()


# ----------------------------------------------------------------------------- reference statistics

@dataclass
class ReferenceStats:
    """Classifier-feature statistics of the real digits, computed once per classifier.

    ``mu`` / ``sigma``: the 4,000 training digits of ``embedded_split()``.
    ``holdout_features``: the 1,000 held-out digits, for the real-data floor at any n <= 1,000.
    """
    mu: np.ndarray
    sigma: np.ndarray
    n_reference: int
    holdout_features: np.ndarray
    _floors: dict = field(default_factory=dict, repr=False)

    def floor(self, n: int = DEFAULT_N) -> float:
        """FID of the first n held-out digits (a fixed random subset) vs the training digits.

        n is capped at the held-out size (1,000): for larger sample sizes the floor is the
        n = 1,000 one, which slightly overstates it (FID shrinks as n grows).
        """
        n = min(int(n), len(self.holdout_features))
        if n not in self._floors:
            self._floors[n] = frechet_distance(*feature_statistics(self.holdout_features[:n]), self.mu, self.sigma)
        return self._floors[n]


_REFERENCE_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def reference_statistics(classifier, seed: int = 0, holdout: int = 1000) -> ReferenceStats:
    """Reference statistics for this classifier, cached in memory (per classifier object)."""
    per_model = _REFERENCE_CACHE.setdefault(classifier, {})
    if (seed, holdout) not in per_model:
        split = embedded_split(seed=seed, holdout=holdout)
        train_features, _ = classifier_outputs(split.train_images, classifier)
        holdout_features, _ = classifier_outputs(split.holdout_images, classifier)
        mu, sigma = feature_statistics(train_features)
        per_model[(seed, holdout)] = ReferenceStats(mu, sigma, len(train_features), holdout_features)
    return per_model[(seed, holdout)]


def real_data_floor(classifier, n: int = DEFAULT_N) -> float:
    """FID that n real held-out digits get against the training digits (see ``ReferenceStats.floor``)."""
    return reference_statistics(classifier).floor(n)


# ----------------------------------------------------------------------------- the report

@dataclass
class QualityReport:
    n_samples: int
    fid: float                  # samples vs training digits, classifier features; lower is better
    fid_real_floor: float       # held-out real digits vs training digits, same n (capped at 1,000)
    confident_share: float      # share of samples with max class probability >= confident_threshold
    class_shares: list[float]   # predicted-class histogram, 10 shares summing to 1
    classes_present: int        # classes with share >= class_present_threshold
    mean_confidence: float      # mean max class probability
    confident_threshold: float = CONFIDENT
    class_present_threshold: float = CLASS_PRESENT

    def as_dict(self) -> dict:
        return asdict(self)


def evaluate_samples(images, classifier=None, reference_stats: ReferenceStats | None = None,
                     confident: float = CONFIDENT, class_present: float = CLASS_PRESENT) -> QualityReport:
    """Score generated digits (float (N, 1, 28, 28) in [-1, 1]; N = 1,000 recommended).

    ``classifier`` defaults to the shipped one (``load_classifier()``); ``reference_stats``
    to ``reference_statistics(classifier)`` (cached). The floor uses the same n as the samples,
    because FID depends on n: comparing a 200-sample FID to a 1,000-sample floor would be unfair.
    """
    if classifier is None:
        classifier = _default_classifier()
    reference_stats = reference_stats or reference_statistics(classifier)
    features, probs = classifier_outputs(images, classifier)
    n = len(features)
    if n < 2:
        raise ValueError(f"need at least 2 samples to estimate FID (got {n}).")
    confidence = probs.max(axis=1)
    shares = np.bincount(probs.argmax(axis=1), minlength=N_CLASSES) / n
    return QualityReport(
        n_samples=n,
        fid=frechet_distance(*feature_statistics(features), reference_stats.mu, reference_stats.sigma),
        fid_real_floor=reference_stats.floor(n),
        confident_share=float((confidence >= confident).mean()),
        class_shares=[float(s) for s in shares],
        classes_present=int((shares >= class_present).sum()),
        mean_confidence=float(confidence.mean()),
        confident_threshold=confident,
        class_present_threshold=class_present,
    )


_DEFAULT = {}


def _default_classifier():
    """The shipped classifier, loaded once per process (read-only: eval, no gradients)."""
    if "model" not in _DEFAULT:
        from gan_core.mnist.classifier import load_classifier
        _DEFAULT["model"] = load_classifier()
    return _DEFAULT["model"]


# ----------------------------------------------------------------------------- memorisation

@torch.no_grad()
def nearest_neighbours(samples, train_images, k: int = 1, batch_size: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """The k closest training images to each sample, L2 in [-1, 1] pixel space.

    ``samples`` and ``train_images``: uint8 pixels or floats in [-1, 1], (N, 28, 28) or
    (N, 1, 28, 28). Returns indices int64 (N, k) into ``train_images`` and distances float32
    (N, k), nearest first. Candidates are ranked with the fast matrix-product ``torch.cdist``,
    then the chosen distances are recomputed exactly (so a copy of a training image is at 0).
    """
    x, ref = _as_images(samples).flatten(1), _as_images(train_images).flatten(1)  # (N, 784), (M, 784)
    if not 1 <= k <= len(ref):
        raise ValueError(f"k must be between 1 and the number of training images ({len(ref)}), got {k}.")
    indices, distances = [], []
    for i in range(0, len(x), batch_size):
        xb = x[i:i + batch_size]
        idx = torch.cdist(xb, ref).topk(k, dim=1, largest=False).indices       # (B, k)
        dist = (xb[:, None, :] - ref[idx]).norm(dim=2)                          # (B, k) exact
        dist, order = dist.sort(dim=1)
        indices.append(idx.gather(1, order))
        distances.append(dist)
    return torch.cat(indices).numpy().astype(np.int64), torch.cat(distances).numpy().astype(np.float32)

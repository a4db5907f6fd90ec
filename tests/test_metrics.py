"""Quality metrics: Fréchet distance against closed forms, the shipped classifier, the report."""
import json

import numpy as np
import pytest
import torch

from gan_core.mnist.classifier import DEFAULT_CLASSIFIER_PATH, ClassifierConfig, DigitClassifier, load_classifier
from gan_core.mnist.metrics import (QualityReport, evaluate_samples, feature_statistics, frechet_distance,
                              nearest_neighbours, reference_statistics)
from gan_core.mnist.data import embedded_split, to_tensor


# ----------------------------------------------------------------------------- Fréchet distance

def test_frechet_distance_diagonal_closed_form():
    rng = np.random.default_rng(0)
    mu1, mu2 = rng.normal(size=5), rng.normal(size=5)
    s1, s2 = rng.uniform(0.1, 3, size=5), rng.uniform(0.1, 3, size=5)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum(s1 + s2 - 2 * np.sqrt(s1 * s2))
    assert frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2)) == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_one_dimensional():
    # two normals N(0, 1) and N(3, 4): (0 - 3)² + (1 - 2)² = 10
    assert frechet_distance([0.0], [[1.0]], [3.0], [[4.0]]) == pytest.approx(10.0)


def test_frechet_distance_rotated_full_covariances():
    # the distance is invariant under a common rotation: rotate a diagonal case
    rng = np.random.default_rng(1)
    q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    s1, s2 = np.array([1.0, 2, 3, 4]), np.array([4.0, 1, 0.5, 2])
    expected = np.sum(s1 + s2 - 2 * np.sqrt(s1 * s2)) + 1.0
    got = frechet_distance(np.zeros(4), q @ np.diag(s1) @ q.T, q @ [1.0, 0, 0, 0], q @ np.diag(s2) @ q.T)
    assert got == pytest.approx(expected, rel=1e-8)


def test_frechet_distance_same_samples_is_zero_even_when_singular():
    rng = np.random.default_rng(2)
    features = rng.normal(size=(20, 50))  # 20 samples in 50-D: covariance of rank 19
    mu, sigma = feature_statistics(features)
    assert frechet_distance(mu, sigma, mu, sigma) == pytest.approx(0.0, abs=1e-6)


def test_frechet_distance_checks_shapes():
    with pytest.raises(ValueError, match="shapes"):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(2), np.eye(2))


# ----------------------------------------------------------------------------- classifier

@pytest.fixture(scope="module")
def classifier():
    return load_classifier()


@pytest.fixture(scope="module")
def split():
    return embedded_split()


def test_shipped_classifier_accuracy(classifier, split):
    assert not classifier.training
    assert DEFAULT_CLASSIFIER_PATH.stat().st_size < 2_000_000
    with torch.no_grad():
        pred = classifier(to_tensor(split.holdout_images)).argmax(1).numpy()
    accuracy = (pred == split.holdout_labels).mean()
    assert accuracy >= 0.97
    meta = json.loads(DEFAULT_CLASSIFIER_PATH.with_suffix(".json").read_text())
    assert meta["holdout_accuracy"] == pytest.approx(accuracy, abs=1e-9)


def test_classifier_features_shape(classifier):
    x = torch.rand(3, 1, 28, 28) * 2 - 1
    assert classifier.features(x).shape == (3, classifier.config.feature_dim)
    f, logits = classifier.features_and_logits(x)
    torch.testing.assert_close(logits, classifier(x))


def test_classifier_config_round_trip(tmp_path):
    from gan_core.mnist.classifier import save_classifier
    model = DigitClassifier(ClassifierConfig(channels=(4, 8, 8), feature_dim=16))
    save_classifier(model, tmp_path / "m.safetensors", metadata={"note": "test"})
    again = load_classifier(tmp_path / "m.safetensors")
    assert again.config == model.config
    x = torch.zeros(2, 1, 28, 28)
    torch.testing.assert_close(again.eval()(x), model.eval()(x))
    assert json.loads((tmp_path / "m.json").read_text()) == {"note": "test"}
    with pytest.raises(FileNotFoundError, match="python -m gan_core classifier"):
        load_classifier(tmp_path / "missing.safetensors")


# ----------------------------------------------------------------------------- the report

def test_real_held_out_digits_score_like_real_digits(classifier, split):
    stats = reference_statistics(classifier)
    assert reference_statistics(classifier) is stats  # cached
    report = evaluate_samples(to_tensor(split.holdout_images), classifier, stats)
    assert isinstance(report, QualityReport) and report.n_samples == 1000
    assert report.confident_share >= 0.9
    assert report.classes_present == 10
    assert sum(report.class_shares) == pytest.approx(1.0)
    assert report.mean_confidence > 0.9
    # the held-out digits *are* the floor's sample: same n, same images
    assert report.fid == pytest.approx(report.fid_real_floor)


def test_floor_uses_same_n(classifier, split):
    small = evaluate_samples(to_tensor(split.holdout_images[:200]), classifier)
    assert small.n_samples == 200
    assert small.fid == pytest.approx(small.fid_real_floor)
    full = evaluate_samples(to_tensor(split.holdout_images), classifier)
    assert small.fid_real_floor > full.fid_real_floor  # FID is biased upwards at small n


def test_noise_scores_badly(classifier, split):
    noise = torch.rand(1000, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    report = evaluate_samples(noise, classifier)
    real = evaluate_samples(to_tensor(split.holdout_images), classifier)
    assert report.confident_share < 0.5
    assert report.fid > 10 * real.fid_real_floor


def test_collapsed_generator_shows_in_class_histogram(classifier, split):
    ones = split.holdout_images[split.holdout_labels == 1]
    report = evaluate_samples(to_tensor(np.concatenate([ones] * 10)), classifier)
    assert report.classes_present == 1
    assert max(report.class_shares) >= 0.9


def test_rejects_pixels_outside_gan_range(classifier):
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        evaluate_samples(torch.full((10, 1, 28, 28), 255.0), classifier)


# ----------------------------------------------------------------------------- memorisation

def test_nearest_neighbour_of_training_image_is_itself(split):
    train = split.train_images
    picks = [0, 17, 3999]
    idx, dist = nearest_neighbours(to_tensor(train[picks]), train, k=3)
    assert idx.shape == (3, 3) and dist.shape == (3, 3)
    np.testing.assert_array_equal(idx[:, 0], picks)
    np.testing.assert_array_equal(dist[:, 0], 0.0)
    assert (np.diff(dist, axis=1) >= 0).all()


def test_nearest_neighbour_distances_are_exact():
    rng = np.random.default_rng(3)
    train = rng.integers(0, 256, size=(50, 28, 28), dtype=np.uint8)
    samples = to_tensor(rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8))
    idx, dist = nearest_neighbours(samples, train, k=1)
    brute = torch.cdist(samples.flatten(1).double(), to_tensor(train).flatten(1).double())
    np.testing.assert_array_equal(idx[:, 0], brute.argmin(1).numpy())
    np.testing.assert_allclose(dist[:, 0], brute.min(1).values.numpy(), rtol=1e-5)

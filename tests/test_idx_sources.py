"""IDX data on a shared server: folders the owner allows, by name; uploads size-capped, bombs refused."""
import gzip
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from gan_core.mnist import data
from gan_core.mnist.data import (FOLDER_PREFIX, MAX_IDX_BYTES, IDXError, allowed_idx_folders, dataset_from_uploads,
                                 idx_from_uploads, load_dataset, read_idx_upload)
from tests.test_mnist_data import idx_bytes

N = 30
IMAGES = np.random.default_rng(0).integers(0, 256, (N, 28, 28), dtype=np.uint8)
LABELS = (np.arange(N) % 10).astype(np.uint8)


def _folder(path):
    path.mkdir(parents=True, exist_ok=True)
    (path / "train-images-idx3-ubyte").write_bytes(idx_bytes(IMAGES))
    (path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(LABELS)))
    return path


def test_no_folder_is_allowed_by_default(monkeypatch, tmp_path):
    monkeypatch.delenv(data.IDX_FOLDERS_ENV, raising=False)
    assert allowed_idx_folders() == {}
    with pytest.raises(IDXError, match="no allowed IDX folder"):
        load_dataset(FOLDER_PREFIX + "anything")


def test_allowed_folders_are_offered_by_name_and_load(monkeypatch, tmp_path):
    a, b = _folder(tmp_path / "one" / "digits"), _folder(tmp_path / "two" / "digits")
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv(data.IDX_FOLDERS_ENV, f"{a}:{b}:{empty}:{tmp_path / 'missing'}")
    assert allowed_idx_folders() == {"digits": a, "digits (2)": b}   # only folders with IDX files
    images, labels = load_dataset(FOLDER_PREFIX + "digits (2)")
    np.testing.assert_array_equal(images, IMAGES)
    np.testing.assert_array_equal(labels, LABELS)


def test_star_allows_any_folder(monkeypatch):
    monkeypatch.setenv(data.IDX_FOLDERS_ENV, "*")
    assert allowed_idx_folders() is None


@pytest.mark.parametrize("order", [1, -1])
@pytest.mark.parametrize("gz", [False, True])
def test_uploads_in_any_order_raw_or_gzip(order, gz):
    pack = gzip.compress if gz else bytes
    files = [("a.bin", pack(idx_bytes(IMAGES))), ("b", pack(idx_bytes(LABELS)))][::order]
    name = dataset_from_uploads(files)
    assert name.startswith(data.UPLOAD_PREFIX) and dataset_from_uploads(files[::-1]) == name
    images, labels = load_dataset(name)
    np.testing.assert_array_equal(images, IMAGES)
    assert labels.dtype == np.int64 and labels.tolist() == LABELS.tolist()


def test_a_decompression_bomb_is_refused_without_unpacking_it():
    """1 GB of zeros gzips to ~1 MB; reading stops one byte past the 48 MB limit."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb") as f:
        chunk = bytes(2**24)
        for _ in range(64):
            f.write(chunk)
    assert len(buf.getvalue()) < data.MAX_IDX_UPLOAD_BYTES
    with pytest.raises(IDXError, match="unpacks to more than"):
        read_idx_upload(buf.getvalue(), "bomb.gz")


@pytest.mark.parametrize("files, words", [
    ([("x", b"\0" * (data.MAX_IDX_UPLOAD_BYTES + 1)), ("y", idx_bytes(LABELS))], "limit for an upload"),
    ([("x", idx_bytes(IMAGES))], "upload two files"),
    ([("x", idx_bytes(IMAGES)), ("y", idx_bytes(IMAGES))], "one file of images"),
    ([("x", idx_bytes(IMAGES)), ("y", idx_bytes(LABELS[:-1]))], "must match"),
    ([("x", idx_bytes(IMAGES)), ("y", idx_bytes(LABELS + 5))], "labels go up to 14"),
    ([("x", idx_bytes(IMAGES[:, :20])), ("y", idx_bytes(LABELS))], "expected 28x28"),
    ([("x", b"\x1f\x8bnot gzip"), ("y", idx_bytes(LABELS))], "not a readable gzip"),
    ([("x", idx_bytes(IMAGES)[:-3]), ("y", idx_bytes(LABELS))], "truncated"),
])
def test_bad_uploads_get_a_message(files, words):
    with pytest.raises(IDXError, match=words):
        idx_from_uploads(files)


@settings(max_examples=200, deadline=None)
@given(data_=st.data(), gz=st.booleans())
def test_mutated_uploads_load_or_get_an_idx_error(data_, gz):
    blobs = []
    for raw in (idx_bytes(IMAGES[:3]), idx_bytes(LABELS[:3])):
        raw = bytearray(gzip.compress(raw) if gz else raw)
        for i in data_.draw(st.lists(st.integers(0, len(raw) - 1), max_size=4)):
            raw[i] = data_.draw(st.integers(0, 255))
        raw = raw[:data_.draw(st.integers(0, len(raw)))] + data_.draw(st.binary(max_size=16))
        blobs.append(bytes(raw))
    try:
        images, labels = idx_from_uploads([("images", blobs[0]), ("labels", blobs[1])])
    except IDXError as e:
        assert str(e)
        return
    assert images.shape[1:] == (28, 28) and len(images) == len(labels) and labels.max() < 10


# ----------------------------------------------------------------------------- the widget

def _controls():
    import streamlit as st

    from ui.keys import MnistKeys
    from ui.mnist_widgets import setup_controls
    setup, error = setup_controls(MnistKeys("t"))
    st.session_state["t.result"] = (setup, error)


@pytest.fixture
def controls(monkeypatch, tmp_path):
    def make(env: str | None):
        if env is None:
            monkeypatch.delenv(data.IDX_FOLDERS_ENV, raising=False)
        else:
            monkeypatch.setenv(data.IDX_FOLDERS_ENV, env.replace("{tmp}", str(tmp_path)))
        return AppTest.from_function(_controls).run()
    _folder(tmp_path / "course-digits")
    return make


def test_by_default_no_path_box_only_datasets_and_upload(controls, tmp_path):
    at = controls(None)
    options = at.selectbox(key="t.data").options
    assert "Upload IDX files…" in options and "IDX folder…" not in options
    assert not any(str(tmp_path) in o for o in options)


def test_an_allowed_folder_is_offered_by_name_not_path(controls, tmp_path):
    at = controls("{tmp}/course-digits")
    assert "IDX folder: course-digits" in at.selectbox(key="t.data").options
    assert not any(str(tmp_path) in o for o in at.selectbox(key="t.data").options)
    at.selectbox(key="t.data").set_value(FOLDER_PREFIX + "course-digits").run()
    setup, error = at.session_state["t.result"]
    assert setup.data == FOLDER_PREFIX + "course-digits" and error is None


def test_star_brings_back_the_path_box(controls):
    at = controls("*")
    at.selectbox(key="t.data").set_value("IDX folder…").run()
    assert at.text_input(key="t.idx") is not None
    setup, error = at.session_state["t.result"]
    assert setup.data == "embedded-mnist" and "Type an IDX folder path" in error


def test_upload_choice_waits_for_files(controls):
    at = controls(None)
    at.selectbox(key="t.data").set_value("Upload IDX files…").run()
    assert not at.exception
    setup, error = at.session_state["t.result"]
    assert setup.data == "embedded-mnist" and "Upload the two IDX files" in error

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.chdir(ROOT)  # AppTest.from_file and the app use paths relative to the repository root

import torch  # noqa: E402
from streamlit import config as st_config  # noqa: E402

torch.set_num_threads(1)
# The served app hides error details from students (.streamlit/config.toml); tests see them.
st_config.set_option("client.showErrorDetails", "full")

from tests.browser import app_url, browser, browser_page  # noqa: E402,F401  (fixtures)


def pytest_collection_modifyitems(items):
    """Browser tests are the ones that use the Chromium fixtures; mark them so that
    `pytest -m "not browser"` runs everything else on a machine without Chromium."""
    for item in items:
        if {"browser", "browser_page", "app_url"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)

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


def pytest_collection_finish(session):
    """The 2-minute soak session runs beside the other tests when it is among those collected.
    Under pytest-xdist every worker collects every test: there the soak test runs its session
    itself, in whichever worker gets it, beside the other worker's tests."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    if any(item.nodeid.startswith("tests/test_soak.py") for item in session.items):
        from tests.browser import CHROMIUM
        if Path(CHROMIUM).exists():
            from tests import test_soak
            test_soak.start_in_background()


def pytest_collection_modifyitems(items):
    """Browser tests are the ones that use the Chromium fixtures; mark them so that
    `pytest -m "not browser"` runs everything else on a machine without Chromium."""
    for item in items:
        if {"browser", "browser_page", "app_url"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
    # The 2-minute soak first: under pytest-xdist (files handed out in this order) it then runs in
    # one process while the other takes the rest, instead of trailing the suite.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: not item.nodeid.startswith("tests/test_soak.py"))


@pytest.fixture(autouse=True)
def _no_run_outlives_its_test():
    """A test's live runs end with it: a run left playing would train on, unseen, and take the
    CPU from the tests after it (its page's heartbeat stops only 12 s later)."""
    yield
    from gan_core.live import pool as live_pool
    if live_pool._default is not None:
        live_pool._default.close_all()

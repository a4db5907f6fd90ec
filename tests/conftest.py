import os
import signal
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


def _runs_the_whole_suite(config) -> bool:
    """No selection beyond whole folders: the soak test is among the tests that will run."""
    if config.option.markexpr or config.option.keyword:
        return False
    wanted = {ROOT, ROOT / "tests", ROOT / "tests" / "test_soak.py"}
    return all(Path(a.split("::")[0]).resolve() in wanted for a in config.args)


# The suite is one long class whose pages come and go: replacing each worker left without runs for
# 30 s (a fresh process importing torch) would only cost the tests time. Recycling has its own test.
os.environ.setdefault("GAN_LAB_HOST_RECYCLE", "0")


def pytest_configure(config):
    """Under pytest-xdist the 2-minute soak session starts here, in the main pytest process, as a
    process of its own: the test processes start after this and inherit where its result goes."""
    from tests import test_soak
    from tests.browser import CHROMIUM
    if (os.environ.get("PYTEST_XDIST_WORKER") or not getattr(config.option, "numprocesses", None)
            or not _runs_the_whole_suite(config) or not Path(CHROMIUM).exists()):
        return
    result = ROOT / "artifacts" / f"soak-test-{os.getpid()}.json"
    result.parent.mkdir(parents=True, exist_ok=True)
    result.unlink(missing_ok=True)
    os.environ[test_soak.RESULT_ENV] = str(result)
    config._soak_process = test_soak.start_process(str(result))


def pytest_unconfigure(config):
    """A session still running when the tests end (an interrupted run) goes, with its app server."""
    process = getattr(config, "_soak_process", None)
    if process is not None and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)


def pytest_collection_finish(session):
    """In a single pytest process, the 2-minute soak session runs in a thread beside the other tests
    when it is among those collected (under pytest-xdist, see pytest_configure)."""
    from tests import test_soak
    if os.environ.get("PYTEST_XDIST_WORKER") or os.environ.get(test_soak.RESULT_ENV):
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
    # Under pytest-xdist (files handed out in this order) the soak test goes last when its session
    # runs as a process of its own (it then only reads the result), first when its test runs it.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        from tests.test_soak import RESULT_ENV
        last = bool(os.environ.get(RESULT_ENV))
        items.sort(key=lambda item: item.nodeid.startswith("tests/test_soak.py") == last)


@pytest.fixture(autouse=True)
def _no_run_outlives_its_test():
    """A test's live runs end with it: a run left playing would train on, unseen, and take the
    CPU from the tests after it (its page's heartbeat stops only 12 s later)."""
    yield
    from gan_core.live import pool as live_pool
    if live_pool._default is not None:
        live_pool._default.close_all()

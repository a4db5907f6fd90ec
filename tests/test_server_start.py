"""Starting the app's server for the browser tests and the page benchmarks works on a fresh clone."""
import pytest

from tests import browser


def test_start_server_creates_the_artifacts_folder_it_logs_to(tmp_path, monkeypatch):
    """bench/bench_toy_page.py calls start_server first thing: artifacts/ may not exist yet."""
    class ExitedAtOnce:
        def poll(self):
            return 1

        def kill(self):
            pass

    monkeypatch.setattr(browser, "ROOT", tmp_path)
    monkeypatch.setattr(browser.subprocess, "Popen", lambda *args, **kw: ExitedAtOnce())
    port = browser.free_port()
    with pytest.raises(RuntimeError, match="streamlit did not start"):
        browser.start_server(port)
    assert (tmp_path / "artifacts" / f"streamlit-{port}.log").is_file()

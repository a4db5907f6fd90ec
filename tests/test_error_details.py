"""No traceback reaches a student: the served config hides error details, lab.py says what to do."""
import shutil
import tomllib
from pathlib import Path

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def test_the_served_config_hides_error_details():
    conf = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert conf["client"]["showErrorDetails"] == "none"


@pytest.fixture
def app_with_a_failing_page(tmp_path, monkeypatch):
    """lab.py (the script app.py serves) as shipped, in a folder whose every page raises an error
    that names a server path."""
    shutil.copy(ROOT / "lab.py", tmp_path / "lab.py")
    (tmp_path / "pages").mkdir()
    for page in (ROOT / "pages").glob("*.py"):   # every page lab.py names
        (tmp_path / "pages" / page.name).write_text("raise KeyError('/srv/secret/path')\n")
    monkeypatch.chdir(tmp_path)
    yield tmp_path / "lab.py"
    st_config.set_option("client.showErrorDetails", "full")


def test_an_unforeseen_error_shows_what_to_do_and_no_traceback(app_with_a_failing_page):
    st_config.set_option("client.showErrorDetails", "none")
    at = AppTest.from_file(str(app_with_a_failing_page)).run()
    assert not at.exception
    assert [e.value for e in at.error] and "Reload the page" in at.error[0].value
    assert "/srv/secret" not in " ".join(e.value for e in at.error)


def test_with_error_details_on_the_real_exception_comes_through(app_with_a_failing_page):
    at = AppTest.from_file(str(app_with_a_failing_page)).run()
    assert at.exception and "/srv/secret/path" in at.exception[0].message

"""gan_core is the UI-free core: no module in it may import Streamlit."""
import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "gan_core"


def test_gan_core_never_imports_streamlit():
    files = sorted(CORE.rglob("*.py"))
    assert len(files) >= 5  # the scan really ran over the core
    offenders = []
    for f in files:
        for node in ast.walk(ast.parse(f.read_text(), filename=str(f))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{f.name}: {n}" for n in names if n.split(".")[0] == "streamlit"]
    assert offenders == []


def test_the_scan_would_catch_an_import(tmp_path):
    f = tmp_path / "bad.py"
    f.write_text("import os\nfrom streamlit import session_state\n")
    tree = ast.parse(f.read_text())
    found = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert found == ["streamlit"]

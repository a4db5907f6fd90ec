"""gan_core's import graph: no cycles, and the parts import only downwards.

The graph is read from the source (ast), every absolute `gan_core.` import counted, those inside
functions included: a function-level import is still a dependency, only a later one.
Rules:
- no cycle;
- the shared part (gan_core/*.py at the top, except cli.py and __main__.py, which dispatch to
  the parts) imports neither gan_core.toy nor gan_core.mnist;
- gan_core.toy and gan_core.mnist do not import each other; gan_core.toy2d may use gan_core.toy.
"""
import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "gan_core"
DISPATCHERS = {"gan_core.cli", "gan_core.__main__"}
PARTS = ("gan_core.toy2d", "gan_core.toy", "gan_core.mnist")
# The 2-D toy game is built on the 1-D one (its nets, their fast path, the buffered sampler, D*).
MAY_USE = {("gan_core.toy2d", "gan_core.toy")}


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path = CORE) -> dict[str, set[str]]:
    """module -> the gan_core modules it imports (a `from package import module` names the module)."""
    modules = {module_name(f, root): f for f in sorted(root.rglob("*.py"))}
    graph = {}
    for name, path in modules.items():
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                           for a in node.names]
            else:
                continue
            edges |= {t for t in targets if t.split(".")[0] == "gan_core" and t != name}
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None (depth-first search, colouring the nodes)."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _part(module: str) -> str:
    return next((p for p in PARTS if module == p or module.startswith(p + ".")), "shared")


def layering_violations(graph: dict[str, set[str]]) -> list[str]:
    bad = []
    for module, targets in graph.items():
        if module in DISPATCHERS:
            continue
        for target in targets:
            src, dst = _part(module), _part(target)
            if dst != "shared" and src != dst and (src, dst) not in MAY_USE:
                bad.append(f"{module} ({src}) imports {target} ({dst})")
    return sorted(bad)


def test_the_graph_covers_the_core():
    graph = import_graph()
    assert {"gan_core.trainer", "gan_core.losses", "gan_core.toy.game", "gan_core.mnist.metrics"} <= set(graph)
    assert "gan_core.losses" in graph["gan_core.trainer"]
    assert "gan_core.mnist.classifier" in graph["gan_core.mnist.metrics"]   # a function-level import counts


def test_gan_core_has_no_import_cycle():
    assert find_cycle(import_graph()) is None


def test_shared_core_imports_no_part_and_the_parts_not_each_other():
    assert layering_violations(import_graph()) == []


def test_the_checks_would_catch_a_cycle_and_a_wrong_import(tmp_path):
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None
    wrong = {"gan_core.trainer": {"gan_core.toy.game"}, "gan_core.toy.game": {"gan_core.mnist.data"},
             "gan_core.cli": {"gan_core.toy.cli"}, "gan_core.mnist.data": {"gan_core.losses"}}
    assert layering_violations(wrong) == [
        "gan_core.toy.game (gan_core.toy) imports gan_core.mnist.data (gan_core.mnist)",
        "gan_core.trainer (shared) imports gan_core.toy.game (gan_core.toy)",
    ]
    # and the reading of the source: a function-level import that closes a loop
    pkg = tmp_path / "gan_core"
    (pkg / "mnist").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "mnist" / "__init__.py").write_text("")
    (pkg / "mnist" / "classifier.py").write_text("def main():\n    from gan_core.mnist.metrics import floor\n")
    (pkg / "mnist" / "metrics.py").write_text("from gan_core.mnist import classifier\n")
    assert find_cycle(import_graph(pkg)) in (["gan_core.mnist.classifier", "gan_core.mnist.metrics", "gan_core.mnist.classifier"],
                                 ["gan_core.mnist.metrics", "gan_core.mnist.classifier", "gan_core.mnist.metrics"])


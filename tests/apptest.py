"""Helpers for the pages' AppTests: find a page file, read a metric, press a button by its label.

A "metric" is an st.metric or a cell of ui.live.stat_row_html (the live MNIST page's numbers:
one HTML block, cheaper for the browser to redraw); both have a label, a value and a note.
"""
from html.parser import HTMLParser
from pathlib import Path

PAGES = Path(__file__).resolve().parents[1] / "pages"


def page_path(name: str) -> str:
    return str(PAGES / name)


class _StatCells(HTMLParser):
    """label -> (value, note) from stat_row_html's markup."""

    def __init__(self):
        super().__init__()
        self.cells, self._label, self._field = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-stat" in a:
            self._label = a["data-stat"]
            self.cells[self._label] = ["", ""]
        elif a.get("class") in ("stat-value", "stat-note") and self._label:
            self._field = 0 if a["class"] == "stat-value" else 1

    def handle_endtag(self, tag):
        self._field = None

    def handle_data(self, data):
        if self._field is not None:
            self.cells[self._label][self._field] += data


def _metrics(at) -> list[tuple[str, str, str | None]]:
    found = [(m.label, m.value, m.delta) for m in at.metric]
    for md in at.markdown:
        if "data-stat=" in md.value:
            parser = _StatCells()
            parser.feed(md.value)
            found += [(label, value, note.strip("\xa0") or None) for label, (value, note) in parser.cells.items()]
    return found


def metric(at, label: str) -> str:
    """The shown value of the first metric whose label starts with `label`."""
    return next(value for lab, value, _ in _metrics(at) if lab.startswith(label))


def iteration(at) -> int:
    return int(metric(at, "iteration").replace(",", ""))


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def metric_delta(at, label: str) -> str:
    """The small text under the value of the first metric whose label starts with `label`."""
    return next(note for lab, _, note in _metrics(at) if lab.startswith(label))


def caption_with(at, text: str) -> str:
    """The first caption containing `text`."""
    return next(c.value for c in at.caption if text in c.value)


def wait_until(read, ok, timeout: float = 20.0, every: float = 0.1, message: str = ""):
    """Poll read() until ok(value), and assert it within the timeout (``message``: what failed, in
    place of the value); returns the value."""
    import time
    deadline = time.monotonic() + timeout
    value = read()
    while not ok(value) and time.monotonic() < deadline:
        time.sleep(every)
        value = read()
    assert ok(value), f"{message} (within {timeout} s)" if message else f"not reached within {timeout} s: {value!r}"
    return value


def charts(at) -> list[dict]:
    """Every Plotly figure the page shows, as a dict: st.plotly_chart elements and the live
    figures drawn through ui.live_chart (a custom component whose argument is the figure's JSON)."""
    import json
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")] + [
        json.loads(args["spec"]) for args in _live_chart_args(at)]


def _live_chart_args(at) -> list[dict]:
    """The arguments of each ui.live_chart on the page (its figure's JSON as "spec", ...)."""
    import json
    return [json.loads(c.proto.json_args) for c in at.get("component_instance")
            if c.proto.component_name.endswith("live_chart")]


def main_view(at) -> dict:
    """The page's live figure with data layers (ui.live_chart's ``layers``): its Plotly frame, the
    layers' JSON, decoded once, and its feed's URL (ui.feed; None while the run is not playing)."""
    import json
    for args in _live_chart_args(at):
        if args.get("layers"):
            return {"frame": json.loads(args["spec"]), "layers": json.loads(args["layers"]), "feed": args.get("feed"),
                    "feed_every_ms": args.get("feed_every_ms")}
    raise AssertionError("no live figure with data layers on the page")

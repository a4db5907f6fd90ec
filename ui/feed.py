"""Live pictures fetched by the student's browser itself, without a Streamlit rerun.

Every rerun of a fragment costs the browser a re-render of the whole page (Streamlit's React tree:
~100 ms of CPU in Chromium even when little changed) and the server a script run. A live figure
redrawn 4 times a second therefore takes most of a core of the student's machine, and on a
shared machine the training runs lack it. A *feed* is a small HTTP endpoint of the app's own
server, ``/_feed/<token>``: the live chart's iframe (ui/live_chart) fetches the newest picture of
its run there while the run plays, and paints it; the page's fragment then only needs to rerun
about once a second, for its numbers and its run's state.

A feed belongs to one session's page: its token is random (unguessable, 144 bits), it serves
only that run's picture, and it is forgotten when the session that made it is (the registry holds
it weakly; the session state holds it strongly). ``app.py`` mounts ``ROUTES`` on the server.
"""
from __future__ import annotations

import json
import secrets
import threading
import weakref
from typing import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PREFIX = "/_feed/"
_feeds: "weakref.WeakValueDictionary[str, Feed]" = weakref.WeakValueDictionary()
_lock = threading.Lock()


class Feed:
    """One page's live picture. ``make`` (set by the page on each of its runs, so that it follows the
    page's choices) returns the picture as a JSON object's text, or None when there is nothing new
    to show (the run is not playing): the browser then stops asking until the page says again."""

    def __init__(self, owner=None):
        self.owner = owner          # what it shows (a run's id): the page makes a new feed for another
        self.token = secrets.token_urlsafe(18)
        self.make: Callable[[], str | None] | None = None
        self.made_for = None        # what the page made ``make`` for, when that matters (its type size)
        self.served = 0
        with _lock:
            _feeds[self.token] = self

    @property
    def url(self) -> str:
        return PREFIX + self.token

    def body(self) -> str | None:
        make = self.make
        if make is None:
            return None
        out = make()
        if out is not None:
            self.served += 1
        return out


def find(token: str) -> Feed | None:
    with _lock:
        return _feeds.get(token)


_HEADERS = {"Cache-Control": "no-store"}


async def serve(request: Request) -> Response:
    """GET /_feed/<token>: 200 with the picture's JSON; 204 when there is nothing new to draw (the
    run paused or ended: the page's next rerun says what happened); 404 for a token no session holds
    (the session ended, or a guess)."""
    feed = find(request.path_params["token"])
    if feed is None:
        return Response(json.dumps({"error": "no such feed"}), status_code=404, media_type="application/json",
                        headers=_HEADERS)
    try:
        body = await run_in_threadpool(feed.body)   # reads the run's snapshot from its worker: a blocking call
    except Exception:  # noqa: BLE001  the run ended under the read: nothing to draw, the page will say why
        body = None
    if body is None:
        return Response(status_code=204, headers=_HEADERS)
    return Response(body, media_type="application/json", headers=_HEADERS)


ROUTES = [Route(PREFIX + "{token}", serve, methods=["GET"])]

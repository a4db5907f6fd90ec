"""ui.feed: the endpoint a playing page's live chart fetches its run's newest picture from."""
import asyncio
import gc
import json
from concurrent.futures import ThreadPoolExecutor

from starlette.requests import Request

from ui.feed import PREFIX, ROUTES, Feed, find, serve


def get(token: str):
    """The endpoint's answer to GET /_feed/<token>, through Starlette's own request object. In an
    event loop of its own thread: a browser test's Playwright may hold this thread's loop."""
    request = Request({"type": "http", "method": "GET", "path": PREFIX + token, "headers": [],
                       "path_params": {"token": token}, "query_string": b""})
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(serve(request))).result()


def test_a_feed_serves_what_its_page_made_and_counts_it():
    feed = Feed(owner="run-1")
    feed.make = lambda: json.dumps({"iteration": 7})
    r = get(feed.token)
    assert r.status_code == 200 and json.loads(r.body) == {"iteration": 7}
    assert r.headers["content-type"] == "application/json" and r.headers["cache-control"] == "no-store"
    assert feed.served == 1 and feed.url == PREFIX + feed.token


def test_nothing_new_is_204_and_a_failing_read_too():
    feed = Feed()
    assert get(feed.token).status_code == 204            # no picture maker yet
    feed.make = lambda: None                             # the run is not playing
    assert get(feed.token).status_code == 204

    def ended():
        raise RuntimeError("the run ended")
    feed.make = ended
    assert get(feed.token).status_code == 204 and feed.served == 0


def test_an_unknown_token_is_404_and_tokens_are_not_guessable():
    feeds = [Feed() for _ in range(50)]
    tokens = {f.token for f in feeds}
    assert len(tokens) == 50 and all(len(t) >= 24 for t in tokens)
    r = get("not-a-token")
    assert r.status_code == 404 and b"no such feed" in r.body


def test_a_feed_is_forgotten_with_the_session_that_held_it():
    feed = Feed()
    token = feed.token
    assert find(token) is feed
    del feed
    gc.collect()
    assert find(token) is None and get(token).status_code == 404


def test_the_route_is_mounted_under_the_prefix():
    assert [r.path for r in ROUTES] == [PREFIX + "{token}"] and ROUTES[0].methods >= {"GET"}

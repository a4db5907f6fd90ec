"""Live runs outside the web server: the host (in this process), the pool of worker processes,
and the same page flows on a real local Ray cluster."""
import os
import shutil
import signal
import subprocess
import threading
import time

import numpy as np
import pytest

from gan_core.live import host as host_module
from gan_core.live.host import RunHost
from gan_core.live.pool import RunEnded, RunPool
from gan_core.live.runs import Curve, thin
from gan_core.toy.distributions import preset
from tests.apptest import wait_until


class BlockingRun:
    """A run whose training blocks until released: proves that reads never wait for training."""
    weight, threads = 1.0, 1
    release = threading.Event()
    training = threading.Event()

    def __init__(self, spec):
        self.n = 0

    def train(self, seconds):
        BlockingRun.training.set()
        BlockingRun.release.wait(30)
        self.n += 1

    def apply(self, settings):
        return settings

    def do(self, action, *args):
        return {"action": action}

    def snapshot(self):
        return {"n": self.n}


@pytest.fixture
def blocking_kind(monkeypatch):
    monkeypatch.setitem(host_module.RUN_KINDS, "blocking", "tests.test_live:BlockingRun")
    BlockingRun.release.clear()
    BlockingRun.training.clear()
    yield "blocking"
    BlockingRun.release.set()


def test_a_snapshot_is_read_while_a_chunk_is_still_training(blocking_kind):
    host = RunHost(1)
    host.create("r", blocking_kind, {})
    host.play("r")
    assert BlockingRun.training.wait(10)
    answer = host.snapshot("r")                  # the chunk is blocked: the read still answers
    assert answer["playing"] and answer["snapshot"] == {"n": 0}
    result = []
    t = threading.Thread(target=lambda: result.append(host.command("r", "apply", {"k": 2})))
    t.start()
    t.join(0.5)
    assert t.is_alive() and not result          # a change waits for the chunk's end, never interrupts it
    BlockingRun.release.set()
    t.join(10)
    assert result == [{"k": 2}]
    host.close()


def test_a_paused_host_uses_no_cpu():
    host = RunHost(1)
    host.create("r", "toy", {"data": preset("Gaussian")})
    before = time.process_time()
    time.sleep(1.0)
    assert time.process_time() - before < 0.05   # nothing playing: the training thread sleeps
    host.play("r")
    wait_until(lambda: host.snapshot("r")["snapshot"]["iteration"], lambda n: n > 0)
    host.close()


def test_a_training_host_hands_freed_heap_back_to_the_os_and_a_paused_one_does_not(monkeypatch):
    """Snapshots allocate arrays of a few hundred KiB that glibc then serves from the heap; without a
    trim the holes stay resident (four playing toy runs: ~130 MiB each)."""
    trims = []
    monkeypatch.setattr(host_module, "TRIM_EVERY_S", 0.1)
    monkeypatch.setattr(host_module, "release_memory", lambda: trims.append(time.monotonic()))
    host = RunHost(1)
    host.create("r", "toy", {"data": preset("Gaussian")})
    host.play("r")
    wait_until(lambda: len(trims), lambda n: n >= 3)
    host.play("r", False)
    n = len(trims)
    time.sleep(0.5)
    assert len(trims) == n              # nothing playing: no trims (a paused host costs no CPU)
    host.close()


def test_a_paused_run_is_drawn_where_it_stopped():
    host = RunHost(1)
    host.create("r", "toy", {"data": preset("Gaussian")})
    host.play("r")
    time.sleep(1.0)                      # nobody reads: no snapshot is drawn while it trains
    host.play("r", False)                # returns once the run has stopped
    final = host._slots["r"].run.trainer.iteration
    answer = host.snapshot("r")
    assert final > 0 and answer["snapshot"]["iteration"] == final and not answer["playing"]
    time.sleep(0.3)
    assert host._slots["r"].run.trainer.iteration == final
    host.close()


def test_runs_on_one_host_train_in_turn_and_never_share_state():
    host = RunHost(1)
    host.create("a", "toy", {"data": preset("Gaussian"), "seed": 1, "train": {"k": 2}})
    host.create("b", "toy", {"data": preset("Uniform"), "seed": 2})
    host.play("a")
    host.play("b")
    wait_until(lambda: min(host.snapshot(r)["snapshot"]["iteration"] for r in "ab"), lambda n: n > 50)
    a, b = host.snapshot("a")["snapshot"], host.snapshot("b")["snapshot"]
    assert a["config"]["k"] == 2 and b["config"]["k"] == 1
    assert a["config"]["seed"] == 1 and b["config"]["seed"] == 2 and a["data_name"] != b["data_name"]
    host.remove("a")
    with pytest.raises(KeyError):
        host.snapshot("a")
    assert host.snapshot("b")["playing"]
    host.close()


def test_an_unexpected_error_ends_only_that_run(monkeypatch):
    host = RunHost(1)
    host.create("bad", "toy", {"data": preset("Gaussian")})
    host.create("good", "toy", {"data": preset("Gaussian")})
    slot = host._slots["bad"]
    monkeypatch.setattr(slot.run, "train", lambda seconds: 1 / 0)
    host.play("bad")
    host.play("good")
    answer = wait_until(lambda: host.snapshot("bad"), lambda a: a["ended"] is not None)
    assert "ZeroDivisionError" in answer["ended"] and not answer["playing"]
    wait_until(lambda: host.snapshot("good")["snapshot"]["iteration"], lambda n: n > 0)
    host.close()


def test_histories_stay_bounded():
    from gan_core.toy.game import build_toy_gan
    from gan_core.trainer import TrainConfig
    t = build_toy_gan(preset("Gaussian"), TrainConfig())
    for _ in range(30):
        t.train(100)
        t.bound_history(limit=1000)
    h = t.history
    assert len(h["iteration"]) <= 1000 and h["iteration"][-1] == 3000
    assert np.all(np.diff(h["iteration"]) > 0)            # still in order, the newest kept
    assert len(thin(h, 100)["iteration"]) <= 101 and thin(h, 100)["iteration"][-1] == 3000
    c = Curve(("js",), limit=10)
    for i in range(100):
        c.add(i, float(i))
    assert len(c.rows) <= 10 and c.arrays()["iteration"][-1] == 99


@pytest.fixture
def pool():
    p = RunPool(capacity=2.0, heartbeat_timeout=30.0)
    yield p
    p.shutdown()


def test_admission_queue_positions_and_start_by_itself(pool):
    runs = [pool.open("toy", {"data": preset("Gaussian"), "seed": i}) for i in range(4)]
    for r in runs:
        r.play()
    views = [r.view() for r in runs]
    assert [v.state for v in views] == ["playing", "playing", "waiting", "waiting"]
    assert [(v.position, v.queue_length) for v in views[2:]] == [(1, 2), (2, 2)]
    runs[0].pause()                               # a slot frees: the first in the queue starts
    assert [r.view().state for r in runs] == ["paused", "playing", "playing", "waiting"]
    assert runs[3].view().position == 1
    runs[1].close()                               # so does closing a run
    assert runs[3].view().state == "playing"


def test_slots_the_first_in_the_queue_cannot_use_are_lent_and_taken_back(monkeypatch):
    """First come, first served, with no slot left idle: a heavy run (weight 3 here) that does not
    fit waits at the head; toy runs behind it that fit start on a loan; when a slot frees, the
    latest loans go back to the queue, in their places, just as far as the heavy run needs."""
    from gan_core.live import pool as pool_module
    from gan_core.toy2d.data import preset as preset_2d
    monkeypatch.setitem(pool_module.RUN_WEIGHTS, "toy2d", 3.0)
    p = RunPool(capacity=4.0, heartbeat_timeout=60.0)
    try:
        a, b = (p.open("toy", {"data": preset("Gaussian"), "seed": i}) for i in range(2))
        heavy = p.open("toy2d", {"data": preset_2d("Ring of 8 Gaussians")})
        c, d, e = (p.open("toy", {"data": preset("Gaussian"), "seed": i}) for i in range(2, 5))
        for r in (a, b, heavy, c, d, e):
            r.play()
        state = lambda: [r.view().state for r in (a, b, heavy, c, d, e)]   # noqa: E731
        assert state() == ["playing", "playing", "waiting", "playing", "playing", "waiting"]
        assert (heavy.view().position, e.view().position) == (1, 2)          # c and d run on a loan
        assert p._call(d._record, "status")["playing"]
        a.pause()                                   # a slot frees: with the loans back, heavy fits
        assert state() == ["paused", "playing", "playing", "waiting", "waiting", "waiting"]
        assert [r.view().position for r in (c, d, e)] == [1, 2, 3]           # in the order they asked
        assert c.view().message == pool_module.RECALLED
        wait_until(lambda: p._call(c._record, "status")["playing"], lambda x: not x, timeout=10)
        b.pause()                                   # c starts again, as the first in the queue now
        assert state() == ["paused", "paused", "playing", "playing", "waiting", "waiting"]
        assert c.view().message is None and d.view().position == 1
    finally:
        p.shutdown()


def test_a_run_starts_on_the_host_with_fewest_playing_runs_and_is_the_same_run_there():
    """Runs are placed when their pages open, most not yet playing; at its first start a run moves
    to the host with the fewest playing runs, rebuilt from its spec with the settings applied since,
    in order. The moved run is the run it was: its iterations equal those of a twin that did not move."""
    p = RunPool(hosts=2, capacity=8.0, heartbeat_timeout=60.0)
    try:
        a, b, c, d = (p.open("toy", {"data": preset("Gaussian"), "seed": 5 if i >= 2 else i}) for i in range(4))
        assert a.host_pid() == c.host_pid() != b.host_pid() == d.host_pid()   # by weight at open: 0, 1, 0, 1
        for run in (c, d):                        # the twins: the same seed and the same settings, in order
            run.apply({"k": 3})
            run.apply({"lr_d": 1e-3, "generator_cost": "saturating"})
        e = p.open("toy", {"data": preset("Gaussian")})                  # on host 0 too: 2 of 5 runs...
        e.do("iteration")                          # ...but it has taken a step: it stays where it is
        reads, stop = [], threading.Event()

        def read_c():                              # a page reading c throughout: never sees it end
            while not stop.is_set():
                reads.append(c.view().state)
        reader = threading.Thread(target=read_c)
        reader.start()
        a.play()
        c.play()                                   # host 0 has a playing run, host 1 none: c moves
        d.play()                                   # one each now: d stays
        e.play()
        stop.set()
        reader.join()
        assert c.host_pid() == b.host_pid() and d.host_pid() == b.host_pid() and e.host_pid() == a.host_pid()
        assert "ended" not in reads and c.view().state == "playing"
        assert p.stats()["runs"] == 5
        for run in (c, d):
            wait_until(lambda: run.view().snapshot["iteration"], lambda n: n > 50)
            run.pause()
            assert run.view().snapshot["config"] | {"seed": 5} == run.view().snapshot["config"]
        cfg = c.view().snapshot["config"]
        assert (cfg["k"], cfg["lr_d"], cfg["generator_cost"]) == (3, 1e-3, "saturating")
        hc, hd = (run.do("history")["history"] for run in (c, d))
        n = min(len(hc["iteration"]), len(hd["iteration"]))
        assert n > 50 and np.array_equal(hc["iteration"][:n], hd["iteration"][:n])
        for key in hc:
            np.testing.assert_array_equal(hc[key][:n], hd[key][:n])
    finally:
        p.shutdown()


def test_a_read_that_crossed_the_admission_does_not_pause_the_run(pool):
    """A page's read asked for while its run waited, answered (not playing) after the run was
    admitted, must not mark the run paused: its host would go on training it, unseen and unstoppable
    from the page. A stop the host reports after the start is taken in."""
    run = pool.open("toy", {"data": preset("Gaussian")})
    record = run._record
    asked = time.monotonic()
    stale = pool._call(record, "status")                 # the run is not playing yet
    assert not stale["playing"]
    run.play()                                           # admitted: its host starts it
    pool._absorb(record, stale, asked)
    assert record.state == "playing" and pool._call(record, "status")["playing"]
    pool._call(record, "play", False)                    # the host stops it by itself (as on divergence)
    asked = time.monotonic()
    pool._absorb(record, pool._call(record, "status"), asked)
    assert record.state == "paused"


def test_a_closed_tab_stops_its_run_frees_its_slot_and_later_ends_it(pool):
    gone = pool.open("toy", {"data": preset("Gaussian")})
    stays = pool.open("toy", {"data": preset("Gaussian")})
    waits = pool.open("toy", {"data": preset("Gaussian")})
    for r in (gone, stays, waits):
        r.heartbeat()
        r.play()
    # short timeouts, with room for a test process starved for a second or two on a loaded machine
    pool.heartbeat_timeout, pool.run_ttl = 5.0, 10.0
    assert waits.view().state == "waiting"

    def others_call_in_until(done):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not done():   # every page but one keeps its heartbeat
            stays.heartbeat()
            waits.heartbeat()
            time.sleep(0.2)

    others_call_in_until(lambda: gone._record.state == "paused")
    assert waits.view().state == "playing" and stays.view().state == "playing"  # its slot went on
    assert not gone.ended and "Training paused: this page had not called in for 5 s" in gone._record.message[1]
    others_call_in_until(lambda: gone.ended)
    assert gone.ended and "page was closed for over 10 s" in gone.ended
    with pytest.raises(RunEnded):
        gone.apply({"k": 2})


def test_an_open_page_keeps_its_run_without_calling_in_and_loses_it_once_closed(pool):
    """A page whose browser is too busy to call in, but still open on the run's page (its presence
    test holds), keeps its run training past the timeout; once the page is closed the run pauses
    within the timeout, and says why without blaming the browser. A presence test that raises
    counts as absent, not as a crash of the scheduler."""
    shown, broken = {"open": True}, pool.open("toy", {"data": preset("Gaussian")})
    busy = pool.open("toy", {"data": preset("Gaussian")})
    busy.keep_while(lambda: shown["open"])
    broken.keep_while(lambda: 1 / 0)
    for r in (busy, broken):
        r.heartbeat()
        r.play()
    pool.heartbeat_timeout = 3.0
    wait_until(lambda: broken._record.state, lambda s: s == "paused", timeout=15)   # no calls, no presence
    time.sleep(3 * pool.heartbeat_timeout)                             # no call from busy's page all along
    assert busy._record.state == "playing" and not busy._record.message
    assert pool._call(busy._record, "status")["playing"]
    # and it trained meanwhile (a read asks the host for a new snapshot; the next one brings it)
    wait_until(lambda: busy.view().snapshot["iteration"], lambda n: n > 100, timeout=10)
    shown["open"] = False                                              # its tab closes
    closed_at = time.monotonic()
    wait_until(lambda: busy._record.state, lambda s: s == "paused", timeout=15)
    assert time.monotonic() - closed_at < pool.heartbeat_timeout + 3
    assert "(it was closed or you were on another page)" in busy._record.message[1]
    assert broken._record.message[1].startswith("Training paused: this page had not called in for 3 s")
    wait_until(lambda: pool._call(busy._record, "status")["playing"], lambda p: not p, timeout=10)  # its host stopped


def test_a_page_known_closed_frees_its_slot_sooner_than_one_on_another_page(pool):
    """A page whose browser left (its ``closed`` test holds) frees its slot after CLOSED_GRACE_S,
    and the next in the queue starts; a page that is open on another page keeps the full timeout."""
    from gan_core.live.pool import CLOSED_GRACE_S
    page = {"shown": True, "closed": False}
    gone, elsewhere, waiting = (pool.open("toy", {"data": preset("Gaussian"), "seed": i}) for i in range(3))
    gone.keep_while(lambda: page["shown"], lambda: page["closed"])
    elsewhere.keep_while(lambda: False, lambda: False)                 # connected, not on the run's page
    for r in (gone, elsewhere, waiting):
        r.heartbeat()
        r.play()
    assert [r.view().state for r in (gone, elsewhere, waiting)] == ["playing", "playing", "waiting"]
    pool.heartbeat_timeout = 4 * CLOSED_GRACE_S
    time.sleep(1.0)                                                    # (a tick that saw the page open)
    page.update(shown=False, closed=True)                             # the tab closes
    closed_at = time.monotonic()
    wait_until(lambda: waiting.view().state, lambda s: s == "playing", timeout=CLOSED_GRACE_S + 5)
    assert time.monotonic() - closed_at < CLOSED_GRACE_S + 3
    assert gone._record.state == "paused" and elsewhere._record.state == "playing"
    assert gone._record.message[1] == ("Training paused: this page was closed, so its slot went to a classmate. "
                                       "Press Play to go on.")


def test_a_worker_without_runs_for_a_while_is_replaced_by_a_fresh_one():
    """What runs loaded stays in their worker after they end; a worker that has hosted runs and then had
    none for ``host_recycle`` seconds is replaced at once by a fresh process. A worker with a run, even a
    paused one, and one that never hosted a run are left alone."""
    pool = RunPool(hosts=1, host_recycle=1.0)
    try:
        first = pool._hosts[0].pid
        kept = pool.open("toy", {"data": preset("Gaussian")})     # paused
        time.sleep(2.0)
        assert kept.host_pid() == first and kept.view().state == "paused"
        kept.close()
        fresh = wait_until(lambda: pool._hosts[0].pid, lambda pid: pid != first, timeout=15)
        time.sleep(2.0)                      # the fresh worker has hosted nothing: it stays
        assert pool._hosts[0].pid == fresh and pool._hosts[0].alive()
        again = pool.open("toy", {"data": preset("Gaussian"), "seed": 2})   # and takes new runs
        assert again.host_pid() == fresh
        again.play()
        wait_until(lambda: again.view().snapshot["iteration"], lambda n: n > 0)
    finally:
        pool.shutdown()


def test_settings_from_the_environment_are_checked(monkeypatch):
    from gan_core.live.pool import _setting
    monkeypatch.setenv("GAN_LAB_WORKERS", "3")
    assert _setting("GAN_LAB_WORKERS", int, 1, 1024) == 3
    monkeypatch.setenv("GAN_LAB_WORKERS", "many")
    with pytest.raises(ValueError, match="GAN_LAB_WORKERS='many': expected a whole number from 1 to 1024"):
        _setting("GAN_LAB_WORKERS", int, 1, 1024)
    monkeypatch.setenv("GAN_LAB_CAPACITY", "0")
    with pytest.raises(ValueError, match="expected a value from 1 to"):
        _setting("GAN_LAB_CAPACITY", float, 1.0, 1e6)
    monkeypatch.delenv("GAN_LAB_CAPACITY")
    assert _setting("GAN_LAB_CAPACITY", float, 1.0, 1e6) is None
    from gan_core.live.pool import HOST_RECYCLE_S, _recycle_setting
    monkeypatch.setenv("GAN_LAB_HOST_RECYCLE", "0")
    assert _recycle_setting() == float("inf")              # 0: never
    monkeypatch.setenv("GAN_LAB_HOST_RECYCLE", "45")
    assert _recycle_setting() == 45.0
    monkeypatch.delenv("GAN_LAB_HOST_RECYCLE")
    assert _recycle_setting() == HOST_RECYCLE_S == 30.0
    monkeypatch.setenv("GAN_LAB_HOST_RECYCLE", "-1")
    with pytest.raises(ValueError, match="GAN_LAB_HOST_RECYCLE='-1': expected a value from 0 to"):
        _recycle_setting()


def test_a_killed_worker_ends_its_runs_with_the_reason_and_others_go_on(pool):
    a = pool.open("toy", {"data": preset("Gaussian")})
    b = pool.open("toy", {"data": preset("Gaussian")})
    assert a.host_pid() != b.host_pid() != os.getpid()   # placed on different worker processes
    a.play()
    b.play()
    os.kill(a.host_pid(), signal.SIGKILL)
    view = wait_until(a.view, lambda v: v.state == "ended", timeout=10)
    assert "SIGKILL" in view.ended and "Press Reset" in view.ended
    before = b.view().snapshot["iteration"]
    wait_until(lambda: b.view().snapshot["iteration"], lambda n: n > before)
    c = pool.open("toy", {"data": preset("Gaussian")})   # a new worker replaces the dead one
    c.do("iteration")
    assert c.view().snapshot["iteration"] == 1


def test_a_bad_spec_or_setting_is_refused_with_its_reason(pool):
    with pytest.raises(ValueError, match="k must be an integer"):
        pool.open("toy", {"data": preset("Gaussian"), "train": {"k": 0}})
    r = pool.open("toy", {"data": preset("Gaussian")})
    with pytest.raises(ValueError, match="lr_d must be a number"):
        r.apply({"lr_d": -1.0})
    with pytest.raises(ValueError, match="unknown settings"):
        r.apply({"learning_rate": 0.1})
    assert r.view().state == "paused" and r.view().snapshot["config"]["lr_d"] == 2e-3


# ---- the same flows on a real Ray cluster

def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ray_cluster():
    pytest.importorskip("ray", reason="Ray is not installed (requirements-ray.txt)")
    ray_cli = shutil.which("ray") or os.path.join(os.path.dirname(os.sys.executable), "ray")
    port = free_port()
    started = subprocess.run([ray_cli, "start", "--head", "--num-cpus", "2", "--port", str(port),
                              "--node-ip-address", "127.0.0.1", "--include-dashboard", "false",
                              "--disable-usage-stats"], capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stdout + started.stderr
    yield f"127.0.0.1:{port}"
    import ray
    ray.shutdown()
    subprocess.run([ray_cli, "stop", "--force"], capture_output=True, timeout=60)


@pytest.fixture
def ray_pool(ray_cluster, monkeypatch):
    from gan_core.live import pool as pool_module
    from gan_core.live.backends import RayBackend
    from ui.live import _pool
    p = RunPool(RayBackend(ray_cluster), heartbeat_timeout=30.0)
    monkeypatch.setattr(pool_module, "_default", p)   # the pages' pool is now the cluster's
    _pool.clear()
    yield p
    p.shutdown()
    _pool.clear()


@pytest.mark.ray
def test_ray_pool_hosts_runs_on_the_cluster(ray_pool):
    assert ray_pool.stats()["backend"] == "Ray cluster" and ray_pool.capacity == 8.0  # 4 per cluster CPU
    a = ray_pool.open("toy", {"data": preset("Gaussian"), "seed": 3})
    a.play()
    wait_until(lambda: a.view().snapshot["iteration"], lambda n: n > 0, timeout=60)
    assert a.apply({"k": 2}) == {"k": 2}
    with pytest.raises(ValueError, match="k must be an integer"):
        a.apply({"k": 0})
    a.pause()
    assert a.view().state == "paused" and a.view().snapshot["config"]["k"] == 2
    with pytest.raises(ValueError, match="no node of the cluster has a GPU"):   # this cluster has none
        ray_pool.open("mnist", {"model": "cgan", "device": "cuda"})


@pytest.mark.ray
def test_ray_toy_page_flows(ray_pool):
    from streamlit.testing.v1 import AppTest

    from tests.apptest import button, caption_with, iteration, page_path
    at = AppTest.from_file(page_path("toy_gan.py"), default_timeout=90).run()
    assert not at.exception and iteration(at) == 0
    assert ray_pool.stats()["runs"] == 1                       # the page's run is on the cluster
    button(at, "One iteration").click().run()
    assert iteration(at) == 1
    button(at, "Play").click().run()
    run = at.session_state["toy.run"]
    wait_until(lambda: run.view().snapshot["iteration"], lambda n: n > 1, timeout=60)
    at.slider(key="toy.k").set_value(3).run()
    assert "k = 3," in caption_with(at, "In effect:") and at.session_state["toy.run"] is run
    button(at, "Pause").click().run()
    assert run.view().state == "paused" and not at.exception


def test_uploaded_idx_data_reaches_the_worker_that_trains_on_it(pool):
    """The server parses a student's IDX upload; the worker hosting the run gets the arrays."""
    from gan_core.mnist.data import dataset_from_uploads, uploaded_arrays
    from tests.test_mnist_data import idx_bytes
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (32, 28, 28), dtype=np.uint8)
    labels = np.arange(32, dtype=np.uint8) % 10
    name = dataset_from_uploads([("imgs.idx3", idx_bytes(images)), ("labels.idx1", idx_bytes(labels))])
    run = pool.open("mnist", {"model": "dcgan", "data": name, "train": {"batch_size": 8},
                              "uploaded": uploaded_arrays(name)})
    assert run.host_pid() != os.getpid()
    run.do("iteration")
    snap = run.view().snapshot
    assert snap["dataset"] == name and snap["iteration"] == 1
    with pytest.raises(ValueError):       # without the arrays a worker cannot know the upload
        pool.open("mnist", {"model": "dcgan", "data": name[:-1] + "x", "train": {"batch_size": 8}})


def test_the_pool_sizes_itself_to_the_cores_the_app_may_use():
    """Started under taskset (or in a container's cpuset), the app counts the cores it may run on."""
    import subprocess
    import sys
    code = ("from gan_core.live.backends import LocalBackend; from gan_core.live.procinfo import usable_cores; "
            "print(usable_cores(), LocalBackend().capacity_cores())")
    out = subprocess.run(["taskset", "-c", "0", sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "1.0"]


def test_pages_with_nothing_new_check_in_rarely_and_a_long_queue_costs_a_fixed_share():
    from gan_core.live.pool import HEARTBEAT_TIMEOUT_S, RunView
    from ui.live import PAUSED_EVERY_S, WAITING_EVERY_S, live_every, waiting_every
    # a paused page checks in within the run's TTL; a page's other fragments stay still
    assert live_every(RunView(None, "paused"), 0.25) == PAUSED_EVERY_S == 10.0
    assert live_every(RunView(None, "ended"), 0.25) == PAUSED_EVERY_S
    for state in ("paused", "waiting", "ended"):
        assert live_every(RunView(None, state), 1.0, checks_in=False) is None
    # waiting pages: every 2 s while few wait; all of them together at most 2 check-ins per core and
    # second beyond; each still well within the heartbeat timeout that would pause its run
    assert waiting_every(1, 2) == WAITING_EVERY_S == 2.0
    assert waiting_every(12, 2) == 3.0
    assert [round(n / waiting_every(n, 2), 6) for n in (8, 12, 20)] == [4.0, 4.0, 4.0]
    assert waiting_every(1000, 2) == HEARTBEAT_TIMEOUT_S / 2 < HEARTBEAT_TIMEOUT_S


def test_pss_counts_shared_pages_once_across_processes():
    """The class benchmark's memory: a child that shares this process's libraries has a PSS below its
    RSS (its shared pages split between the two), and the pair's PSS sum is below their RSS sum."""
    import subprocess
    import sys

    from gan_core.live.procinfo import pss_bytes, rss_bytes
    code = "import numpy, sys; sys.stdout.write('ok'); sys.stdout.flush(); sys.stdin.read()"
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert child.stdout.read(2) == b"ok"
        me, other = os.getpid(), child.pid
        for pid in (me, other):
            assert 0 < pss_bytes(pid) <= rss_bytes(pid)
        assert pss_bytes(me) + pss_bytes(other) < rss_bytes(me) + rss_bytes(other)
    finally:
        child.communicate(b"")
    assert pss_bytes(other) == 0 and rss_bytes(other) == 0   # gone

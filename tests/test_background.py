"""The background worker trains, pauses, stops on divergence and when the page goes quiet."""
import time

from gan_core.background import BackgroundTraining
from gan_core.toy.distributions import preset
from gan_core.toy.game import build_toy_gan
from gan_core.trainer import TrainConfig


def _wait(cond, timeout=10.0):
    t0 = time.monotonic()
    while not cond() and time.monotonic() - t0 < timeout:
        time.sleep(0.01)
    return cond()


def test_trains_until_paused_and_keeps_the_run():
    trainer = build_toy_gan(preset("Gaussian"), TrainConfig())
    worker = BackgroundTraining(lambda: trainer.train(10))
    worker.start()
    assert _wait(lambda: trainer.iteration >= 50)
    worker.stop()
    assert not worker.running and worker.error is None
    n = trainer.iteration
    time.sleep(0.1)
    assert trainer.iteration == n  # paused means paused
    worker.start()
    assert _wait(lambda: trainer.iteration >= n + 50)  # the same run goes on
    worker.stop()


def test_settings_change_under_the_lock_while_training():
    trainer = build_toy_gan(preset("Gaussian"), TrainConfig())
    worker = BackgroundTraining(lambda: trainer.train(10))
    worker.start()
    assert _wait(lambda: trainer.iteration >= 20)
    with worker.lock:
        n = trainer.iteration
        trainer.set_config(k=3)
        assert trainer.iteration == n  # nothing steps while the page holds the lock
    d0 = trainer.d_steps
    assert _wait(lambda: trainer.iteration >= n + 30)
    worker.stop()
    assert trainer.d_steps - d0 >= 3 * 30


def test_divergence_stops_the_worker_with_the_trainers_message():
    trainer = build_toy_gan(preset("Gaussian"), TrainConfig(optimizer="sgd", lr_d=100.0, lr_g=100.0))
    worker = BackgroundTraining(lambda: trainer.train(10))
    worker.start()
    assert _wait(lambda: not worker.running)
    assert "diverged" in worker.error and trainer.divergence is not None


def test_stops_when_the_page_stops_calling():
    trainer = build_toy_gan(preset("Gaussian"), TrainConfig())
    worker = BackgroundTraining(lambda: trainer.train(10), idle_timeout=0.3)
    worker.start()
    assert _wait(lambda: not worker.running, timeout=5)
    assert worker.stopped_idle and worker.error is None

"""The MNIST pages in real Chromium: live training changes the grid; the pretrained page samples."""
import time

from tests.apptest import wait_until
from tests.browser import iteration_shown, metric_value, page_exceptions, screenshot, wait_for_iteration, wait_rendered


def _grid(page) -> str:
    """The grid image's URL. Streamlit names media by a hash of their bytes, so a new URL is a new
    picture; reading it does not wait for the element to hold still, as a screenshot would."""
    return page.locator('[data-testid="stImage"] img').first.get_attribute("src", timeout=30_000)


def test_mnist_live_trains_and_the_grid_changes(app_url, browser_page):
    page = browser_page
    page.goto(f"{app_url}/mnist_live")
    wait_rendered(page, 120_000)
    page.locator('[data-testid="stImage"] img').first.wait_for(timeout=120_000)  # a first visit reruns once
    assert iteration_shown(page) == 0
    before = _grid(page)
    screenshot(page, "mnist_live_start")
    page.get_by_role("button", name="Start").click()
    assert wait_for_iteration(page, 5, timeout_s=90) >= 5
    wait_until(lambda: _grid(page), lambda g: g != before, timeout=30, every=0.5,
               message="the fixed-noise grid did not change while training")
    assert metric_value(page, "samples/s") != "paused"
    screenshot(page, "mnist_live_training")
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Start").wait_for(timeout=60_000)  # the page has redrawn as paused
    wait_rendered(page)
    time.sleep(1.0)
    stopped = iteration_shown(page)
    time.sleep(2)
    assert iteration_shown(page) == stopped, "training went on after Pause"
    assert page_exceptions(page) == []


def test_pretrained_page_samples_an_uploaded_checkpoint(app_url, browser_page, tmp_path):
    from gan_core.mnist.checkpoints import save_checkpoint
    from gan_core.mnist.training import build_mnist_trainer, load_images
    from gan_core.mnist.models import CGANConfig
    from gan_core.trainer import TrainConfig
    trainer = build_mnist_trainer(CGANConfig(), TrainConfig(batch_size=8), images=load_images("embedded")[:2])
    trainer.train(2)
    path = tmp_path / "my_cgan.safetensors"
    save_checkpoint(path, trainer)

    page = browser_page
    page.goto(f"{app_url}/pretrained")
    wait_rendered(page, 120_000)
    page.get_by_text("upload a checkpoint").wait_for(timeout=120_000)  # a first visit reruns once
    time.sleep(1.0)
    wait_rendered(page, 120_000)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_text("Loaded my_cgan.safetensors").wait_for(timeout=120_000)
    wait_rendered(page, 120_000)
    before = _grid(page)
    page.get_by_role("button", name="New samples").click()
    wait_until(lambda: _grid(page), lambda g: g != before, timeout=60, every=0.5,
               message="New samples did not change the samples")
    wait_rendered(page, 60_000)
    assert page.locator('[data-testid="stImage"]').count() >= 4
    screenshot(page, "pretrained_uploaded_cgan")
    assert page_exceptions(page) == []

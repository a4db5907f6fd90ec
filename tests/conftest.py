import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)  # AppTest.from_file and the app use paths relative to the repository root

import torch  # noqa: E402

torch.set_num_threads(1)

from tests.browser import app_url, browser, browser_page  # noqa: E402,F401  (fixtures)

"""A served app puts what it holds at start-up out of the garbage collector's reach; a test app does not."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.servers.app_processes import CHECKOUT

PROBE = """
import gc, json, sys
from web import create_app
gc.collect()
before = gc.get_freeze_count()
create_app(json.loads(sys.argv[1]))
print(json.dumps([before, gc.get_freeze_count()]))
"""


def _freeze_counts(tmp_path, **config) -> list[int]:
    config = {"SECRET_KEY": "gc", "DATABASE_URL": f"sqlite:///{tmp_path / 'gc.db'}", "FILES_DIR": str(tmp_path),
              **config}
    out = subprocess.run([sys.executable, "-c", PROBE, json.dumps(config)], cwd=CHECKOUT, capture_output=True,
                         text=True, timeout=120, env={"MAILBOX_INSTANCE_PATH": str(tmp_path), "PATH": ""})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_served_app_freezes_what_it_built(tmp_path):
    before, after = _freeze_counts(tmp_path)
    assert before == 0 and after > 10_000  # the modules, the app, its templates' environment


def test_testing_and_the_setting_keep_the_collector_as_it_is(tmp_path):
    assert _freeze_counts(tmp_path, TESTING=True) == [0, 0]
    assert _freeze_counts(tmp_path, GC_FREEZE=False) == [0, 0]

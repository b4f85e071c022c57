"""A large import draws a progress bar on a terminal's stderr, and keeps stdout clean."""

import json
import os
import pty
import subprocess
from datetime import date

from followup.cli.progress import MIN_ROWS
from followup.demo_data import demo_rows, write_demo_file
from tests.support.processes import FOLLOWUP, clean_env


def test_large_import_shows_progress_on_a_terminal(db_url, tmp_path):
    path = write_demo_file(tmp_path / "big.csv", demo_rows(MIN_ROWS, date(2026, 11, 1)))
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [str(FOLLOWUP), "import", str(path), "--json"],
        cwd=tmp_path,
        env=clean_env(db_url),
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    terminal = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the other end closed: the process is gone
            break
        if not chunk:
            break
        terminal += chunk
    stdout, _ = process.communicate(timeout=120)
    os.close(leader)

    assert process.returncode == 0
    assert json.loads(stdout)["imported"] == MIN_ROWS
    assert b"inlezen [" in terminal and b"100%" in terminal

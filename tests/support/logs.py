"""The commands' own logging set-up in a test, writing to a buffer instead of stderr."""

import io
import logging
import sys
from collections.abc import Callable, Iterator

from followup.cli.runtime import setup_logging


def logged_lines(monkeypatch, log_format: str) -> Iterator[Callable[[], list[str]]]:
    """Use as a fixture's body: yields a function that returns the lines logged so far."""
    root, stderr = logging.getLogger(), io.StringIO()
    level = root.level
    monkeypatch.setattr(root, "handlers", [])  # pytest's capture handlers come back after
    monkeypatch.setattr(sys, "stderr", stderr)
    monkeypatch.setenv("FOLLOWUP_LOG_FORMAT", log_format)
    setup_logging(verbose=False)
    yield lambda: stderr.getvalue().splitlines()
    root.setLevel(level)

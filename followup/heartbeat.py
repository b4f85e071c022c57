"""The worker's sign of life for a container health check (it has no HTTP port): a file
whose modification time the scheduler renews every few seconds, after a `SELECT 1`, so a
fresh file says the scheduler runs and the database answers."""

import time
from pathlib import Path

BEAT_EVERY_SECONDS = 10
STALE_AFTER_SECONDS = 60  # six beats missed: a long pass does not hold the beat up


def beat(path: Path) -> None:
    path.touch()


def age_seconds(path: Path) -> float | None:
    """Seconds since the last beat; None when there never was one."""
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None

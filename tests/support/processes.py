"""Run the real `followup` command and server as subprocesses."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from followup.cli.runtime import listen

FOLLOWUP = Path(sys.executable).with_name("followup")
_SERVING = re.compile(r"draait op (http://[^/\s]+)/")


def clean_env(database_url: str | None = None, **extra: str) -> dict[str, str]:
    """The caller's environment without any FOLLOWUP_ setting, plus the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWUP_")}
    if database_url:
        env["FOLLOWUP_DATABASE_URL"] = database_url
    env.update(extra)
    return env


def followup(
    *args: str, cwd: Path, env: dict[str, str], stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FOLLOWUP), *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def listening_socket() -> socket.socket:
    """Bound to a port the system chose and listening already: no other process can take
    the port between choosing and binding it."""
    return listen("127.0.0.1", 0)


@contextmanager
def refusing_port() -> Iterator[int]:
    """A port that is bound but not listening while the block runs: a connection to it is
    refused, and no other process can start listening on it meanwhile."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@contextmanager
def serving(*args: str, cwd: Path, env: dict[str, str], ready_timeout: float = 60) -> Iterator[str]:
    """`followup serve ARGS` on a port it chooses itself; yields its base URL, as the server
    reports it, once it answers. Without FOLLOWUP_PUBLIC_URL in `env`, the carrier reaches it
    there too."""
    log_path = cwd / "serve.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [str(FOLLOWUP), "serve", "--port", "0", *args],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"serve exited with {process.returncode}: {log_path.read_text()}"
                )
            if started := _SERVING.search(log_path.read_text()):
                base = started[1]
                try:
                    with urllib.request.urlopen(base + "/", timeout=2):
                        break
                except OSError:
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"serve did not answer in time: {log_path.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()

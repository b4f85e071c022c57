"""Run the real `followup` command and server as subprocesses."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FOLLOWUP = Path(sys.executable).with_name("followup")


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(
    *args: str, cwd: Path, env: dict[str, str], ready_timeout: float = 60, port: int | None = None
) -> Iterator[str]:
    """`followup serve ARGS` on `port` (default: a free one); yields its base URL once it
    answers."""
    port = port or free_port()
    log = (cwd / "serve.log").open("w")
    process = subprocess.Popen(
        [str(FOLLOWUP), "serve", "--port", str(port), *args],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"serve exited with {process.returncode}: {(cwd / 'serve.log').read_text()}"
                )
            try:
                with urllib.request.urlopen(base + "/", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("serve did not answer in time") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()

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
from dataclasses import dataclass
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


@dataclass
class Running:
    process: subprocess.Popen
    base: str  # its URL, as it reports it
    log: Path  # everything it printed


@contextmanager
def _running(argv: list[str], cwd: Path, env: dict[str, str], log_path: Path):
    """A `followup` process writing stdout and stderr to `log_path`; stopped with SIGTERM
    at the end of the block (if it still runs)."""
    log = log_path.open("w")
    process = subprocess.Popen(
        [str(FOLLOWUP), *argv], cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=20)
        log.close()


def _exited(process: subprocess.Popen, log_path: Path) -> None:
    if process.poll() is not None:
        raise RuntimeError(
            f"{process.args[1]} exited with {process.returncode}: {log_path.read_text()}"
        )


@contextmanager
def running(
    *command: str,
    cwd: Path,
    env: dict[str, str],
    log_name: str,
    ready_path: str = "/",
    ready_timeout: float = 60,
) -> Iterator[Running]:
    """`followup COMMAND` that serves HTTP on a port it chooses itself and prints where
    ("… draait op URL/"); yields once it answers at `ready_path`, stops it afterwards."""
    log_path = cwd / log_name
    with _running([*command, "--port", "0"], cwd, env, log_path) as process:
        deadline = time.monotonic() + ready_timeout
        while True:
            _exited(process, log_path)
            if started := _SERVING.search(log_path.read_text()):
                base = started[1]
                try:
                    with urllib.request.urlopen(base + ready_path, timeout=2):
                        break
                except OSError:
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not answer in time: {log_path.read_text()}")
            time.sleep(0.2)
        yield Running(process, base, log_path)


@contextmanager
def serving(*args: str, cwd: Path, env: dict[str, str], ready_timeout: float = 60) -> Iterator[str]:
    """`followup serve ARGS` on a port it chooses itself; yields its base URL, as the server
    reports it, once it answers. Without FOLLOWUP_PUBLIC_URL in `env`, the carrier reaches it
    there too."""
    with running(
        "serve", *args, cwd=cwd, env=env, log_name="serve.log", ready_timeout=ready_timeout
    ) as serve:
        yield serve.base


@contextmanager
def working(
    *args: str, cwd: Path, env: dict[str, str], ready_timeout: float = 60
) -> Iterator[subprocess.Popen]:
    """`followup worker ARGS`, once it says it runs; its output goes to `cwd/worker.log`."""
    log_path = cwd / "worker.log"
    with _running(["worker", *args], cwd, env, log_path) as process:
        deadline = time.monotonic() + ready_timeout
        while "followup worker draait" not in log_path.read_text():
            _exited(process, log_path)
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start in time: {log_path.read_text()}")
            time.sleep(0.2)
        yield process

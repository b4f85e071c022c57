"""A PostgreSQL cluster of the test's own, made with `initdb` and run with `pg_ctl` on a free
port, so a test can stop and restart the server under a running service without disturbing
anyone else's databases.

initdb refuses to run as root: as root (CI's container runs as root), the cluster runs as
the `postgres` user the server's package made, in a temporary directory it owns. CI must
have the binaries (`postgresql` is installed for the shared server anyway): there a
missing binary fails the test, elsewhere it skips it.
"""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy.engine import URL

from tests.support.databases import in_ci
from tests.support.processes import listening_socket

SERVER_USER = "postgres"
START_TRIES = 5  # another process may take the free port between choosing and starting


def postgres_bindir() -> Path | None:
    """Where initdb and pg_ctl are: next to a pg_ctl on PATH, else Debian's newest."""
    candidates = []
    if on_path := shutil.which("pg_ctl"):
        candidates.append(Path(on_path).resolve().parent)
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    newest_first = sorted(versions, key=lambda d: _version(Path(d).parent.name), reverse=True)
    candidates += [Path(d) for d in newest_first]
    for directory in candidates:
        if all((directory / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _missing(reason: str) -> NoReturn:
    if in_ci():
        pytest.fail(f"CI runs the tests with a PostgreSQL of their own: {reason}")
    pytest.skip(reason)


class OwnPostgres:
    """One cluster: `start`, `stop`, `restart`; `server` is its URL for tests.support.databases."""

    def __init__(self, bindir: Path, root: Path, as_user: str | None) -> None:
        self._bindir = bindir
        self._as_user = as_user
        self.data = root / "data"
        self.log = root / "server.log"
        self.port = 0

    @property
    def server(self) -> URL:
        return URL.create(
            "postgresql+asyncpg", username="postgres", host="127.0.0.1", port=self.port
        )

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self._bindir / tool), *args]
        if self._as_user:
            command = ["runuser", "-u", self._as_user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if check and done.returncode != 0:
            raise RuntimeError(f"{tool} {args[-1]} failed: {done.stdout}{done.stderr}")
        return done

    def initdb(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", *args,
            check=check,
        )  # fmt: skip

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "stop")

    def restart(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "restart")

    def start_on_a_free_port(self) -> None:
        for _ in range(START_TRIES):
            with listening_socket() as sock:
                self.port = sock.getsockname()[1]
            # postgresql.conf: later lines win, and a restart reads them again.
            with (self.data / "postgresql.conf").open("a") as conf:
                conf.write(
                    f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                    f"unix_socket_directories = '{self.data}'\nshared_buffers = '16MB'\n"
                )
            if self._pg_ctl("start", check=False).returncode == 0:
                return
        raise RuntimeError(f"PostgreSQL did not start: {self.log.read_text()}")

    def stop_for_good(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("-m", "immediate", "stop", check=False)


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    """A fresh cluster, running; always stopped and removed afterwards."""
    bindir = postgres_bindir()
    if bindir is None:
        _missing("no initdb/pg_ctl found (on PATH or in /usr/lib/postgresql/*/bin)")
    as_user = None
    if os.geteuid() == 0:  # initdb refuses root
        try:
            owner = pwd.getpwnam(SERVER_USER)
        except KeyError:
            _missing(f"running as root and there is no user {SERVER_USER!r} to run PostgreSQL")
        as_user = SERVER_USER
    root = Path(tempfile.mkdtemp(prefix="followup-own-pg-"))
    try:
        if as_user:
            os.chown(root, owner.pw_uid, owner.pw_gid)
        cluster = OwnPostgres(bindir, root, as_user)
        cluster.initdb()
        cluster.start_on_a_free_port()
        try:
            yield cluster
        finally:
            cluster.stop_for_good()
    finally:
        shutil.rmtree(root, ignore_errors=True)

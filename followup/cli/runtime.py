"""What every command needs: settings, a database, exit codes and error output."""

import json
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup import logs
from followup.settings import Settings
from followup.store.engine import create_engine, session_factory
from followup.store.migrate import current_revision, head_revision

OK, ATTENTION, REFUSED = 0, 1, 2
CLI_ACTOR = "cli"


class Refused(Exception):
    """Bad usage or input: print the (Dutch) message and exit 2; nothing was changed."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"FOLLOWUP_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in error.errors()
        )
        raise Refused(f"ongeldige instelling: {problems}") from None


@asynccontextmanager
async def database(
    settings: Settings, *, require_schema: bool = True
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(settings.database_url)
    try:
        if require_schema and await _revision(engine) != head_revision():
            raise Refused(
                "de database is nog niet bijgewerkt: voer eerst 'followup db upgrade' uit"
            )
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def _revision(engine: Any) -> str | None:
    try:
        return await current_revision(engine)
    except (OSError, OperationalError) as error:
        raise Refused(f"kan de database niet bereiken: {error}") from None


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on `host`:`port`; port 0 takes a free one (see `getsockname`)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as error:  # the port is taken, or the address is not this machine's
        raise Refused(f"kan niet luisteren op {host}:{port}: {error.strerror}") from None


def print_json(document: dict[str, Any]) -> None:
    json.dump(document, sys.stdout, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def setup_logging(verbose: bool) -> None:
    # A bad FOLLOWUP_LOG_FORMAT refuses the command: exit 2.
    logs.setup_logging(load_settings().log_format, verbose)

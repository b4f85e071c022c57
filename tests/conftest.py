"""Database fixtures: every data test runs on real SQLite and on real PostgreSQL."""

import gc
import json
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.store.engine import create_engine, session_factory
from tests.support.databases import (
    POSTGRES_ENV,
    check_postgres,
    create_postgres_database,
    drop_postgres_database,
    empty_postgres_tables,
    in_ci,
    migrate,
    postgres_server_url,
)
from tests.support.logs import logged_lines
from tests.support.own_postgres import own_postgres  # noqa: F401 (a fixture for every test)

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pytest_configure(config: pytest.Config) -> None:
    if in_ci() and postgres_server_url() is None:
        raise pytest.UsageError(f"CI runs the PostgreSQL tests: set {POSTGRES_ENV}")


@pytest.fixture(autouse=True)
def collect_garbage_after_the_test() -> Iterator[None]:
    """A socket or file left open in a reference cycle is otherwise found by whichever later
    test happens to trigger the collector, and fails that test. Collecting here makes the
    ResourceWarning fail the test that leaked it, every time. What survives is frozen, so each
    collection looks only at what its own test made: a full one over the whole heap, after
    every test, doubled the suite's time."""
    yield
    gc.collect()
    gc.freeze()


@pytest.fixture(scope="session")
def postgres_server():
    server = postgres_server_url()
    if server is None:
        pytest.skip(f"no PostgreSQL configured ({POSTGRES_ENV} is not set)")
    try:
        check_postgres(server)
    except Exception as error:  # configured but unusable: never a silent skip
        pytest.fail(f"{POSTGRES_ENV} is set but PostgreSQL cannot be used: {error}")
    return server


@pytest.fixture(scope="session")
def migrated_postgres(postgres_server) -> Iterator[str]:
    database = create_postgres_database(postgres_server)
    url = database.render_as_string(hide_password=False)
    migrate(url)
    yield url
    drop_postgres_database(postgres_server, database)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "followup.db"
    migrate(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(params=DATABASES)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "followup.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
    else:
        url = request.getfixturevalue("migrated_postgres")
        await empty_postgres_tables(url)
        yield url


@pytest.fixture(params=DATABASES)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all, for migration tests."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    database = create_postgres_database(server, "followup_empty")
    yield database.render_as_string(hide_password=False)
    drop_postgres_database(server, database)


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(db_url)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture
def json_logs(monkeypatch):
    """The lines logged so far in the JSON format, as the commands set it up, parsed."""
    for lines in logged_lines(monkeypatch, "json"):
        yield lambda lines=lines: [json.loads(line) for line in lines()]


@pytest.fixture
def text_logs(monkeypatch):
    """The lines logged so far in the text format, as the commands set it up."""
    yield from logged_lines(monkeypatch, "text")

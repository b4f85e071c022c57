import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from followup.settings import SIM_ACCOUNT_SID, SIM_FROM, TWILIO_API_BASE, Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No `.env` in the working directory and no FOLLOWUP_ variable from the caller's shell."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.upper().startswith("FOLLOWUP_"):
            monkeypatch.delenv(name)


def test_defaults():
    settings = Settings()
    assert settings.database_url == "sqlite+aiosqlite:///./followup.db"
    assert settings.is_sqlite
    assert settings.carrier == "sim"
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.zone == ZoneInfo("Europe/Amsterdam")
    assert settings.public_url == "http://127.0.0.1:8080"
    assert settings.twilio_account_sid == SIM_ACCOUNT_SID
    assert settings.twilio_from == SIM_FROM
    assert settings.twilio_api_base == TWILIO_API_BASE
    assert settings.outbox_dir == Path("outbox")
    assert settings.smtp_url is None
    assert settings.secret_key is None
    assert settings.log_format == "text"


@pytest.mark.parametrize(
    ("name", "value", "attribute", "expected"),
    [
        pytest.param("FOLLOWUP_CARRIER", "twilio", "carrier", "twilio", id="carrier"),
        pytest.param("FOLLOWUP_TIMEZONE", "UTC", "timezone", "UTC", id="timezone"),
        pytest.param("FOLLOWUP_PUBLIC_URL", "https://nabellen.example.nl", "public_url",
                     "https://nabellen.example.nl", id="public-url"),
        pytest.param("FOLLOWUP_PUBLIC_URL", "https://nabellen.example.nl/", "public_url",
                     "https://nabellen.example.nl", id="public-url-trailing-slash"),
        pytest.param("FOLLOWUP_TWILIO_API_BASE", "http://127.0.0.1:9000/", "twilio_api_base",
                     "http://127.0.0.1:9000", id="twilio-api-base"),
        pytest.param("FOLLOWUP_OUTBOX_DIR", "/var/mail/out", "outbox_dir", Path("/var/mail/out"),
                     id="outbox-dir"),
        pytest.param("FOLLOWUP_SMTP_URL", "smtp://mail:25", "smtp_url", "smtp://mail:25",
                     id="smtp-url"),
        pytest.param("FOLLOWUP_LOG_FORMAT", "json", "log_format", "json", id="log-format"),
        pytest.param("FOLLOWUP_METRICS_PORT", "9100", "metrics_port", 9100, id="metrics-port"),
        pytest.param("followup_carrier", "twilio", "carrier", "twilio", id="lower-case-name"),
        pytest.param("FOLLOWUP_DATABASE_URL", "postgresql://u:p@db:5432/followup",
                     "database_url", "postgresql+asyncpg://u:p@db:5432/followup",
                     id="postgresql"),
        pytest.param("FOLLOWUP_DATABASE_URL", "postgres://u@db/followup", "database_url",
                     "postgresql+asyncpg://u@db/followup", id="postgres"),
        pytest.param("FOLLOWUP_DATABASE_URL", "postgresql+asyncpg://u@db/followup",
                     "database_url", "postgresql+asyncpg://u@db/followup",
                     id="postgresql-asyncpg-kept"),
        pytest.param("FOLLOWUP_DATABASE_URL", "sqlite:///x.db", "database_url",
                     "sqlite+aiosqlite:///x.db", id="sqlite"),
        pytest.param("FOLLOWUP_DATABASE_URL", "sqlite:////srv/data/x.db", "database_url",
                     "sqlite+aiosqlite:////srv/data/x.db", id="sqlite-absolute"),
    ],
)  # fmt: skip
def test_environment_overrides(monkeypatch, name, value, attribute, expected):
    monkeypatch.setenv(name, value)
    assert getattr(Settings(), attribute) == expected


@pytest.mark.parametrize(
    ("url", "is_sqlite"),
    [
        pytest.param("sqlite:///x.db", True, id="sqlite"),
        pytest.param("postgres://u@db/followup", False, id="postgres"),
    ],
)
def test_is_sqlite(url, is_sqlite):
    assert Settings(database_url=url).is_sqlite is is_sqlite


def test_dotenv_in_working_directory_is_read(tmp_path):
    (tmp_path / ".env").write_text("FOLLOWUP_CARRIER=twilio\nFOLLOWUP_TIMEZONE=UTC\n")
    settings = Settings()
    assert settings.carrier == "twilio"
    assert settings.timezone == "UTC"


def test_environment_wins_over_dotenv(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("FOLLOWUP_TIMEZONE=UTC\n")
    monkeypatch.setenv("FOLLOWUP_TIMEZONE", "Europe/Brussels")
    assert Settings().timezone == "Europe/Brussels"


@pytest.mark.parametrize(
    ("name", "value", "field"),
    [
        pytest.param("FOLLOWUP_DATABASE_URL", "mysql://u@db/followup", "database_url",
                     id="mysql"),
        pytest.param("FOLLOWUP_DATABASE_URL", "followup.db", "database_url", id="no-scheme"),
        pytest.param("FOLLOWUP_DATABASE_URL", "sqlite+pysqlite:///x.db", "database_url",
                     id="sync-sqlite-driver"),
        pytest.param("FOLLOWUP_TIMEZONE", "Mars/Olympus", "timezone", id="unknown-zone"),
        pytest.param("FOLLOWUP_TIMEZONE", "Europe", "timezone", id="zone-directory"),
        pytest.param("FOLLOWUP_TIMEZONE", "../etc/passwd", "timezone", id="zone-path"),
        pytest.param("FOLLOWUP_PUBLIC_URL", "nabellen.example.nl", "public_url",
                     id="public-url-no-scheme"),
        pytest.param("FOLLOWUP_PUBLIC_URL", "ftp://nabellen.example.nl", "public_url",
                     id="public-url-ftp"),
        pytest.param("FOLLOWUP_TWILIO_API_BASE", "api.twilio.com", "twilio_api_base",
                     id="twilio-api-base-no-scheme"),
        pytest.param("FOLLOWUP_CARRIER", "kpn", "carrier", id="unknown-carrier"),
        pytest.param("FOLLOWUP_LOG_FORMAT", "xml", "log_format", id="unknown-log-format"),
        pytest.param("FOLLOWUP_METRICS_TOKEN", "geheim", "metrics_token", id="short-token"),
        pytest.param("FOLLOWUP_METRICS_PORT", "99999", "metrics_port", id="metrics-port-range"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_naming_the_field(monkeypatch, name, value, field):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as error:
        Settings()
    assert [e["loc"] for e in error.value.errors()] == [(field,)]
    assert field in str(error.value)


def test_bad_database_url_message_shows_what_to_write(monkeypatch):
    monkeypatch.setenv("FOLLOWUP_DATABASE_URL", "mysql://u@db/followup")
    with pytest.raises(ValidationError) as error:
        Settings()
    assert "sqlite+aiosqlite" in str(error.value)
    assert "postgresql+asyncpg" in str(error.value)


def test_secrets_are_not_in_repr(monkeypatch):
    monkeypatch.setenv("FOLLOWUP_TWILIO_AUTH_TOKEN", "tok-very-secret")
    monkeypatch.setenv("FOLLOWUP_SECRET_KEY", "key-very-secret")
    monkeypatch.setenv("FOLLOWUP_SMTP_URL", "smtp://user:pw-very-secret@mail:25")
    text = repr(Settings())
    assert "very-secret" not in text

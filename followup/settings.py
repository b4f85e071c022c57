"""One settings object, built at start from the environment and `.env`, then passed in."""

import re
from datetime import date, datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from followup.rules.erasure import DEFAULT_RETENTION_MONTHS, LEGAL_MINIMUM_MONTHS

# The simulated carrier's credentials: harmless, and the same in every process so the
# service and an out-of-process `followup sim-carrier` sign and check alike.
SIM_ACCOUNT_SID = "AC" + "5" * 32
SIM_AUTH_TOKEN = "sim-auth-token-not-secret"
SIM_FROM = "+3197010000001"
TWILIO_API_BASE = "https://api.twilio.com"

_DRIVERS = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FOLLOWUP_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite+aiosqlite:///./followup.db"
    carrier: Literal["sim", "twilio"] = "sim"
    twilio_account_sid: str = SIM_ACCOUNT_SID
    twilio_auth_token: str = Field(default=SIM_AUTH_TOKEN, repr=False)
    twilio_from: str = SIM_FROM
    twilio_api_base: str = TWILIO_API_BASE
    public_url: str = "http://127.0.0.1:8080"
    smtp_url: str | None = Field(default=None, repr=False)
    outbox_dir: Path = Path("outbox")
    # Inbound SMS and status callbacks kept while the database is unreachable (numbers and
    # texts: files readable by this service's user only, deleted once applied).
    spool_dir: Path = Path("spool")
    secret_key: str | None = Field(default=None, repr=False)
    timezone: str = "Europe/Amsterdam"
    plan_interval_seconds: int = Field(default=300, ge=10)
    dispatch_interval_seconds: int = Field(default=10, ge=1)
    dispatch_batch_size: int = Field(default=500, ge=1, le=5000)
    dispatch_concurrency: int = Field(default=32, ge=1, le=1000)
    # Twilio's defaults for one account: one call a second, about ten messages a second.
    calls_per_second: float = Field(default=1.0, gt=0)
    messages_per_second: float = Field(default=10.0, gt=0)
    emails_per_second: float = Field(default=5.0, gt=0)
    carrier_timeout_seconds: float = Field(default=15.0, gt=0, le=120)
    lookup_before_sms: bool = False  # Twilio charges per lookup
    sender_name: str = Field(default="het belteam van de gemeente", min_length=3, max_length=80)
    email_from: str = "belteam@gemeente.example"
    log_format: Literal["text", "json"] = "text"  # json: one object a line, for a collector
    # Behind a proxy that adds the client's address to X-Forwarded-For: the sign-in limits
    # count per that address. Off, they count per connecting address (the proxy's, if any).
    trust_forwarded_for: bool = False
    # /metrics: to this bearer token on the main port, or on a port of its own (then not on
    # the main port); with neither, nowhere (web/metrics_endpoint.py).
    metrics_token: str | None = Field(default=None, min_length=16, repr=False)
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"
    # How long personal data of a closed follow-up is kept before `followup purge` erases it.
    retention_months: int = Field(default=DEFAULT_RETENTION_MONTHS, ge=LEGAL_MINIMUM_MONTHS)

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        """Accept the usual `postgresql://` and `sqlite://` spellings, run on the async driver."""
        scheme, sep, rest = value.partition("://")
        if not sep or scheme not in _DRIVERS:
            raise ValueError(
                "use sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST:PORT/DB"
            )
        return f"{_DRIVERS[scheme]}://{rest}"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("public_url", "twilio_api_base")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("twilio_from")
    @classmethod
    def _e164(cls, value: str) -> str:
        if not re.fullmatch(r"\+[1-9]\d{6,14}", value):
            raise ValueError("must be a number in E.164, like +3197010000001")
        return value

    @property
    def team_number(self) -> str:
        """Our number as residents write it ("097 010000001"): SMS come from it, calls too."""
        number = phonenumbers.parse(self.twilio_from, "NL")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_date(self, moment: datetime) -> date:
        """The municipality's calendar day at `moment` (dates in files and reports are local)."""
        return moment.astimezone(self.zone).date()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

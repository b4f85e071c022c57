"""Column types that behave the same on SQLite and PostgreSQL."""

import json
from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from followup.rules.audit_chain import detail_text


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; SQLite would otherwise drop the zone."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum: type[StrEnum], name: str, *, checked: bool = True) -> sa.Enum:
    """Stored as text with a CHECK constraint: portable, and a new value is a plain migration.
    `checked=False` for a copy of a column that has the check already."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=checked,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class CanonicalJSON(TypeDecorator[dict]):
    """A JSON document stored as its canonical text (`rules.audit_chain.detail_text`): the
    audit chain hashes that text, and checking it reads the text as it is."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: dict | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else detail_text(value)

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> dict | None:
        return None if value is None else json.loads(value)

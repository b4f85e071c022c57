"""The whole data model on one metadata, for the migrations and the tests that compare the
database with it: importing both halves puts every table on it."""

from followup.store import channel_health, staff_tables, tables  # noqa: F401
from followup.store.model_base import Base

METADATA = Base.metadata

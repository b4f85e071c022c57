"""Use case: the planning rules coordinators may change (ladder, windows, rounds) without a
code change. Kept in the database so every process plans alike; a change applies to rounds
that open after it."""

import json
import time
from collections.abc import Callable
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import AuditAction
from followup.rules.planning_rules import PlanningRules
from followup.store.app_settings import read_setting, write_setting
from followup.store.audit import record_audit
from followup.store.unit_of_work import unit_of_work

PLANNING_KEY = "planning"


class PlanningSettingsError(ValueError):
    """Stored or offered rules that cannot be used; the message names the setting."""


def parse_rules(document: str | bytes) -> PlanningRules:
    try:
        return PlanningRules.model_validate_json(document)
    except ValidationError as error:
        raise PlanningSettingsError(describe(error)) from None


# Pydantic's own messages are English; a coordinator reads these instead.
_DUTCH = {
    "greater_than_equal": "moet minstens {ge} zijn",
    "less_than_equal": "mag hoogstens {le} zijn",
    "int_parsing": "moet een heel getal zijn",
    "int_type": "moet een heel getal zijn",
    "time_parsing": "is geen tijd; schrijf UU:MM",
    "time_type": "is geen tijd; schrijf UU:MM",
    "extra_forbidden": "is geen bekende instelling",
    "missing": "ontbreekt",
    "literal_error": "moet een van deze zijn: {expected}",
    "too_short": "mag niet leeg zijn",
    "json_invalid": "dit is geen geldige JSON",
    "list_type": "moet een lijst zijn",
    "model_type": "moet een object met instellingen zijn",
    "dict_type": "moet een object met instellingen zijn",
}


def describe(error: ValidationError) -> str:
    """One Dutch line per problem, each starting with the setting it is about."""
    problems = []
    for e in error.errors():
        where = ".".join(str(part) for part in e["loc"])
        if e["type"] == "value_error":  # our own validators: already Dutch, field first
            message = str(e["ctx"]["error"])
        else:
            template = _DUTCH.get(e["type"])
            message = template.format(**e.get("ctx", {})) if template else e["msg"]
            message = message.replace("' or '", "' of '")
        problems.append(f"{where}: {message}" if where else message)
    return "; ".join(problems)


async def load_rules(sessions: async_sessionmaker[AsyncSession]) -> PlanningRules:
    """The stored rules, or the defaults; raises PlanningSettingsError when they are unusable."""
    async with unit_of_work(sessions) as uow:
        stored = await read_setting(uow.session, PLANNING_KEY)
    return PlanningRules() if stored is None else parse_rules(stored)


async def save_rules(
    sessions: async_sessionmaker[AsyncSession], rules: PlanningRules, *, now: datetime, actor: str
) -> None:
    value = json.dumps(rules.model_dump(mode="json"), ensure_ascii=False)
    async with unit_of_work(sessions) as uow:
        await write_setting(uow.session, PLANNING_KEY, value, now)
        record_audit(
            uow.session,
            now=now,
            actor=actor,
            action=AuditAction.PLANNING_CHANGED,
            detail=rules.model_dump(mode="json"),
        )
        await uow.commit()


class RulesCache:
    """The stored rules, read again at most once a `ttl`: webhooks need the contact windows
    on every failed delivery, and coordinators change them rarely."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.ttl = ttl
        self.clock = clock
        self._rules: PlanningRules | None = None
        self._read_at = 0.0

    async def get(self) -> PlanningRules:
        if self._rules is None or self.clock() - self._read_at >= self.ttl:
            self._rules = await load_rules(self.sessions)
            self._read_at = self.clock()
        return self._rules

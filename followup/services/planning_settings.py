"""Use case: the planning rules coordinators may change (ladder, windows, rounds) without a
code change. Kept in the database so every process plans alike; a change applies to rounds
that open after it."""

import hashlib
import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import AuditAction
from followup.rules.planning_rules import PlanningRules
from followup.store.app_settings import read_setting, replace_setting, write_setting
from followup.store.audit import record_audit
from followup.store.unit_of_work import unit_of_work

PLANNING_KEY = "planning"


class PlanningSettingsError(ValueError):
    """Stored or offered rules that cannot be used; each problem names its setting."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class ChangedMeanwhile(Exception):
    """Someone saved other rules since the version the change was made on: nothing saved."""


def parse_rules(document: str | bytes) -> PlanningRules:
    try:
        return PlanningRules.model_validate_json(document)
    except ValidationError as error:
        raise PlanningSettingsError(describe(error)) from None


def rules_from(settings: dict[str, Any]) -> PlanningRules:
    """The same checks as `parse_rules`, for settings a form gave (values may be text)."""
    try:
        return PlanningRules.model_validate(settings)
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
    "bool_parsing": "moet true of false zijn",
    "bool_type": "moet true of false zijn",
    "too_short": "mag niet leeg zijn",
    "json_invalid": "dit is geen geldige JSON",
    "list_type": "moet een lijst zijn",
    "model_type": "moet een object met instellingen zijn",
    "dict_type": "moet een object met instellingen zijn",
}


def describe(error: ValidationError) -> list[str]:
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
    return problems


def _version(stored: str | None) -> str:
    return hashlib.sha256((stored or "").encode()).hexdigest()[:16]


async def load_versioned_rules(
    sessions: async_sessionmaker[AsyncSession],
) -> tuple[PlanningRules, str]:
    """The stored rules (or the defaults) and the version a change must be made on
    (`save_rules(…, on_version=…)`), so a form cannot overwrite a colleague's change unseen."""
    async with unit_of_work(sessions) as uow:
        stored = await read_setting(uow.session, PLANNING_KEY)
    return _rules_of(stored), _version(stored)


async def rules_in(session: AsyncSession) -> PlanningRules:
    """The stored rules (or the defaults), read in the caller's transaction."""
    return _rules_of(await read_setting(session, PLANNING_KEY))


def _rules_of(stored: str | None) -> PlanningRules:
    return PlanningRules() if stored is None else parse_rules(stored)


async def load_rules(sessions: async_sessionmaker[AsyncSession]) -> PlanningRules:
    """The stored rules, or the defaults; raises PlanningSettingsError when they are unusable."""
    rules, _ = await load_versioned_rules(sessions)
    return rules


async def save_rules(
    sessions: async_sessionmaker[AsyncSession],
    rules: PlanningRules,
    *,
    now: datetime,
    actor: str,
    on_version: str | None = None,
    user_id: int | None = None,
) -> None:
    """Stores `rules`, audited. With `on_version`, only if the stored rules are still that
    version; otherwise raises ChangedMeanwhile and changes nothing."""
    value = json.dumps(rules.model_dump(mode="json"), ensure_ascii=False)
    async with unit_of_work(sessions) as uow:
        if on_version is None:
            await write_setting(uow.session, PLANNING_KEY, value, now)
        else:
            stored = await read_setting(uow.session, PLANNING_KEY)
            if _version(stored) != on_version or not await replace_setting(
                uow.session, PLANNING_KEY, stored, value, now
            ):
                raise ChangedMeanwhile
        record_audit(
            uow.session,
            now=now,
            actor=actor,
            user_id=user_id,
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

    def forget(self) -> None:
        """This process changed the rules: the next `get` reads them again."""
        self._rules = None

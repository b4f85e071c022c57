"""Use cases of the care words: read them (for a reply coming in, or the page), and let a
coordinator replace them. Kept in `app_settings` like the planning rules, so every process
reads the same list; until a coordinator sets one, `DEFAULT_CARE_WORDS` hold."""

import json
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.care_words import DEFAULT_CARE_WORDS, parse_care_words
from followup.rules.domain import AuditAction
from followup.store.app_settings import read_setting, write_setting
from followup.store.audit import record_audit
from followup.store.unit_of_work import unit_of_work
from followup.store.users import SignedIn

KEY = "care_words"


async def care_words(session: AsyncSession) -> tuple[str, ...]:
    stored = await read_setting(session, KEY)
    return tuple(json.loads(stored)) if stored else DEFAULT_CARE_WORDS


async def load_care_words(sessions: async_sessionmaker[AsyncSession]) -> tuple[str, ...]:
    async with unit_of_work(sessions) as uow:
        return await care_words(uow.session)


async def save_care_words(
    sessions: async_sessionmaker[AsyncSession], text: str, editor: SignedIn, now: datetime
) -> tuple[str, ...]:
    """Raises `CareWordsProblem` (an empty list, say) before anything is written."""
    words = parse_care_words(text)
    async with unit_of_work(sessions) as uow:
        await write_setting(uow.session, KEY, json.dumps(list(words), ensure_ascii=False), now)
        record_audit(
            uow.session,
            now=now,
            actor=editor.email,
            action=AuditAction.CARE_WORDS_CHANGED,
            user_id=editor.id,
            detail={"words": len(words)},
        )
        await uow.commit()
    return words

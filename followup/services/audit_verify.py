"""Check the audit chain from its first record to its head, a page at a time (a million
records never sit in memory), and remember the outcome for the admin page."""

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.audit_chain import ChainBreak, ChainedRecord, ChainWalk
from followup.store.app_settings import read_setting, write_setting
from followup.store.audit_chain import chain_head, chain_page, first_beyond_head
from followup.store.unit_of_work import unit_of_work

PAGE_SIZE = 10_000
YIELD_EVERY = 500
LAST_CHECK = "audit_last_check"


@dataclass(frozen=True, slots=True)
class ChainReport:
    whole: bool
    records: int
    head_seq: int
    head_hash: str
    first_broken: ChainBreak | None

    def as_json(self) -> dict[str, Any]:
        broken = self.first_broken
        return {
            "whole": self.whole,
            "records": self.records,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "first_broken": None
            if broken is None
            else {
                "kind": broken.kind.value,
                "seq": broken.seq,
                "id": broken.record_id,
                "at": broken.at.isoformat() if broken.at else None,
            },
        }


async def verify_chain(
    sessions: async_sessionmaker[AsyncSession], page_size: int = PAGE_SIZE
) -> ChainReport:
    """Walks the records up to the head as it is when the check starts; records written
    meanwhile are checked next time. Each page is a short transaction of its own."""
    async with unit_of_work(sessions) as uow:
        head_seq, head_hash = await chain_head(uow.session)

    async def page_after(seq: int) -> Sequence[ChainedRecord]:
        async with unit_of_work(sessions) as uow:
            return await chain_page(uow.session, seq, head_seq, page_size)

    walk, broken = ChainWalk(), None
    page = await page_after(0)
    while page and broken is None:
        # The database reads the next page while this one is hashed: the loop lets the
        # fetch take its next step now and then.
        following = asyncio.create_task(page_after(page[-1].seq))
        for n, record in enumerate(page):
            if broken := walk.step(record):
                break
            if n % YIELD_EVERY == 0:
                await asyncio.sleep(0)
        # Awaited even after a break: a fetch cancelled halfway could leave its connection
        # in a transaction.
        page = await following
    if broken is None:
        async with unit_of_work(sessions) as uow:
            beyond = await first_beyond_head(uow.session)
        broken = walk.finish(head_seq, head_hash, beyond)
    return ChainReport(broken is None, walk.records, head_seq, head_hash, broken)


async def verify_and_remember(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> ChainReport:
    report = await verify_chain(sessions)
    async with unit_of_work(sessions) as uow:
        remembered = {"checked_at": now.isoformat(), **report.as_json()}
        await write_setting(uow.session, LAST_CHECK, json.dumps(remembered), now)
        await uow.commit()
    return report


async def last_check(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Any] | None:
    """What the last check found (`as_json` plus `checked_at`), or None before the first."""
    async with unit_of_work(sessions) as uow:
        stored = await read_setting(uow.session, LAST_CHECK)
    return json.loads(stored) if stored else None

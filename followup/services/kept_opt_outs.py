"""An erased resident's opt-out still holds: a client whose number or address matches a kept
digest is opted out the moment it is stored (by an import, or an agent's contact change), so
no planning pass or dispatch ever sees them as reachable."""

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import OptOutSource
from followup.services.outcomes import opt_out
from followup.store.opt_out_hashes import clients_matching


async def honour_kept_opt_outs(
    session: AsyncSession, client_ids: Collection[int], now: datetime
) -> int:
    """Opt these clients out where a kept digest matches; how many matched. Recorded as the
    back office's opt-out: only a person lifts it, never a reply from the number."""
    matched = await clients_matching(session, client_ids, now)
    for client_id in sorted(matched):
        await opt_out(session, client_id, now, source=OptOutSource.BACK_OFFICE)
    return len(matched)

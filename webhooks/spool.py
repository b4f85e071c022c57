"""Callbacks kept on local disk while the database cannot be reached, and applied when it is
back. The carrier does not send an inbound SMS again after a 500, so a STOP sent during a
database restart would otherwise be lost; with the spool it is answered 200 and applied
later. Replaying is safe more than once: the carrier's SIDs are unique keys.

One file a callback (the signature-checked form and query as JSON), written whole (a
`.part` file, fsync'd, then renamed) and readable by this service's user only: it holds
phone numbers and message bodies. A file is deleted as soon as its callback is applied.
"""

import asyncio
import json
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from aiohttp import web

from followup.outage_log import DATABASE, is_database_outage
from followup.unexpected_errors import log_unexpected
from followup.web.errors import ANSWERED_WITHOUT_DATABASE

log = logging.getLogger(__name__)
FIRST_WAIT, LONGEST_WAIT = 1.0, 30.0  # seconds between replays while the database is down


@dataclass(frozen=True, slots=True)
class Spooled:
    kind: str  # which webhook: "sms", "sms-status", "call-status"
    form: dict[str, str]
    query: dict[str, str]


class Spool:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.arrived = asyncio.Event()  # something was put: try a replay soon

    async def put(self, item: Spooled) -> None:
        await asyncio.to_thread(self._write, item)
        self.arrived.set()

    def _write(self, item: Spooled) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Time first: replayed in the order they came.
        final = self.folder / f"{time.time_ns():020d}-{uuid.uuid4().hex}.json"
        partial = final.with_suffix(".part")
        content = json.dumps({"kind": item.kind, "form": item.form, "query": item.query})
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, final)
        directory = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a crash
        finally:
            os.close(directory)

    def pending(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("*.json"))

    @staticmethod
    def read(path: Path) -> Spooled:
        document = json.loads(path.read_text(encoding="utf-8"))
        return Spooled(document["kind"], document["form"], document["query"])


T = TypeVar("T")
Replayer = Callable[[web.Application, Spooled], Awaitable[object]]


async def or_spooled(
    request: web.Request, kind: str, form: Mapping[str, str], work: Awaitable[T]
) -> T | None:
    """`work`'s result; None when the database could not be reached and the callback was
    kept in the spool instead (the caller answers 2xx all the same)."""
    try:
        return await work
    except Exception as error:
        if not is_database_outage(error):
            raise
        DATABASE.failed(error)
    await request.app[SPOOL].put(Spooled(kind, dict(form), dict(request.query)))
    request[ANSWERED_WITHOUT_DATABASE] = True
    return None


async def replay(app: web.Application, replayers: Mapping[str, Replayer]) -> int:
    """Apply what the spool holds, oldest first; how many were applied. Stops at the first
    database error (raised): the rest waits for the next try."""
    spool = app[SPOOL]
    applied = 0
    for path in spool.pending():
        try:
            item = spool.read(path)
            await replayers[item.kind](app, item)
        except FileNotFoundError:
            continue  # another process of this installation applied it
        except Exception as error:
            if is_database_outage(error):
                raise
            # Not an outage: it would fail every time. Set aside for an operator.
            log_unexpected(log, error, f"replaying the spooled callback {path.name}")
            path.replace(path.with_suffix(".failed"))
            continue
        path.unlink(missing_ok=True)
        applied += 1
    return applied


async def replay_forever(app: web.Application, replayers: Mapping[str, Replayer]) -> None:
    spool, wait = app[SPOOL], FIRST_WAIT
    while True:
        spool.arrived.clear()
        try:
            if applied := await replay(app, replayers):
                log.info("applied %d callbacks kept while the database was unreachable", applied)
                DATABASE.working()
            wait = FIRST_WAIT
            await spool.arrived.wait()
            await asyncio.sleep(FIRST_WAIT)  # let a burst gather; the database may be back
        except Exception as error:  # the task keeps going: the spool must be emptied
            if is_database_outage(error):
                DATABASE.failed(error)
            else:
                log_unexpected(log, error, "replaying the spool")
            await asyncio.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT)


SPOOL = web.AppKey("spool", Spool)

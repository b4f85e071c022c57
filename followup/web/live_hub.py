"""One reader per app process for the pages that follow what happens (`live_pages`): while
any such page is open, the hub looks at the database once a second for all of them at once,
in the same few queries whether one page is open or two hundred, and hands each page a new
fragment only when what it shows changed. A card that may have changed is read again, once
for each of its viewers; the others are not read at all.

A look that fails (the database is away a while) is logged once, not every second; the pages
stay open with what they show, and follow again once it works."""

import asyncio
import contextvars
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.app_keys import CLOCK, LIVE_HUB, SESSIONS
from followup.clock import Clock
from followup.rules.domain import Role
from followup.rules.sign_in import session_key
from followup.services import open_pages
from followup.services.agent_queue import AgentQueue, record_views
from followup.services.resident_card import keep_holding, open_card
from followup.services.sign_in import SignedIn
from followup.web.cookies import SESSION

log = logging.getLogger(__name__)
LOOK_EVERY = 1.0  # seconds between looks at the database for all open pages
# Seconds between renewals of the leases of open cards (a lease lasts five minutes).
RENEW_EVERY = 60.0


class PageClosed(Exception):
    """The page's user may no longer see it, or its resident is gone."""


@dataclass(eq=False)
class Page:
    """One open page: the queue (`client_id` None) or a resident's card."""

    user: SignedIn  # as read at the last look
    roles: frozenset[Role]
    session_key: str  # of its sign-in session, which ends, lapses or idles
    client_id: int | None
    render: Callable[[SignedIn, Any], str]  # the fragment, from what the page shows
    # The request's context: a fragment's forms carry the token of the page's own request.
    context: contextvars.Context = field(default_factory=contextvars.copy_context)
    shown: Any = None  # the queue it shows, or the card's fragment
    signature: int | None = None  # of the card it shows
    closed: bool = False
    _fragment: str | None = None
    _ready: asyncio.Event = field(default_factory=asyncio.Event)

    def fragment(self, shown: Any) -> str:
        return self.context.run(self.render, self.user, shown)

    async def next_fragment(self, wait: float) -> str | None:
        """The newest fragment not sent yet, or None after `wait` seconds without one."""
        try:
            await asyncio.wait_for(self._ready.wait(), wait)
        except TimeoutError:
            return None
        self._ready.clear()
        if self.closed:
            raise PageClosed()
        fragment, self._fragment = self._fragment, None
        return fragment

    def offer(self, fragment: str) -> None:
        self._fragment = fragment  # a page slower than the changes gets the newest only
        self._ready.set()

    def stop(self) -> None:
        self.closed = True
        self._ready.set()


class LiveHub:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._pages: set[Page] = set()
        self._someone = asyncio.Event()
        self._failing: set[tuple[str, str]] = set()
        self._renew_at = 0.0

    def open(
        self,
        request: web.Request,
        user: SignedIn,
        roles: frozenset[Role],
        client_id: int | None,
        render: Callable[[SignedIn, Any], str],
    ) -> Page:
        """A page to follow from the next look on; `close` it when it is gone."""
        token = request.cookies.get(SESSION, "")
        page = Page(user, roles, session_key(token), client_id, render)
        self._pages.add(page)
        self._someone.set()
        return page

    def close(self, page: Page) -> None:
        self._pages.discard(page)
        if not self._pages:
            self._someone.clear()

    async def run(self) -> None:
        """Looks once a second while a page is open."""
        loop = asyncio.get_running_loop()
        while True:
            await self._someone.wait()
            started = loop.time()
            try:
                await self._look()
            except Exception as error:
                self._failed("looking", error)
            else:
                self._works("looking")
            await asyncio.sleep(max(0.0, started + LOOK_EVERY - loop.time()))

    async def _look(self) -> None:
        pages = list(self._pages)
        now = self._clock()
        queues = [page for page in pages if page.client_id is None]
        cards = [page for page in pages if page.client_id is not None]
        look = await open_pages.look(
            self._sessions,
            {page.session_key for page in pages},
            {page.session_key for page in queues},
            {page.client_id for page in cards},
            now,
        )
        allowed = {page for page in pages if self._still_allowed(page, look.users)}
        await self._show_queues([p for p in queues if p in allowed], look.queues, now)
        await self._show_cards([p for p in cards if p in allowed], look.cards, now)
        await self._renew_leases([p for p in cards if p in allowed and not p.closed], now)

    def _still_allowed(self, page: Page, users: dict[str, SignedIn]) -> bool:
        """Still signed in (the session ends, lapses or idles), not disabled, and in a role
        the page allows: a page can stay open all day."""
        user = users.get(page.session_key)
        if user is None or user.role not in page.roles:
            self._end(page)
            return False
        page.user = user
        return True

    async def _show_queues(
        self, pages: list[Page], queues: dict[int, AgentQueue], now: datetime
    ) -> None:
        changed = [(page, queues[page.user.id]) for page in pages]
        changed = [(page, queue) for page, queue in changed if queue != page.shown]
        if not changed:
            return
        # What a page shows is audited before it is shown.
        await record_views(self._sessions, [(page.user, queue) for page, queue in changed], now)
        for page, queue in changed:
            page.shown = queue
            page.offer(page.fragment(queue))

    async def _show_cards(
        self, pages: list[Page], signatures: dict[int, int], now: datetime
    ) -> None:
        stale: dict[tuple[int, int], list[Page]] = defaultdict(list)
        for page in pages:
            if page.client_id not in signatures:  # erased meanwhile: the page stops following
                self._end(page)
            elif signatures[page.client_id] != page.signature:
                stale[page.client_id, page.user.id].append(page)
        for (client_id, _), viewers in stale.items():
            user = viewers[0].user
            try:
                card = await open_card(self._sessions, client_id, user, now, audit=False)
            except Exception as error:
                self._failed("reading a card", error)
                continue
            self._works("reading a card")
            for page in viewers:
                if card is None:
                    self._end(page)
                    continue
                page.signature = signatures[client_id]
                fragment = page.fragment(card)
                if fragment != page.shown:
                    page.shown = fragment
                    page.offer(fragment)

    async def _renew_leases(self, cards: list[Page], now: datetime) -> None:
        """An agent holds the resident whose card they have open until they close it."""
        loop = asyncio.get_running_loop()
        held = {(page.user.id, page.client_id) for page in cards if page.user.role is Role.AGENT}
        if not held or loop.time() < self._renew_at:
            return
        await keep_holding(self._sessions, held, now)
        self._renew_at = loop.time() + RENEW_EVERY

    def _end(self, page: Page) -> None:
        self.close(page)
        page.stop()

    def _failed(self, what: str, error: Exception) -> None:
        """One line for each kind of failure, not one a second; never the error's message,
        which can quote a statement's values."""
        kind = (what, type(error).__name__)
        if kind not in self._failing:
            self._failing.add(kind)
            log.warning(
                "live pages: %s failed (%s); the pages keep what they show meanwhile", *kind
            )

    def _works(self, what: str) -> None:
        again = {kind for kind in self._failing if kind[0] == what}
        if again:
            self._failing -= again
            log.info("live pages: %s works again", what)


async def live_hub(app: web.Application) -> AsyncIterator[None]:
    """The hub of this process, for `app.cleanup_ctx`: after the database, before it goes."""
    app[LIVE_HUB] = hub = LiveHub(app[SESSIONS], app[CLOCK])
    running = asyncio.create_task(hub.run())
    yield
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
